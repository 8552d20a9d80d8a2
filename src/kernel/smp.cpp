// SPDX-License-Identifier: BSD-2-Clause
// The kernel lock and the requests one core makes of another (see smp.hpp).
//
// The lock is a ticket lock: fair, so no core starves while others keep
// entering, and small. A waiting core sleeps in wfe; the holder's release (in
// the exit's assembly, vectors.S) ends with sev. Its layout is shared with
// that assembly through exit_layout.h.
//
// A request (smp_stall) is made by the lock holder and answered by the other
// core while it waits for the lock: it is sure to get there. A core in user
// mode or in its idle loop takes the IPI that comes with the request and
// enters the kernel; a core already in an entry is on its way to the lock with
// interrupts masked. Only the holder makes requests, so two cores never wait
// for each other. On the hosted kernel the cores take turns: the other core
// answers at once, as if it had been waiting.
#include "smp.hpp"

#if PETREL_CORES > 1

#include "arch.hpp"
#include "platform.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "timer_access.hpp"

#ifndef PETREL_HOST
#include "exit_layout.h"
#endif

namespace petrel {

struct alignas(64) KernelLock {
    u32 next;   // the next ticket to hand out
    u32 owner;  // the ticket that holds the lock
};

#ifndef PETREL_HOST
// (External: vectors.S releases it by this name.)
KernelLock g_kernel_lock asm("kernel_lock");
static_assert(__builtin_offsetof(KernelLock, owner) == LOCK_OWNER);
#endif

namespace {

#ifndef PETREL_HOST
KernelLock &g_lock = g_kernel_lock;
inline void wait_for_event() { asm volatile("wfe" ::: "memory"); }
inline void send_event() { asm volatile("dsb ish\n\tsev" ::: "memory"); }
#endif

// This core lets go of `t` for the lock holder: its FPU registers go to its
// TCB, and if it is the running thread, the entry being made for it is
// abandoned (a system call runs again when the thread next runs: its pc goes
// back to the svc), it goes back to its ready queue and the idle thread
// becomes current until the core chooses again.
void let_go(CoreState &c, Tcb *t, bool in_syscall) {
    if (c.current == t) {
        if (in_syscall) arch::rewind_syscall(t->context);
        if (is_runnable(t)) sched_enqueue(t);
        c.current = c.idle;
        c.action = SchedulerAction::ChooseNew;
        c.switch_to = nullptr;
        timer_access_apply(c.idle);  // the timer's user access goes off with the thread
        c.entry_abandoned = true;
    }
    arch::fpu_release(t);
}

// The answer to a request (smp.hpp): this core lets go of the thread and of
// the hardware ASID asked for.
void answer(CoreState &c, bool in_syscall) {
    if (c.stall_thread) let_go(c, c.stall_thread, in_syscall);
    if (c.stall_hw_asid) arch::drop_hw_asid(c.stall_hw_asid);
}

}  // namespace

#ifndef PETREL_HOST

bool kernel_enter(EntryKind kind) {
    const u32 ticket = __atomic_fetch_add(&g_lock.next, 1, __ATOMIC_RELAXED);
    CoreState &c = here();
    while (__atomic_load_n(&g_lock.owner, __ATOMIC_ACQUIRE) != ticket) {
        if (__atomic_load_n(&c.request_pending, __ATOMIC_ACQUIRE)) {
            answer(c, kind == EntryKind::Syscall);
            __atomic_store_n(&c.request_pending, 0, __ATOMIC_RELEASE);
            send_event();
        }
        wait_for_event();
    }
    if (!c.entry_abandoned) return false;
    c.entry_abandoned = false;
    return true;
}

void kernel_lock_release() {
    __atomic_store_n(&g_lock.owner, g_lock.owner + 1, __ATOMIC_RELEASE);
    send_event();
}

namespace {

// Asks core `core` to let go of `t` (if not null) and of hardware ASID `hw`
// (if not 0), and waits until it has.
void request(u32 core, Tcb *t, u32 hw) {
    CoreState &c = ks_cores[core];
    c.stall_thread = t;
    c.stall_hw_asid = hw;
    __atomic_store_n(&c.request_pending, 1, __ATOMIC_RELEASE);
    send_event();
    platform::ipi_send(core);
    while (__atomic_load_n(&c.request_pending, __ATOMIC_ACQUIRE)) wait_for_event();
}

}  // namespace

#else  // the hosted kernel: the other core answers at once

bool kernel_enter(EntryKind) {
    CoreState &c = here();
    if (!c.entry_abandoned) return false;
    c.entry_abandoned = false;
    return true;
}

void kernel_lock_release() {}

namespace {

void request(u32 core, Tcb *t, u32 hw) {
    CoreState &c = ks_cores[core];
    c.stall_thread = t;
    c.stall_hw_asid = hw;
    const u32 me = host::g_core;
    host::g_core = core;
    answer(c, false);
    c.entry_abandoned = false;  // (it was in user mode: no entry to abandon)
    host::g_core = me;
    platform::ipi_send(core);  // it still takes the interrupt, and chooses again
}

}  // namespace

#endif

void smp_stall(Tcb *t) {
    const u32 core = t->affinity;
    if (core == core_id()) return;
    const CoreState &c = ks_cores[core];
    if (c.current != t && arch::fpu_owner(core) != t) return;
    request(core, t, 0);
}

void smp_reschedule(u32 core) {
    CoreState &c = ks_cores[core];
    c.action = SchedulerAction::ChooseNew;  // (another core's action is never SwitchTo: only its own entries set that)
    c.switch_to = nullptr;
    platform::ipi_send(core);
}

void smp_stall_hw_asid_users(u32 hw) {
    for (u32 core = 0; core < kCores; ++core) {
        if (core == core_id() || arch::running_hw_asid(core) != hw) continue;
        // Its thread in that space, if it runs one, and the space itself (the
        // idle loop keeps the last one in TTBR0).
        Tcb *t = ks_cores[core].current;
        request(core, t != ks_cores[core].idle ? t : nullptr, hw);
    }
}

}  // namespace petrel

#endif
