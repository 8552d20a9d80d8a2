// SPDX-License-Identifier: BSD-2-Clause
// Notifications (asynchronous endpoints): 16 bytes, a word of OR-ed badges,
// a queue of waiting threads and an optional bound thread.
//
// Invariants: Idle: no waiters, no pending badge bits; Waiting: the queue holds
// the threads BlockedOnNotification on this notification, word is 0; Active: no
// waiters, word holds the badges signalled since the last wait. The first
// waiter's address and the state share one word (TCBs are 512-byte aligned, so
// bits 1..0 of the address are free), which keeps the object at its 16 bytes of
// the ABI: the queue is reached through enqueue and dequeue below, which copy
// the head out of that word and back, and keep the state right with it.
#pragma once

#include "cap.hpp"
#include "ipc.hpp"
#include "petrel/abi.hpp"
#include "petrel/types.hpp"
#include "tcb_queue.hpp"

namespace petrel {

enum class NotificationState : u32 { Idle = 0, Waiting = 1, Active = 2 };

struct Notification {
    u32 head_and_state;  // first waiting TCB (physical) | state in bits 1..0
    u32 tail;
    u32 word;            // pending badge bits
    u32 bound_tcb;       // TCB (physical) bound with BindNotification, or 0

    static constexpr u32 kStateMask = 3;
    u32 head() const { return head_and_state & ~kStateMask; }
    Tcb *first() const { return kptr<Tcb>(head()); }
    NotificationState state() const { return static_cast<NotificationState>(head_and_state & kStateMask); }
    void set_state(NotificationState s) { head_and_state = head() | static_cast<u32>(s); }
    // Queues `t`, which has blocked waiting on the notification (state Waiting).
    void enqueue(Tcb *t) {
        u32 h = head();
        IpcQueue{h, tail}.append(t);
        head_and_state = h | static_cast<u32>(NotificationState::Waiting);
    }
    // Takes `t` out of the queue; the notification is Idle once it is empty.
    void dequeue(Tcb *t) {
        u32 h = head();
        IpcQueue{h, tail}.remove(t);
        head_and_state = h | static_cast<u32>(h ? NotificationState::Waiting : NotificationState::Idle);
    }
    // dequeue(first()) of a notification in state Waiting, shorter (a Signal's case).
    Tcb *dequeue_first() {
        u32 h = head();
        Tcb *t = IpcQueue{h, tail}.pop_head();
        head_and_state = h | static_cast<u32>(h ? NotificationState::Waiting : NotificationState::Idle);
        return t;
    }
};
static_assert(sizeof(Notification) == 1u << abi::kNotificationBits);

// Signal: ORs `badge` into the word, or wakes the first waiter with it, or ends
// the bound thread's Recv on an endpoint with it.
void signal_notification(Notification *n, u32 badge);
// Wait (blocking) and Poll on the notification `ntfn_cap` names.
void receive_signal(Tcb *t, const Cap &ntfn_cap, bool blocking);
// TCB.BindNotification and UnbindNotification (validated by the caller).
void bind_notification(Tcb *t, Notification *n);
void unbind_notification(Tcb *t);
// A bound notification with signals pending completes `t`'s Recv at once
// (inline: Recv asks on every call).
inline bool take_bound_signal(Tcb *t) {
    Notification *n = kptr<Notification>(t->bound_ntfn);
    if (!n || n->state() != NotificationState::Active) return false;
    reg(t, arch::kRegCap) = n->word;
    set_info(t, {abi::kNotificationLabel, 0, 0, 0});
    n->word = 0;
    n->set_state(NotificationState::Idle);
    return true;
}

// Every waiter is made to restart its system call (which then fails, the
// notification being gone), the notification is Idle: when the last cap goes.
void cancel_all_signals(Notification *n);
// Called when the last cap to a notification goes.
void notification_prepare_destroy(Notification *n);

}  // namespace petrel
