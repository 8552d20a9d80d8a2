// SPDX-License-Identifier: BSD-2-Clause
// The scheduler (see scheduler.hpp).
#include "scheduler.hpp"

#include "console.hpp"
#include "panic.hpp"
#include "state.hpp"
#include "tcb_queue.hpp"
#include "timer_access.hpp"

namespace petrel {

namespace {

ReadyQueue ready_queue(u32 prio) { return {ks.ready_head[prio], ks.ready_tail[prio]}; }

void mark(u32 prio) {
    ks.ready_bits[prio / 32] |= 1u << (prio % 32);
    ks.ready_top |= 1u << (prio / 32);
}

void unmark(u32 prio) {
    ks.ready_bits[prio / 32] &= ~(1u << (prio % 32));
    if (ks.ready_bits[prio / 32] == 0) ks.ready_top &= ~(1u << (prio / 32));
}

Tcb *choose() {
    int p = sched_highest_ready();
    if (p < 0) return ks.idle;
    Tcb *t = ready_queue(p).head();
    sched_dequeue(t);
    return t;
}

}  // namespace

void sched_init(Tcb *idle) {
    ks.idle = idle;
    idle->state = ThreadState::Idle;
    idle->priority = 0;
    ks.action = SchedulerAction::ResumeCurrent;
    if (!ks.current) ks.current = idle;
}

Tcb *idle_thread() { return ks.idle; }

bool is_runnable(const Tcb *t) {
    return t->state == ThreadState::Running || t->state == ThreadState::Restart;
}

bool sched_queued(const Tcb *t) { return t->in_ready_queue != 0; }

namespace {

// sched_enqueue() of a thread its caller checked: runnable, not idle.
[[gnu::always_inline]] inline void enqueue(Tcb *t) {
    if (t->in_ready_queue) return;
    u32 p = t->priority;
    ready_queue(p).append(t);
    t->in_ready_queue = 1;
    mark(p);
}

}  // namespace

void sched_enqueue(Tcb *t) {
    kassert(is_runnable(t) && t != ks.idle);
    enqueue(t);
}

void sched_dequeue(Tcb *t) {
    if (!t->in_ready_queue) return;
    u32 p = t->priority;
    ready_queue(p).remove(t);
    t->in_ready_queue = 0;
    if (ks.ready_head[p] == 0) unmark(p);
}

void sched_set_state(Tcb *t, ThreadState s) {
    t->state = s;
    if (!is_runnable(t)) {
        sched_dequeue(t);
        if (ks.action == SchedulerAction::SwitchTo && ks.switch_to == t) {
            ks.action = SchedulerAction::ChooseNew;
            ks.switch_to = nullptr;
        }
        if (t == ks.current) sched_reschedule();
    }
}

void sched_set_priority(Tcb *t, u32 priority) {
    bool queued = t->in_ready_queue;
    sched_dequeue(t);
    t->priority = priority;
    if (queued) sched_enqueue(t);
    // A running thread that lowered itself below a ready one gives way.
    if (t == ks.current && sched_highest_ready() > static_cast<int>(priority)) sched_reschedule();
    else if (t != ks.current && is_runnable(t) && priority > ks.current->priority) sched_reschedule();
}

namespace {

// sched_wake()'s other cases: queued, and a reschedule if it is better.
[[gnu::noinline]] void wake_queued(Tcb *t, bool better) {
    sched_enqueue(t);
    if (better) sched_reschedule();  // a pending switch target goes back to its queue, not lost
}

}  // namespace

// (Its calls are tail calls: the common case, a direct switch to a thread
// that is in no queue, makes no call frame.)
void sched_wake(Tcb *t) {
    kassert(is_runnable(t));
    if (t == ks.current) return;
    bool better = ks.current == ks.idle || !is_runnable(ks.current) || t->priority > ks.current->priority;
    if (better && ks.action == SchedulerAction::ResumeCurrent) {  // sched_switch_to(t), nothing pending
        ks.action = SchedulerAction::SwitchTo;
        ks.switch_to = t;
        if (t->in_ready_queue) [[unlikely]]
            return sched_dequeue(t);
        return;
    }
    return wake_queued(t, better);
}

void sched_reschedule() {
    // A pending direct switch becomes a candidate like any other.
    if (ks.action == SchedulerAction::SwitchTo && ks.switch_to && is_runnable(ks.switch_to))
        sched_enqueue(ks.switch_to);
    ks.action = SchedulerAction::ChooseNew;
    ks.switch_to = nullptr;
}

void sched_switch_to(Tcb *t) {
    if (ks.action == SchedulerAction::SwitchTo && ks.switch_to && ks.switch_to != t) sched_enqueue(ks.switch_to);
    ks.action = SchedulerAction::SwitchTo;
    ks.switch_to = t;
    sched_dequeue(t);
}

void sched_direct_switch(Tcb *t) {
    if (static_cast<int>(t->priority) >= sched_highest_ready()) {
        sched_switch_to(t);
    } else {
        sched_enqueue(t);
        sched_reschedule();
    }
}

void sched_tick() {
    Tcb *t = ks.current;
    if (t == ks.idle || !is_runnable(t)) return;
    if (t->timeslice > 1) {
        --t->timeslice;
        return;
    }
    t->timeslice = kTimesliceTicks;
    // Round robin only among equals: a queued thread of the same priority goes first.
    if (sched_highest_ready() >= static_cast<int>(t->priority)) sched_reschedule();
}

void sched_yield() {
    ks.current->timeslice = kTimesliceTicks;
    sched_reschedule();
}

void sched_dump() {
    kprintf("scheduler: running '%s' (priority %u)\n", tcb_name(ks.current), ks.current->priority);
    for (int p = kMaxPriority; p >= 0; --p) {
        if (!ks.ready_head[p]) continue;
        kprintf("  ready %3d:", p);
        for (Tcb *t = ready_queue(p).head(); t; t = ReadyQueue::next(t)) kprintf(" '%s'", tcb_name(t));
        kprintf("\n");
    }
}

namespace {

// The end of every switch: `next` runs. Its calls are tail calls.
[[gnu::always_inline]] inline Tcb *switch_to_next(Tcb *next) {
    ks.current = next;
    ks.action = SchedulerAction::ResumeCurrent;
    ks.switch_to = nullptr;
    if (next->timer_access != ks.timer_access_cpu) [[unlikely]]
        return timer_access_apply(next);  // (the access changes seldom)
    return next;
}

// A choice among the ready threads; the current one competes with them, and
// among equals it goes to the back.
[[gnu::noinline]] Tcb *choose_new(Tcb *cur) {
    if (cur != ks.idle && is_runnable(cur)) enqueue(cur);
    return switch_to_next(choose());
}

}  // namespace

// (No call frame on its two common ways: the running thread goes on, or the
// pending direct switch.)
Tcb *schedule() {
    Tcb *cur = ks.current;
    switch (ks.action) {
    case SchedulerAction::ResumeCurrent:
        if (cur != ks.idle && is_runnable(cur)) return cur;
        break;
    case SchedulerAction::ChooseNew: break;
    case SchedulerAction::SwitchTo:
        if (cur != ks.idle && is_runnable(cur)) enqueue(cur);
        return switch_to_next(ks.switch_to);
    }
    return choose_new(cur);
}

}  // namespace petrel
