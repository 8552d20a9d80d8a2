// SPDX-License-Identifier: BSD-2-Clause
// Cores: how many the kernel runs on (the build option `cores`) and which one
// runs this code.
//
// With one core (kCores == 1) core_id() is the constant 0: per-core state is
// one array element at a fixed address and the kernel is the uniprocessor one,
// instruction for instruction. With more, each core keeps its index in
// TPIDRPRW (written once at its boot, readable only at PL1), and the hosted
// kernel (test/host) in host::g_core, which a test sets to enter the kernel as
// another core.
#pragma once

#include "petrel/types.hpp"

#ifndef PETREL_CORES
#define PETREL_CORES 1
#endif

namespace petrel {

constexpr u32 kCores = PETREL_CORES;
static_assert(kCores >= 1 && kCores <= 4, "1 to 4 cores");

#ifdef PETREL_HOST
namespace host {
extern u32 g_core;
}
inline u32 core_id() { return kCores == 1 ? 0 : host::g_core; }
#else
// (Not volatile: the value never changes under the kernel's feet, so repeated
// reads in one function fold into one.)
inline u32 core_id() {
    if constexpr (kCores == 1) {
        return 0;
    } else {
        u32 v;
        asm("mrc p15, 0, %0, c13, c0, 4" : "=r"(v));  // TPIDRPRW
        return v;
    }
}
#endif

struct Tcb;

// ---------------------------------------------------------------- the kernel lock
// One lock, taken on every kernel entry and released on the way out (README,
// "Multicore and the kernel lock"). kernel_enter() takes it at the top of each
// entry from user mode or from the idle loop, before the entry touches any
// kernel object; the exit releases it (vectors.S: arm_return_to_user and
// arm_idle_loop, after the address-space switch). Core 0 holds it from boot
// until the root task first runs; a secondary core takes it once it is set up.
//
// While a core waits for the lock it answers requests from the holder
// (smp_stall): the only way one core makes another let go of a thread. If the
// thread was the waiting core's own, its entry is abandoned (a system call is
// rewound to run again); kernel_enter() then returns true and the entry goes
// straight to schedule().
enum class EntryKind : u32 { Syscall, Other };

#if PETREL_CORES > 1
bool kernel_enter(EntryKind kind);
void kernel_lock_release();  // (the exit's assembly does this itself)
// Makes the core that runs `t`, or holds its FPU registers, let go of it:
// that core saves them into the TCB, and a thread it was running goes back to
// its ready queue (if runnable) while the core runs its idle thread. Returns
// when done. Nothing happens when `t` is this core's or no other core has it.
// Called by the lock holder before it changes what another core may be using:
// a thread's registers, state, affinity or existence.
void smp_stall(Tcb *t);
// Asks core `core` (not this one) to choose again: it takes an IPI.
void smp_reschedule(u32 core);
// Cores other than this one that run with hardware ASID `hw` (a thread in
// that address space, or the idle loop, which keeps the last space in TTBR0)
// let go of the thread and load the empty table instead (arch::drop_hw_asid):
// the ASID is about to change hands. Returns when they have.
void smp_stall_hw_asid_users(u32 hw);
#else
inline bool kernel_enter(EntryKind) { return false; }
inline void kernel_lock_release() {}
inline void smp_stall(Tcb *) {}
inline void smp_reschedule(u32) {}
inline void smp_stall_hw_asid_users(u32) {}
#endif

}  // namespace petrel
