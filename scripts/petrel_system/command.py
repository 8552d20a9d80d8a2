# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.command: what each of the tool's commands does once its arguments are parsed.

Contract: run(cmd, system, platform, elfs, output, svg, dot_program, cores, fold_cores)
carries out check, emit, draw or pack (scripts/petrel-system.py says what each
does) for the description at path `system` and a kernel of `cores` cores, with
`elfs` ({elf name: path}) and `cores` (1..layout.CORES_MAX) already well
formed, and returns the exit status: 0 done, 1 a description or ELF file
that is unreadable or bad (every mistake printed on stderr as FILE:LINE: ...,
and no output written) or a failed SVG rendering. check prints its one-line
summary on stdout; the others write only their output files.
"""
from __future__ import annotations

import sys

from . import emitters, reader
from .checks import Checker


def run(cmd: str, system: str, platform: str, elfs: dict[str, str], output: str | None = None,
        svg: str | None = None, dot_program: str = 'dot', cores: int = 1, fold_cores: bool = False) -> int:
    try:
        text = reader.read_text(system)
    except reader.ReadError as e:
        print(e.text(system), file=sys.stderr)
        return 1

    checker = Checker(system, text, platform, elfs, need_every_elf=cmd == 'pack', cores=cores,
                      fold_cores=fold_cores)
    model = checker.run()
    for w in checker.warnings:
        print(w, file=sys.stderr)
    if checker.errors:
        for m in checker.messages():
            print(m, file=sys.stderr)
        return 1

    if cmd == 'check':
        print('%s: system %s on %s: %d apps, %d channels, %d shared regions, %d irqs, %d devices: ok' % (
            system, model.name, platform, len(model.apps), len(model.channels),
            len(model.shared), len(model.irqs), len(model.devices)))
        return 0
    if cmd == 'emit':
        emitters.write_file(output, emitters.emit_header(model, system, platform))
        return 0
    if cmd == 'pack':
        # Always a new file, even when the same: the root task's build sees a changed
        # ELF only through this file's time (its .incbin is no dependency it knows).
        emitters.write_file(output, emitters.emit_images(model, system, platform, elfs))
        return 0
    # draw
    emitters.write_file(output, emitters.emit_dot(model, platform))
    if svg:
        try:
            emitters.render_svg(output, svg, dot_program)
        except emitters.SvgError as e:
            print(e, file=sys.stderr)
            return 1
    return 0
