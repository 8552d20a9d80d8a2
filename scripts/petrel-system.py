#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""petrel-system: checks a system description, emits the root task's tables, draws the system.

A system description (one TOML file per system, e.g. apps/demo/system.toml) lists
the apps, the channels between them, shared memory, interrupt lines and device
MMIO given to apps, and who handles each app's faults. This tool

  check SYSTEM.toml --platform P [--elf ELF=PATH ...]
        reports every mistake as `FILE:LINE: what is wrong` on stderr, exit status 1;
  emit  SYSTEM.toml --platform P [--elf ELF=PATH ...] -o NAME_system.hpp
        checks, then writes the C++ tables the root task and the apps read (the
        types are in apps/lib/include/petrel/system_tables.hpp). The header does
        not depend on the ELF files: apps include it, so it is made without them;
  draw  SYSTEM.toml --platform P [--elf ...] -o SYSTEM.dot [--svg SYSTEM.svg]
        checks, then writes the system as a Graphviz graph (and an SVG through
        Graphviz's `dot` program, Debian package graphviz);
  pack  SYSTEM.toml --platform P --elf ELF=PATH [...] -o NAME_images.cpp
        checks with every image's ELF file (each must be given), then writes the
        C++ source that packs the files into the root task's image (.incbin) and
        defines petrel::system::kImageFiles, in kImages order. It always rewrites
        the output, so the root task is rebuilt whenever an ELF file changed.

Every command takes --elf for any of the images: the ELF file is then checked
(a 32-bit little-endian ARM executable; PT_LOAD segments inside the image
window, page aligned, file bytes inside the file, never writable and executable,
no page shared by two segments; the entry point in an executable segment) and
its pages are charged to the memory budget of each app running it.

Exit status: 0 good, 1 a bad description (or a bad --elf file), 2 a usage error.
Python 3.11 or later, standard library only (tomllib). The schema, the checks and
the app address-space layout are documented in apps/lib/include/petrel/system_tables.hpp
and the README's "System description"; this file is their implementation.
"""
from __future__ import annotations

import argparse
import bisect
import difflib
import os
import re
import shutil
import struct
import subprocess
import sys

if sys.version_info < (3, 11):
    print('petrel-system.py needs Python 3.11 or later (for tomllib), not %d.%d' % sys.version_info[:2],
          file=sys.stderr)
    sys.exit(2)
import tomllib  # noqa: E402

# ---------------------------------------------------------------------------
# Facts about the platforms and the app address space (the layout is kept in
# step with the headers named; test/tools checks them, and checks PLATFORMS
# against the board headers the build generates from the same board files).

PAGE = 4096
MIB = 1 << 20

# An app's address space (also in system_tables.hpp, which static_asserts nothing
# about this file: test/tools compiles the emitted header and compares).
NULL_GUARD = (0x0000_0000, 0x0001_0000)   # never mapped: catches null pointers
IMAGE_WINDOW = (0x0001_0000, 0x0010_0000)  # the ELF's PT_LOAD segments (apps/lib/user.ld)
IPC_BUFFER = (0x0010_0000, 0x0010_1000)    # one page, as the root task's
STACK_TOP = 0x7fff_0000                    # the stack grows down from here, like the root task's
STACK_GUARD = PAGE                         # an unmapped page below the stack
USER_TOP = 0x8000_0000                     # the kernel's half starts here

# An app's memory budget is a RAM Untyped the root task makes all of the app
# from (check_budgets has the order); the objects' sizes, each a power of two.
PAGE_DIRECTORY_BYTES = 8 * 1024  # TTBCR.N = 1: the 2 GiB user half
CNODE_RADIX = 7                  # system_tables.hpp kAppCNodeRadix
CNODE_BYTES = (1 << CNODE_RADIX) * 16  # 16-byte slots
TCB_BYTES = 512
PAGE_TABLE_BYTES = 1024          # one per MiB the app touches
FRAME_BYTES = PAGE               # image pages, the IPC buffer, the stack
STACK_PAGES_MAX = 255            # libpetrel's process_create() refuses more

# ELF program header flags.
PF_X, PF_W, PF_R = 1, 2, 4

TABLES_VERSION = 2  # system_tables.hpp kTablesVersion: the emitted header checks it

PRIORITY_RANGE = (1, 254)  # 255 is the root task's
BADGE_MAX = (1 << 28) - 1  # badges are 28 bits wide (abi)
NAME_MAX = 15              # a thread's debug name holds 15 characters

# Per platform, from platform/<board>/board.toml (platform/boards.py reads and
# checks them): interrupt lines IRQ Control hands out, the kernel's timer lines,
# whether a line's trigger can be set, and the device memory the root task gets
# as device Untyped, as (base, size). Keys: irq_lines, irq_usable(line),
# irq_usable_text, timer_irqs, trigger_from (None: fixed), user_devices.
PLATFORM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'platform')
sys.path.insert(0, PLATFORM_DIR)
import boards  # noqa: E402
del sys.path[0]
try:
    PLATFORMS = {name: b.tool_facts() for name, b in boards.load_all(PLATFORM_DIR).items()}
except boards.BoardError as e:
    print('petrel-system.py: %s' % e, file=sys.stderr)
    sys.exit(2)
PLATFORM_NAMES = tuple(PLATFORMS)

CXX_KEYWORDS = set('''alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
char16_t char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export extern false
float for friend goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or
or_eq private protected public register reinterpret_cast requires return short signed sizeof static
static_assert static_cast struct switch template this thread_local throw true try typedef typeid typename
union unsigned using virtual void volatile wchar_t while xor xor_eq'''.split())
IDENT_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')


# ---------------------------------------------------------------------------
# Locator: tomllib gives no line numbers, so the source is scanned again for
# them. Every table, key and array element gets a path, the same one the
# checks use: ('app', 2, 'priority') is the priority key of the third [[app]],
# ('channel', 0, 'clients', 1) the second client of the first channel. The
# scanner assumes the text is valid TOML (tomllib read it first).

class Locator:
    def __init__(self, text: str):
        self.text = text
        self.lines: dict[tuple, int] = {}
        self._starts = [0] + [m.end() for m in re.finditer(r'\n', text)]
        self._aot: dict[tuple, int] = {}  # array-of-tables path -> last index
        self._scan()

    def line(self, path) -> int:
        """The line of `path`, or of its nearest enclosing table or key that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    # -- scanning
    def _line_at(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos)

    def _note(self, path: tuple, pos: int) -> None:
        self.lines.setdefault(path, self._line_at(pos))

    def _skip(self, pos: int, newlines: bool = True) -> int:
        t = self.text
        while pos < len(t):
            c = t[pos]
            if c in ' \t\r' or (newlines and c == '\n'):
                pos += 1
            elif c == '#':
                while pos < len(t) and t[pos] != '\n':
                    pos += 1
            else:
                break
        return pos

    def _string(self, pos: int) -> tuple[str, int]:
        t = self.text
        for quote in ('"""', "'''"):
            if t.startswith(quote, pos):
                i = pos + 3
                while i < len(t):
                    if quote == '"""' and t[i] == '\\':
                        i += 2
                        continue
                    if t.startswith(quote, i):
                        end = i + 3
                        while end < len(t) and t[end] == quote[0] and end - i < 5:
                            end += 1  # up to two quotes may end the content
                        return t[pos + 3:end - 3], end
                    i += 1
                return t[pos + 3:], len(t)
        q = t[pos]
        i = pos + 1
        out = []
        while i < len(t) and t[i] != q:
            if q == '"' and t[i] == '\\':
                out.append(t[i:i + 2])
                i += 2
                continue
            out.append(t[i])
            i += 1
        raw = ''.join(out)
        if q == '"':
            try:
                raw = tomllib.loads('k = "%s"' % raw)['k']
            except tomllib.TOMLDecodeError:
                pass
        return raw, i + 1

    def _key(self, pos: int) -> tuple[tuple, int]:
        t = self.text
        keys = []
        while True:
            pos = self._skip(pos, newlines=False)
            if pos < len(t) and t[pos] in '"\'':
                k, pos = self._string(pos)
            else:
                m = re.compile(r'[A-Za-z0-9_-]+').match(t, pos)
                if not m:
                    break
                k, pos = m.group(0), m.end()
            keys.append(k)
            pos = self._skip(pos, newlines=False)
            if pos < len(t) and t[pos] == '.':
                pos += 1
                continue
            break
        return tuple(keys), pos

    def _resolve(self, keys: tuple) -> tuple:
        out: tuple = ()
        for k in keys:
            out += (k,)
            if out in self._aot:
                out += (self._aot[out],)
        return out

    def _scan(self) -> None:
        t = self.text
        pos = 0
        current: tuple = ()
        while True:
            pos = self._skip(pos)
            if pos >= len(t):
                return
            start = pos
            if t.startswith('[[', pos):
                keys, pos = self._key(pos + 2)
                pos = t.find(']]', pos) + 2 if t.find(']]', pos) >= 0 else len(t)
                parent = self._resolve(keys[:-1])
                aot = parent + keys[-1:]
                self._aot[aot] = self._aot.get(aot, -1) + 1
                self._note(aot, start)
                current = aot + (self._aot[aot],)
                self._note(current, start)
            elif t[pos] == '[':
                keys, pos = self._key(pos + 1)
                pos = t.find(']', pos) + 1 if t.find(']', pos) >= 0 else len(t)
                current = self._resolve(keys)
                self._note(current, start)
            else:
                keys, pos = self._key(pos)
                if not keys:  # not TOML after all: skip the line
                    nl = t.find('\n', pos)
                    pos = len(t) if nl < 0 else nl + 1
                    continue
                path = current + keys
                self._note(path, start)
                pos = self._skip(pos, newlines=False)
                if pos < len(t) and t[pos] == '=':
                    pos = self._value(self._skip(pos + 1, newlines=False), path)

    def _value(self, pos: int, path: tuple) -> int:
        t = self.text
        if pos >= len(t):
            return pos
        c = t[pos]
        if c in '"\'':
            return self._string(pos)[1]
        if c == '[':
            pos += 1
            i = 0
            while True:
                pos = self._skip(pos)
                if pos >= len(t) or t[pos] == ']':
                    return pos + 1
                if t[pos] == ',':
                    pos += 1
                    continue
                self._note(path + (i,), pos)
                pos = self._value(pos, path + (i,))
                i += 1
        if c == '{':
            pos += 1
            while True:
                pos = self._skip(pos)
                if pos >= len(t) or t[pos] == '}':
                    return pos + 1
                if t[pos] == ',':
                    pos += 1
                    continue
                kstart = pos
                keys, pos = self._key(pos)
                if not keys:
                    return pos + 1
                self._note(path + keys, kstart)
                pos = self._skip(pos)
                if pos < len(t) and t[pos] == '=':
                    pos = self._value(self._skip(pos + 1), path + keys)
        m = re.compile(r'[^,\]}#\n]*').match(t, pos)
        return m.end()


# ---------------------------------------------------------------------------
# ELF files: the PT_LOAD segments of a 32-bit little-endian ARM executable.

class ElfError(Exception):
    pass


class Segment:
    """One PT_LOAD segment of an ELF file."""

    def __init__(self, index, offset, vaddr, filesz, memsz, flags):
        self.index, self.offset, self.vaddr = index, offset, vaddr
        self.filesz, self.memsz, self.flags = filesz, memsz, flags

    @property
    def end(self) -> int:
        return self.vaddr + self.memsz

    def pages(self) -> range:
        """The pages it covers (loading it takes one frame each)."""
        if not self.memsz:
            return range(0)
        return range(page_down(self.vaddr), page_up(self.end), PAGE)

    def text(self) -> str:
        """'segment 0x00010000-0x00012fff (R X)', as readelf shows the flags."""
        perms = ''.join(c if self.flags & bit else ' ' for c, bit in (('R', PF_R), ('W', PF_W), ('X', PF_X)))
        where = range_text(self.vaddr, self.end) if self.memsz else 'at 0x%08x' % self.vaddr
        return 'segment %s (%s)' % (where, perms.rstrip() or 'no access')


class Elf:
    def __init__(self, size: int, entry: int, segments: list[Segment]):
        self.size, self.entry, self.segments = size, entry, segments


def read_elf(path: str) -> Elf:
    """The file's entry point and PT_LOAD segments (empty ones left out); ElfError if
    it is not a 32-bit little-endian ARM executable."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise ElfError('cannot read it: %s' % (e.strerror or e))
    if len(data) < 52 or data[:4] != b'\x7fELF':
        raise ElfError('not an ELF file')
    if data[4] != 1 or data[5] != 1:
        raise ElfError('not a 32-bit little-endian ELF file')
    e_type, e_machine = struct.unpack_from('<HH', data, 16)
    if e_machine != 40:
        raise ElfError('not an ARM ELF file (machine %d)' % e_machine)
    if e_type != 2:
        raise ElfError('not an executable (ELF type %d)' % e_type)
    e_entry, e_phoff = struct.unpack_from('<II', data, 24)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 42)
    if e_phnum and (e_phentsize < 32 or e_phoff + e_phnum * e_phentsize > len(data)):
        raise ElfError('truncated program headers')
    segs = []
    for i in range(e_phnum):
        p_type, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, p_flags, _align = \
            struct.unpack_from('<8I', data, e_phoff + i * e_phentsize)
        if p_type == 1 and (p_memsz or p_filesz):
            segs.append(Segment(i, p_offset, p_vaddr, p_filesz, p_memsz, p_flags))
    if not segs:
        raise ElfError('no PT_LOAD segment')
    return Elf(len(data), e_entry, segs)


def elf_problems(elf: Elf) -> list[str]:
    """What makes the ELF file unfit to be loaded as an app, each as a phrase."""
    out = []
    for s in elf.segments:
        if s.vaddr < IMAGE_WINDOW[0] or s.end > IMAGE_WINDOW[1]:
            out.append('%s is outside the image window %s (apps/lib/user.ld)'
                       % (s.text(), range_text(*IMAGE_WINDOW)))
        if s.vaddr % PAGE:
            out.append('%s does not start on a page (0x%08x is not page aligned)' % (s.text(), s.vaddr))
        if s.filesz > s.memsz:
            out.append('%s holds 0x%x bytes of the file, more than its 0x%x in memory (filesz > memsz)'
                       % (s.text(), s.filesz, s.memsz))
        if s.filesz and s.offset + s.filesz > elf.size:
            out.append('%s: its file bytes 0x%x-0x%x lie outside the file (%d bytes)'
                       % (s.text(), s.offset, s.offset + s.filesz - 1, elf.size))
        if s.flags & PF_W and s.flags & PF_X:
            out.append('%s is both writable and executable (W^X: a page is one or the other)' % s.text())
    owner: dict[int, Segment] = {}
    for s in elf.segments:
        for page in s.pages():
            other = owner.setdefault(page, s)
            if other is not s:
                out.append('%s and %s share the page at 0x%08x (a page has one set of permissions)'
                           % (other.text(), s.text(), page))
                break
    if not any(s.flags & PF_X and s.vaddr <= elf.entry < s.end for s in elf.segments):
        out.append('its entry point 0x%08x is not in an executable segment' % elf.entry)
    return out


# ---------------------------------------------------------------------------
# The checked model.

def page_down(x: int) -> int:
    return x & ~(PAGE - 1)


def page_up(x: int) -> int:
    return (x + PAGE - 1) & ~(PAGE - 1)


def size_text(n: int) -> str:
    """'2 MiB', '76 KiB', '2.5 KiB', '512 B'."""
    if n % MIB == 0 and n:
        return '%d MiB' % (n // MIB)
    if n % 1024 == 0:
        return '%d KiB' % (n // 1024)
    if n > 1024 and n % 256 == 0:
        return '%g KiB' % (n / 1024)
    return '%d B' % n


def range_text(lo: int, hi: int) -> str:
    """[lo, hi) as inclusive hex."""
    return '0x%08x-0x%08x' % (lo, hi - 1)


class Region:
    """A range of an app's virtual address space, for the overlap check."""

    def __init__(self, lo, hi, what, path):
        self.lo, self.hi, self.what, self.path = lo, hi, what, path


class App:
    def __init__(self, index, path):
        self.index = index
        self.path = path
        self.name = None
        self.elf = None
        self.priority = None
        self.stack = 16384
        self.memory = None
        self.fault_handler = 'root'
        self.restart = False
        self.stack_ok = True
        self.image_pages: int | None = None  # pages its ELF's segments cover, when given and good
        self.regions: list[Region] = []      # shared-region mappings, then devices, in file order
        self.needs = 0                       # bytes of its memory budget it needs (check_budgets)
        self.parts: dict[str, int] = {}      # what they are

    @property
    def label(self):
        return "app '%s'" % self.name if self.name else 'app #%d' % (self.index + 1)


class System:
    def __init__(self):
        self.name = None
        self.apps: list[App] = []
        self.channels: list[dict] = []
        self.shared: list[dict] = []
        self.irqs: list[dict] = []
        self.devices: list[dict] = []
        self.images: list[str] = []  # distinct ELF names, in order of first use


# Schema: per table, key -> (types, required, default, may be per-platform).
INT, STR, BOOL, LIST, DICT = 'integer', 'string', 'boolean', 'array', 'table'
SCHEMA = {
    'system': {'name': (STR, True, None, False)},
    'app': {
        'name': (STR, True, None, False),
        'elf': (STR, False, None, False),  # default: the app's name
        'priority': (INT, True, None, False),
        'stack': (INT, False, 16384, False),
        'memory': (INT, True, None, False),
        'fault_handler': (STR, False, 'root', False),
        'restart': (BOOL, False, False, False),
    },
    'channel': {
        'name': (STR, True, None, False),
        'kind': (STR, True, None, False),
        'server': (STR, True, None, False),
        'clients': (LIST, True, None, False),
    },
    'client': {
        'app': (STR, True, None, False),
        'badge': (INT, True, None, False),
    },
    'shared': {
        'name': (STR, True, None, False),
        'size': (INT, True, None, True),
        'maps': (LIST, True, None, False),
    },
    'map': {
        'app': (STR, True, None, False),
        'vaddr': (INT, True, None, False),
        'rights': (STR, True, None, False),
    },
    'irq': {
        'app': (STR, True, None, False),
        'line': (INT, True, None, True),
        'badge': (INT, True, None, False),
        'trigger': (STR, False, None, True),
    },
    'device': {
        'name': (STR, True, None, False),
        'app': (STR, True, None, False),
        'paddr': (INT, True, None, True),
        'size': (INT, True, None, True),
        'vaddr': (INT, True, None, True),
    },
}
TOP_LEVEL = {'system': 'table', 'app': 'array', 'channel': 'array', 'shared': 'array',
             'irq': 'array', 'device': 'array'}


def type_name(v) -> str:
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return INT
    if isinstance(v, str):
        return STR
    if isinstance(v, list):
        return LIST
    if isinstance(v, dict):
        return DICT
    return type(v).__name__


def suggest(word: str, choices) -> str:
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return " (did you mean '%s'?)" % m[0] if m else ''


class Checker:
    def __init__(self, filename: str, text: str, platform: str, elfs: dict[str, str],
                 need_every_elf: bool = False):
        self.filename = filename
        self.text = text
        self.platform = platform
        self.pf = PLATFORMS[platform]
        self.elfs = elfs
        self.need_every_elf = need_every_elf  # pack: every image's ELF file must be given
        self.errors: list[tuple[int, int, str]] = []
        self.loc: Locator | None = None
        self.sys = System()

    def error(self, path, msg: str) -> None:
        line = path if isinstance(path, int) else self.loc.line(path) if self.loc else 1
        entry = (line, len(self.errors), msg)
        if all((e[0], e[2]) != (line, msg) for e in self.errors):
            self.errors.append(entry)

    def messages(self) -> list[str]:
        return ['%s:%d: %s' % (self.filename, line, msg) for line, _, msg in sorted(self.errors)]

    # -- reading one table against its schema
    def fields(self, kind: str, table, path: tuple, label: str) -> dict | None:
        """The table's values by key (defaults filled in, per-platform values
        resolved), or None when it is not a table. Reports unknown keys, missing
        keys and wrong types; a key with a bad value is left out."""
        schema = SCHEMA[kind]
        if not isinstance(table, dict):
            self.error(path, '%s must be a table, got %s' % (label, type_name(table)))
            return None
        out = {}
        for key, value in table.items():
            if key not in schema:
                self.error(path + (key,), '%s: unknown key \'%s\'%s' % (label, key, suggest(key, schema)))
                continue
            types, _req, _default, per_platform = schema[key]
            kpath = path + (key,)
            if per_platform and isinstance(value, dict):
                bad = [p for p in value if p not in PLATFORM_NAMES]
                for p in bad:
                    self.error(kpath + (p,), "%s: %s: unknown platform '%s'%s (platforms: %s)"
                               % (label, key, p, suggest(p, PLATFORM_NAMES), ', '.join(PLATFORM_NAMES)))
                if self.platform not in value:
                    if not bad:
                        self.error(kpath, "%s: %s has no value for platform '%s'" % (label, key, self.platform))
                    continue
                value = value[self.platform]
                kpath = kpath + (self.platform,)
            if type_name(value) != types:
                self.error(kpath, '%s: %s must be %s %s, got %s' % (
                    label, key, 'an' if types[0] in 'aeiou' else 'a', types, type_name(value)))
                continue
            out[key] = value
        for key, (types, req, default, _pp) in schema.items():
            if key not in table:
                if req:
                    self.error(path, "%s: missing key '%s'" % (label, key))
                elif default is not None:
                    out[key] = default
        return out

    def name_ok(self, path, label: str, what: str, name: str) -> bool:
        if not IDENT_RE.match(name) or name in CXX_KEYWORDS:
            self.error(path, "%s: %s '%s' is not usable as a C++ name (letters, digits and _, "
                             'not starting with a digit, not a keyword)' % (label, what, name))
            return False
        return True

    # -- the whole description
    def run(self) -> System:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            m = re.search(r'\(at line (\d+), column \d+\)', str(e))
            line = int(m.group(1)) if m else 1
            msg = re.sub(r'\s*\(at line \d+, column \d+\)', '', str(e))
            self.error(line, 'TOML syntax: %s' % msg)
            return self.sys
        self.loc = Locator(self.text)
        for key, value in data.items():
            if key not in TOP_LEVEL:
                self.error((key,), "unknown table '%s'%s (expected %s)" % (
                    key, suggest(key, TOP_LEVEL), ', '.join('[%s]' % k if v == 'table' else '[[%s]]' % k
                                                            for k, v in TOP_LEVEL.items())))
            elif TOP_LEVEL[key] == 'array' and not (isinstance(value, list)
                                                    and all(isinstance(x, dict) for x in value)):
                self.error((key,), "'%s' must be an array of tables: write [[%s]]" % (key, key))
            elif TOP_LEVEL[key] == 'table' and not isinstance(value, dict):
                self.error((key,), "'%s' must be a table: write [%s]" % (key, key))
        def array(key):
            v = data.get(key, [])
            return v if isinstance(v, list) and all(isinstance(x, dict) for x in v) else []

        system = data.get('system')
        if system is None:
            self.error(1, "missing [system] table (with name = \"...\")")
        elif isinstance(system, dict):
            f = self.fields('system', system, ('system',), '[system]')
            if f and 'name' in f and self.name_ok(('system', 'name'), '[system]', 'name', f['name']):
                self.sys.name = f['name']

        self.read_apps(array('app'))
        self.read_channels(array('channel'))
        self.read_shared(array('shared'))
        self.read_irqs(array('irq'))
        self.read_devices(array('device'))
        self.check_address_spaces()
        self.check_budgets()
        return self.sys

    def app_ref(self, path, label: str, name, allow_root: bool = False) -> App | None:
        """The app named `name`, or None after reporting an unknown app."""
        for a in self.sys.apps:
            if a.name == name:
                return a
        if allow_root and name == 'root':
            return None
        names = [a.name for a in self.sys.apps if a.name] + (['root'] if allow_root else [])
        hint = ' (the root task is not one of the apps)' if name == 'root' else suggest(name, names)
        self.error(path, "%s: unknown app '%s'%s" % (label, name, hint))
        return None

    def read_apps(self, tables) -> None:
        if not tables:
            self.error(1, 'no [[app]]: a system needs at least one app')
        seen: dict[str, App] = {}
        for i, t in enumerate(tables):
            path = ('app', i)
            a = App(i, path)
            self.sys.apps.append(a)
            if isinstance(t.get('name'), str):
                a.name = t['name']
            f = self.fields('app', t, path, a.label)
            if f is None:
                continue
            if 'name' in f:
                if not self.name_ok(path + ('name',), a.label, 'name', a.name):
                    pass
                elif len(a.name) > NAME_MAX:
                    self.error(path + ('name',), "%s: name longer than %d characters (a thread's name)"
                               % (a.label, NAME_MAX))
                if a.name in seen:
                    self.error(path + ('name',), "%s: duplicate app name (first at line %d)"
                               % (a.label, self.loc.line(seen[a.name].path + ('name',))))
                else:
                    seen[a.name] = a
            a.elf = f.get('elf', a.name)
            if 'elf' in f:
                self.name_ok(path + ('elf',), a.label, 'elf', a.elf)
            if a.elf and a.elf not in self.sys.images and IDENT_RE.match(a.elf):
                self.sys.images.append(a.elf)
            if 'priority' in f:
                a.priority = f['priority']
                lo, hi = PRIORITY_RANGE
                if not lo <= a.priority <= hi:
                    self.error(path + ('priority',), '%s: priority %d out of range %d..%d (255 is the root task\'s)'
                               % (a.label, a.priority, lo, hi))
            if 'stack' in f:
                a.stack = f['stack']
                if a.stack <= 0 or a.stack % PAGE:
                    self.error(path + ('stack',), '%s: stack %d is not a positive multiple of 4096'
                               % (a.label, a.stack))
                    a.stack_ok = False
                elif a.stack > STACK_PAGES_MAX * PAGE:
                    self.error(path + ('stack',), "%s: stack %s is %d pages: a process can have at most %d "
                               "stack pages (%s; libpetrel's process_create refuses more)"
                               % (a.label, size_text(a.stack), a.stack // PAGE, STACK_PAGES_MAX,
                                  size_text(STACK_PAGES_MAX * PAGE)))
                    a.stack_ok = False
            if 'memory' in f:
                a.memory = f['memory']
                if a.memory <= 0:
                    self.error(path + ('memory',), '%s: memory budget %d is not positive' % (a.label, a.memory))
            a.fault_handler = f.get('fault_handler', 'root')
            a.restart = f.get('restart', False)
        # References between apps, once all names are known.
        for a in self.sys.apps:
            fh = a.fault_handler
            if fh != 'root':
                if fh == a.name:
                    self.error(a.path + ('fault_handler',), '%s: cannot handle its own faults (it is the '
                               'thread that stopped)' % a.label)
                else:
                    self.app_ref(a.path + ('fault_handler',), a.label, fh, allow_root=True)
                if a.restart:
                    self.error(a.path + ('restart',), '%s: restart = true needs fault_handler = "root" (only the '
                               'root task can restart an app; its faults go to \'%s\')' % (a.label, fh))
        # ELF files given for apps.
        for elf, file in self.elfs.items():
            users = [a for a in self.sys.apps if a.elf == elf]
            if not users:
                self.error(1, '--elf %s=%s: no app has elf = "%s"' % (elf, file, elf))
                continue
            try:
                image = read_elf(file)
                problems = elf_problems(image)
            except ElfError as e:
                problems, image = [str(e)], None
            for a in users:
                for p in problems:
                    self.error(a.path + ('elf',), "%s: ELF '%s' (%s): %s" % (a.label, elf, file, p))
                if image is not None and not problems:
                    a.image_pages = len({page for seg in image.segments for page in seg.pages()})
        if self.need_every_elf:
            for elf in self.sys.images:
                if elf not in self.elfs:
                    a = next(a for a in self.sys.apps if a.elf == elf)
                    self.error(a.path + ('elf',), "%s: no ELF file given for image '%s' (pack needs every app's "
                               'ELF)' % (a.label, elf))

    def badge_ok(self, path, label: str, badge: int) -> bool:
        if not 1 <= badge <= BADGE_MAX:
            self.error(path, '%s: badge %d out of range 1..%d (28 bits)' % (label, badge, BADGE_MAX))
            return False
        return True

    def read_channels(self, tables) -> None:
        seen: dict[str, int] = {}
        for i, t in enumerate(tables):
            path = ('channel', i)
            label = "channel '%s'" % t['name'] if isinstance(t.get('name'), str) else 'channel #%d' % (i + 1)
            f = self.fields('channel', t, path, label)
            if f is None:
                continue
            ch = {'index': i, 'path': path, 'name': f.get('name'), 'kind': f.get('kind'), 'server': None,
                  'clients': []}
            if 'name' in f and self.name_ok(path + ('name',), label, 'name', f['name']):
                if f['name'] in seen:
                    self.error(path + ('name',), '%s: duplicate channel name (first at line %d)'
                               % (label, seen[f['name']]))
                else:
                    seen[f['name']] = self.loc.line(path + ('name',))
            if 'kind' in f and f['kind'] not in ('endpoint', 'notification'):
                self.error(path + ('kind',), "%s: kind '%s' is neither \"endpoint\" nor \"notification\""
                           % (label, f['kind']))
                ch['kind'] = None
            if 'server' in f:
                ch['server'] = self.app_ref(path + ('server',), label, f['server'])
            clients = f.get('clients')
            if clients is not None and not clients:
                self.error(path + ('clients',), '%s: no clients' % label)
            badges: dict[int, int] = {}
            for j, c in enumerate(clients or []):
                cpath = path + ('clients', j)
                cf = self.fields('client', c, cpath, label + ' client #%d' % (j + 1))
                if cf is None:
                    continue
                app = self.app_ref(cpath + ('app',), label, cf['app']) if 'app' in cf else None
                if app is not None and app is ch['server']:
                    self.error(cpath + ('app',), "%s: app '%s' is both server and client (a channel to itself)"
                               % (label, app.name))
                badge = cf.get('badge')
                if badge is not None and self.badge_ok(cpath + ('badge',), label, badge):
                    if badge in badges:
                        self.error(cpath + ('badge',), '%s: badge %d given twice (also at line %d)'
                                   % (label, badge, badges[badge]))
                    else:
                        if ch['kind'] == 'notification':
                            for other, line in badges.items():
                                if other & badge:
                                    self.error(cpath + ('badge',), '%s: badge %d shares bits with badge %d (line '
                                               '%d): a notification ORs badges, so its waiter cannot tell them '
                                               'apart' % (label, badge, other, line))
                        badges[badge] = self.loc.line(cpath + ('badge',))
                ch['clients'].append({'app': app, 'badge': badge, 'path': cpath})
            self.sys.channels.append(ch)

    def vaddr_ok(self, path, label: str, vaddr: int, size: int | None) -> bool:
        if vaddr % PAGE:
            self.error(path, '%s: vaddr 0x%08x is not page aligned' % (label, vaddr))
            return False
        if vaddr < 0 or vaddr >= USER_TOP or (size is not None and vaddr + size > USER_TOP):
            self.error(path, "%s: %s reaches the kernel's half (0x80000000 and up)"
                       % (label, range_text(vaddr, vaddr + (size or PAGE))))
            return False
        return True

    def size_ok(self, path, label: str, size: int) -> bool:
        if size <= 0 or size % PAGE:
            self.error(path, '%s: size %d is not a positive multiple of 4096' % (label, size))
            return False
        return True

    def read_shared(self, tables) -> None:
        seen: dict[str, int] = {}
        for i, t in enumerate(tables):
            path = ('shared', i)
            label = ("shared region '%s'" % t['name'] if isinstance(t.get('name'), str)
                     else 'shared region #%d' % (i + 1))
            f = self.fields('shared', t, path, label)
            if f is None:
                continue
            sh = {'index': i, 'path': path, 'name': f.get('name'), 'size': None, 'maps': [], 'owner': None}
            if 'name' in f and self.name_ok(path + ('name',), label, 'name', f['name']):
                if f['name'] in seen:
                    self.error(path + ('name',), '%s: duplicate shared region name (first at line %d)'
                               % (label, seen[f['name']]))
                else:
                    seen[f['name']] = self.loc.line(path + ('name',))
            if 'size' in f and self.size_ok(self.loc_key(path, 'size', t), label, f['size']):
                sh['size'] = f['size']
            maps = f.get('maps')
            if maps is not None and not maps:
                self.error(path + ('maps',), '%s: mapped by no app' % label)
            for j, m in enumerate(maps or []):
                mpath = path + ('maps', j)
                mf = self.fields('map', m, mpath, label + ' map #%d' % (j + 1))
                if mf is None:
                    continue
                app = self.app_ref(mpath + ('app',), label, mf['app']) if 'app' in mf else None
                rights = mf.get('rights')
                if rights is not None and rights not in ('r', 'rw'):
                    self.error(mpath + ('rights',), "%s: rights '%s' are neither \"r\" nor \"rw\"" % (label, rights))
                    rights = None
                vaddr = mf.get('vaddr')
                if vaddr is not None and not self.vaddr_ok(mpath + ('vaddr',), label, vaddr, sh['size']):
                    vaddr = None
                entry = {'app': app, 'vaddr': vaddr, 'writable': rights == 'rw', 'path': mpath}
                sh['maps'].append(entry)
                if app is not None and sh['owner'] is None:
                    sh['owner'] = app
                if app is not None and vaddr is not None and sh['size'] is not None:
                    app.regions.append(Region(vaddr, vaddr + sh['size'], "shared region '%s'" % sh['name'],
                                              mpath + ('vaddr',)))
            self.sys.shared.append(sh)

    def loc_key(self, path: tuple, key: str, table: dict) -> tuple:
        """A key's path, to its platform's entry when it is a per-platform table."""
        return path + (key, self.platform) if isinstance(table.get(key), dict) else path + (key,)

    def read_irqs(self, tables) -> None:
        lines: dict[int, int] = {}
        badges_by_app: dict[int, dict[int, int]] = {}
        for i, t in enumerate(tables):
            path = ('irq', i)
            label = 'irq #%d' % (i + 1)
            line_v = t.get('line')
            if isinstance(line_v, dict):
                line_v = line_v.get(self.platform)
            if type_name(line_v) == INT:
                label = 'irq %d' % line_v
            f = self.fields('irq', t, path, label)
            if f is None:
                continue
            app = self.app_ref(path + ('app',), label, f['app']) if 'app' in f else None
            irq = {'index': i, 'path': path, 'app': app, 'line': None, 'badge': None, 'trigger': None}
            lpath = self.loc_key(path, 'line', t)
            line = f.get('line')
            if line is not None:
                pf = self.pf
                if line in pf['timer_irqs']:
                    self.error(lpath, "%s: line %d is the kernel's timer on %s" % (label, line, self.platform))
                elif not 0 <= line < pf['irq_lines']:
                    self.error(lpath, '%s: line %d out of range on %s (0..%d; usable: %s)'
                               % (label, line, self.platform, pf['irq_lines'] - 1, pf['irq_usable_text']))
                elif not pf['irq_usable'](line):
                    self.error(lpath, '%s: line %d cannot be handed out on %s (the interrupt controller cannot '
                               'mask it; usable: %s)' % (label, line, self.platform, pf['irq_usable_text']))
                elif line in lines:
                    self.error(lpath, '%s: line %d given twice (also at line %d)' % (label, line, lines[line]))
                else:
                    lines[line] = self.loc.line(lpath)
                    irq['line'] = line
            badge = f.get('badge')
            if badge is not None and self.badge_ok(path + ('badge',), label, badge):
                irq['badge'] = badge
                if app is not None:
                    # An app's interrupts share its bound notification: their badges must be told apart.
                    mine = badges_by_app.setdefault(app.index, {})
                    for other, where in mine.items():
                        if other & badge:
                            what = ('badge %d given twice to %s (also at line %d)' % (badge, app.label, where)
                                    if other == badge else 'badge %d shares bits with badge %d (line %d)'
                                    % (badge, other, where))
                            self.error(path + ('badge',), '%s: %s: the interrupts of %s share one notification, '
                                       'so their badges need distinct bits' % (label, what, app.label))
                            break
                    else:
                        mine[badge] = self.loc.line(path + ('badge',))
            trigger = f.get('trigger')
            if trigger is not None:
                tpath = self.loc_key(path, 'trigger', t)
                if trigger not in ('level', 'edge'):
                    self.error(tpath, "%s: trigger '%s' is neither \"level\" nor \"edge\"" % (label, trigger))
                elif self.pf['trigger_from'] is None:
                    if trigger == 'edge':
                        self.error(tpath, "%s: %s cannot set a line's trigger (its interrupt controllers are "
                                   'level-sensitive)' % (label, self.platform))
                    # "level" is what the line is anyway: nothing to set.
                elif line is not None and line < self.pf['trigger_from']:
                    self.error(tpath, "%s: %s sets the trigger of lines %d and up only"
                               % (label, self.platform, self.pf['trigger_from']))
                else:
                    irq['trigger'] = trigger
            self.sys.irqs.append(irq)

    def read_devices(self, tables) -> None:
        names: dict[str, int] = {}
        taken: list[tuple[int, int, dict]] = []
        for i, t in enumerate(tables):
            path = ('device', i)
            label = "device '%s'" % t['name'] if isinstance(t.get('name'), str) else 'device #%d' % (i + 1)
            f = self.fields('device', t, path, label)
            if f is None:
                continue
            app = self.app_ref(path + ('app',), label, f['app']) if 'app' in f else None
            dev = {'index': i, 'path': path, 'name': f.get('name'), 'app': app, 'paddr': None, 'size': None,
                   'vaddr': None}
            twice = False
            if 'name' in f and self.name_ok(path + ('name',), label, 'name', f['name']):
                if f['name'] in names:
                    self.error(path + ('name',), '%s: given twice (also at line %d)' % (label, names[f['name']]))
                    twice = True
                else:
                    names[f['name']] = self.loc.line(path + ('name',))
            size = f.get('size')
            if size is not None and not self.size_ok(self.loc_key(path, 'size', t), label, size):
                size = None
            ppath = self.loc_key(path, 'paddr', t)
            paddr = f.get('paddr')
            if paddr is not None and paddr % PAGE:
                self.error(ppath, '%s: paddr 0x%08x is not page aligned' % (label, paddr))
                paddr = None
            if paddr is not None and size is not None:
                inside = any(b <= paddr and paddr + size <= b + s for b, s in self.pf['user_devices'])
                if not inside:
                    self.error(ppath, '%s: %s is not device memory the root task gets on %s (%s)' % (
                        label, range_text(paddr, paddr + size), self.platform,
                        ', '.join(range_text(b, b + s) for b, s in self.pf['user_devices'])))
                elif not twice:
                    for lo, hi, other in taken:
                        if paddr < hi and lo < paddr + size:
                            self.error(ppath, "%s: %s overlaps device '%s' at %s (line %d)" % (
                                label, range_text(paddr, paddr + size), other['name'], range_text(lo, hi),
                                self.loc.line(other['ppath'])))
                            break
                    else:
                        taken.append((paddr, paddr + size, {'name': dev['name'], 'ppath': ppath}))
                dev['paddr'], dev['size'] = paddr, size
            vpath = self.loc_key(path, 'vaddr', t)
            vaddr = f.get('vaddr')
            if vaddr is not None and self.vaddr_ok(vpath, label, vaddr, size):
                dev['vaddr'] = vaddr
                if app is not None and size is not None:
                    app.regions.append(Region(vaddr, vaddr + size, "device '%s'" % dev['name'], vpath))
            self.sys.devices.append(dev)

    # -- per app: address space and memory budget
    def fixed_regions(self, a: App) -> list[Region]:
        out = [Region(*NULL_GUARD, 'its null guard', a.path),
               Region(*IMAGE_WINDOW, 'its image window', a.path + ('elf',)),
               Region(*IPC_BUFFER, 'its IPC buffer', a.path)]
        if a.stack_ok:
            out.append(Region(STACK_TOP - a.stack - STACK_GUARD, STACK_TOP, 'its stack and guard page',
                              a.path + ('stack',)))
        return out

    def check_address_spaces(self) -> None:
        for a in self.sys.apps:
            placed = self.fixed_regions(a)
            for r in sorted(a.regions, key=lambda r: self.loc.line(r.path)):
                for p in placed:
                    if r.lo < p.hi and p.lo < r.hi:
                        self.error(r.path, '%s: %s at %s overlaps %s at %s' % (
                            a.label, r.what, range_text(r.lo, r.hi), p.what, range_text(p.lo, p.hi)))
                        break
                else:
                    placed.append(r)

    def check_budgets(self) -> None:
        """An app's memory budget is a RAM Untyped the root task retypes all of the app
        from, in the order below (libpetrel's process_create, then process_map for the
        regions): each object goes at the watermark rounded up to its own size, a power
        of two, and the watermark moves past it. The final watermark must fit."""
        for a in self.sys.apps:
            if not a.stack_ok:
                continue  # reported; a budget check would only repeat it
            stack_mibs = {(STACK_TOP - 1) // MIB, (STACK_TOP - a.stack) // MIB}  # one or two
            mapped = {IMAGE_WINDOW[0] // MIB, IPC_BUFFER[0] // MIB} | stack_mibs
            further = []  # MiB of shared regions and devices not mapped yet, in file order
            for r in a.regions:
                for mib in range(r.lo // MIB, (r.hi - 1) // MIB + 1):
                    if mib not in mapped:
                        mapped.add(mib)
                        further.append(mib)
            objects = ([('page directory', PAGE_DIRECTORY_BYTES), ('CNode', CNODE_BYTES), ('TCB', TCB_BYTES)] +
                       [('page tables', PAGE_TABLE_BYTES)] * (2 + len(stack_mibs)) +
                       [('image', FRAME_BYTES)] * (a.image_pages or 0) +
                       [('IPC buffer', FRAME_BYTES)] +
                       [('stack', FRAME_BYTES)] * (a.stack // PAGE) +
                       [('page tables', PAGE_TABLE_BYTES)] * len(further))
            watermark = 0
            parts = dict.fromkeys(('image', 'stack', 'IPC buffer', 'page directory', 'CNode', 'TCB', 'page tables',
                                   'alignment'), 0)
            for what, size in objects:
                watermark = (watermark + size - 1) // size * size + size
                parts[what] += size
            parts['alignment'] = watermark - sum(parts.values())
            a.needs, a.parts = watermark, parts
            if a.memory is not None and a.memory > 0 and watermark > a.memory:
                listed = ', '.join('%s %s' % (k, size_text(v)) for k, v in parts.items() if v)
                self.error(a.path + ('memory',), '%s: needs %s, over its memory budget of %s (%s)' % (
                    a.label, size_text(watermark), size_text(a.memory), listed))


# ---------------------------------------------------------------------------
# Output: the C++ tables and the Graphviz picture.

def emit_header(s: System, source: str, platform: str) -> str:
    """NAME_system.hpp. It does not depend on the ELF files (apps include it)."""
    idx = {a.name: a.index for a in s.apps}
    out = []
    w = out.append
    w('// Generated by scripts/petrel-system.py from %s for %s: do not edit.' % (source, platform))
    w('// The types and the app address-space layout are in petrel/system_tables.hpp.')
    w('#pragma once')
    w('')
    w('#include "petrel/system_tables.hpp"')
    w('')
    w('namespace petrel::system {')
    w('')
    w('static_assert(kTablesVersion == %d, "petrel/system_tables.hpp and scripts/petrel-system.py disagree");'
      % TABLES_VERSION)
    w('')
    w('inline constexpr const char kSystemName[] = "%s";' % s.name)
    w('inline constexpr const char kSystemPlatform[] = "%s";' % platform)
    w('')

    def table(typ, name, rows, comments=None):
        count = len(rows)
        if rows:
            w('inline constexpr %s %s[] = {' % (typ, name))
            for k, r in enumerate(rows):
                w('    %s,%s' % (r, ('  // ' + comments[k]) if comments else ''))
            w('};')
        else:
            w('inline constexpr %s %s[1] = {};  // none: the count is 0' % (typ, name))
        w('inline constexpr u32 %sCount = %d;' % (name, count))
        w('')

    # The ELF images, one per distinct elf name.
    w("// The ELF images by `elf` name; kImages[i]'s file is kImageFiles[i] (NAME_images.cpp, from pack).")
    table('ImageDesc', 'kImages', ['{"%s"}' % e for e in s.images])

    rows, comments = [], []
    for a in s.apps:
        fh = 'kRootTask' if a.fault_handler == 'root' else str(idx[a.fault_handler])
        rows.append('{.name = "%s", .image = %d, .priority = %d, .stack_bytes = 0x%x, .memory_budget = 0x%x, '
                    '.fault_handler = %s, .restart = %s}' % (
                        a.name, s.images.index(a.elf), a.priority, a.stack, a.memory, fh,
                        'true' if a.restart else 'false'))
        comments.append('%d' % a.index)
    table('AppDesc', 'kApps', rows, comments)

    rows, crows = [], []
    for c in s.channels:
        rows.append('{.name = "%s", .kind = ChannelKind::%s, .server = %d, .first_client = %d, '
                    '.client_count = %d}' % (c['name'], c['kind'].capitalize(), c['server'].index, len(crows),
                                             len(c['clients'])))
        for cl in c['clients']:
            crows.append('{.channel = %d, .app = %d, .badge = 0x%x}' % (c['index'], cl['app'].index, cl['badge']))
    table('ChannelDesc', 'kChannels', rows)
    table('ClientDesc', 'kClients', crows)

    rows, mrows = [], []
    for sh in s.shared:
        rows.append('{.name = "%s", .size = 0x%x, .owner = %d, .first_map = %d, .map_count = %d}' % (
            sh['name'], sh['size'], sh['owner'].index, len(mrows), len(sh['maps'])))
        for m in sh['maps']:
            mrows.append('{.shared = %d, .app = %d, .vaddr = 0x%08x, .writable = %s}' % (
                sh['index'], m['app'].index, m['vaddr'], 'true' if m['writable'] else 'false'))
    table('SharedDesc', 'kShared', rows)
    table('MapDesc', 'kMaps', mrows)

    rows = []
    for q in s.irqs:
        trig = {None: 'Default', 'level': 'Level', 'edge': 'Edge'}[q['trigger']]
        rows.append('{.app = %d, .line = %d, .badge = 0x%x, .trigger = Trigger::%s}' % (
            q['app'].index, q['line'], q['badge'], trig))
    table('IrqDesc', 'kIrqs', rows)

    rows = []
    for d in s.devices:
        rows.append('{.name = "%s", .app = %d, .paddr = 0x%08x, .size = 0x%x, .vaddr = 0x%08x}' % (
            d['name'], d['app'].index, d['paddr'], d['size'], d['vaddr']))
    table('DeviceDesc', 'kDevices', rows)

    w('inline constexpr SystemDesc kSystem = {')
    w('    .name = kSystemName,')
    w('    .platform = kSystemPlatform,')
    for field, arr in (('images', 'kImages'), ('apps', 'kApps'), ('channels', 'kChannels'),
                       ('clients', 'kClients'), ('shared', 'kShared'), ('maps', 'kMaps'), ('irqs', 'kIrqs'),
                       ('devices', 'kDevices')):
        w('    .%s = {%s, %sCount},' % (field, arr, arr))
    w('};')
    w('')
    w('// Indexes by name.')
    for ns, items in (('app', [(a.name, a.index) for a in s.apps]),
                      ('channel', [(c['name'], c['index']) for c in s.channels]),
                      ('shared', [(sh['name'], sh['index']) for sh in s.shared]),
                      ('device', [(d['name'], d['index']) for d in s.devices]),
                      ('image', [(e, k) for k, e in enumerate(s.images)])):
        w('namespace %s {' % ns)
        for name, k in items:
            w('inline constexpr u32 %s = %d;' % (name, k))
        w('}  // namespace %s' % ns)
    w('')
    w('}  // namespace petrel::system')
    return '\n'.join(out) + '\n'


def gas_string(path: str) -> str:
    """A file name as a GNU as string: backslash and double quote escaped."""
    return '"%s"' % path.replace('\\', '\\\\').replace('"', '\\"')


def emit_images(s: System, source: str, platform: str, elfs: dict[str, str]) -> str:
    """NAME_images.cpp: every image's ELF file (given for each) packed into the root
    task's image with .incbin, and kImageFiles pointing at them, in kImages order."""
    out = []
    w = out.append
    w('// Generated by scripts/petrel-system.py pack from %s for %s: do not edit.' % (source, platform))
    w("// The app images of system %s, packed into its root task's image (kImageFiles)." % s.name)
    w('#include "petrel/system_tables.hpp"')
    w('asm(R"petrel(')
    w('    .section .rodata.petrel_images, "a"')
    for k, elf in enumerate(s.images):
        w('    .balign 8')
        w('petrel_image_%d:' % k)
        w('    .incbin %s' % gas_string(os.path.abspath(elfs[elf])))
        w('petrel_image_%d_end:' % k)
    # Back to the compiler's section: it does not know the asm left it, and would
    # put the code after this statement into the images' section.
    w('    .previous')
    w(')petrel");')
    w('extern "C" const u8 %s;' % ', '.join('petrel_image_%d[], petrel_image_%d_end[]' % (k, k)
                                                   for k in range(len(s.images))))
    w('namespace petrel::system {')
    w('const ImageFile kImageFiles[] = {%s};  // kImages order: %s' % (
        ', '.join('{petrel_image_%d, petrel_image_%d_end}' % (k, k) for k in range(len(s.images))),
        ', '.join(s.images)))
    w('}  // namespace petrel::system')
    return '\n'.join(out) + '\n'


def dot_quote(s: str) -> str:
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def emit_dot(s: System, platform: str) -> str:
    out = []
    w = out.append
    w('// Generated by scripts/petrel-system.py: system %s on %s.' % (s.name, platform))
    w('digraph %s {' % dot_quote(s.name))
    w('    label=%s; labelloc=t; fontname="Helvetica";' % dot_quote('system %s on %s' % (s.name, platform)))
    w('    rankdir=LR; node [fontname="Helvetica", fontsize=11]; edge [fontname="Helvetica", fontsize=9];')
    if any(a.fault_handler == 'root' for a in s.apps):
        w('    root [shape=box, style="rounded,bold", label="root task\\npriority 255"];')
    for a in s.apps:
        extra = '' if a.elf == a.name else '\nELF %s' % a.elf
        w('    app_%s [shape=box, style=rounded, label=%s];' % (
            a.name, dot_quote('%s\npriority %d%s' % (a.name, a.priority, extra)).replace('\n', '\\n')))
    for c in s.channels:
        style = 'solid' if c['kind'] == 'endpoint' else 'dashed'
        for cl in c['clients']:
            w('    app_%s -> app_%s [style=%s, label=%s];' % (
                cl['app'].name, c['server'].name, style,
                dot_quote('%s\nbadge %d' % (c['name'], cl['badge'])).replace('\n', '\\n')))
    for sh in s.shared:
        w('    shared_%s [shape=cylinder, label=%s];' % (
            sh['name'], dot_quote('%s\n%s' % (sh['name'], size_text(sh['size']))).replace('\n', '\\n')))
        for m in sh['maps']:
            # Read-only: an arrow to the app; read-write: arrows both ways.
            w('    shared_%s -> app_%s [color=gray40, dir=%s, label="%s @ %08x"];' % (
                sh['name'], m['app'].name, 'both' if m['writable'] else 'forward',
                'rw' if m['writable'] else 'r', m['vaddr']))
    for q in s.irqs:
        w('    irq_%d [shape=ellipse, fontsize=9, height=0.3, label="IRQ %d"];' % (q['line'], q['line']))
        w('    irq_%d -> app_%s [label="badge %d"];' % (q['line'], q['app'].name, q['badge']))
    for d in s.devices:
        w('    device_%s [shape=note, fontsize=9, label=%s];' % (
            d['name'], dot_quote('%s @ %08x\n%s' % (d['name'], d['paddr'], size_text(d['size']))).replace(
                '\n', '\\n')))
        w('    device_%s -> app_%s [arrowhead=none];' % (d['name'], d['app'].name))
    for a in s.apps:
        handler = 'root' if a.fault_handler == 'root' else 'app_' + a.fault_handler
        w('    app_%s -> %s [style=dotted, label="%s"];' % (a.name, handler,
                                                           'faults, restarted' if a.restart else 'faults'))
    w('}')
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------

def write_file(path: str, text: str) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


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
        p.add_argument('--elf', action='append', default=[], metavar='ELF=PATH',
                       help="an app image: the app's `elf` name and its ELF file (repeatable%s)"
                       % ('; one for every image' if name == 'pack' else ''))
        if name != 'check':
            p.add_argument('-o', '--output', required=True, help='the file to write')
        if name == 'draw':
            p.add_argument('--svg', help="also render an SVG with Graphviz's dot")
            p.add_argument('--dot-program', default='dot', help='the dot program (default: dot on PATH)')
    args = ap.parse_args(argv)

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
    try:
        with open(args.system, 'rb') as f:
            raw = f.read()
    except OSError as e:
        print('%s: cannot read: %s' % (args.system, e.strerror or e), file=sys.stderr)
        return 1
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        print('%s:%d: not UTF-8 text' % (args.system, line), file=sys.stderr)
        return 1

    checker = Checker(args.system, text, args.platform, elfs, need_every_elf=args.cmd == 'pack')
    system = checker.run()
    if checker.errors:
        for m in checker.messages():
            print(m, file=sys.stderr)
        return 1

    if args.cmd == 'check':
        print('%s: system %s on %s: %d apps, %d channels, %d shared regions, %d irqs, %d devices: ok' % (
            args.system, system.name, args.platform, len(system.apps), len(system.channels),
            len(system.shared), len(system.irqs), len(system.devices)))
        return 0
    if args.cmd == 'emit':
        write_file(args.output, emit_header(system, args.system, args.platform))
        return 0
    if args.cmd == 'pack':
        # Always a new file, even when the same: the root task's build sees a changed
        # ELF only through this file's time (its .incbin is no dependency it knows).
        write_file(args.output, emit_images(system, args.system, args.platform, elfs))
        return 0
    write_file(args.output, emit_dot(system, args.platform))
    if args.svg:
        dot = shutil.which(args.dot_program)
        if not dot:
            print("%s: Graphviz's dot not found (Debian package graphviz)" % args.dot_program, file=sys.stderr)
            return 1
        r = subprocess.run([dot, '-Tsvg', '-o', args.svg, args.output], capture_output=True, text=True)
        if r.returncode:
            print('%s -Tsvg failed:\n%s' % (dot, r.stderr), file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
