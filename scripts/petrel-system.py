#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""petrel-system: checks a system description, emits the root task's tables, draws the system.

A system description (one TOML file per system, e.g. apps/demo/system.toml) lists
the apps, the channels between them, shared memory, interrupt lines and device
MMIO given to apps, and who handles each app's faults. This tool

  check SYSTEM.toml --platform P [--cores N [--fold-cores]] [--elf ELF=PATH ...]
        reports every mistake as `FILE:LINE: what is wrong` on stderr, exit status 1;
  emit  SYSTEM.toml --platform P [--cores N [--fold-cores]] [--elf ELF=PATH ...] -o NAME_system.hpp
        checks, then writes the C++ tables the root task and the apps read (the
        types are in apps/lib/include/petrel/system_tables.hpp). The header does
        not depend on the ELF files: apps include it, so it is made without them;
  draw  SYSTEM.toml --platform P [--cores N [--fold-cores]] [--elf ...] -o SYSTEM.dot [--svg SYSTEM.svg]
        checks, then writes the system as a Graphviz graph (and an SVG through
        Graphviz's `dot` program, Debian package graphviz);
  pack  SYSTEM.toml --platform P [--cores N [--fold-cores]] --elf ELF=PATH [...] -o NAME_images.cpp
        checks with every image's ELF file (each must be given), then writes the
        C++ source that packs the files into the root task's image (.incbin) and
        defines petrel::system::kImageFiles, in kImages order. It always rewrites
        the output, so the root task is rebuilt whenever an ELF file changed.

Every command takes --cores, the kernel's core count (the build's -Dcores,
1..4, default 1: an app's `core` must be below it, and a kernel of 1 core has
only core 0), and --elf for any of the images: the ELF file is then checked
(a 32-bit little-endian ARM executable; PT_LOAD segments inside the image
window, page aligned, file bytes inside the file, never writable and executable,
no page shared by two segments; the entry point in an executable segment) and
its pages are charged to the memory budget of each app running it.

Exit status: 0 good, 1 a bad description (or a bad --elf file), 2 a usage error.
Python 3.11 or later, standard library only (tomllib). The schema, the checks and
the app address-space layout are documented in apps/lib/include/petrel/system_tables.hpp
and the README's "System description"; the package scripts/petrel_system/ (its
__init__.py lists the modules) is their implementation, and this file parses the
command line and calls it.
"""

import argparse
import os
import sys

if sys.version_info < (3, 11):
    print('petrel-system.py needs Python 3.11 or later (for tomllib), not %d.%d' % sys.version_info[:2],
          file=sys.stderr)
    sys.exit(2)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from petrel_system import command, layout, platforms  # noqa: E402

try:
    PLATFORM_NAMES = tuple(platforms.load())
except platforms.BoardError as e:
    print('petrel-system.py: %s' % e, file=sys.stderr)
    sys.exit(2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='petrel-system.py',
                                 description='Check a Petrel system description, emit its tables, draw it, '
                                             "pack its apps' ELF files.")
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name, helptext in (('check', 'report every mistake, FILE:LINE: ... (exit status 1)'),
                           ('emit', 'check, then write the C++ tables for the root task and the apps'),
                           ('draw', 'check, then write a Graphviz picture of the system'),
                           ('pack', "check with every app's ELF, then write the C++ source packing them "
                                    "into the root task's image")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument('system', help='the system description (TOML)')
        p.add_argument('--platform', required=True, choices=PLATFORM_NAMES)
        p.add_argument('--cores', type=int, default=1, metavar='N',
                       help="the kernel's cores, the build's -Dcores (1..%d, default 1): apps run on 0..N-1"
                       % layout.CORES_MAX)
        p.add_argument('--fold-cores', action='store_true',
                       help="an app on a core the kernel lacks runs on core %% N, with a warning, instead of "
                       "being refused (for a system meant for a kernel of any core count, as the demo)")
        p.add_argument('--elf', action='append', default=[], metavar='ELF=PATH',
                       help="an app image: the app's `elf` name and its ELF file (repeatable%s)"
                       % ('; one for every image' if name == 'pack' else ''))
        if name != 'check':
            p.add_argument('-o', '--output', required=True, help='the file to write')
        if name == 'draw':
            p.add_argument('--svg', help="also render an SVG with Graphviz's dot")
            p.add_argument('--dot-program', default='dot', help='the dot program (default: dot on PATH)')
    args = ap.parse_args(argv)

    if not 1 <= args.cores <= layout.CORES_MAX:
        ap.error('--cores %d: a kernel has 1..%d cores' % (args.cores, layout.CORES_MAX))
    elfs: dict[str, str] = {}
    for spec in args.elf:
        name, eq, path = spec.partition('=')
        if not eq or not name or not path:
            ap.error('--elf %s: expected ELF=PATH' % spec)
        if name in elfs:
            ap.error('--elf %s: given twice' % name)
        if args.cmd == 'pack' and ('\n' in path or ')petrel"' in path):
            ap.error('--elf %s: the file name cannot go into the generated source' % spec)
        elfs[name] = path

    return command.run(args.cmd, args.system, args.platform, elfs, output=getattr(args, 'output', None),
                       svg=getattr(args, 'svg', None), dot_program=getattr(args, 'dot_program', 'dot'),
                       cores=args.cores, fold_cores=args.fold_cores)


if __name__ == '__main__':
    sys.exit(main())
