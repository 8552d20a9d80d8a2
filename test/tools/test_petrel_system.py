#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Tests of scripts/petrel-system.py, the system-description tool (meson suite 'host').

  PYTHONPATH=scripts:platform test/tools/test_petrel_system.py --source-root DIR
      [--cxx 'c++'] [--cross-cxx 'arm-none-eabi-g++'] [--root-elf PATH --readelf PATH --objcopy PATH]
      [unittest arguments, e.g. a class name]

The tool's modules (scripts/petrel_system) and platform/boards.py are imported
as they are, from PYTHONPATH (test/tools/meson.build sets it); the command,
scripts/petrel-system.py, is run as the build runs it.

Bad descriptions (test/tools/bad/*.toml) each say what the tool must print, in
comments read here:
  # expect: FILE:LINE: message   every line of stderr, in order (exit status 1)
  # platform: P                  the platform to check for (default qemu-virt)
  # cores: N                     the kernel's cores, passed as --cores N (default: none
                                 passed, the tool's 1)
  # command: pack                run `pack` (it must write no output) instead of `check`
  # elf: NAME=SPEC [entry=0xE]   an --elf to pass: SPEC is SEGMENT,SEGMENT,... (a
                                 synthesized ARM ELF with those PT_LOAD segments,
                                 entry E or the first executable segment's start),
                                 `garbage` (not an ELF) or `missing`; a SEGMENT is
                                 VADDR+MEMSZ:FLAGS[/FILESZ][@OFFSET] (FILESZ
                                 defaults to min(MEMSZ, 0x200) bytes of a pattern
                                 stored after the headers; FLAGS as in ELF: R 4,
                                 W 2, X 1); $ELFDIR in an expected line is where
                                 they are.
Good descriptions (test/tools/good/*.toml) must check on the platforms listed
in `# platforms:` (with --cores N when they say `# cores: N`), and their
emitted header must compile (host and target) and,
run through dump_tables.cpp, print test/tools/good/NAME.PLATFORM.expected when
that file exists. BudgetTest adds memory budgets up by hand; PackTest links
pack's output on the host and compares the target object's section with the
ELF files it packs.
"""
import argparse
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import tomllib
import unittest

import boards
from petrel_system import checks, layout, platforms, reader

OPTS = None
HERE = os.path.dirname(os.path.abspath(__file__))


def tool_path():
    return os.path.join(OPTS.source_root, 'scripts', 'petrel-system.py')


def run_tool(args, cwd=None):
    return subprocess.run([sys.executable, tool_path()] + args, cwd=cwd, capture_output=True, text=True)


def make_elf(path, segments, entry=None, machine=40, etype=2, seed=0):
    """A minimal 32-bit little-endian ELF executable with these PT_LOAD segments, each
    (vaddr, memsz, flags[, filesz[, offset]]): filesz defaults to min(memsz, 0x200)
    bytes of a pattern (from `seed`), stored after the program headers unless an
    offset is given (then nothing is stored for it). The entry defaults to the
    first executable segment's start. Returns the file's bytes."""
    segs = [tuple(s) + (None,) * (5 - len(s)) for s in segments]
    if entry is None:
        entry = next((v for v, _m, f, _fs, _o in segs if f & 1), 0x10000)
    ident = b'\x7fELF' + bytes([1, 1, 1]) + bytes(9)
    header = struct.pack('<16sHHIIIIIHHHHHH', ident, etype, machine, 1, entry, 52, 0, 0x0500_0000, 52, 32,
                         len(segs), 40, 0, 0)
    body = bytearray(header + bytes(32 * len(segs)))
    for k, (v, m, f, filesz, offset) in enumerate(segs):
        filesz = min(m, 0x200) if filesz is None else filesz
        if offset is None:
            body += bytes(-len(body) % 4)
            offset = len(body)
            body += bytes((seed * 37 + k * 101 + i * 7 + (i >> 8)) & 0xff for i in range(filesz))
        struct.pack_into('<8I', body, 52 + 32 * k, 1, offset, v, v, filesz, m, f, 0x1000)
    with open(path, 'wb') as out:
        out.write(body)
    return bytes(body)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def directives(text, name):
    return [m.group(1).strip() for m in re.finditer(r'^#\s*%s:(.*)$' % name, text, re.M)]


def cores_args(text):
    """--cores N for a description saying `# cores: N`."""
    cores = directives(text, 'cores')
    return ['--cores', cores[0]] if cores else []


def elf_args(text, elfdir):
    args = []
    for spec in directives(text, 'elf'):
        name, _, what = spec.partition('=')
        path = os.path.join(elfdir, name + '.elf')
        what, _, extra = what.partition(' ')
        if what == 'garbage':
            with open(path, 'wb') as f:
                f.write(b'this is not an ELF file\n')
        elif what != 'missing':
            segs = []
            for seg in what.split(','):
                m = re.fullmatch(r'(0x[0-9a-f]+)\+(0x[0-9a-f]+):(\d+)(?:/(0x[0-9a-f]+))?(?:@(0x[0-9a-f]+))?',
                                 seg.strip())
                assert m, 'bad elf directive %r' % spec
                segs.append(tuple(int(g, 0) if g else None for g in m.groups()))
            m = re.fullmatch(r'(?:entry=(0x[0-9a-f]+))?', extra.strip())
            assert m, 'bad elf directive %r' % spec
            make_elf(path, segs, entry=int(m.group(1), 16) if m.group(1) else None)
        args += ['--elf', '%s=%s' % (name, path)]
    return args


# ---------------------------------------------------------------------------

class LocatorTest(unittest.TestCase):
    """The locator finds the line of every table, key and array element."""

    def test_tables_keys_and_elements(self):
        text = '\n'.join([
            '# [[app]] in a comment is not a header',   # 1
            '[system]',                                 # 2
            'name = "a [[b]] = # c"  # comment',        # 3
            '',                                         # 4
            '[[app]]',                                  # 5
            'name = "x"',                               # 6
            "note = '''",                               # 7
            '[[app]]',                                  # 8: inside a string
            "name = 'y'",                               # 9: inside a string
            "'''",                                      # 10
            '  priority   =   3',                       # 11
            '[[ app ]]',                                # 12
            '"name" = "z"',                             # 13
            'line = { qemu-virt = 33, rpi2 = 89 }',     # 14
            '',                                         # 15
            '[[channel]]',                              # 16
            'clients = [',                              # 17
            '  { app = "x", badge = 1 },  # one',       # 18
            '  # { app = "w", badge = 9 },',            # 19
            '',                                         # 20
            '  { app = "z", badge = 2 },',              # 21
            '  # ]',                                    # 22
            ']',                                        # 23
            'after = """x\\"""',                        # 24
            'y"""',                                     # 25
            'dotted.key = 1',                           # 26
            '[[app.maps]]',                             # 27
            'vaddr = 0x1000',                           # 28
            '[app.extra]',                              # 29
            'k = [1, [2,',                              # 30
            '  3]]',                                    # 31
        ]) + '\n'
        tomllib.loads(text)  # the fixture is valid TOML
        loc = reader.Locator(text)
        cases = {
            ('system',): 2, ('system', 'name'): 3,
            ('app',): 5, ('app', 0): 5, ('app', 0, 'name'): 6, ('app', 0, 'note'): 7,
            ('app', 0, 'priority'): 11, ('app', 1): 12, ('app', 1, 'name'): 13,
            ('app', 1, 'line'): 14, ('app', 1, 'line', 'qemu-virt'): 14, ('app', 1, 'line', 'rpi2'): 14,
            ('channel', 0): 16, ('channel', 0, 'clients'): 17,
            ('channel', 0, 'clients', 0): 18, ('channel', 0, 'clients', 0, 'badge'): 18,
            ('channel', 0, 'clients', 1): 21, ('channel', 0, 'clients', 1, 'app'): 21,
            ('channel', 0, 'clients', 1, 'badge'): 21, ('channel', 0, 'after'): 24,
            ('channel', 0, 'dotted', 'key'): 26,
            ('app', 1, 'maps', 0): 27, ('app', 1, 'maps', 0, 'vaddr'): 28,
            ('app', 1, 'extra'): 29, ('app', 1, 'extra', 'k', 1, 1): 31,
            # Unknown paths fall back to the nearest known one.
            ('app', 0, 'missing'): 5, ('channel', 0, 'clients', 1, 'nope'): 21, ('nothing',): 1,
        }
        for path, line in cases.items():
            self.assertEqual(loc.line(path), line, path)
        self.assertNotIn(('app', 2), loc.lines)

    def test_multiline_basic_string_with_quotes_at_its_end(self):
        text = 's = """a""""\n[[app]]\nname = "b"\n'
        tomllib.loads(text)
        loc = reader.Locator(text)
        self.assertEqual(loc.line(('app', 0, 'name')), 3)

    def test_crlf_and_escaped_quotes(self):
        text = '[system]\r\nname = "a\\"b"\r\n\r\n[[app]]\r\nname = \'c\'\r\n'
        tomllib.loads(text)
        loc = reader.Locator(text)
        self.assertEqual(loc.line(('system', 'name')), 2)
        self.assertEqual(loc.line(('app', 0, 'name')), 5)


# ---------------------------------------------------------------------------

class BadDescriptionsTest(unittest.TestCase):
    """Every bad description fails with exactly the errors it expects."""

    def test_bad_descriptions(self):
        bad = os.path.join(HERE, 'bad')
        files = sorted(f for f in os.listdir(bad) if f.endswith('.toml'))
        self.assertGreater(len(files), 15)
        for name in files:
            with self.subTest(name):
                text = read(os.path.join(bad, name))
                expect = directives(text, 'expect')
                self.assertTrue(expect, '%s has no "# expect:" line' % name)
                platform = (directives(text, 'platform') or ['qemu-virt'])[0]
                command = (directives(text, 'command') or ['check'])[0]
                with tempfile.TemporaryDirectory() as elfdir:
                    out = os.path.join(elfdir, 'out.cpp')
                    args = ([command, name, '--platform', platform] + cores_args(text) + elf_args(text, elfdir) +
                            (['-o', out] if command != 'check' else []))
                    r = run_tool(args, cwd=bad)
                    got = r.stderr.replace(elfdir, '$ELFDIR').splitlines()
                    self.assertFalse(os.path.exists(out), '%s: a bad description must write no output' % name)
                self.assertEqual(got, expect, '%s: stderr differs' % name)
                self.assertEqual(r.returncode, 1, name)
                self.assertEqual(r.stdout, '', name)

    def test_emit_and_draw_refuse_a_bad_description(self):
        bad = os.path.join(HERE, 'bad')
        with tempfile.TemporaryDirectory() as d:
            for cmd in ('emit', 'draw', 'pack'):
                out = os.path.join(d, 'out.' + cmd)
                r = run_tool([cmd, 'bad-priority.toml', '--platform', 'qemu-virt', '-o', out], cwd=bad)
                self.assertEqual(r.returncode, 1)
                self.assertIn("bad-priority.toml:10: app 'shell': priority 300 out of range", r.stderr)
                self.assertFalse(os.path.exists(out), 'a bad description must write no %s output' % cmd)

    def test_every_check_has_a_case(self):
        """Each kind of error the tool can report appears in some bad case."""
        messages = []
        bad = os.path.join(HERE, 'bad')
        for name in os.listdir(bad):
            if name.endswith('.toml'):
                messages += directives(read(os.path.join(bad, name)), 'expect')
        text = '\n'.join(messages)
        for fragment in ['TOML syntax', 'unknown key', 'unknown table', 'missing key', 'must be an integer',
                         'must be a table', 'must be an array of tables', 'missing [system]', 'no [[app]]',
                         'duplicate app name', 'not usable as a C++ name', 'longer than 15', 'priority 300 out of',
                         'stack 5000 is not', 'at most 255 stack pages', 'memory budget 0 is not positive',
                         'unknown app', 'root task is not one of the apps', 'its own faults', 'restart = true',
                         'a channel to itself', 'badge 1 given twice', 'badge 0 out of range', 'shares bits',
                         'neither "endpoint"', 'no clients', 'duplicate channel name', 'size 5000 is not',
                         'rights \'rwx\'', 'mapped by no app', 'not page aligned', "reaches the kernel's half",
                         'overlaps its IPC buffer', 'overlaps its null guard', 'overlaps its image window',
                         'overlaps its stack', 'overlaps shared region', "is the kernel's timer", 'out of range on',
                         'cannot be handed out', 'line 33 given twice', 'trigger of lines 32 and up',
                         "cannot set a line's trigger", 'neither "level"', 'has no value for platform',
                         'unknown platform', 'given twice (also', 'overlaps device',
                         'not device memory the root task gets', 'over its memory budget',
                         'outside the image window', 'not an ELF file', 'cannot read it', 'no app has elf',
                         'both writable and executable', 'does not start on a page', 'share the page',
                         'not in an executable segment', 'filesz > memsz', 'lie outside the file',
                         'no ELF file given for image', 'alignment', 'is a client twice', 'fault handlers form a cycle',
                         'the largest Untyped', 'reserved to the compiler', 'a predefined macro',
                         'core 4 out of range 0..3: the kernel is built for 4 cores (-Dcores=4)',
                         'core 1 out of range 0..0: the kernel is built for 1 core (-Dcores=1)',
                         'core must be an integer, got float']:
            self.assertIn(fragment, text)


# ---------------------------------------------------------------------------

WARN = ['-std=c++20', '-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wold-style-cast',
        '-Wzero-as-null-pointer-constant', '-pedantic']
TARGET = ['-ffreestanding', '-fno-exceptions', '-fno-rtti', '-marm', '-mfloat-abi=soft', '-O2']
INCS = []  # set in main(): the kernel's and libpetrel's include directories


def compile_and_dump(testcase, header, workdir, source_root):
    """Compiles dump_tables.cpp with the emitted header natively, runs it, returns its output;
    and compiles the header for the target when a cross compiler was given."""
    incs = ['-I', os.path.join(source_root, 'src', 'include'), '-I', os.path.join(source_root, 'apps', 'lib', 'include')]
    warn = WARN
    define = ['-DPETREL_SYSTEM_TABLES="%s"' % header]
    if OPTS.cross_cxx:
        use = os.path.join(workdir, 'use.cpp')
        with open(use, 'w', encoding='utf-8') as f:
            f.write('#include PETREL_SYSTEM_TABLES\n'
                    'const petrel::system::SystemDesc *system_desc() { return &petrel::system::kSystem; }\n')
        r = subprocess.run(shlex.split(OPTS.cross_cxx) + warn + define + incs + TARGET +
                           ['-c', use, '-o', os.path.join(workdir, 'use.o')],
                           capture_output=True, text=True)
        testcase.assertEqual(r.returncode, 0, 'the target compiler refused %s:\n%s' % (header, r.stderr))
    exe = os.path.join(workdir, 'dump')
    r = subprocess.run(shlex.split(OPTS.cxx) + warn + define + incs +
                       [os.path.join(HERE, 'dump_tables.cpp'), '-o', exe], capture_output=True, text=True)
    testcase.assertEqual(r.returncode, 0, 'the host compiler refused %s:\n%s' % (header, r.stderr))
    r = subprocess.run([exe], capture_output=True, text=True)
    testcase.assertEqual(r.returncode, 0, r.stderr)
    return r.stdout


class GoodDescriptionsTest(unittest.TestCase):
    """Good descriptions check, emit a header that compiles and holds their tables, and draw."""

    def good(self):
        d = os.path.join(HERE, 'good')
        return [(os.path.join(d, f), f[:-5]) for f in sorted(os.listdir(d)) if f.endswith('.toml')]

    def test_good_descriptions(self):
        for path, stem in self.good():
            text = read(path)
            platforms = (directives(text, 'platforms') or ['qemu-virt'])[0].split()
            for platform in platforms:
                with self.subTest(stem, platform=platform), tempfile.TemporaryDirectory() as d:
                    elfs = cores_args(text) + elf_args(text, d)
                    r = run_tool(['check', path, '--platform', platform] + elfs)
                    self.assertEqual((r.returncode, r.stderr), (0, ''))
                    self.assertIn(': ok', r.stdout)
                    header = os.path.join(d, stem + '_system.hpp')
                    r = run_tool(['emit', path, '--platform', platform, '-o', header] + elfs)
                    self.assertEqual((r.returncode, r.stderr), (0, ''))
                    dump = compile_and_dump(self, header, d, OPTS.source_root)
                    expected = os.path.join(HERE, 'good', '%s.%s.expected' % (stem, platform))
                    if os.path.exists(expected):
                        self.assertEqual(dump, read(expected),
                                         'the tables of %s on %s differ from %s' % (stem, platform, expected))
                    dot = os.path.join(d, stem + '.dot')
                    svg = os.path.join(d, stem + '.svg')
                    have_dot = bool(shutil_which('dot'))
                    r = run_tool(['draw', path, '--platform', platform, '-o', dot] + elfs +
                                 (['--svg', svg] if have_dot else []))
                    self.assertEqual((r.returncode, r.stderr), (0, ''))
                    graph = read(dot)
                    self.assertTrue(graph.startswith('// Generated'))
                    self.assertIn('digraph', graph)
                    if have_dot:
                        self.assertIn('<svg', read(svg))

    def test_full_picture(self):
        """The picture of good/full.toml: apps with priorities, channels with badges, IRQs, devices,
        shared regions, fault handlers."""
        with tempfile.TemporaryDirectory() as d:
            dot = os.path.join(d, 'full.dot')
            r = run_tool(['draw', os.path.join(HERE, 'good', 'full.toml'), '--platform', 'rpi2', '-o', dot])
            self.assertEqual((r.returncode, r.stderr), (0, ''))
            graph = read(dot)
        for line in [
            'root [shape=box, style="rounded,bold", label="root task\\npriority 255"];',
            'app_uart [shape=box, style=rounded, label="uart\\npriority 200\\nELF uart_driver"];',
            'app_shell -> app_uart [style=solid, label="console\\nbadge 1"];',
            'app_uart -> app_shell [style=dashed, label="input\\nbadge 1"];',
            'irq_89 [shape=ellipse, fontsize=9, height=0.3, label="IRQ 89"];',
            'irq_89 -> app_uart [label="badge 1"];',
            'device_pl011 [shape=note, fontsize=9, label="pl011 @ 3f201000\\n4 KiB"];',
            'shared_ring [shape=cylinder, label="ring\\n8 KiB"];',
            'shared_ring -> app_shell [color=gray40, dir=both, label="rw @ 00300000"];',
            'shared_ring -> app_logger [color=gray40, dir=forward, label="r @ 00400000"];',
            'app_worker -> app_pager [style=dotted, label="faults"];',
            'app_crasher -> root [style=dotted, label="faults, restarted"];',
        ]:
            self.assertIn('    ' + line + '\n', graph)

    def test_cores(self):
        """good/cores.toml needs --cores 4: its apps' cores are in the tables (cores.PLATFORM.expected)
        and the picture; with fewer cores each app past them is refused at its core."""
        path = os.path.join(HERE, 'good', 'cores.toml')
        with tempfile.TemporaryDirectory() as d:
            dot = os.path.join(d, 'cores.dot')
            r = run_tool(['draw', path, '--platform', 'qemu-virt', '--cores', '4', '-o', dot])
            self.assertEqual((r.returncode, r.stderr), (0, ''))
            graph = read(dot)
        self.assertIn('    app_uart [shape=box, style=rounded, label="uart\\npriority 200, core 1"];\n', graph)
        self.assertIn('    app_idle [shape=box, style=rounded, label="idle\\npriority 1"];\n', graph)
        for args, refused in (([], ('uart', 'timer', 'shell')), (['--cores', '1'], ('uart', 'timer', 'shell')),
                              (['--cores', '2'], ('timer', 'shell')), (['--cores', '3'], ('timer',))):
            with self.subTest(args):
                r = run_tool(['check', path, '--platform', 'qemu-virt'] + args)
                self.assertEqual(r.returncode, 1)
                n = int(args[1]) if args else 1
                lines = {'uart': (12, 1), 'timer': (18, 3), 'shell': (24, 2)}
                self.assertEqual(r.stderr.splitlines(), [
                    "%s:%d: app '%s': core %d out of range 0..%d: the kernel is built for %d core%s (-Dcores=%d)"
                    % (path, lines[a][0], a, lines[a][1], n - 1, n, 's' if n > 1 else '', n) for a in refused])

    def test_demo_description(self):
        """apps/demo/system.toml checks on every platform, for 4 cores and (as its build does, with
        --fold-cores) for 1, and its header compiles."""
        demo = os.path.join(OPTS.source_root, 'apps', 'demo', 'system.toml')
        for platform in ('qemu-virt', 'rpi2', 'rpi3', 'rpi4'):
            with self.subTest(platform), tempfile.TemporaryDirectory() as d:
                r = run_tool(['emit', demo, '--platform', platform, '--cores', '4', '-o',
                              os.path.join(d, 'demo_system.hpp')])
                self.assertEqual((r.returncode, r.stderr), (0, ''))
                r = run_tool(['emit', demo, '--platform', platform, '--cores', '1', '--fold-cores', '-o',
                              os.path.join(d, 'demo_system.hpp')])
                self.assertEqual((r.returncode, [l.split(': warning: ')[1].split(':')[0] for l in r.stderr.splitlines()]),
                                 (0, ["app 'uart'", "app 'shell'", "app 'echo'"]))
                dump = compile_and_dump(self, os.path.join(d, 'demo_system.hpp'), d, OPTS.source_root)
                self.assertIn('system demo on %s' % platform, dump)

    def test_real_elf(self):
        """The root task's ELF as an app image: check and pack accept it (its text and data on
        pages of their own), and its budget is charged with the PT_LOAD pages readelf shows."""
        if not OPTS.root_elf:
            self.skipTest('no --root-elf given')
        out = subprocess.run([OPTS.readelf, '-lW', OPTS.root_elf], capture_output=True, text=True,
                             check=True).stdout
        pages = set()
        for m in re.finditer(r'^\s*LOAD\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)',
                             out, re.M):
            v, size = int(m.group(1), 16), int(m.group(2), 16)
            pages.update(range(v & ~0xfff, (v + size + 0xfff) & ~0xfff, 0x1000))
        self.assertTrue(pages)
        # One app, no regions, a 16 KiB stack: page directory [0, 8K), CNode [8K, 10K), TCB
        # [10K, 10.5K), page tables for MiB 0, 1 and 0x7ff at [11K, 14K); the frames from 16K:
        # the image's pages, the IPC buffer (4K), the stack (16K).
        need = 16 * 1024 + len(pages) * 0x1000 + 0x1000 + 0x4000
        with tempfile.TemporaryDirectory() as d:
            desc = os.path.join(d, 'real.toml')
            for memory in (need, need - 1024):
                with open(desc, 'w', encoding='utf-8') as f:
                    f.write('[system]\nname = "real"\n\n[[app]]\nname = "solo"\npriority = 1\n'
                            'memory = 0x%x\n' % memory)
                r = run_tool(['check', desc, '--platform', 'qemu-virt', '--elf', 'solo=' + OPTS.root_elf])
                if memory == need:
                    self.assertEqual((r.returncode, r.stderr), (0, ''))
                else:
                    self.assertEqual(r.stderr, "%s:7: app 'solo': needs %d KiB, over its memory budget of %d KiB "
                                     "(image %d KiB, stack 16 KiB, IPC buffer 4 KiB, page directory 8 KiB, CNode 2 "
                                     "KiB, TCB 512 B, page tables 3 KiB, alignment 2.5 KiB)\n"
                                     % (desc, need // 1024, need // 1024 - 1, len(pages) * 4))
            out = os.path.join(d, 'real_images.cpp')
            r = run_tool(['pack', desc, '--platform', 'qemu-virt', '--elf', 'solo=' + OPTS.root_elf, '-o', out])
            self.assertEqual(r.returncode, 1)  # the budget is 1 KiB short
            self.assertIn('over its memory budget', r.stderr)
            self.assertFalse(os.path.exists(out))
            with open(desc, 'a', encoding='utf-8') as f:
                f.write('stack = 0x3000\n')  # 4 KiB less stack: now it fits
            r = run_tool(['pack', desc, '--platform', 'qemu-virt', '--elf', 'solo=' + OPTS.root_elf, '-o', out])
            self.assertEqual((r.returncode, r.stderr), (0, ''))
            self.assertIn('    .incbin "%s"\n' % os.path.abspath(OPTS.root_elf), read(out))


def shutil_which(name):
    import shutil
    return shutil.which(name)


# ---------------------------------------------------------------------------

def check_text(text, elfs=None, platform='qemu-virt', cores=1):
    """Runs the tool's checker on a description's text; returns (system, error messages)."""
    checker = checks.Checker('t.toml', text, platform, elfs or {}, cores=cores)
    system = checker.run()
    return system, checker.messages()


def app_toml(name, memory, stack=None, extra=''):
    return ('[[app]]\nname = "%s"\npriority = 10\nmemory = 0x%x\n%s%s\n'
            % (name, memory, 'stack = 0x%x\n' % stack if stack else '', extra))


class BudgetTest(unittest.TestCase):
    """An app's memory budget holds exactly what the root task retypes from it, in order, each
    object at the watermark rounded up to its own size."""

    def needs(self, text, elfs=None):
        system, errors = check_text(text, elfs)
        self.assertEqual(errors, [])
        return {a.name: (a.needs, a.parts) for a in system.apps}

    def test_hand_computed(self):
        """good/exact-budget.toml, whose budgets are exactly these needs."""
        text = read(os.path.join(HERE, 'good', 'exact-budget.toml'))
        with tempfile.TemporaryDirectory() as d:
            needs = self.needs(text, {'exact': self.elf(d)})
        K = 1024
        # 'exact': 16 KiB stack, a 5-page image (0x10000-0x12fff text, 0x13000-0x147ff data), shared
        # regions at 0x00300000 and 0x00380000 (both MiB 3), a device at 0x00200000 (MiB 2).
        #   page directory   8 KiB  [ 0,     8K)
        #   CNode            2 KiB  [ 8K,   10K)     2^7 slots x 16 B
        #   TCB            512 B    [10K, 10.5K)
        #   page table MiB 0        [11K,   12K)     0.5 KiB alignment before it
        #   page table MiB 1        [12K,   13K)
        #   page table MiB 0x7ff    [13K,   14K)     the stack's only MiB (0x7ffec000-0x7ffeffff)
        #   5 image frames          [16K,   36K)     2 KiB alignment before them
        #   IPC buffer frame        [36K,   40K)
        #   4 stack frames          [40K,   56K)
        #   page table MiB 3        [56K,   57K)     the shared regions' (one for both)
        #   page table MiB 2        [57K,   58K)     the device's
        # = 58 KiB: 20 + 16 + 4 + 8 + 2 + 0.5 + 5 (page tables) + 2.5 (alignment)
        self.assertEqual(needs['exact'], (58 * K, {
            'image': 20 * K, 'stack': 16 * K, 'IPC buffer': 4 * K, 'page directory': 8 * K, 'CNode': 2 * K,
            'TCB': 512, 'page tables': 5 * K, 'alignment': 2560}))
        # 'deep': 255 stack pages reach from 0x7fef1000 into MiB 0x7fe: a fourth page table at
        # [14K, 15K), so only 1 KiB of alignment before the frames at 16K; no image (no ELF given);
        # IPC buffer [16K, 20K), stack [20K, 1040K), page table MiB 3 [1040K, 1041K)
        # = 1041 KiB: 1020 + 4 + 8 + 2 + 0.5 + 5 (page tables) + 1.5 (alignment)
        self.assertEqual(needs['deep'], (1041 * K, {
            'image': 0, 'stack': 1020 * K, 'IPC buffer': 4 * K, 'page directory': 8 * K, 'CNode': 2 * K,
            'TCB': 512, 'page tables': 5 * K, 'alignment': 1536}))

    def elf(self, d):
        path = os.path.join(d, 'exact.elf')
        make_elf(path, [(0x10000, 0x3000, 5), (0x13000, 0x1800, 6)])
        return path

    def test_without_the_elf_the_image_is_not_charged(self):
        needs = self.needs(read(os.path.join(HERE, 'good', 'exact-budget.toml')))
        self.assertEqual(needs['exact'][0], 58 * 1024 - 20 * 1024)

    def test_the_stack_in_one_or_two_mib(self):
        head = '[system]\nname = "t"\n'
        # 960 KiB ends at 0x7ff00000: MiB 0x7ff only; one page more reaches MiB 0x7fe.
        needs = self.needs(head + app_toml('one', 0x200000, 0xf0000) + app_toml('two', 0x200000, 0xf1000))
        self.assertEqual(needs['one'], (16 * 1024 + 4096 + 0xf0000, {
            'image': 0, 'stack': 0xf0000, 'IPC buffer': 4096, 'page directory': 8192, 'CNode': 2048, 'TCB': 512,
            'page tables': 3072, 'alignment': 2560}))
        self.assertEqual(needs['two'], (16 * 1024 + 4096 + 0xf1000, {
            'image': 0, 'stack': 0xf1000, 'IPC buffer': 4096, 'page directory': 8192, 'CNode': 2048, 'TCB': 512,
            'page tables': 4096, 'alignment': 1536}))

    def test_page_tables_for_regions(self):
        """One page table per further MiB: none for MiB 0, 1 or the stack's; a region across a MiB
        boundary takes two; shared regions and devices cost only their page tables."""
        text = ('[system]\nname = "t"\n' + app_toml('a', 0x100000) + app_toml('b', 0x100000) +
                '[[shared]]\nname = "ipc_mib"\nsize = 0x40000\n'
                'maps = [ { app = "a", vaddr = 0x00180000, rights = "rw" } ]\n'
                '[[shared]]\nname = "across"\nsize = 0x2000\n'
                'maps = [ { app = "a", vaddr = 0x005ff000, rights = "r" }, '
                '{ app = "b", vaddr = 0x7fe00000, rights = "r" } ]\n'
                '[[device]]\nname = "dev"\napp = "a"\npaddr = 0x09000000\nsize = 0x1000\nvaddr = 0x7ff00000\n')
        needs = self.needs(text)
        base = 36 * 1024  # objects, alignment, IPC buffer and a 16 KiB stack: [0, 36K)
        self.assertEqual(needs['a'][0], base + 2 * 1024)  # MiB 5 and 6; MiB 1 and 0x7ff have theirs
        self.assertEqual(needs['b'][0], base + 1024)      # MiB 0x7fe

    def test_shared_regions_are_not_charged(self):
        small = ('[system]\nname = "t"\n' + app_toml('a', 0x100000) +
                 '[[shared]]\nname = "s"\nsize = %s\nmaps = [ { app = "a", vaddr = 0x00400000, rights = "rw" } ]\n')
        self.assertEqual(self.needs(small % '0x1000'), self.needs(small % '0x80000'))


class LimitsTest(unittest.TestCase):
    """Descriptions generated at a limit of the kernel, the root task or libpetrel are
    accepted, one past it is refused with its line (apps/README.md, "Limits"). The
    QEMU case PREFIX-limits boots a system past the root task's old fixed sizes."""

    SYSTEM = '[system]\nname = "t"\n\n'

    def notifications(self, n, server='s', client='c'):
        return ''.join('[[channel]]\nname = "n%d"\nkind = "notification"\nserver = "%s"\n'
                       'clients = [ { app = "%s", badge = 1 } ]\n' % (k, server, client) for k in range(n))

    def test_root_cnode_slots(self):
        """The root task's slots: its own 2 (copy window's page table, endpoint), an
        Untyped per app and a cap per channel; per app (no ELF given, 16 KiB stack) 3
        objects, 4 page tables, the IPC buffer and 4 stack frames: 12. Two apps and N
        channels take N + 28 of layout.ROOT_SYSTEM_SLOTS."""
        at = layout.ROOT_SYSTEM_SLOTS - 28
        apps = app_toml('s', 0x100000) + app_toml('c', 0x100000)
        _, errors = check_text(self.SYSTEM + apps + self.notifications(at))
        self.assertEqual(errors, [])
        _, errors = check_text(self.SYSTEM + apps + self.notifications(at + 1))
        self.assertEqual(errors, ["t.toml:10: app 'c': the root task's CNode is full: the system needs %d slots up "
                                  "to app 'c' (12 slots); the root task has %d (4096, less at most 656 for the "
                                  "kernel's boot caps); without --elf its image is not counted"
                                  % (layout.ROOT_SYSTEM_SLOTS + 1, layout.ROOT_SYSTEM_SLOTS)])

    def test_app_cnode_grows_and_is_charged(self):
        """An app's CNode has 2^7 slots, or as many more bits as its caps need; the
        budget pays for it. Past 2^16 slots (libpetrel) it is refused."""
        apps = app_toml('s', 0x400000) + app_toml('c', 0x400000)
        for n, radix in ((123, 7), (124, 8), (251, 8), (252, 9)):  # slots 0-4 fixed, then a cap per channel
            system, errors = check_text(self.SYSTEM + apps + self.notifications(n))
            self.assertEqual(errors, [])
            self.assertEqual((system.apps[0].cap_slots, system.apps[0].cnode_radix), (5 + n, radix))
            self.assertEqual(system.apps[0].parts['CNode'], 16 << radix)
        # 2^16 slots: 65531 channels (which no root CNode holds); one more is refused
        # for the app's CNode alone (the root CNode's check waits for a good description).
        n = (1 << 16) - 5
        _, errors = check_text(self.SYSTEM + apps + self.notifications(n + 1))
        self.assertEqual(errors, ["t.toml:%d: app '%s': needs 65537 cap slots (its channels, fault endpoint and "
                                  "interrupts), more than an app's CNode can have: 65536 (2^16, libpetrel's "
                                  "process_create)" % (line, name) for line, name in ((5, 's'), (10, 'c'))])

    def test_memory_budget(self):
        """At most 2^29 bytes, the largest Untyped; above, the root task could not make it
        (and above 2^32 the header would not compile)."""
        _, errors = check_text(self.SYSTEM + app_toml('a', 1 << 29))
        self.assertEqual(errors, [])
        for memory in ((1 << 29) + 1, 1 << 32, 1 << 40):
            _, errors = check_text(self.SYSTEM + app_toml('a', memory))
            self.assertEqual(len(errors), 1)
            self.assertRegex(errors[0], r"^t\.toml:7: app 'a': memory budget .* is over 512 MiB, the largest "
                                        r'Untyped the kernel makes \(2\^29 bytes\)$')

    def test_cores(self):
        """An app's core is 0..cores - 1 (the build's -Dcores, 1..4): the last core is accepted,
        the next refused at `core`; without `core` an app is on core 0."""
        system, errors = check_text(self.SYSTEM + app_toml('a', 0x40000))
        self.assertEqual((errors, system.apps[0].core), ([], 0))
        for cores in range(1, layout.CORES_MAX + 1):
            with self.subTest(cores=cores):
                system, errors = check_text(self.SYSTEM + app_toml('a', 0x40000, extra='core = %d\n' % (cores - 1)),
                                            cores=cores)
                self.assertEqual((errors, system.apps[0].core), ([], cores - 1))
                for core in (cores, -1):
                    _, errors = check_text(self.SYSTEM + app_toml('a', 0x40000, extra='core = %d\n' % core),
                                           cores=cores)
                    self.assertEqual(errors, ["t.toml:8: app 'a': core %d out of range 0..%d: the kernel is built "
                                              'for %d core%s (-Dcores=%d)' % (core, cores - 1, cores,
                                                                             's' if cores > 1 else '', cores)])

    def test_fold_cores(self):
        """--fold-cores (the demo's): an app on a core the kernel lacks runs on core % cores, with one
        warning at its `core`; a core no kernel has (4 and more, negative) is still refused."""
        for cores in range(1, layout.CORES_MAX + 1):
            for core in range(layout.CORES_MAX):
                with self.subTest(cores=cores, core=core):
                    checker = checks.Checker('t.toml', self.SYSTEM + app_toml('a', 0x40000, extra='core = %d\n' % core),
                                             'qemu-virt', {}, cores=cores, fold_cores=True)
                    system = checker.run()
                    self.assertEqual((checker.messages(), system.apps[0].core), ([], core % cores))
                    self.assertEqual(checker.warnings, [] if core < cores else [
                        "t.toml:8: warning: app 'a': core %d, but the kernel is built for %d core%s (-Dcores=%d): "
                        'it runs on core %d' % (core, cores, 's' if cores > 1 else '', cores, core % cores)])
        for core in (layout.CORES_MAX, -1):
            checker = checks.Checker('t.toml', self.SYSTEM + app_toml('a', 0x40000, extra='core = %d\n' % core),
                                     'qemu-virt', {}, cores=2, fold_cores=True)
            checker.run()
            self.assertEqual(len(checker.messages()), 1)
            self.assertIn('core %d out of range 0..1' % core, checker.messages()[0])

    def test_page_tables_of_mapped_megabytes(self):
        """process_map keeps the megabytes it has page tables for, the stack's one
        included: 31 further ones fit, the 32nd is refused at its mapping."""
        def regions(n):
            return ''.join('[[shared]]\nname = "r%d"\nsize = 0x1000\nmaps = [ { app = "a", vaddr = 0x%08x, '
                           'rights = "rw" } ]\n' % (k, (4 + k) << 20) for k in range(n))
        _, errors = check_text(self.SYSTEM + app_toml('a', 0x100000) + regions(31))
        self.assertEqual(errors, [])
        _, errors = check_text(self.SYSTEM + app_toml('a', 0x100000) + regions(32))
        self.assertEqual(errors, ["t.toml:136: app 'a': maps page 0x02300000 into a 33rd megabyte with a page "
                                  "table: libpetrel's process_map keeps 32 of them (Process::kMaxExtra, the "
                                  "stack's included)"])

    def test_many_apps_and_channels(self):
        """10,000 apps, each a client of its own channel served by app 0, and 10,000
        more channels: every check runs (none is quadratic: this took seconds, then
        minutes, before); the one refusal is the root task's CNode, which no
        description of this size fits."""
        n = 10000
        text = [self.SYSTEM] + [app_toml('a%d' % k, 0x400000 if k == 0 else 0x20000) for k in range(n)]
        text += ['[[channel]]\nname = "c%d"\nkind = "endpoint"\nserver = "a0"\nclients = [ { app = "a%d", '
                 'badge = 1 } ]\n' % (k, k or 1) for k in range(n)]
        text += ['[[channel]]\nname = "d%d"\nkind = "notification"\nserver = "a%d"\nclients = [ { app = "a0", '
                 'badge = 1 } ]\n' % (k, k or 1) for k in range(n)]
        system, errors = check_text(''.join(text))
        self.assertEqual(len(system.apps), n)
        self.assertEqual(len(system.channels), 2 * n)
        self.assertEqual(len(errors), 1)
        self.assertRegex(errors[0], r"^t\.toml:1: \[system\]: the root task's CNode is full: the system needs 30002 "
                                    r'slots up to its own objects')


class PackTest(unittest.TestCase):
    """pack: every image's ELF file in the root task's image, in kImages order, as kImageFiles."""

    DESC = ('[system]\nname = "packed"\n' +
            app_toml('uart', 0x40000, extra='elf = "uart_driver"\n') + app_toml('shell', 0x40000) +
            app_toml('logger', 0x40000, extra='elf = "shell"\n') + app_toml('odd', 0x40000))
    IMAGES = ['uart_driver', 'shell', 'odd']  # kImages order: by first use

    def make(self, d):
        """The description, and the ELF files by image name; 'odd' in a directory whose name needs
        escaping for the assembler. Their sizes are not multiples of 8."""
        desc = os.path.join(d, 'packed.toml')
        with open(desc, 'w', encoding='utf-8') as f:
            f.write(self.DESC)
        odd_dir = os.path.join(d, 'we"ird\\dir ')
        os.mkdir(odd_dir)
        files, data = {}, {}
        for k, (name, segs) in enumerate((
                ('uart_driver', [(0x10000, 0x1235, 5), (0x12000, 0x801, 6)]),
                ('shell', [(0x10000, 0x3003, 5), (0x14000, 0x1000, 6)]),
                ('odd', [(0x10000, 0x7d, 5)]))):
            files[name] = os.path.join(odd_dir if name == 'odd' else d, name + '.elf')
            data[name] = make_elf(files[name], segs, seed=k + 1)
        self.assertTrue(all(len(b) % 8 for b in data.values()))
        return desc, files, data

    def pack(self, desc, files, out, order=None):
        args = ['pack', desc, '--platform', 'rpi2', '-o', out]
        for name in order or reversed(self.IMAGES):  # not the kImages order
            args += ['--elf', '%s=%s' % (name, files[name])]
        return run_tool(args)

    def test_output(self):
        with tempfile.TemporaryDirectory() as d:
            desc, files, data = self.make(d)
            out = os.path.join(d, 'packed_images.cpp')
            r = self.pack(desc, files, out)
            self.assertEqual((r.returncode, r.stdout, r.stderr), (0, '', ''))
            text = read(out)
            odd = os.path.abspath(files['odd']).replace('\\', '\\\\').replace('"', '\\"')
            self.assertEqual(text, '\n'.join([
                '// Generated by scripts/petrel-system.py pack from %s for rpi2: do not edit.' % desc,
                "// The app images of system packed, packed into its root task's image (kImageFiles).",
                '#include "petrel/system_tables.hpp"',
                'asm(R"petrel(',
                '    .section .rodata.petrel_images, "a"',
                '    .balign 8',
                'petrel_image_0:',
                '    .incbin "%s"' % os.path.abspath(files['uart_driver']),
                'petrel_image_0_end:',
                '    .balign 8',
                'petrel_image_1:',
                '    .incbin "%s"' % os.path.abspath(files['shell']),
                'petrel_image_1_end:',
                '    .balign 8',
                'petrel_image_2:',
                '    .incbin "%s"' % odd,
                'petrel_image_2_end:',
                '    .previous',
                ')petrel");',
                'extern "C" const u8 petrel_image_0[], petrel_image_0_end[], petrel_image_1[], '
                'petrel_image_1_end[], petrel_image_2[], petrel_image_2_end[];',
                'namespace petrel::system {',
                'const ImageFile kImageFiles[] = {{petrel_image_0, petrel_image_0_end}, '
                '{petrel_image_1, petrel_image_1_end}, {petrel_image_2, petrel_image_2_end}};  '
                '// kImages order: uart_driver, shell, odd',
                '}  // namespace petrel::system', '']))

            # On the host: linked with a program that prints kImageFiles beside kImages.
            header = os.path.join(d, 'packed_system.hpp')
            r = run_tool(['emit', desc, '--platform', 'rpi2', '-o', header])
            self.assertEqual((r.returncode, r.stderr), (0, ''))
            main = os.path.join(d, 'main.cpp')
            with open(main, 'w', encoding='utf-8') as f:
                f.write('#include <cstdint>\n#include <cstdio>\n#include PETREL_SYSTEM_TABLES\n'
                        'using namespace petrel::system;\n'
                        'int main() {\n'
                        '    for (u32 i = 0; i < kImagesCount; i++) {\n'
                        '        const ImageFile &f = kImageFiles[i];\n'
                        '        if (reinterpret_cast<std::uintptr_t>(f.begin) % 8) return 1;\n'
                        '        std::printf("%s", kImages[i].elf);\n'
                        '        for (const u8 *p = f.begin; p != f.end; ++p) std::printf(" %02x", *p);\n'
                        '        std::printf("\\n");\n'
                        '    }\n'
                        '}\n')
            exe = os.path.join(d, 'packed')
            r = subprocess.run(shlex.split(OPTS.cxx) + WARN + INCS + ['-DPETREL_SYSTEM_TABLES="%s"' % header,
                               main, out, '-o', exe], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run([exe], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0)
            self.assertEqual(r.stdout, ''.join('%s%s\n' % (n, ''.join(' %02x' % b for b in data[n]))
                                               for n in self.IMAGES))

            # For the target: the section holds the files in order, each 8-byte aligned, and the
            # code after the asm statement is back in .text.
            if not OPTS.cross_cxx:
                self.skipTest('no --cross-cxx given')
            use = os.path.join(d, 'use.cpp')
            with open(use, 'w', encoding='utf-8') as f:
                f.write('#include "%s"\nextern "C" int after_the_images() { return 1; }\n' % out)
            obj = os.path.join(d, 'use.o')
            r = subprocess.run(shlex.split(OPTS.cross_cxx) + WARN + INCS + TARGET + ['-c', use, '-o', obj],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            section = os.path.join(d, 'images.bin')
            subprocess.run([OPTS.objcopy, '-O', 'binary', '--only-section=.rodata.petrel_images', obj, section],
                           check=True)
            expect = b''
            for n in self.IMAGES:
                expect += bytes(-len(expect) % 8) + data[n]
            with open(section, 'rb') as f:
                self.assertEqual(f.read(), expect)
            syms = subprocess.run([OPTS.readelf, '-sSW', obj], capture_output=True, text=True, check=True).stdout
            index = {m.group(2): m.group(1) for m in re.finditer(r'^\s*\[\s*(\d+)\]\s+(\S+)', syms, re.M)}
            where = {m.group(2): m.group(1) for m in
                     re.finditer(r'^\s*\d+:\s+([0-9a-f]+\s+\d+\s+\w+\s+\w+\s+\w+\s+\w+)\s+(\S+)$', syms, re.M)}
            self.assertTrue(where['after_the_images'].endswith(' ' + index['.text']), syms)
            # kImageFiles: defined here, global (value size type bind vis ndx).
            table = where['_ZN6petrel6system11kImageFilesE'].split()
            self.assertEqual((table[1], table[3]), ('24', 'GLOBAL'), syms)
            self.assertNotEqual(table[5], 'UND', syms)
            offsets = {k: int(where['petrel_image_%d' % k].split()[0], 16) for k in range(3)}
            pos = 0
            for k, n in enumerate(self.IMAGES):
                pos += -pos % 8
                self.assertEqual(offsets[k], pos)
                pos += len(data[n])

    def test_always_rewrites(self):
        """The same inputs give the same file, written again: a newer time, for the root task's
        build (which sees a changed ELF only through this file)."""
        with tempfile.TemporaryDirectory() as d:
            desc, files, _data = self.make(d)
            out = os.path.join(d, 'packed_images.cpp')
            self.assertEqual(self.pack(desc, files, out).returncode, 0)
            first = read(out)
            old = os.stat(out).st_mtime - 1000
            os.utime(out, (old, old))
            self.assertEqual(self.pack(desc, files, out).returncode, 0)
            self.assertEqual(read(out), first)
            self.assertGreater(os.stat(out).st_mtime, old + 500)

    def test_every_image_needed(self):
        with tempfile.TemporaryDirectory() as d:
            desc, files, _data = self.make(d)
            out = os.path.join(d, 'packed_images.cpp')
            r = self.pack(desc, files, out, order=['uart_driver', 'odd'])
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stderr, "%s:9: app 'shell': no ELF file given for image 'shell' (pack needs every "
                             "app's ELF)\n" % desc)
            self.assertFalse(os.path.exists(out))
            # check and emit need none of them, and emit's header is the same without them.
            r = run_tool(['check', desc, '--platform', 'rpi2'])
            self.assertEqual((r.returncode, r.stderr), (0, ''))
            headers = []
            for extra in ([], ['--elf', 'shell=' + files['shell']]):
                header = os.path.join(d, 'h%d.hpp' % len(headers))
                r = run_tool(['emit', desc, '--platform', 'rpi2', '-o', header] + extra)
                self.assertEqual((r.returncode, r.stderr), (0, ''))
                headers.append(read(header))
            self.assertEqual(headers[0], headers[1])


# ---------------------------------------------------------------------------

class ConsistencyTest(unittest.TestCase):
    """The tool's platform facts and layout match the kernel's boards, user.ld and system_tables.hpp."""

    def read(self, *path):
        return read(os.path.join(OPTS.source_root, *path))

    def board(self, text):
        consts = {}
        for m in re.finditer(r'constexpr (?:paddr_t|u32) (k\w+) = ([^;]+);', text):
            consts[m.group(1)] = m.group(2)

        def ev(expr):
            expr = expr.replace("'", '')
            expr = re.sub(r'(0x[0-9a-fA-F]+|\d+)u\b', r'\1', expr)
            for _ in range(3):
                expr = re.sub(r'\b(k\w+)\b', lambda m: '(%s)' % consts[m.group(1)].replace("'", ''), expr)
            return eval(expr, {'__builtins__': {}})  # the repository's own header

        timers = [int(x) for x in re.search(r'kTimerIrqs\[\] = \{([^}]*)\}', text).group(1).split(',')]
        devices = re.search(r'kUserDevices\[\] = \{(.*?)\n\};', text, re.S).group(1)
        user = [(ev(a), ev(b)) for a, b in re.findall(r'\{([^,{}]+),\s*([^,{}]+)\}', devices)]
        return {'timer_irqs': tuple(timers), 'irq_lines': ev(consts['kIrqLines']), 'user_devices': tuple(user)}

    def test_platforms_match_the_boards(self):
        """platforms.load() has every board of platform/ (sorted: the --platform choices), with the facts
        the kernel's generated board.hpp has."""
        facts_by_name = platforms.load()
        platform_dir = os.path.join(OPTS.source_root, 'platform')
        names = sorted(n for n in os.listdir(platform_dir)
                       if os.path.isfile(os.path.join(platform_dir, n, 'board.toml')))
        self.assertEqual(tuple(facts_by_name), tuple(names))
        self.assertTrue({'qemu-virt', 'rpi2', 'rpi3', 'rpi4'} <= set(names))
        for platform in names:
            with self.subTest(platform):
                header = boards.kernel_header(boards.Board(os.path.join(platform_dir, platform, 'board.toml')))
                facts = self.board(header)
                pf = facts_by_name[platform]
                for key, value in facts.items():
                    self.assertEqual(pf[key], value, '%s: %s' % (platform, key))

    def test_usable_lines_match_the_interrupt_controllers(self):
        # The GICv2 boards (virt, rpi4) share their glue's irq_maskable.
        gic = self.read('platform', 'drivers', 'gicv2_glue.hpp')
        self.assertIn('bool irq_maskable(u32 line) { return line >= 16 && line < board::kIrqLines; }', gic)
        for board in ('qemu-virt', 'rpi4'):
            toml = os.path.join(OPTS.source_root, 'platform', board, 'board.toml')
            glue = boards.Board(toml).facts['board']['glue']
            self.assertIn('#include "gicv2_glue.hpp"', self.read('platform', glue, 'board.cpp'))
        self.assertEqual([n for n in range(300) if platforms.load()['qemu-virt']['irq_usable'](n)],
                         list(range(16, 288)))
        self.assertEqual([n for n in range(300) if platforms.load()['rpi4']['irq_usable'](n)],
                         list(range(16, 224)))
        bcm = self.read('platform', 'drivers', 'bcm2836_irq.hpp')
        self.assertIn('return line < 4 || (line >= kGpuBase && line < kLines);', bcm)
        self.assertIn('kGpuBase = 32, kBasicBase = 96, kLines = 104', bcm)
        self.assertEqual([n for n in range(300) if platforms.load()['rpi2']['irq_usable'](n)],
                         [0, 1, 2, 3] + list(range(32, 104)))

    def test_layout_matches_user_ld_and_the_header(self):
        ld = self.read('apps', 'lib', 'user.ld')
        self.assertIn('. = 0x%08x;' % layout.IMAGE_WINDOW[0], ld)
        self.assertIn('ASSERT(__image_end <= 0x%08x' % layout.IMAGE_WINDOW[1], ld)
        hpp = self.read('apps', 'lib', 'include', 'petrel', 'system_tables.hpp')
        consts = {m.group(1): int(m.group(2).replace("'", ''), 0)
                  for m in re.finditer(r'constexpr u32 (k\w+) = ([0-9a-fx\']+);', hpp)}
        self.assertEqual(consts['kAppImageBase'], layout.IMAGE_WINDOW[0])
        self.assertEqual(consts['kAppImageLimit'], layout.IMAGE_WINDOW[1])
        self.assertEqual(consts['kAppIpcBuffer'], layout.IPC_BUFFER[0])
        self.assertEqual(consts['kAppStackTop'], layout.STACK_TOP)
        self.assertEqual(consts['kAppStackGuard'], layout.STACK_GUARD)
        self.assertEqual(consts['kUserTop'], layout.USER_TOP)
        self.assertEqual(consts['kAppStackPagesMax'], layout.STACK_PAGES_MAX)
        self.assertEqual(consts['kAppCNodeRadix'], layout.CNODE_RADIX)
        self.assertEqual(consts['kTablesVersion'], layout.TABLES_VERSION)

    def test_cores_match_the_build(self):
        """--cores takes what the `cores` option may be, and every Meson rule that runs the tool
        passes the build's (a product's through petrel_cores)."""
        m = re.search(r"option\('cores', type: 'integer', min: (\d+), max: (\d+),", self.read('meson_options.txt'))
        self.assertTrue(m)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (1, layout.CORES_MAX))
        self.assertIn('petrel_cores = cores\n', self.read('apps', 'meson.build'))
        runs = 0
        for top, dirs, files in os.walk(OPTS.source_root):
            dirs[:] = [x for x in dirs if not x.startswith('.') and x not in ('build', 'subprojects')]
            if 'meson.build' not in files:
                continue
            text = read(os.path.join(top, 'meson.build'))
            for run in re.finditer(r"system_tool, '(?:check|emit|draw|pack)'[^\]]*\]", text):
                runs += 1
                self.assertIn("'--cores', cores", run.group(0), os.path.join(top, 'meson.build'))
        self.assertGreaterEqual(runs, 8)  # the demo's 3, the limits system's 2, the product's 3

    def test_stack_limit_matches_libpetrel(self):
        """process_create() refuses the stacks the tool refuses."""
        text = self.read('apps', 'lib', 'process.cpp')
        self.assertRegex(text, r'stack_pages > %d\b' % layout.STACK_PAGES_MAX)


# ---------------------------------------------------------------------------

class BoardsTest(unittest.TestCase):
    """platform/boards.py: every board file loads; a wrong one is refused with FILE: key: why."""

    def virt_text(self):
        return read(os.path.join(OPTS.source_root, 'platform', 'qemu-virt', 'board.toml'))

    def load(self, text):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, 'myboard'))
            path = os.path.join(d, 'myboard', 'board.toml')
            with open(path, 'w') as f:
                f.write(text)
            try:
                b = boards.Board(path)
            except boards.BoardError as e:
                return str(e).replace(path, 'FILE')
            return b

    def test_the_boards_load(self):
        every = boards.load_all(os.path.join(OPTS.source_root, 'platform'))
        for name, b in every.items():
            with self.subTest(name):
                facts = dict((line + '\t').split('\t', 1) for line in boards.meson_facts(b).splitlines())
                facts = {k: v[:-1] for k, v in facts.items()}
                self.assertEqual(facts['name'], name)
                self.assertTrue(os.path.isfile(os.path.join(OPTS.source_root, 'platform', facts['glue'],
                                                            'board.cpp')))
                for d in facts['drivers'].split('\t'):
                    self.assertTrue(os.path.isfile(os.path.join(OPTS.source_root, 'platform', 'drivers',
                                                                d + '.cpp')), d)
        self.assertIn('u-boot/rpi_2/u-boot.bin', boards.card_files(every))
        self.assertEqual(every['qemu-virt'].qemu_machine(), ['-M', 'virt', '-cpu', 'cortex-a15', '-m', '256M'])
        self.assertEqual(every['rpi3'].qemu_machine(), ['-M', 'raspi3b', '-accel', 'tcg,thread=single',
                                                        '-serial', 'mon:stdio', '-serial', 'file:/dev/stdout'])
        # The command lines (one place for the tests and scripts/run): a 32-bit machine
        # boots the kernel as -kernel; an AArch64 one through the stub and the loader.
        self.assertEqual(every['qemu-virt'].qemu_program(), 'qemu-system-arm')
        self.assertEqual(every['qemu-virt'].qemu_direct(), ['-kernel', '@KERNEL@'])
        self.assertEqual(every['qemu-virt'].qemu_uboot()[:2], ['-bios', '@UBOOT@'])
        self.assertEqual(every['rpi2'].qemu_uboot(), ['-kernel', '@TRAMPOLINE@', '-dtb', '@DTB@', '-drive',
                                                     'if=sd,format=raw,file=@DISK@'])
        for pi in ('rpi3', 'rpi4'):
            self.assertEqual(every[pi].qemu_program(), 'qemu-system-aarch64')
            self.assertEqual(every[pi].qemu_direct(), ['-kernel', '@ARMSTUB_KERNEL@', '-device',
                                                       'loader,file=@KERNEL@'])
            self.assertEqual(every[pi].qemu_uboot()[:3], ['-kernel', '@ARMSTUB_UBOOT@', '-device'])
            self.assertEqual(every[pi].qemu_uboot()[-1], 'if=sd,format=raw,file=@DISK@')
        self.assertIn('dtb/bcm2837-rpi-zero-2-w.dtb', boards.card_files(every))
        self.assertIn('u-boot/rpi_4_32b/u-boot.bin', boards.card_files(every))
        r = subprocess.run([sys.executable, os.path.join(OPTS.source_root, 'platform', 'boards.py'), 'list'],
                           capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout.split()), (0, list(every)))

    def test_qemu_dtb_writes_the_ram_and_disables_what_qemu_lacks(self):
        """boards.py qemu-dtb: a card's tree as the firmware passes it (the Pi 4's U-Boot runs in QEMU)."""
        text = self.virt_text().replace('ram_mib = 256', 'ram_mib = 256\ndt_memory = [[0, 0x3c00_0000], '
                                        '[0x4000_0000, 0x4000_0000]]\ndt_disable = ["x,eth"]')
        b = self.load(text)
        self.assertIsInstance(b, boards.Board)
        dts = ('/dts-v1/;\n/ {\n #address-cells = <2>;\n #size-cells = <1>;\n'
               ' memory@0 { device_type = "memory"; reg = <0 0 0>; };\n'
               ' soc { eth: ethernet@1 { compatible = "x,eth"; }; uart@2 { compatible = "x,uart"; }; };\n};\n')
        with tempfile.TemporaryDirectory() as d:
            src, card, out = (os.path.join(d, n) for n in ('card.dts', 'card.dtb', 'out.dtb'))
            with open(src, 'w') as f:
                f.write(dts)
            subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', card, src], check=True)
            boards.qemu_dtb(b, card, out)

            def get(node, prop, kind='s'):
                return subprocess.run(['fdtget', '-t', kind, out, node, prop], capture_output=True,
                                      text=True).stdout.split()
            self.assertEqual(get('/memory@0', 'reg', 'x'), ['0', '0', '3c000000', '0', '40000000', '40000000'])
            self.assertEqual(get('/soc/ethernet@1', 'status'), ['disabled'])
            self.assertEqual(get('/soc/uart@2', 'status'), [])  # left alone
            # A compatible string no node has is a mistake in the board file, not a no-op.
            b = self.load(text.replace('"x,eth"', '"x,ehternet"'))
            with self.assertRaises(boards.BoardError) as e:
                boards.qemu_dtb(b, card, out)
            self.assertIn('qemu.dt_disable: no node of %s is compatible with x,ehternet' % card, str(e.exception))

    def test_a_copy_of_virt_loads_under_its_directory_name(self):
        b = self.load(self.virt_text())
        self.assertEqual(b.name, 'myboard')
        self.assertIn('constexpr const char *kName = "myboard";', boards.kernel_header(b))

    def test_mistakes(self):
        virt = self.virt_text()
        for change, expect in (
                (('[timer]', '[timers]'), 'FILE: timers: unknown table'),
                (('uart = "uart0"', 'uart = "uart1"'), "FILE: console.uart: 'uart1' is not a key of [addresses]"),
                (('unmaskable_example = 5', 'unmaskable_example = 20'), 'FILE: interrupts.unmaskable_example: '
                 'line 20 is maskable'),
                (('spare = 34', 'spare = 300'), 'FILE: interrupts.spare: line 300 is not below interrupts.lines'),
                (('ram_mib = 256', 'ram_mib = "256"'), 'FILE: qemu.ram_mib: expected an integer'),
                (('disk = "virtio"', 'disk = "usb"'), "FILE: uboot.disk: 'usb' is neither"),
                (('disk = "virtio"', 'disk = "virtio"\nconfig = "rpi_2"'), 'FILE: uboot: give binary'),
                (('cpu = "cortex-a15"            #', 'cpus = "cortex-a15"            #'),
                 'FILE: board.cpus: unknown key'),
                (('kernel_irqs = [29, 30]', 'kernel_irqs = [29]'), 'FILE: timer.kernel_irqs: expected two lines'),
                (('default_hz = 62_500_000', ''), 'FILE: timer.default_hz: missing'),
                (('[board]', '[board'), 'FILE: ')):
            with self.subTest(change[1]):
                self.assertIn(change[0], virt)
                got = self.load(virt.replace(change[0], change[1], 1))
                self.assertIsInstance(got, str)
                self.assertTrue(got.startswith(expect), got)


# ---------------------------------------------------------------------------

class CommandLineTest(unittest.TestCase):
    def test_usage_errors(self):
        demo = os.path.join(OPTS.source_root, 'apps', 'demo', 'system.toml')
        for args in (['check', demo], ['check', demo, '--platform', 'rpi5'], ['check', demo, '--platform',
                     'rpi2', '--elf', 'noequals'], ['emit', demo, '--platform', 'rpi2'], ['frobnicate'],
                     ['pack', demo, '--platform', 'rpi2', '--elf', 'uart_driver=a.elf'],  # no -o
                     ['pack', demo, '--platform', 'rpi2', '-o', 'x.cpp', '--elf', 'uart_driver=a\nb.elf'],
                     ['pack', demo, '--platform', 'rpi2', '-o', 'x.cpp', '--elf', 'uart_driver=)petrel".elf'],
                     ['pack', demo, '--platform', 'rpi2', '-o', 'x.cpp', '--elf', 'a=x', '--elf', 'a=y'],
                     ['check', demo, '--platform', 'rpi2', '--cores', '0'],
                     ['check', demo, '--platform', 'rpi2', '--cores', str(layout.CORES_MAX + 1)],
                     ['check', demo, '--platform', 'rpi2', '--cores', '-1'],
                     ['emit', demo, '--platform', 'rpi2', '--cores', 'two', '-o', 'x.hpp']):
            with self.subTest(args):
                r = run_tool(args)
                self.assertEqual(r.returncode, 2, r.stderr)

    def test_unreadable_and_not_utf8(self):
        with tempfile.TemporaryDirectory() as d:
            r = run_tool(['check', os.path.join(d, 'none.toml'), '--platform', 'rpi2'])
            self.assertEqual(r.returncode, 1)
            self.assertIn('none.toml: cannot read', r.stderr)
            bad = os.path.join(d, 'latin1.toml')
            with open(bad, 'wb') as f:
                f.write(b'[system]\nname = "caf\xe9"\n')
            r = run_tool(['check', bad, '--platform', 'rpi2'])
            self.assertEqual((r.returncode, r.stderr), (1, '%s:2: not UTF-8 text\n' % bad))

    def test_svg_without_dot(self):
        with tempfile.TemporaryDirectory() as d:
            r = run_tool(['draw', os.path.join(HERE, 'good', 'minimal.toml'), '--platform', 'rpi2',
                          '-o', os.path.join(d, 'm.dot'), '--svg', os.path.join(d, 'm.svg'),
                          '--dot-program', os.path.join(d, 'no-such-dot')])
            self.assertEqual(r.returncode, 1)
            self.assertIn("Graphviz's dot not found", r.stderr)


def main():
    global OPTS
    ap = argparse.ArgumentParser()
    ap.add_argument('--source-root', default=os.path.normpath(os.path.join(HERE, '..', '..')))
    ap.add_argument('--cxx', default='c++', help='the host C++ compiler (a command line)')
    ap.add_argument('--cross-cxx', default='', help='the target C++ compiler (a command line)')
    ap.add_argument('--root-elf', default='', help="the root task's ELF, for the real-ELF case")
    ap.add_argument('--readelf', default='arm-none-eabi-readelf')
    ap.add_argument('--objcopy', default='arm-none-eabi-objcopy')
    OPTS, rest = ap.parse_known_args()
    INCS.extend(['-I', os.path.join(OPTS.source_root, 'src', 'include'),
                 '-I', os.path.join(OPTS.source_root, 'apps', 'lib', 'include')])
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
