// SPDX-License-Identifier: BSD-2-Clause
// The scheduler: 256 fixed priorities, round robin within a priority, Benno's rule.
//
// Benno scheduling: a ready queue holds exactly the runnable threads that are
// not running; the running thread (here().current) is in no queue while it runs, so
// IPC that blocks the sender and wakes the receiver can switch directly without
// touching the queues. The highest non-empty priority is found in O(1): a
// 8-bit top-level bitmap says which of eight 32-bit words has bits, CLZ picks the
// highest in each.
//
// Decisions are lazy, as in seL4: operations record an action (keep running the
// current thread, switch to a given thread, or choose anew) and schedule(),
// called once on the way out of the kernel, carries it out and returns the
// thread to resume. The idle thread runs when nothing else can; it is never queued.
//
// Several cores (smp.hpp): each has its own queues, idle thread and pending
// decision (CoreState, here()). A thread is queued on the core of its
// affinity; waking a thread of another core queues it there and, when it
// outranks what runs there, makes that core choose again (an IPI).
#pragma once

#include "state.hpp"
#include "tcb.hpp"

namespace petrel {

constexpr u32 kNumPriorities = 256;
constexpr u32 kMaxPriority = kNumPriorities - 1;
constexpr u32 kTimesliceTicks = 5;  // kernel ticks a thread runs before round robin

void sched_init(Tcb *idle);
Tcb *idle_thread();

bool is_runnable(const Tcb *t);
// Ready-queue operations (the thread must be runnable to be enqueued).
void sched_enqueue(Tcb *t);        // at the tail of its priority
void sched_dequeue(Tcb *t);        // no-op when not queued
bool sched_queued(const Tcb *t);

// Thread state changes that keep the queues right.
void sched_set_state(Tcb *t, ThreadState s);  // dequeues when t stops being runnable
void sched_set_priority(Tcb *t, u32 priority);
// Moves `t` to core `core` (TCB.SetAffinity): another core that runs it or
// holds its FPU registers lets go first (smp_stall); a ready thread is queued
// on its new core, the running one goes there when this core chooses again.
void sched_set_affinity(Tcb *t, u32 core);
// Makes a woken thread runnable: queue it, or switch to it directly when it
// outranks the current thread (possible_switch_to in seL4).
void sched_wake(Tcb *t);

// The current thread can no longer run (it blocked or was suspended): choose anew on exit.
void sched_reschedule();
// Switch to `t` on exit (IPC's direct switch); the current thread, if still
// runnable, goes back to its queue.
void sched_switch_to(Tcb *t);
// IPC woke `t` while the current thread blocked: switch to it directly when
// nothing queued outranks it, else queue it and choose anew.
void sched_direct_switch(Tcb *t);
// Round robin: the tick (timeslice accounting) and Yield.
void sched_tick();
void sched_yield();

// Carries out this core's pending decision; returns the thread to resume (here().current).
Tcb *schedule();

// Prints the running thread and every ready queue (the DebugDumpScheduler call).
void sched_dump();

// The highest priority with a queued thread, or -1: two CLZs over the bitmap
// (inline: the IPC fastpath asks on every call).
[[gnu::always_inline]] inline int sched_highest_ready() {
    const CoreState &c = here();
    if (c.ready_top == 0) return -1;
    const int word = 31 - __builtin_clz(c.ready_top);
    return word * 32 + 31 - __builtin_clz(c.ready_bits[word]);
}

}  // namespace petrel
