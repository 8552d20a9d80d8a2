// SPDX-License-Identifier: BSD-2-Clause
// The kernel's entry points: what the architecture calls on every exception from
// user mode (and on interrupts taken in the idle loop).
//
// Contract with the architecture's stubs:
//   - On entry from user mode the stub has saved the thread's whole user
//     register file into here().current->context (pc = the instruction to resume:
//     after the svc for a system call, the faulting one for an abort) and runs on
//     its core's kernel stack with interrupts masked.
//   - Each entry function returns the thread to resume. The stub switches to
//     that thread's address space (arch::resume) and restores its
//     context; for the idle thread it runs the idle loop instead. The kernel
//     stack is empty again: nothing survives on it between entries.
//   - A system call that must restart (preempted, see syscall.hpp) has its pc
//     moved back onto the svc instruction, so the thread re-executes it once the
//     pending interrupt has been taken.
#pragma once

#include "fastpath.hpp"
#include "interrupt.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "tcb.hpp"

namespace petrel {

// A fault taken by a user thread, decoded by the architecture.
enum class FaultKind : u32 {
    None = 0,
    CapFault = 1,        // an invocation's cap pointer did not resolve
    UnknownSyscall = 2,  // address = the system-call number
    UserException = 3,   // undefined instruction; address = pc
    VmFault = 4,         // data or prefetch abort
};

struct Fault {
    FaultKind kind;
    u32 address;      // faulting data address, pc, syscall number or cap pointer
    u32 status;       // architecture fault status (DFSR/IFSR), or 0
    bool instruction; // VmFault: a prefetch abort (instruction fetch)
};

// A system call: Call and ReplyRecv try the IPC fastpath (fastpath.hpp) first,
// inline here so that the architecture's entry reaches it with no call frame
// of its own; everything else, and whatever the fastpath declines, takes
// entry_syscall_slow(). The hosted kernel (PETREL_HOST) can switch the
// fastpath off (here().slowpath_only) and counts its hits, for the tests that
// compare both ways; the target kernel has neither. (ARM's SVC stub makes the
// same choice by the number itself and calls the fastpath functions from
// arm_fastpath_call / arm_fastpath_reply_recv: arch/arm/user_entry.cpp.)
Tcb *entry_syscall_slow(u32 number);
// The fastpath's half: the thread to resume, or null for the slow path. Never
// the idle thread (the thread it switches to was blocked in IPC).
[[gnu::always_inline]] inline Tcb *entry_syscall_fast(u32 number) {
    static_assert(static_cast<u32>(abi::Syscall::Call) == 1 && static_cast<u32>(abi::Syscall::ReplyRecv) == 2);
#ifdef PETREL_HOST
    const bool fastpath = !here().slowpath_only;
#else
    constexpr bool fastpath = true;
#endif
    if (number - 1 < 2 && fastpath) {  // Call or ReplyRecv
        Tcb *next = number == 1 ? fastpath_call(here().current) : fastpath_reply_recv(here().current);
#ifdef PETREL_HOST
        if (next) ++here().fastpath_hits;
#endif
        return next;
    }
    return nullptr;
}
[[gnu::always_inline]] inline Tcb *entry_syscall(u32 number) {
    if (Tcb *next = entry_syscall_fast(number)) return next;
    return entry_syscall_slow(number);
}
// An interrupt: handled, then the scheduler's choice (inline: no frame of its own).
inline Tcb *entry_interrupt() {
    handle_interrupt();
    return schedule();
}
Tcb *entry_fault(const Fault &fault);

const char *fault_kind_name(FaultKind k);

}  // namespace petrel
