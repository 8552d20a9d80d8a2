// SPDX-License-Identifier: BSD-2-Clause
// The scheduler (see scheduler.hpp).
#include "scheduler.hpp"

#include "arch.hpp"
#include "console.hpp"
#include "panic.hpp"
#include "state.hpp"
#include "tcb_queue.hpp"
#include "timer_access.hpp"

namespace petrel {

namespace {

// The core whose queues hold `t` when it is ready: its affinity's.
[[gnu::always_inline]] inline CoreState &core_of(const Tcb *t) {
    if constexpr (kCores == 1) return here();
    else return ks_cores[t->affinity];
}

ReadyQueue ready_queue(CoreState &c, u32 prio) { return {c.ready_head[prio], c.ready_tail[prio]}; }

void mark(CoreState &c, u32 prio) {
    c.ready_bits[prio / 32] |= 1u << (prio % 32);
    c.ready_top |= 1u << (prio / 32);
}

void unmark(CoreState &c, u32 prio) {
    c.ready_bits[prio / 32] &= ~(1u << (prio % 32));
    if (c.ready_bits[prio / 32] == 0) c.ready_top &= ~(1u << (prio / 32));
}

Tcb *choose() {
    int p = sched_highest_ready();
    if (p < 0) return here().idle;
    Tcb *t = ready_queue(here(), p).head();
    sched_dequeue(t);
    return t;
}

// A thread became ready on another core: that core chooses again if it
// outranks what runs there (or nothing does).
void notify_core(const Tcb *t) {
    if constexpr (kCores > 1) {
        const CoreState &c = core_of(t);
        if (c.current == c.idle || !is_runnable(c.current) || t->priority > c.current->priority)
            smp_reschedule(t->affinity);
    }
}

}  // namespace

void sched_init(Tcb *idle) {
    CoreState &c = here();
    c.index = core_id();
    c.idle = idle;
    idle->state = ThreadState::Idle;
    idle->priority = 0;
    idle->affinity = static_cast<u8>(core_id());
    c.action = SchedulerAction::ResumeCurrent;
    if (!c.current) c.current = idle;
}

Tcb *idle_thread() { return here().idle; }

bool is_runnable(const Tcb *t) {
    return t->state == ThreadState::Running || t->state == ThreadState::Restart;
}

bool sched_queued(const Tcb *t) { return t->in_ready_queue != 0; }

namespace {

// sched_enqueue() of a thread its caller checked: runnable, not idle.
// (Into its own core's queues: another core is told, notify_core.)
[[gnu::always_inline]] inline void enqueue(Tcb *t) {
    if (t->in_ready_queue) return;
    u32 p = t->priority;
    CoreState &c = core_of(t);
    ready_queue(c, p).append(t);
    t->in_ready_queue = 1;
    mark(c, p);
    if constexpr (kCores > 1)
        if (t->affinity != core_id()) notify_core(t);
}

}  // namespace

void sched_enqueue(Tcb *t) {
    kassert(is_runnable(t) && t != here().idle);
    enqueue(t);
}

void sched_dequeue(Tcb *t) {
    if (!t->in_ready_queue) return;
    u32 p = t->priority;
    CoreState &c = core_of(t);
    ready_queue(c, p).remove(t);
    t->in_ready_queue = 0;
    if (c.ready_head[p] == 0) unmark(c, p);
}

void sched_set_state(Tcb *t, ThreadState s) {
    if (s != ThreadState::Running && s != ThreadState::Restart) smp_stall(t);  // (another core running it stops first)
    t->state = s;
    if (!is_runnable(t)) {
        sched_dequeue(t);
        if (here().action == SchedulerAction::SwitchTo && here().switch_to == t) {
            here().action = SchedulerAction::ChooseNew;
            here().switch_to = nullptr;
        }
        if (t == here().current) sched_reschedule();
    }
}

void sched_set_priority(Tcb *t, u32 priority) {
    bool queued = t->in_ready_queue;
    sched_dequeue(t);
    [[maybe_unused]] const u32 before = t->priority;
    t->priority = priority;
    if (queued) sched_enqueue(t);
    if constexpr (kCores > 1) {
        if (t->affinity != core_id()) {  // its core decides: it chooses again if it may have to
            const CoreState &c = core_of(t);
            if (c.current == t && c.ready_top != 0 && priority < before) smp_reschedule(t->affinity);
            return;
        }
    }
    // A running thread that lowered itself below a ready one gives way.
    if (t == here().current && sched_highest_ready() > static_cast<int>(priority)) sched_reschedule();
    else if (t != here().current && is_runnable(t) && priority > here().current->priority) sched_reschedule();
}

void sched_set_affinity(Tcb *t, u32 core) {
    if (t->affinity == core) return;
    // Its registers and FPU state come home to its TCB, whichever core had them.
    if (t->affinity != core_id()) smp_stall(t);
    else arch::fpu_release(t);
    const bool queued = t->in_ready_queue;
    sched_dequeue(t);
    CoreState &c = here();
    const bool pending_switch = c.action == SchedulerAction::SwitchTo && c.switch_to == t;  // (in no queue)
    if (pending_switch) {
        c.action = SchedulerAction::ChooseNew;
        c.switch_to = nullptr;
    }
    t->affinity = static_cast<u8>(core);
    if (t == c.current) sched_reschedule();  // schedule() puts it in its new core's queue
    else if (queued || pending_switch) sched_wake(t);  // ready on its new core
}

namespace {

// sched_wake()'s other cases: queued, and a reschedule if it is better.
[[gnu::noinline]] void wake_queued(Tcb *t, bool better) {
    sched_enqueue(t);
    if (better) sched_reschedule();  // a pending switch target goes back to its queue, not lost
}

}  // namespace

// (Its calls are tail calls: the common case, a direct switch to a thread
// that is in no queue, makes no call frame. Without if-conversion: GCC 12 puts
// a conditional move for wake_queued's argument on the direct switch's path,
// one instruction more in every wake-up; signal-wake, irq-user, send-recv-xas
// and fault-rt count it.)
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("no-if-conversion", "no-if-conversion2")]]
#endif
void sched_wake(Tcb *t) {
    kassert(is_runnable(t));
    if (t == here().current) return;
    if constexpr (kCores > 1)
        if (t->affinity != core_id()) return sched_enqueue(t);  // (its core is told)
    bool better = here().current == here().idle || !is_runnable(here().current) ||
                  t->priority > here().current->priority;
    if (better && here().action == SchedulerAction::ResumeCurrent) {  // sched_switch_to(t), nothing pending
        here().action = SchedulerAction::SwitchTo;
        here().switch_to = t;
        if (t->in_ready_queue) [[unlikely]]
            return sched_dequeue(t);
        return;
    }
    return wake_queued(t, better);
}

void sched_reschedule() {
    // A pending direct switch becomes a candidate like any other.
    if (here().action == SchedulerAction::SwitchTo && here().switch_to && is_runnable(here().switch_to))
        sched_enqueue(here().switch_to);
    here().action = SchedulerAction::ChooseNew;
    here().switch_to = nullptr;
}

void sched_switch_to(Tcb *t) {
    if constexpr (kCores > 1)
        if (t->affinity != core_id()) return sched_enqueue(t);  // it runs on its own core
    CoreState &c = here();
    if (c.action == SchedulerAction::SwitchTo && c.switch_to && c.switch_to != t) sched_enqueue(c.switch_to);
    here().action = SchedulerAction::SwitchTo;
    here().switch_to = t;
    sched_dequeue(t);
}

void sched_direct_switch(Tcb *t) {
    if constexpr (kCores > 1) {
        if (t->affinity != core_id()) {
            sched_enqueue(t);  // (its core is told)
            return sched_reschedule();
        }
    }
    if (static_cast<int>(t->priority) >= sched_highest_ready()) {
        sched_switch_to(t);
    } else {
        sched_enqueue(t);
        sched_reschedule();
    }
}

void sched_tick() {
    Tcb *t = here().current;
    if (t == here().idle || !is_runnable(t)) return;
    if (t->timeslice > 1) {
        --t->timeslice;
        return;
    }
    t->timeslice = kTimesliceTicks;
    // Round robin only among equals: a queued thread of the same priority goes first.
    if (sched_highest_ready() >= static_cast<int>(t->priority)) sched_reschedule();
}

void sched_yield() {
    here().current->timeslice = kTimesliceTicks;
    sched_reschedule();
}

void sched_dump() {
    kprintf("scheduler: core %u of %u running '%s' (priority %u)\n", here().index, kCores, tcb_name(here().current),
            here().current->priority);
    for (int p = kMaxPriority; p >= 0; --p) {
        if (!here().ready_head[p]) continue;
        kprintf("  ready %3d:", p);
        for (Tcb *t = ready_queue(here(), p).head(); t; t = ReadyQueue::next(t)) kprintf(" '%s'", tcb_name(t));
        kprintf("\n");
    }
}

namespace {

// The end of every switch: `next` runs. Its calls are tail calls.
[[gnu::always_inline]] inline Tcb *switch_to_next(Tcb *next) {
    here().current = next;
    here().action = SchedulerAction::ResumeCurrent;
    here().switch_to = nullptr;
    if (next->timer_access != here().timer_access_cpu) [[unlikely]]
        return timer_access_apply(next);  // (the access changes seldom)
    return next;
}

// A choice among the ready threads; the current one competes with them, and
// among equals it goes to the back.
[[gnu::noinline]] Tcb *choose_new(Tcb *cur) {
    if (cur != here().idle && is_runnable(cur)) enqueue(cur);
    return switch_to_next(choose());
}

}  // namespace

// (No call frame on its two common ways: the running thread goes on, or the
// pending direct switch.)
Tcb *schedule() {
    Tcb *cur = here().current;
    switch (here().action) {
    case SchedulerAction::ResumeCurrent:
        if (cur != here().idle && is_runnable(cur)) return cur;
        break;
    case SchedulerAction::ChooseNew: break;
    case SchedulerAction::SwitchTo:
        if (cur != here().idle && is_runnable(cur)) enqueue(cur);
        return switch_to_next(here().switch_to);
    }
    return choose_new(cur);
}

}  // namespace petrel
