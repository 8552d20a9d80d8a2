#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Tests of scripts/petrel-system.py, the system-description tool (meson suite 'host').

  test_petrel_system.py --source-root DIR [--cxx 'c++'] [--cross-cxx 'arm-none-eabi-g++']
                        [--root-elf PATH --readelf PATH] [unittest arguments, e.g. a class name]

Bad descriptions (test/tools/bad/*.toml) each say what the tool must print, in
comments read here:
  # expect: FILE:LINE: message   every line of stderr, in order (exit status 1)
  # platform: P                  the platform to check for (default qemu-virt)
  # elf: NAME=SPEC               an --elf to pass: SPEC is VADDR+MEMSZ:FLAGS,...
                                 (a synthesized ARM ELF with those PT_LOAD
                                 segments), `garbage` (not an ELF) or `missing`;
                                 $ELFDIR in an expected line is where they are.
Good descriptions (test/tools/good/*.toml) must check on the platforms listed
in `# platforms:`, and their emitted header must compile (host and target) and,
run through dump_tables.cpp, print test/tools/good/NAME.PLATFORM.expected when
that file exists.
"""
import argparse
import importlib.util
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import tomllib
import unittest

OPTS = None
HERE = os.path.dirname(os.path.abspath(__file__))


def tool_path():
    return os.path.join(OPTS.source_root, 'scripts', 'petrel-system.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('petrel_system', tool_path())
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_tool(args, cwd=None):
    return subprocess.run([sys.executable, tool_path()] + args, cwd=cwd, capture_output=True, text=True)


def make_elf(path, segments, machine=40, etype=2):
    """A minimal 32-bit little-endian ELF executable with these PT_LOAD segments."""
    ident = b'\x7fELF' + bytes([1, 1, 1]) + bytes(9)
    header = struct.pack('<16sHHIIIIIHHHHHH', ident, etype, machine, 1, 0x10000, 52, 0, 0x0500_0000, 52, 32,
                         len(segments), 40, 0, 0)
    phdrs = b''.join(struct.pack('<8I', 1, 0x1000, v, v, 0, m, f, 0x1000) for v, m, f in segments)
    with open(path, 'wb') as f:
        f.write(header + phdrs)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def directives(text, name):
    return [m.group(1).strip() for m in re.finditer(r'^#\s*%s:(.*)$' % name, text, re.M)]


def elf_args(text, elfdir):
    args = []
    for spec in directives(text, 'elf'):
        name, _, what = spec.partition('=')
        path = os.path.join(elfdir, name + '.elf')
        if what == 'garbage':
            with open(path, 'wb') as f:
                f.write(b'this is not an ELF file\n')
        elif what != 'missing':
            segs = []
            for seg in what.split(','):
                m = re.fullmatch(r'(0x[0-9a-f]+)\+(0x[0-9a-f]+):(\d+)', seg.strip())
                assert m, 'bad elf directive %r' % spec
                segs.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))))
            make_elf(path, segs)
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
        loc = load_tool().Locator(text)
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
        loc = load_tool().Locator(text)
        self.assertEqual(loc.line(('app', 0, 'name')), 3)

    def test_crlf_and_escaped_quotes(self):
        text = '[system]\r\nname = "a\\"b"\r\n\r\n[[app]]\r\nname = \'c\'\r\n'
        tomllib.loads(text)
        loc = load_tool().Locator(text)
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
                with tempfile.TemporaryDirectory() as elfdir:
                    args = ['check', name, '--platform', platform] + elf_args(text, elfdir)
                    r = run_tool(args, cwd=bad)
                    got = r.stderr.replace(elfdir, '$ELFDIR').splitlines()
                self.assertEqual(got, expect, '%s: stderr differs' % name)
                self.assertEqual(r.returncode, 1, name)
                self.assertEqual(r.stdout, '', name)

    def test_emit_and_draw_refuse_a_bad_description(self):
        bad = os.path.join(HERE, 'bad')
        with tempfile.TemporaryDirectory() as d:
            for cmd in ('emit', 'draw'):
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
                         'stack 5000 is not', 'does not fit below', 'memory budget 0 is not positive',
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
                         'outside the image window', 'not an ELF file', 'cannot read it', 'no app has elf']:
            self.assertIn(fragment, text)


# ---------------------------------------------------------------------------

def compile_and_dump(testcase, header, workdir, source_root):
    """Compiles dump_tables.cpp with the emitted header natively, runs it, returns its output;
    and compiles the header for the target when a cross compiler was given."""
    incs = ['-I', os.path.join(source_root, 'src', 'include'), '-I', os.path.join(source_root, 'apps', 'lib', 'include')]
    warn = ['-std=c++20', '-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wold-style-cast',
            '-Wzero-as-null-pointer-constant', '-pedantic']
    define = ['-DPETREL_SYSTEM_TABLES="%s"' % header]
    if OPTS.cross_cxx:
        use = os.path.join(workdir, 'use.cpp')
        with open(use, 'w', encoding='utf-8') as f:
            f.write('#include PETREL_SYSTEM_TABLES\n'
                    'const petrel::system::SystemDesc *system_desc() { return &petrel::system::kSystem; }\n')
        r = subprocess.run(shlex.split(OPTS.cross_cxx) + warn + define + incs +
                           ['-ffreestanding', '-fno-exceptions', '-fno-rtti', '-marm', '-mfloat-abi=soft', '-O2',
                            '-c', use, '-o', os.path.join(workdir, 'use.o')],
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
                    elfs = elf_args(text, d)
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

    def test_demo_description(self):
        """apps/demo/system.toml checks on every platform and its header compiles."""
        demo = os.path.join(OPTS.source_root, 'apps', 'demo', 'system.toml')
        for platform in ('qemu-virt', 'rpi2', 'rpi3'):
            with self.subTest(platform), tempfile.TemporaryDirectory() as d:
                r = run_tool(['emit', demo, '--platform', platform, '-o', os.path.join(d, 'demo_system.hpp')])
                self.assertEqual((r.returncode, r.stderr), (0, ''))
                dump = compile_and_dump(self, os.path.join(d, 'demo_system.hpp'), d, OPTS.source_root)
                self.assertIn('system demo on %s' % platform, dump)

    def test_real_elf(self):
        """The root task's ELF as an app image: its PT_LOAD pages are what readelf shows."""
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
        desc = os.path.join(HERE, 'good', 'minimal.toml')
        with tempfile.TemporaryDirectory() as d:
            header = os.path.join(d, 'real_system.hpp')
            r = run_tool(['emit', desc, '--platform', 'qemu-virt', '--elf', 'solo=' + OPTS.root_elf, '-o', header])
            self.assertEqual((r.returncode, r.stderr), (0, ''))
            dump = compile_and_dump(self, header, d, OPTS.source_root)
        m = re.search(r'image_bytes (\d+)', dump)
        self.assertEqual(int(m.group(1)), len(pages) * 0x1000)
        # image + 16 KiB stack + 4 KiB IPC buffer + 8 KiB directory + 3 page tables (MiB 0, 1, stack)
        m = re.search(r'memory_used (\d+)', dump)
        self.assertEqual(int(m.group(1)), len(pages) * 0x1000 + 0x4000 + 0x1000 + 0x2000 + 3 * 1024)


def shutil_which(name):
    import shutil
    return shutil.which(name)


# ---------------------------------------------------------------------------

class ConsistencyTest(unittest.TestCase):
    """The tool's platform facts and layout match the kernel's boards, user.ld and system_tables.hpp."""

    def read(self, *path):
        return read(os.path.join(OPTS.source_root, *path))

    def board(self, path):
        text = self.read(*path)
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
        tool = load_tool()
        for platform, path in (('qemu-virt', ('platform', 'qemu-virt', 'board.hpp')),
                               ('rpi2', ('platform', 'bcm2836', 'board.hpp')),
                               ('rpi3', ('platform', 'bcm2836', 'board.hpp'))):
            with self.subTest(platform):
                facts = self.board(path)
                pf = tool.PLATFORMS[platform]
                for key, value in facts.items():
                    self.assertEqual(pf[key], value, '%s: %s' % (platform, key))

    def test_usable_lines_match_the_interrupt_controllers(self):
        tool = load_tool()
        virt = self.read('platform', 'qemu-virt', 'board.cpp')
        self.assertIn('bool irq_maskable(u32 line) { return line >= 16 && line < board::kIrqLines; }', virt)
        self.assertEqual([n for n in range(300) if tool.PLATFORMS['qemu-virt']['irq_usable'](n)],
                         list(range(16, 288)))
        bcm = self.read('platform', 'drivers', 'bcm2836_irq.hpp')
        self.assertIn('return line < 4 || (line >= kGpuBase && line < kLines);', bcm)
        self.assertIn('kGpuBase = 32, kBasicBase = 96, kLines = 104', bcm)
        self.assertEqual([n for n in range(300) if tool.PLATFORMS['rpi2']['irq_usable'](n)],
                         [0, 1, 2, 3] + list(range(32, 104)))

    def test_layout_matches_user_ld_and_the_header(self):
        tool = load_tool()
        ld = self.read('apps', 'lib', 'user.ld')
        self.assertIn('. = 0x%08x;' % tool.IMAGE_WINDOW[0], ld)
        self.assertIn('ASSERT(__image_end <= 0x%08x' % tool.IMAGE_WINDOW[1], ld)
        hpp = self.read('apps', 'lib', 'include', 'petrel', 'system_tables.hpp')
        consts = {m.group(1): int(m.group(2).replace("'", ''), 0)
                  for m in re.finditer(r'constexpr u32 (k\w+) = ([0-9a-fx\']+);', hpp)}
        self.assertEqual(consts['kAppImageBase'], tool.IMAGE_WINDOW[0])
        self.assertEqual(consts['kAppImageLimit'], tool.IMAGE_WINDOW[1])
        self.assertEqual(consts['kAppIpcBuffer'], tool.IPC_BUFFER[0])
        self.assertEqual(consts['kAppStackTop'], tool.STACK_TOP)
        self.assertEqual(consts['kAppStackGuard'], tool.STACK_GUARD)
        self.assertEqual(consts['kUserTop'], tool.USER_TOP)


# ---------------------------------------------------------------------------

class CommandLineTest(unittest.TestCase):
    def test_usage_errors(self):
        demo = os.path.join(OPTS.source_root, 'apps', 'demo', 'system.toml')
        for args in (['check', demo], ['check', demo, '--platform', 'rpi4'], ['check', demo, '--platform',
                     'rpi2', '--elf', 'noequals'], ['emit', demo, '--platform', 'rpi2'], ['frobnicate']):
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
    OPTS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
