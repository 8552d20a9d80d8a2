// SPDX-License-Identifier: BSD-2-Clause
// The start_core() of src/kernel/platform.hpp on a Raspberry Pi (2, 3, 4): the
// spin code of the Pi firmware (and QEMU's, and platform/armstub's) keeps each
// secondary core polling its ARM-local mailbox 3 (read/clear register
// board::kSpinMailbox + 0x10 * core) until an address is there, then clears it
// and jumps to it, MMU off, in HYP or SVC mode. The kernel writes the address to
// the mailbox's set register, 0x40 below, and wakes the core (sev).
//
// Definitions, not declarations: the board's board.cpp includes this once.
#pragma once

#include "board.hpp"
#include "cpu.hpp"
#include "kernel_vspace.hpp"
#include "platform.hpp"

namespace petrel::platform {

// Core 0's mailbox 3 set register (core c's: + 0x10 * c), a kernel virtual address.
inline constexpr uptr kSpinMailboxSet = arm::io_vaddr(board::kSpinMailbox - 0x40);
static_assert(kSpinMailboxSet != 0, "the ARM-local block is in board.toml's kernel_devices");

bool start_core(u32 core, paddr_t entry) {
    if (core == 0 || core > 3) return false;  // the Pi's four cores; 0 runs already
    arm::dsb();                               // what the kernel wrote before, first
    arm::mmio_write(kSpinMailboxSet + 0x10 * core, entry);
    arm::dsb();
    asm volatile("sev" ::: "memory");
    return true;
}

}  // namespace petrel::platform
