# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.checks: every check of a system description, building the checked model.

Contract: Checker(filename, text, platform, elfs, need_every_elf, cores).run()
reads the text (reader.parse), checks it for `platform` (a name
platforms.load() has) and a kernel of `cores` cores (1..layout.CORES_MAX, the
build's -Dcores: an app's `core` must be below it) against the schema below,
the app address-space layout and memory budgets (layout), the platform's
interrupt lines and device memory, and the
ELF files in `elfs` ({elf name: path}, each checked with elf.py and charged to
the budget of every app running it); with need_every_elf (pack) every image
must have one. It returns the model.System it built and keeps every mistake:
.errors is non-empty when the description is bad, and .messages() gives them
as 'FILE:LINE: what is wrong', sorted by line, then in the order found, each
reported once. It never raises for a bad description or ELF file, and writes
nothing. The README's "System description" and
apps/lib/include/petrel/system_tables.hpp document the rules.
"""
from __future__ import annotations

import bisect
import difflib
import re

from . import platforms, reader
from .elf import ElfError, elf_problems, read_elf
from .layout import (APP_FIRST_CHANNEL_SLOT, BADGE_MAX, CNODE_RADIX_MAX, CORES_MAX, FRAME_BYTES, IMAGE_WINDOW,
                     IPC_BUFFER,
                     MEMORY_MAX, MIB, NAME_MAX, NULL_GUARD, PAGE, PAGE_DIRECTORY_BYTES, PAGE_TABLE_BYTES,
                     PRIORITY_RANGE, ROOT_BOOT_SLOTS_MAX, ROOT_CNODE_SLOTS, ROOT_SYSTEM_SLOTS, SLOT_BYTES,
                     STACK_GUARD, STACK_PAGES_MAX, STACK_TOP, PROCESS_MAX_EXTRA, DEVICE_FRAME_SCRATCH, TCB_BYTES, USER_TOP, cnode_radix, range_text,
                     size_text)
from .model import App, Region, System

# The tables' names are C++ names in the emitted header: identifiers, not keywords.
CXX_KEYWORDS = set('''alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
char16_t char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export extern false
float for friend goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or
or_eq private protected public register reinterpret_cast requires return short signed sizeof static
static_assert static_cast struct switch template this thread_local throw true try typedef typeid typename
union unsigned using virtual void volatile wchar_t while xor xor_eq'''.split())
IDENT_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_]*\Z')
# Identifiers reserved to the C++ implementation (a double underscore anywhere,
# or an underscore and a capital first), and object-like macros a compiler or C
# library predefines (gcc -std=gnu++20 on Linux defines linux and unix): as a
# name in the emitted header they would not compile.
RESERVED_RE = re.compile(r'.*__|_[A-Z]')
PREDEFINED_MACROS = set('''NULL EOF BUFSIZ FILENAME_MAX errno assert offsetof stdin stdout stderr linux unix i386
arm thumb CHAR_BIT INT_MAX INT_MIN UINT_MAX SIZE_MAX EXIT_SUCCESS EXIT_FAILURE RAND_MAX'''.split())

# Schema: per table, key -> (types, required, default, may be per-platform).
INT, STR, BOOL, LIST, DICT = 'integer', 'string', 'boolean', 'array', 'table'
SCHEMA = {
    'system': {'name': (STR, True, None, False)},
    'app': {
        'name': (STR, True, None, False),
        'elf': (STR, False, None, False),  # default: the app's name
        'priority': (INT, True, None, False),
        'core': (INT, False, 0, False),
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


class Disjoint:
    """Disjoint ranges [lo, hi), each with a payload, kept sorted by start: finding
    the ones a new range overlaps takes a binary search, not a pass over all."""

    def __init__(self):
        self.items: list[tuple[int, int, int, object]] = []  # (lo, hi, order added, payload)
        self.added = 0

    def overlapping(self, lo: int, hi: int) -> list:
        """The payloads of the ranges [lo, hi) overlaps, in the order they were added."""
        k = bisect.bisect_left(self.items, lo, key=lambda t: t[0])
        hits = [self.items[k - 1]] if k and self.items[k - 1][1] > lo else []
        while k < len(self.items) and self.items[k][0] < hi:
            hits.append(self.items[k])
            k += 1
        return [t[3] for t in sorted(hits, key=lambda t: t[2])]

    def add(self, lo: int, hi: int, payload) -> None:
        k = bisect.bisect_left(self.items, lo, key=lambda t: t[0])
        self.items.insert(k, (lo, hi, self.added, payload))
        self.added += 1


def suggest(word: str, choices) -> str:
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return " (did you mean '%s'?)" % m[0] if m else ''


class Checker:
    def __init__(self, filename: str, text: str, platform: str, elfs: dict[str, str],
                 need_every_elf: bool = False, cores: int = 1, fold_cores: bool = False):
        self.filename = filename
        self.text = text
        self.platform = platform
        self.platform_names = tuple(platforms.load())
        self.pf = platforms.load()[platform]
        self.elfs = elfs
        self.need_every_elf = need_every_elf  # pack: every image's ELF file must be given
        self.cores = cores  # the kernel's cores (the build's -Dcores): apps run on 0..cores - 1
        # --fold-cores: an app on a core this kernel lacks (below CORES_MAX) runs on
        # core % cores instead of being refused, with a warning (a system meant for any build).
        self.fold_cores = fold_cores
        self.warnings: list[str] = []
        self.errors: list[tuple[int, int, str]] = []
        self._reported: set[tuple[int, str]] = set()
        self.apps_by_name: dict[str, App] = {}
        self.loc: reader.Locator | None = None
        self.sys = System()

    def error(self, path, msg: str) -> None:
        line = path if isinstance(path, int) else self.loc.line(path) if self.loc else 1
        if (line, msg) not in self._reported:
            self._reported.add((line, msg))
            self.errors.append((line, len(self.errors), msg))

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
                names = self.platform_names
                bad = [p for p in value if p not in names]
                for p in bad:
                    self.error(kpath + (p,), "%s: %s: unknown platform '%s'%s (platforms: %s)"
                               % (label, key, p, suggest(p, names), ', '.join(names)))
                if self.platform not in value:
                    if not bad:
                        self.error(kpath, "%s: %s has no value for platform '%s'" % (label, key, self.platform))
                    continue
                value = value[self.platform]
                kpath = kpath + (self.platform,)
            named = self.pf['named'].get(key, {})
            if named and isinstance(value, str):  # a board fact by name: 'console-uart', ...
                if value not in named:
                    self.error(kpath, "%s: %s: '%s' names no fact of the board%s (names: %s)" % (
                        label, key, value, suggest(value, tuple(named)), ', '.join(named)))
                    continue
                value = named[value]
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
        if RESERVED_RE.match(name) or name in PREDEFINED_MACROS:
            self.error(path, "%s: %s '%s' is not usable as a C++ name (%s)" % (
                label, what, name, 'a predefined macro' if name in PREDEFINED_MACROS else
                'reserved to the compiler: no double underscore, no underscore and a capital first'))
            return False
        return True

    # -- the whole description
    def run(self) -> System:
        try:
            data, self.loc = reader.parse(self.text)
        except reader.ReadError as e:
            self.error(e.line, e.message)
            return self.sys
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
        self.check_root_slots()
        return self.sys

    def app_ref(self, path, label: str, name, allow_root: bool = False) -> App | None:
        """The app named `name`, or None after reporting an unknown app."""
        a = self.apps_by_name.get(name)
        if a is not None:
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
                    self.apps_by_name[a.name] = a
            a.elf = f.get('elf', a.name)
            if 'elf' in f:
                self.name_ok(path + ('elf',), a.label, 'elf', a.elf)
            if a.elf and a.elf not in self.sys.image_index and IDENT_RE.match(a.elf):
                self.sys.image_index[a.elf] = len(self.sys.images)
                self.sys.images.append(a.elf)
            if 'priority' in f:
                a.priority = f['priority']
                lo, hi = PRIORITY_RANGE
                if not lo <= a.priority <= hi:
                    self.error(path + ('priority',), '%s: priority %d out of range %d..%d (255 is the root task\'s)'
                               % (a.label, a.priority, lo, hi))
            if 'core' in f:
                a.core = f['core']
                if self.fold_cores and self.cores <= a.core < CORES_MAX:
                    line = self.loc.line(path + ('core',)) if self.loc else 1
                    folded = a.core % self.cores
                    self.warnings.append('%s:%d: warning: %s: core %d, but the kernel is built for %d core%s '
                                         '(-Dcores=%d): it runs on core %d' % (
                                             self.filename, line, a.label, a.core, self.cores,
                                             's' if self.cores > 1 else '', self.cores, folded))
                    a.core = folded
                elif not 0 <= a.core < self.cores:
                    self.error(path + ('core',), '%s: core %d out of range 0..%d: the kernel is built for %d core%s '
                               '(-Dcores=%d)' % (a.label, a.core, self.cores - 1, self.cores,
                                                 's' if self.cores > 1 else '', self.cores))
                    a.core = 0
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
                elif a.memory > MEMORY_MAX:
                    self.error(path + ('memory',), "%s: memory budget %s is over %s, the largest Untyped the "
                               'kernel makes (2^29 bytes)' % (a.label, size_text(a.memory), size_text(MEMORY_MAX)))
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
        self.check_fault_cycles()
        # ELF files given for apps.
        users_of: dict[str, list[App]] = {}
        for a in self.sys.apps:
            users_of.setdefault(a.elf, []).append(a)
        for elf, file in self.elfs.items():
            users = users_of.get(elf, [])
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
                    a = users_of[elf][0]
                    self.error(a.path + ('elf',), "%s: no ELF file given for image '%s' (pack needs every app's "
                               'ELF)' % (a.label, elf))

    def check_fault_cycles(self) -> None:
        """Fault handlers must not form a cycle: a fault in one of its apps could then
        wait for the thread that stopped. Each cycle is reported once, at the line of
        the fault_handler of its first app in the file, with the lines of all of them."""
        state: dict[int, int] = {}  # app index -> 1 on the current walk, 2 done
        for start in self.sys.apps:
            walk = []
            a = start
            while a is not None and state.get(a.index) is None:
                state[a.index] = 1
                walk.append(a)
                fh = a.fault_handler
                a = self.apps_by_name.get(fh) if fh not in ('root', a.name) else None
            if a is not None and state.get(a.index) == 1:
                cycle = walk[walk.index(a):]
                first = min(cycle, key=lambda x: x.index)
                k = cycle.index(first)
                cycle = cycle[k:] + cycle[:k]
                hops = ' -> '.join("'%s' (line %d)" % (x.name, self.loc.line(x.path + ('fault_handler',)))
                                   for x in cycle)
                self.error(first.path + ('fault_handler',), "%s: fault handlers form a cycle: %s -> '%s': a fault "
                           'in one of them could wait for itself' % (first.label, hops, first.name))
            for x in walk:
                state[x.index] = 2

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
            mask = 0  # every notification badge's bits so far
            members: dict[str, int] = {}  # client app name -> its line
            for j, c in enumerate(clients or []):
                cpath = path + ('clients', j)
                cf = self.fields('client', c, cpath, label + ' client #%d' % (j + 1))
                if cf is None:
                    continue
                app = self.app_ref(cpath + ('app',), label, cf['app']) if 'app' in cf else None
                if app is not None and app is ch['server']:
                    self.error(cpath + ('app',), "%s: app '%s' is both server and client (a channel to itself)"
                               % (label, app.name))
                elif app is not None and app.name in members:
                    self.error(cpath + ('app',), "%s: app '%s' is a client twice (also at line %d): an app has "
                               'one cap, so one badge, per channel' % (label, app.name, members[app.name]))
                elif app is not None:
                    members[app.name] = self.loc.line(cpath + ('app',))
                badge = cf.get('badge')
                if badge is not None and self.badge_ok(cpath + ('badge',), label, badge):
                    if badge in badges:
                        self.error(cpath + ('badge',), '%s: badge %d given twice (also at line %d)'
                                   % (label, badge, badges[badge]))
                    else:
                        if ch['kind'] == 'notification' and mask & badge:
                            for other, line in badges.items():
                                if other & badge:
                                    self.error(cpath + ('badge',), '%s: badge %d shares bits with badge %d (line '
                                               '%d): a notification ORs badges, so its waiter cannot tell them '
                                               'apart' % (label, badge, other, line))
                        mask |= badge
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
        taken = Disjoint()
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
                    hits = taken.overlapping(paddr, paddr + size)
                    if hits:
                        lo, hi, other = hits[0]
                        self.error(ppath, "%s: %s overlaps device '%s' at %s (line %d)" % (
                            label, range_text(paddr, paddr + size), other['name'], range_text(lo, hi),
                            self.loc.line(other['ppath'])))
                    else:
                        taken.add(paddr, paddr + size, (paddr, paddr + size, {'name': dev['name'], 'ppath': ppath}))
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
            # Of the placed regions a new one overlaps, the one placed first is named.
            placed = Disjoint()
            for r in self.fixed_regions(a):
                placed.add(r.lo, r.hi, r)
            for r in sorted(a.regions, key=lambda r: self.loc.line(r.path)):
                hits = placed.overlapping(r.lo, r.hi)
                if hits:
                    p = hits[0]
                    self.error(r.path, '%s: %s at %s overlaps %s at %s' % (
                        a.label, r.what, range_text(r.lo, r.hi), p.what, range_text(p.lo, p.hi)))
                else:
                    placed.add(r.lo, r.hi, r)

    def check_budgets(self) -> None:
        """An app's memory budget is a RAM Untyped the root task retypes all of the app
        from, in the order below (libpetrel's process_create, then process_map for the
        regions): each object goes at the watermark rounded up to its own size, a power
        of two, and the watermark moves past it. The final watermark must fit."""
        self.count_slots()
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
            cnode_bytes = (1 << a.cnode_radix) * SLOT_BYTES if a.cnode_radix <= CNODE_RADIX_MAX else 0
            objects = ([('page directory', PAGE_DIRECTORY_BYTES), ('CNode', cnode_bytes), ('TCB', TCB_BYTES)] +
                       [('page tables', PAGE_TABLE_BYTES)] * (2 + len(stack_mibs)) +
                       [('image', FRAME_BYTES)] * (a.image_pages or 0) +
                       [('IPC buffer', FRAME_BYTES)] +
                       [('stack', FRAME_BYTES)] * (a.stack // PAGE) +
                       [('page tables', PAGE_TABLE_BYTES)] * len(further))
            # The root task's slots for the app (root_task.cpp app_slots): its page directory,
            # CNode and TCB, four page tables, its image, IPC buffer and stack frames, two per
            # page mapped into it (the frame's copy, a page table), two per interrupt line.
            a.root_slots = (3 + 4 + (a.image_pages or 0) + 1 + a.stack // PAGE + 2 * a.mapped_pages +
                            2 * a.irq_count)
            watermark = 0
            parts = dict.fromkeys(('image', 'stack', 'IPC buffer', 'page directory', 'CNode', 'TCB', 'page tables',
                                   'alignment'), 0)
            for what, size in objects:
                if not size:
                    continue
                watermark = (watermark + size - 1) // size * size + size
                parts[what] += size
            parts['alignment'] = watermark - sum(parts.values())
            a.needs, a.parts = watermark, parts
            if a.memory is not None and a.memory > 0 and watermark > a.memory:
                listed = ', '.join('%s %s' % (k, size_text(v)) for k, v in parts.items() if v)
                self.error(a.path + ('memory',), '%s: needs %s, over its memory budget of %s (%s)' % (
                    a.label, size_text(watermark), size_text(a.memory), listed))

    # -- cap slots: each app's CNode, the root task's CNode
    def count_slots(self) -> None:
        """Each app's cap slots (petrel/system.hpp's order) and CNode radix, the pages
        the root task maps into it, and what libpetrel's process_map can hold."""
        members = {a.index: 0 for a in self.sys.apps}
        for ch in self.sys.channels:
            for app in [ch['server']] + [c['app'] for c in ch['clients']]:
                if app is not None:
                    members[app.index] += 1
        handlers = {a.fault_handler for a in self.sys.apps}
        irqs = {a.index: 0 for a in self.sys.apps}
        for q in self.sys.irqs:
            if q['app'] is not None:
                irqs[q['app'].index] += 1
        pages = {a.index: [] for a in self.sys.apps}  # (region path, vaddr) per page, in the root task's order
        for sh in self.sys.shared:
            for m in sh['maps']:
                if m['app'] is not None and m['vaddr'] is not None and sh['size'] is not None:
                    pages[m['app'].index] += [(m['path'] + ('vaddr',), m['vaddr'] + k)
                                              for k in range(0, sh['size'], PAGE)]
        for d in self.sys.devices:
            if d['app'] is not None and d['vaddr'] is not None and d['size'] is not None:
                pages[d['app'].index] += [(d['path'] + ('vaddr',), d['vaddr'] + k) for k in range(0, d['size'], PAGE)]
        for a in self.sys.apps:
            a.irq_count = irqs[a.index]
            a.cap_slots = (APP_FIRST_CHANNEL_SLOT + members[a.index] + (1 if a.name in handlers else 0) +
                           (a.irq_count + 1 if a.irq_count else 0))
            a.cnode_radix = cnode_radix(a.cap_slots)
            if a.cnode_radix > CNODE_RADIX_MAX:
                self.error(a.path + ('name',), '%s: needs %d cap slots (its channels, fault endpoint and '
                           "interrupts), more than an app's CNode can have: %d (2^%d, libpetrel's process_create)"
                           % (a.label, a.cap_slots, 1 << CNODE_RADIX_MAX, CNODE_RADIX_MAX))
            a.mapped_pages = len(pages[a.index])
            # process_map keeps the megabytes it has PageTables for (the stack's too) in
            # Process::table_mb: PROCESS_MAX_EXTRA of them.
            mibs = {IMAGE_WINDOW[0] // MIB, IPC_BUFFER[0] // MIB}
            tables = 0
            if a.stack_ok:
                stack = {(STACK_TOP - 1) // MIB, (STACK_TOP - a.stack) // MIB}
                mibs |= stack
                tables = len(stack)
            for path, vaddr in pages[a.index]:
                if vaddr // MIB in mibs:
                    continue
                if tables == PROCESS_MAX_EXTRA:
                    self.error(path, '%s: maps page 0x%08x into a %s megabyte with a page table: libpetrel\'s '
                               'process_map keeps %d of them (Process::kMaxExtra, the stack\'s included)'
                               % (a.label, vaddr, ordinal(tables + 1), PROCESS_MAX_EXTRA))
                    break
                tables += 1
                mibs.add(vaddr // MIB)

    def check_root_slots(self) -> None:
        """The root task's CNode holds a cap to each object it makes: the system's
        (an Untyped per app, the copy window's page table, its endpoint, the channels,
        fault endpoints, interrupt notifications, the frames of shared regions and
        devices, and with devices the slots libpetrel's device_frame may use while
        it makes one) and each app's (every object of its budget, a cap per page mapped
        into it, two per interrupt line). Reported at the app whose objects no longer fit."""
        if self.errors:
            return  # the counts rest on a good description
        apps = self.sys.apps
        used = (len(apps) + 2 + len(self.sys.channels) + len({a.fault_handler for a in apps} - {'root'}) +
                sum(1 for a in apps if a.irq_count) + sum(sh['size'] // PAGE for sh in self.sys.shared) +
                sum(d['size'] // PAGE for d in self.sys.devices) + (DEVICE_FRAME_SCRATCH if self.sys.devices else 0))
        what = 'its own objects'
        for a in [None] + apps:
            if a is not None:
                used += a.root_slots
                what = '%s (%d slots)' % (a.label, a.root_slots)
            if used > ROOT_SYSTEM_SLOTS:
                line = a.path + ('name',) if a is not None else ('system',)
                self.error(line, "%s: the root task's CNode is full: the system needs %d slots up to %s; the "
                           'root task has %d (%d, less at most %d for the kernel\'s boot caps)%s' % (
                               a.label if a else '[system]', used, what, ROOT_SYSTEM_SLOTS, ROOT_CNODE_SLOTS,
                               ROOT_BOOT_SLOTS_MAX, '' if self.elfs else '; without --elf its image is not counted'))
                return


def ordinal(n: int) -> str:
    return '%d%s' % (n, 'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th'))
