# SPDX-License-Identifier: BSD-2-Clause
"""petrel_system.layout: the facts the system tool shares with the C++ side, and how it writes sizes.

Contract: constants only, and four pure functions on integers. The app address
space, the sizes of the kernel objects an app's memory budget pays for, the
limits of a description's values and the tables' version are kept in step with
apps/lib/include/petrel/system_tables.hpp, apps/lib/user.ld, libpetrel's
process_create and the `cores` option's range in meson_options.txt
(test/tools' system-tool-consistency checks them). Nothing here
reads a file or knows the platforms (platforms.py has those).
"""
from __future__ import annotations

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
# from (checks.Checker.check_budgets has the order); the objects' sizes, each a
# power of two.
PAGE_DIRECTORY_BYTES = 8 * 1024  # TTBCR.N = 1: the 2 GiB user half
CNODE_RADIX = 7                  # system_tables.hpp kAppCNodeRadix: the smallest app CNode
CNODE_BYTES = (1 << CNODE_RADIX) * 16  # 16-byte slots
SLOT_BYTES = 16
CNODE_RADIX_MAX = 16             # libpetrel's process_create() refuses a larger CNode
TCB_BYTES = 512
PAGE_TABLE_BYTES = 1024          # one per MiB the app touches
FRAME_BYTES = PAGE               # image pages, the IPC buffer, the stack
STACK_PAGES_MAX = 255            # libpetrel's process_create() refuses more
PROCESS_MAX_EXTRA = 32          # libpetrel's Process::kMaxExtra: caps process_map() keeps
DEVICE_FRAME_SCRATCH = 256       # slots libpetrel's device_frame may use while making a frame
MEMORY_MAX = 1 << 29             # abi kMaxUntypedBits: the largest Untyped the kernel makes

# An app's cap slots (petrel/system.hpp): 0 null, 1 TCB, 2 CNode, 3 fault
# endpoint, 4 the root task's endpoint, then channels, the fault endpoint it
# serves, its interrupt notification and IrqHandlers.
APP_FIRST_CHANNEL_SLOT = 5

# The root task's CNode (src/kernel/root_task.hpp kRootCNodeRadix) and the most
# of it the kernel's boot caps take (src/kernel/root_task.cpp): the 9 initial
# caps, a frame per page of the root task's image window (apps/lib/user.ld) and
# of its 16 KiB stack, a page table per MiB of them (image, IPC buffer and
# BootInfo, stack), and at most kBootInfoMaxUntyped (400) Untyped. The rest is
# the system's: system_tables.hpp kRootSystemSlots.
ROOT_CNODE_SLOTS = 1 << 12
ROOT_BOOT_SLOTS_MAX = 9 + (0x0010_0000 - 0x0001_0000) // PAGE + 16384 // PAGE + 3 + 400
ROOT_SYSTEM_SLOTS = ROOT_CNODE_SLOTS - ROOT_BOOT_SLOTS_MAX

TABLES_VERSION = 3  # system_tables.hpp kTablesVersion: the emitted header checks it

PRIORITY_RANGE = (1, 254)  # 255 is the root task's
BADGE_MAX = (1 << 28) - 1  # badges are 28 bits wide (abi)
NAME_MAX = 15              # a thread's debug name holds 15 characters
CORES_MAX = 4              # meson_options.txt `cores`: the most cores a kernel is built for


def cnode_radix(slots: int) -> int:
    """The radix of an app CNode holding `slots` slots (at least CNODE_RADIX)."""
    r = CNODE_RADIX
    while (1 << r) < slots:
        r += 1
    return r


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
