// SPDX-License-Identifier: BSD-2-Clause
// TcbQueue: a first-in first-out list of threads, doubly linked through the TCBs.
//
// A queue is two words, the physical addresses (kmem.hpp) of its first and
// last thread, 0 when empty, kept wherever its owner's layout puts them: an
// Endpoint's first two words, the scheduler's ready_head[p] and ready_tail[p],
// a Notification's tail and its head word shared with the state (which copies
// the head out and back, see notification.hpp). A TcbQueue is a view of those
// two words; the links live in each queued thread, one pair per kind of queue
// (Links), so a thread is in at most one queue of each kind:
//   IpcQueue    ep_prev/ep_next        the endpoint or notification it waits on
//   ReadyQueue  sched_prev/sched_next  its priority's ready queue
//
// Invariants: head == 0 exactly when tail == 0; the head's prev link and the
// tail's next link are 0; a thread in no queue of the kind has both links 0.
//
// The operations are always inlined, and convert addresses through a plain
// function (queued_tcb) rather than the kptr template: GCC then inlines them
// before it estimates branch probabilities, and lays the scheduler and IPC code
// out as when these lists were written out by hand in each place: every
// scripts/bench figure is unchanged (an ordinary inline member left a call
// there at that point, and GCC moved the scheduler's hot branches).
#pragma once

#include "kmem.hpp"
#include "tcb.hpp"

namespace petrel {

// The thread at physical address `p` (0: none): kptr<Tcb>, as a function that
// is not a template, so it is instantiated before TcbQueue's members are.
inline Tcb *queued_tcb(paddr_t p) { return kptr<Tcb>(p); }

template <typename Links>
class TcbQueue {
public:
    [[gnu::always_inline]] TcbQueue(u32 &head, u32 &tail) : head_(head), tail_(tail) {}

    [[gnu::always_inline]] Tcb *head() const { return queued_tcb(head_); }
    [[gnu::always_inline]] static Tcb *next(const Tcb *t) { return queued_tcb(Links::next(t)); }

    // Puts `t` (in no queue of this kind) at the tail.
    [[gnu::always_inline]] void append(Tcb *t) {
        Tcb *tail = queued_tcb(tail_);
        Links::prev(t) = tail_;
        Links::next(t) = 0;
        const paddr_t p = kref_live(t);  // (t is a thread, never "none")
        if (tail) Links::next(tail) = p; else head_ = p;
        tail_ = p;
    }

    // Takes `t`, which is in this queue, out of it.
    [[gnu::always_inline]] void remove(Tcb *t) {
        Tcb *prev = queued_tcb(Links::prev(t)), *next = queued_tcb(Links::next(t));
        if (prev) Links::next(prev) = Links::next(t); else head_ = Links::next(t);
        if (next) Links::prev(next) = Links::prev(t); else tail_ = Links::prev(t);
        Links::prev(t) = Links::next(t) = 0;
    }

    // remove(head()) of a non-empty queue, shorter: the head has no predecessor.
    [[gnu::always_inline]] Tcb *pop_head() {
        Tcb *t = kptr_live<Tcb>(head_);  // (not empty)
        head_ = Links::next(t);
        if (Tcb *next = queued_tcb(Links::next(t))) Links::prev(next) = 0;
        else tail_ = 0;
        Links::next(t) = 0;
        return t;
    }

private:
    u32 &head_;
    u32 &tail_;
};

struct IpcLinks {
    static u32 &prev(Tcb *t) { return t->ep_prev; }
    static u32 &next(Tcb *t) { return t->ep_next; }
    static u32 next(const Tcb *t) { return t->ep_next; }
};
struct ReadyLinks {
    static u32 &prev(Tcb *t) { return t->sched_prev; }
    static u32 &next(Tcb *t) { return t->sched_next; }
    static u32 next(const Tcb *t) { return t->sched_next; }
};
using IpcQueue = TcbQueue<IpcLinks>;
using ReadyQueue = TcbQueue<ReadyLinks>;

}  // namespace petrel
