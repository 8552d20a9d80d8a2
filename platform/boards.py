#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""boards: reads the boards' facts (platform/<board>/board.toml) and generates what the build needs.

  boards.py list [PLATFORM_DIR]            the boards, one name a line
  boards.py kernel-header BOARD.toml OUT   the kernel's board.hpp (namespace petrel::board)
  boards.py devices-header BOARD.toml OUT  libpetrel's board_devices.hpp (namespace petrel::devices)
  boards.py meson BOARD.toml [CORES]       the facts platform/meson.build reads, on standard
                                           output, a line each: NAME, a tab, and its values
                                           separated by tabs; CORES (default 1) is the build's
                                           option cores, which QEMU's machine arguments start
  boards.py qemu-dtb BOARD.toml IN OUT     the card's device tree with QEMU's RAM ([qemu] dt_memory)
  boards.py card-files [PLATFORM_DIR]      the files scripts/fetch-rpi puts in the cache for the
                                           boards whose card carries U-Boot: u-boot/CONFIG/u-boot.bin
                                           and dtb/NAME

A board is the directory name; platform/README.md describes the keys. Every
mistake in a board file is reported as `FILE: key: what is wrong`, exit status 1.
The system tool (scripts/petrel_system/platforms.py) imports this module for its
platform table (tool_facts).
Python 3.11 or later, standard library only (tomllib).
"""
from __future__ import annotations

import os
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))


class BoardError(Exception):
    pass


# Schema: table -> key -> (type, required). 'range' is [first, last]; 'region' {base, size, what}.
SCHEMA = {
    'board': {'description': (str, True), 'cpu': (str, True), 'glue': (str, True), 'drivers': ('strs', True)},
    'memory': {'ram_base': (int, True), 'ram_default_mib': (int, True), 'load_phys': (int, True),
               'kernel_devices': ('regions', True), 'user_devices': ('regions', True)},
    'addresses': None,  # any names, each an int
    'console': {'uart': (str, True), 'clock_hz': (int, True), 'irq': (int, True), 'reclaim_pins': (bool, False)},
    'interrupts': {'lines': (int, True), 'maskable': ('ranges', True), 'trigger_from': (int, False),
                   'unmaskable_example': (int, True), 'spare': (int, True), 'ipi': (int, True)},
    'timer': {'kernel_irqs': ('ints', True), 'virtual_irq': (int, True), 'default_hz': (int, True)},
    'qemu': {'machine': (str, True), 'cpu': (str, False), 'ram_mib': (int, False), 'aarch64': (bool, False),
             'single_thread': (bool, False), 'mini_uart': (bool, False), 'dt_memory': ('banks', False),
             'dt_disable': ('strs', False), 'cores': (int, False)},
    'smp': {'spin_mailbox': (int, False)},
    'uboot': {'binary': (str, False), 'config': (str, False), 'dtb': (str, False), 'more_dtbs': ('strs', False),
              'fdt': (str, True), 'disk': (str, True)},
}
REQUIRED_TABLES = ('board', 'memory', 'addresses', 'console', 'interrupts', 'timer', 'uboot')
U32 = (1 << 32) - 1
CORES_MAX = 4  # meson_options.txt: the option cores is 1..4
# Where the AArch64 machines' U-Boot boots find the card's device tree (QEMU's
# loader puts it there, the stub passes it in r2, as the firmware would): 48 MiB,
# clear of U-Boot, its load addresses and the kernel.
ARMSTUB_DTB = 0x0300_0000


def _check_value(where: str, kind, value) -> None:
    def bad(what):
        raise BoardError('%s: expected %s, got %r' % (where, what, value))

    def is_u32(v):
        return type(v) is int and 0 <= v <= U32

    if kind is str:
        if type(value) is not str:
            bad('a string')
    elif kind is bool:
        if type(value) is not bool:
            bad('true or false')
    elif kind is int:
        if not is_u32(value):
            bad('an integer 0..0xffffffff')
    elif kind == 'strs':
        if type(value) is not list or not all(type(v) is str for v in value):
            bad('a list of strings')
    elif kind == 'ints':
        if type(value) is not list or not all(is_u32(v) for v in value):
            bad('a list of integers')
    elif kind == 'ranges':
        if type(value) is not list or not all(type(r) is list and len(r) == 2 and all(is_u32(v) for v in r)
                                              and r[0] <= r[1] for r in value):
            bad('a list of [first, last] line ranges')
    elif kind == 'banks':
        if type(value) is not list or not value or not all(
                type(r) is list and len(r) == 2 and all(is_u32(v) for v in r) and r[1] > 0 for r in value):
            bad('a list of [base, size] RAM banks')
    elif kind == 'regions':
        if type(value) is not list or not all(type(r) is dict and set(r) <= {'base', 'size', 'what'}
                                              and is_u32(r.get('base')) and is_u32(r.get('size'))
                                              and r['size'] > 0 and r['base'] + r['size'] <= U32 + 1
                                              and type(r.get('what', '')) is str for r in value):
            bad('a list of { base = ..., size = ..., what = "..." } regions')


class Board:
    """One board's facts, checked: `board.facts[table][key]`."""

    def __init__(self, path: str):
        self.path = path
        self.name = os.path.basename(os.path.dirname(os.path.abspath(path)))
        try:
            with open(path, 'rb') as f:
                self.facts = tomllib.load(f)
        except OSError as e:
            raise BoardError('%s: cannot read: %s' % (path, e.strerror or e))
        except tomllib.TOMLDecodeError as e:
            raise BoardError('%s: %s' % (path, e))
        self._check()

    def _err(self, key: str, what: str):
        raise BoardError('%s: %s: %s' % (self.path, key, what))

    def _check(self) -> None:
        f = self.facts
        for table in f:
            if table not in SCHEMA:
                self._err(table, 'unknown table (known: %s)' % ', '.join(SCHEMA))
            if type(f[table]) is not dict:
                self._err(table, 'expected a table')
        for table in REQUIRED_TABLES:
            if table not in f:
                self._err(table, 'missing table')
        for table, keys in SCHEMA.items():
            t = f.get(table)
            if t is None:
                continue
            if keys is None:
                for key, value in t.items():
                    _check_value('%s: %s.%s' % (self.path, table, key), int, value)
                continue
            for key in t:
                if key not in keys:
                    self._err('%s.%s' % (table, key), 'unknown key (known: %s)' % ', '.join(keys))
            for key, (kind, required) in keys.items():
                if key not in t:
                    if required:
                        self._err('%s.%s' % (table, key), 'missing')
                    continue
                _check_value('%s: %s.%s' % (self.path, table, key), kind, t[key])
        if f['console']['uart'] not in f['addresses']:
            self._err('console.uart', "'%s' is not a key of [addresses]" % f['console']['uart'])
        ub = f['uboot']
        if ('binary' in ub) == ('config' in ub):
            self._err('uboot', 'give binary (a U-Boot file on the build machine) or config (a U-Boot build '
                      'on the card, with dtb), not both or neither')
        if 'config' in ub and 'dtb' not in ub:
            self._err('uboot.dtb', 'missing: a board whose card carries U-Boot needs its device tree')
        if ub['disk'] not in ('virtio', 'sd'):
            self._err('uboot.disk', "'%s' is neither \"virtio\" nor \"sd\"" % ub['disk'])
        irq = f['interrupts']
        lines = irq['lines']
        for key, line in (('console.irq', f['console']['irq']), ('timer.virtual_irq', f['timer']['virtual_irq']),
                          ('interrupts.spare', irq['spare']), ('interrupts.ipi', irq['ipi']),
                          ('interrupts.unmaskable_example', irq['unmaskable_example'])):
            if line >= lines:
                self._err(key, 'line %d is not below interrupts.lines (%d)' % (line, lines))
        if any(r[1] >= lines for r in irq['maskable']):
            self._err('interrupts.maskable', 'a range reaches past interrupts.lines (%d)' % lines)
        if self.maskable(irq['unmaskable_example']):
            self._err('interrupts.unmaskable_example', 'line %d is maskable' % irq['unmaskable_example'])
        if self.maskable(irq['ipi']):  # a user IrqHandler for it would be the kernel's IPI
            self._err('interrupts.ipi', 'line %d is maskable' % irq['ipi'])
        if f.get('qemu', {}).get('cores', 1) < 1:
            self._err('qemu.cores', 'expected 1 or more')
        if len(f['timer']['kernel_irqs']) != 2:
            self._err('timer.kernel_irqs', 'expected two lines: the secure and the non-secure physical timer')
        if f['memory']['ram_default_mib'] >= 4096:
            self._err('memory.ram_default_mib', 'expected less than 4 GiB')
        for key in ('glue', 'cpu', 'description'):
            if not f['board'][key] or '"' in f['board'][key] or '\\' in f['board'][key]:
                self._err('board.' + key, 'empty, or holds a quote or backslash')

    # -- derived facts -------------------------------------------------------

    def maskable(self, line: int) -> bool:
        return any(lo <= line <= hi for lo, hi in self.facts['interrupts']['maskable'])

    def usable_text(self) -> str:
        """The lines IRQ Control hands out, as the system tool words them: each
        maskable range with the kernel's timer lines trimmed from its ends; a
        range of one or two lines written out."""
        timer = set(self.facts['timer']['kernel_irqs'])
        parts = []
        for lo, hi in self.facts['interrupts']['maskable']:
            while lo <= hi and lo in timer:
                lo += 1
            while hi >= lo and hi in timer:
                hi -= 1
            if lo > hi:
                continue
            parts += [str(n) for n in range(lo, hi + 1)] if hi - lo < 2 else ['%d..%d' % (lo, hi)]
        return ', '.join(parts)

    def qemu_smp(self, cores: int = 1) -> list[str]:
        """-smp for a kernel built for `cores` cores (the build option cores): none for one core
        or a machine whose cores are fixed ([qemu] cores: raspi2b's four, started all the same).
        Several cores run in one TCG thread (-accel tcg,thread=single, as [qemu] single_thread
        boards always do): as four host threads on a small host, a core spinning for the kernel
        lock keeps the host thread of the core holding it from running, and a run takes several
        times as long. One thread still interleaves the cores at arbitrary instructions."""
        q = self.facts.get('qemu')
        if q is None or cores == 1:
            return []
        single = [] if q.get('single_thread') else ['-accel', 'tcg,thread=single']
        return single + ([] if 'cores' in q else ['-smp', str(cores)])

    def qemu_machine(self, cores: int = 1) -> list[str]:
        q = self.facts.get('qemu')
        if q is None:
            return []
        if cores > q.get('cores', cores):
            raise BoardError('%s: qemu.cores: QEMU\'s %s has %d cores, the build %d' % (
                self.path, q['machine'], q['cores'], cores))
        args = ['-M', q['machine']]
        if 'cpu' in q:
            args += ['-cpu', q['cpu']]
        if 'ram_mib' in q:
            args += ['-m', '%dM' % q['ram_mib']]
        args += self.qemu_smp(cores)
        if q.get('single_thread'):
            args += ['-accel', 'tcg,thread=single']
        if q.get('mini_uart'):
            # The header's pins carry the mini UART (the firmware's and U-Boot's
            # console) until the kernel takes them for the PL011: both on the
            # terminal, input to the PL011 (the first serial port).
            args += ['-serial', 'mon:stdio', '-serial', 'file:/dev/stdout']
        return args

    # How QEMU boots this board: the one place the command lines are composed
    # (platform/meson.build hands them to the tests and to products, scripts/run
    # uses them too). Each is a list of arguments after the machine's with
    # placeholders the caller fills in: @KERNEL@ (an ELF or uImage) or @DISK@
    # (a boot disk), always in the last argument, and the build's files
    # @ARMSTUB_KERNEL@ and @ARMSTUB_UBOOT@ (platform/armstub), @TRAMPOLINE@
    # (scripts/rpi-trampoline.py), @UBOOT@ and @DTB@ (the board's U-Boot and
    # device tree) and @QEMU_DTB@ (that tree as the firmware would pass it:
    # qemu_dtb() below, in the build's platform/qemu-board.dtb).

    def aarch64(self) -> bool:
        """QEMU starts the machine's CPUs in AArch64 (raspi3b, raspi4b): the kernel enters
        through the stub of platform/armstub, as the Pi firmware's own stub enters it."""
        return bool(self.facts.get('qemu', {}).get('aarch64'))

    def qemu_program(self) -> str:
        return 'qemu-system-aarch64' if self.aarch64() else 'qemu-system-arm'

    def qemu_direct(self) -> list[str]:
        """The kernel booted directly: QEMU's -kernel, or the stub as -kernel with the
        kernel's ELF put in place by QEMU's generic loader."""
        if self.facts.get('qemu') is None:
            return []
        if self.aarch64():
            return ['-kernel', '@ARMSTUB_KERNEL@', '-device', 'loader,file=@KERNEL@']
        return ['-kernel', '@KERNEL@']

    def qemu_uboot(self) -> list[str]:
        """A boot disk through U-Boot: the build machine's U-Boot as -bios with a virtio
        disk, or the card's U-Boot entered as the Pi firmware would (the trampoline on
        raspi2b; the stub on the AArch64 machines, with U-Boot at 0x8000 and the device
        tree at ARMSTUB_DTB) with the disk as the SD card."""
        if self.facts.get('qemu') is None:
            return []
        ub = self.facts['uboot']
        if 'binary' in ub:
            loader = ['-bios', '@UBOOT@']
        elif self.aarch64():
            loader = ['-kernel', '@ARMSTUB_UBOOT@', '-device', 'loader,file=@UBOOT@,addr=0x8000,force-raw=on',
                      '-device', 'loader,file=@QEMU_DTB@,addr=0x%x,force-raw=on' % ARMSTUB_DTB]
        else:
            loader = ['-kernel', '@TRAMPOLINE@', '-dtb', '@DTB@']
        if ub['disk'] == 'virtio':
            return loader + ['-device', 'virtio-blk-device,drive=d0', '-drive', 'if=none,format=raw,id=d0,file=@DISK@']
        return loader + ['-drive', 'if=sd,format=raw,file=@DISK@']

    def tool_facts(self) -> dict:
        """The system tool's entry for this platform (scripts/petrel_system/platforms.py load())."""
        irq = self.facts['interrupts']
        ranges = tuple((lo, hi) for lo, hi in irq['maskable'])
        return {
            'irq_lines': irq['lines'],
            'irq_usable': lambda line: any(lo <= line <= hi for lo, hi in ranges),
            'irq_usable_text': self.usable_text(),
            'timer_irqs': tuple(self.facts['timer']['kernel_irqs']),
            'trigger_from': irq.get('trigger_from'),
            'user_devices': tuple((r['base'], r['size']) for r in self.facts['memory']['user_devices']),
            # Values a system description may name instead of a number, the same on every board.
            'named': {
                'line': {'console-uart': self.facts['console']['irq'],
                         'virtual-timer': self.facts['timer']['virtual_irq']},
                'paddr': {'console-uart': self.facts['addresses'][self.facts['console']['uart']]},
            },
        }


def load_all(platform_dir: str = HERE) -> dict[str, Board]:
    """Every board under platform_dir (a directory holding board.toml), by name."""
    boards = {}
    for name in sorted(os.listdir(platform_dir)):
        path = os.path.join(platform_dir, name, 'board.toml')
        if os.path.isfile(path):
            boards[name] = Board(path)
    return boards


# -- generated files ---------------------------------------------------------

def hexa(v: int, digits: int = 0) -> str:
    """0x0800'0000: C++ digit separators every four digits."""
    h = '%0*x' % (digits, v)
    groups = []
    while h:
        groups.insert(0, h[-4:])
        h = h[:-4]
    return '0x' + "'".join(groups)


def dec(v: int) -> str:
    """48'000'000: C++ digit separators every three digits."""
    return format(v, ',').replace(',', "'")


def camel(key: str) -> str:
    return 'k' + ''.join(p[:1].upper() + p[1:] for p in key.split('_'))


def _header_top(b: Board, title: str) -> list[str]:
    return ['// SPDX-License-Identifier: BSD-2-Clause',
            '// %s' % title,
            '// Generated by platform/boards.py from platform/%s/board.toml: do not edit.' % b.name,
            '#pragma once', '', '#include "petrel/types.hpp"', '']


def _regions(name: str, regions) -> list[str]:
    out = ['constexpr DeviceRegion %s[] = {' % name]
    for r in regions:
        line = '    {%s, %s},' % (hexa(r['base'], 8), hexa(r['size']))
        out.append(line + ('  // ' + r['what'] if r.get('what') else ''))
    return out + ['};']


def kernel_header(b: Board) -> str:
    f = b.facts
    mem, con, irq, tim = f['memory'], f['console'], f['interrupts'], f['timer']
    w = _header_top(b, "Board facts for %s, the kernel's (platform/%s/board.toml)."
                    % (f['board']['description'], b.name))
    w += ['namespace petrel::board {', '',
          'constexpr const char *kName = "%s";' % b.name,
          'constexpr const char *kDescription = "%s";' % f['board']['description'], '',
          'struct DeviceRegion {', '    paddr_t base;', '    u32 size;', '};', '',
          '// RAM: where it starts, and its size when no device tree says; the kernel is loaded at kLoadPhys.',
          'constexpr paddr_t kRamBase = %s;' % hexa(mem['ram_base'], 8),
          'constexpr u32 kRamDefaultSize = %du << 20;' % mem['ram_default_mib'],
          'constexpr paddr_t kLoadPhys = %s;' % hexa(mem['load_phys'], 8), '',
          '// Physical addresses of the board glue ([addresses]).']
    for key, value in f['addresses'].items():
        w.append('constexpr paddr_t %s = %s;' % (camel(key), hexa(value, 8)))
    w += ['', "// The console: the PL011 at %s, its reference clock, and whether the kernel" % camel(con['uart']),
          '// takes its pins back from another function (board.cpp).',
          'constexpr paddr_t kConsoleUart = %s;' % camel(con['uart']),
          'constexpr u32 kUartClockHz = %s;' % dec(con['clock_hz']),
          'constexpr bool kConsoleReclaimPins = %s;' % ('true' if con.get('reclaim_pins') else 'false'), '',
          '// Device regions the kernel maps (1 MiB granules), in this order.']
    w += _regions('kDevices', mem['kernel_devices'])
    w += ['', '// Device memory the root task gets as device Untyped.']
    w += _regions('kUserDevices', mem['user_devices'])
    w += ['', "// The physical timer's lines (secure, non-secure), the kernel's tick.",
          'constexpr u32 kTimerIrqs[] = {%s};' % ', '.join(str(n) for n in tim['kernel_irqs']),
          "// The virtual timer's line: its IrqHandler is the authority TCB.SetTimerAccess asks for.",
          'constexpr u32 kVirtualTimerIrq = %d;' % tim['virtual_irq'],
          "// Interrupt lines IRQ Control numbers (the interrupt controller's numbering).",
          'constexpr u32 kIrqLines = %d;' % irq['lines'],
          "// The inter-processor interrupt's line (platform::ipi_send(); never a user's: not maskable).",
          'constexpr u32 kIpiIrq = %d;' % irq['ipi'],
          'constexpr u32 kTimerDefaultHz = %s;' % dec(tim['default_hz'])]
    if 'spin_mailbox' in f.get('smp', {}):
        w += ["// Core c's ARM-local mailbox 3 (read/clear) is kSpinMailbox + 0x10 * c: the spin code of the",
              '// Pi firmware, QEMU and platform/armstub starts the core at the address written there.',
              'constexpr paddr_t kSpinMailbox = %s;' % hexa(f['smp']['spin_mailbox'], 8)]
    w += ['', '}  // namespace petrel::board', '']
    return '\n'.join(w)


def devices_header(b: Board) -> str:
    f = b.facts
    con, irq, tim = f['console'], f['interrupts'], f['timer']
    w = _header_top(b, "libpetrel: the devices of %s user code reaches (platform/%s/board.toml)."
                    % (f['board']['description'], b.name))
    w += ['namespace petrel::devices {', '',
          '// The board glue the image was built for (shared by boards alike, e.g. bcm2836).',
          'constexpr const char *kBoard = "%s";' % f['board']['glue'],
          "// The console's PL011, shared with the kernel's polled debug output, and its line.",
          'constexpr paddr_t kUartPaddr = %s;' % hexa(f['addresses'][con['uart']], 8),
          'constexpr u32 kUartIrq = %d;' % con['irq'],
          "// The generic timer's virtual timer (CNTV), which user mode may program.",
          'constexpr u32 kVirtualTimerIrq = %d;' % tim['virtual_irq'],
          "// The kernel's tick: the physical timer's secure and non-secure lines.",
          'constexpr u32 kKernelTimerIrqs[] = {%s};' % ', '.join(str(n) for n in tim['kernel_irqs']),
          'constexpr u32 kIrqLines = %d;' % irq['lines'],
          '// A line the interrupt controller cannot mask.',
          'constexpr u32 kUnmaskableIrq = %d;' % irq['unmaskable_example'],
          '// A line no driver of the test image uses.',
          'constexpr u32 kSpareIrq = %d;' % irq['spare'],
          "// Whether a line's trigger (level or edge) can be set.",
          'constexpr bool kCanSetTrigger = %s;' % ('true' if 'trigger_from' in irq else 'false'), '',
          '}  // namespace petrel::devices', '']
    return '\n'.join(w)


def meson_facts(b: Board, cores: int = 1) -> str:
    """Tab-separated lines for platform/meson.build: NAME then its values (none, one or several),
    for a kernel of `cores` cores."""
    f = b.facts
    ub = f['uboot']
    spin = f.get('smp', {}).get('spin_mailbox')
    rows = [
        ('name', [b.name]),
        ('description', [f['board']['description']]),
        ('cpu', [f['board']['cpu']]),
        ('glue', [f['board']['glue']]),
        ('drivers', f['board']['drivers']),
        ('ram_base', [hexa(f['memory']['ram_base'], 8).replace("'", '')]),
        ('load_phys', [hexa(f['memory']['load_phys'], 8).replace("'", '')]),
        ('qemu_machine', b.qemu_machine(cores)),
        ('qemu_smp', b.qemu_smp(cores)),
        ('qemu_program', [b.qemu_program()]),
        ('qemu_direct', b.qemu_direct()),
        ('qemu_uboot', b.qemu_uboot()),
        ('armstub', ['true' if b.aarch64() else '']),
        ('armstub_dtb', ['0x%x' % ARMSTUB_DTB]),
        ('spin_mailbox', ['0x%x' % spin if spin is not None else '']),
        ('uboot_binary', [ub.get('binary', '')]),
        ('uboot_config', [ub.get('config', '')]),
        ('uboot_dtb', [ub.get('dtb', '')]),
        ('uboot_more_dtbs', ub.get('more_dtbs', [])),
        ('uboot_fdt', [ub['fdt']]),
        ('uboot_disk', [ub['disk']]),
    ]
    for key, values in rows:
        for v in values:
            if '\t' in v or '\n' in v:
                raise BoardError('%s: %s: a tab or newline in %r' % (b.path, key, v))
    return ''.join('\t'.join([key] + values) + '\n' for key, values in rows)


def qemu_dtb(b: Board, src: str, out: str) -> None:
    """The card's device tree as the Pi firmware passes it on, for QEMU's machine: the RAM
    banks of [qemu] dt_memory in /memory@0, which the tree on the card leaves empty for the
    firmware to fill (the Pi 4's; U-Boot reads its RAM there), and the devices QEMU does not
    model ([qemu] dt_disable, by compatible string) disabled, as QEMU does when it loads a
    tree itself. Without either, a copy. Uses dtc, fdtget and fdtput (device-tree-compiler)."""
    import shutil
    import subprocess

    def run(*args):
        return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout

    shutil.copyfile(src, out)
    q = b.facts.get('qemu', {})
    banks = q.get('dt_memory')
    if banks:
        acells, scells = (int(v) for v in run('fdtget', out, '/', '#address-cells', '/', '#size-cells').split())
        words = []
        for base, size in banks:
            words += ['0'] * (acells - 1) + ['0x%x' % base] + ['0'] * (scells - 1) + ['0x%x' % size]
        run('fdtput', '-t', 'x', out, '/memory@0', 'reg', *words)
    disable = set(q.get('dt_disable', []))
    if disable:
        # The nodes' paths from the tree's source: a line `name {` opens a node, `};` closes it.
        path, found, matched = [], [], set()
        for line in run('dtc', '-q', '-I', 'dtb', '-O', 'dts', out).splitlines():
            line = line.strip()
            if line.endswith('{'):
                name = line[:-1].strip().split(':')[-1].strip()
                path.append('' if name == '/' else name)
            elif line == '};':
                path.pop()
            elif line.startswith('compatible = '):
                hits = {c for c in disable if '"%s"' % c in line}
                if hits:
                    matched |= hits
                    found.append('/'.join(path) or '/')
        if disable - matched:
            raise BoardError('%s: qemu.dt_disable: no node of %s is compatible with %s' % (
                b.path, src, ', '.join(sorted(disable - matched))))
        for p in found:
            run('fdtput', '-t', 's', out, p, 'status', 'disabled')


def card_files(boards: dict[str, Board]) -> list[str]:
    out = []
    for b in boards.values():
        ub = b.facts['uboot']
        if 'config' in ub:
            for p in ['u-boot/%s/u-boot.bin' % ub['config'], 'dtb/' + ub['dtb']] + ['dtb/' + d for d in
                                                                                ub.get('more_dtbs', [])]:
                if p not in out:
                    out.append(p)
    return out


def write_if_changed(path: str, text: str) -> None:
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, 'w') as f:
        f.write(text)


def main(argv: list[str]) -> int:
    usage = ('usage: boards.py list|card-files [PLATFORM_DIR]\n'
             '       boards.py kernel-header|devices-header BOARD.toml OUT\n'
             '       boards.py meson BOARD.toml [CORES]\n'
             '       boards.py qemu-dtb BOARD.toml CARD.dtb OUT.dtb')
    try:
        if len(argv) in (1, 2) and argv[0] in ('list', 'card-files'):
            boards = load_all(argv[1] if len(argv) == 2 else HERE)
            print('\n'.join(boards if argv[0] == 'list' else card_files(boards)))
            return 0
        if len(argv) in (2, 3) and argv[0] == 'meson':
            cores = argv[2] if len(argv) == 3 else '1'
            if not cores.isdigit() or not 1 <= int(cores) <= CORES_MAX:
                print('boards.py meson: CORES is 1 to %d, not %r' % (CORES_MAX, cores), file=sys.stderr)
                return 2
            sys.stdout.write(meson_facts(Board(argv[1]), int(cores)))
            return 0
        if len(argv) == 4 and argv[0] == 'qemu-dtb':
            qemu_dtb(Board(argv[1]), argv[2], argv[3])
            return 0
        emitters = {'kernel-header': kernel_header, 'devices-header': devices_header}
        if len(argv) == 3 and argv[0] in emitters:
            write_if_changed(argv[2], emitters[argv[0]](Board(argv[1])))
            return 0
    except BoardError as e:
        print(e, file=sys.stderr)
        return 1
    print(usage, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
