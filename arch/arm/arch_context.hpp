// SPDX-License-Identifier: BSD-2-Clause
// ARM: a thread's user register file as the kernel saves it on entry (in the TCB).
#pragma once

#include "petrel/types.hpp"

namespace petrel::arch {

// TPIDRURW (the user read/write thread register, each thread's own), r0-r12,
// sp_usr, lr_usr, the user pc and cpsr: the order the entry stub stores them.
struct UserContext {
    u32 tpidrurw;
    u32 r[13];
    u32 sp;
    u32 lr;
    u32 pc;
    u32 cpsr;
};
static_assert(sizeof(UserContext) == 18 * 4);

// A thread's VFP/NEON registers, saved lazily (arch/arm/user_entry.cpp).
struct FpuState {
    u64 d[32];
    u32 fpscr;
    u32 reserved;
};
static_assert(sizeof(FpuState) == 264);

// The system-call registers (see petrel/abi.hpp), numbered as general-purpose
// registers (gp_register below).
constexpr u32 kRegCap = 0, kRegInfo = 1, kRegMr0 = 2, kRegSyscall = 7;
constexpr u32 kCpsrUser = 0x10;
// cpsr bits a user may set: N Z C V Q (31..27), GE (19..16), E (9), T (5). Every
// cpsr the kernel writes for the user is (value & kCpsrUserWritable) | kCpsrUser:
// user mode, interrupts unmasked, no Jazelle, no IT state.
constexpr u32 kCpsrUserWritable = 0xf80f'0220u;

// Whether a saved status is one user mode may run with: USR mode, A, I and F
// clear, no Jazelle. Every entry from user mode saves such a status and every
// write sanitises to one, so the exit path restores it as it is; the
// invariant checker (src/kernel/invariants.cpp) holds every thread to it.
inline bool user_status_valid(const UserContext &c) {
    return (c.cpsr & (0x1df | 1u << 24)) == kCpsrUser;
}

// General-purpose register i (r0..r12) of a saved context.
inline u32 &gp_register(UserContext &c, u32 i) { return c.r[i]; }
inline u32 gp_register(const UserContext &c, u32 i) { return c.r[i]; }

// The registers a fault message and a fault reply name (abi::FaultLabel).
inline u32 user_pc(const UserContext &c) { return c.pc; }
inline u32 user_sp(const UserContext &c) { return c.sp; }
inline u32 user_status(const UserContext &c) { return c.cpsr; }  // the program status register
inline void set_user_pc(UserContext &c, u32 v) { c.pc = v; }
inline void set_user_sp(UserContext &c, u32 v) { c.sp = v; }

// A new thread's context: user mode, interrupts unmasked (the rest is zero).
inline void init_user_context(UserContext &c) { c.cpsr = kCpsrUser; }

// Register numbering of TCB Read/Write/CopyRegisters (a documented
// simplification of seL4's): pc, sp, cpsr, lr, r0..r12. The first
// kFrameRegisters are the "frame" registers of CopyRegisters (seL4's
// n_frameRegisters), the rest the "integer" ones (n_gpRegisters).
constexpr u32 kUserRegisters = 17;
constexpr u32 kFrameRegisters = 4;

// The value register `index` may hold when a user writes `value` (seL4's
// sanitiseRegister): cpsr keeps only the user-writable bits.
inline u32 sanitise_register(u32 index, u32 value) {
    return index == 2 ? (value & kCpsrUserWritable) | kCpsrUser : value;
}

inline u32 get_user_register(const UserContext &c, u32 index) {
    switch (index) {
    case 0: return c.pc;
    case 1: return c.sp;
    case 2: return c.cpsr;
    case 3: return c.lr;
    default: return c.r[index - kFrameRegisters];
    }
}

// Sets register `index`, sanitised.
inline void set_user_register(UserContext &c, u32 index, u32 value) {
    switch (index) {
    case 0: c.pc = value; break;
    case 1: c.sp = value; break;
    case 2: c.cpsr = sanitise_register(2, value); break;
    case 3: c.lr = value; break;
    default: c.r[index - kFrameRegisters] = value; break;
    }
}

// Prints the saved registers, a few lines each indented by two spaces (the
// report of a thread stopped by a fault no one handles). user_context.cpp.
void dump_user_context(const UserContext &c);

// Moves a thread back onto the `svc #0` it entered with, to run it again: 4
// bytes in ARM state, 2 in Thumb state (CPSR.T).
inline void rewind_syscall(UserContext &c) { c.pc -= (c.cpsr & (1u << 5)) ? 2 : 4; }

}  // namespace petrel::arch
