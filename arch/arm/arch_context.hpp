// SPDX-License-Identifier: BSD-2-Clause
// ARM: a thread's user register file as the kernel saves it on entry (in the TCB).
#pragma once

#include "petrel/types.hpp"

namespace petrel::arch {

// r0-r12, sp_usr, lr_usr, the user pc and cpsr: the order the entry stub stores them.
struct UserContext {
    u32 r[13];
    u32 sp;
    u32 lr;
    u32 pc;
    u32 cpsr;
};
static_assert(sizeof(UserContext) == 17 * 4);

// A thread's VFP/NEON registers, saved lazily (arch/arm/user_entry.cpp).
struct FpuState {
    u64 d[32];
    u32 fpscr;
    u32 reserved;
};
static_assert(sizeof(FpuState) == 264);

// The system-call registers (see petrel/abi.hpp).
constexpr u32 kRegCap = 0, kRegInfo = 1, kRegMr0 = 2, kRegSyscall = 7;
constexpr u32 kCpsrUser = 0x10;

// Moves a thread back onto the `svc #0` it entered with, to run it again: 4
// bytes in ARM state, 2 in Thumb state (CPSR.T).
inline void rewind_syscall(UserContext &c) { c.pc -= (c.cpsr & (1u << 5)) ? 2 : 4; }

}  // namespace petrel::arch
