// SPDX-License-Identifier: BSD-2-Clause
// Notifications: Signal, Wait, Poll, binding and cancellation (see notification.hpp).
#include "notification.hpp"

#include "ipc.hpp"
#include "scheduler.hpp"

namespace petrel {

void signal_notification(Notification *n, u32 badge) {
    switch (n->state()) {
    case NotificationState::Idle: {
        Tcb *bound = kptr<Tcb>(n->bound_tcb);
        if (bound && bound->state == ThreadState::BlockedOnRecv) {
            // The bound thread waits on an endpoint: the signal ends that wait.
            cancel_ipc(bound);
            reg(bound, arch::kRegCap) = badge;
            set_info(bound, {abi::kNotificationLabel, 0, 0, 0});
            bound->state = ThreadState::Running;
            sched_wake(bound);
            return;
        }
        n->word = badge;
        n->set_state(NotificationState::Active);
        return;
    }
    case NotificationState::Waiting: {
        Tcb *t = n->dequeue_first();
        t->blocked_on = 0;
        reg(t, arch::kRegCap) = badge;
        set_info(t, {0, 0, 0, 0});
        t->state = ThreadState::Running;
        sched_wake(t);
        return;
    }
    case NotificationState::Active: n->word |= badge; return;
    }
}

void receive_signal(Tcb *t, const Cap &ntfn_cap, bool blocking) {
    auto *n = kptr<Notification>(ntfn_cap.ipc_object());
    if (n->state() == NotificationState::Active) {
        reg(t, arch::kRegCap) = n->word;
        set_info(t, {0, 0, 0, 0});
        n->word = 0;
        n->set_state(NotificationState::Idle);
        return;
    }
    if (!blocking) {  // Poll with nothing pending
        reg(t, arch::kRegCap) = 0;
        set_info(t, {0, 0, 0, 0});
        return;
    }
    t->blocked_on = ntfn_cap.ipc_object();
    sched_set_state(t, ThreadState::BlockedOnNotification);
    n->enqueue(t);
}

void bind_notification(Tcb *t, Notification *n) {
    t->bound_ntfn = kref(n);
    n->bound_tcb = kref(t);
}

void unbind_notification(Tcb *t) {
    if (auto *n = kptr<Notification>(t->bound_ntfn)) n->bound_tcb = 0;
    t->bound_ntfn = 0;
}

void cancel_all_signals(Notification *n) {
    while (Tcb *t = n->first()) {
        n->dequeue(t);
        t->blocked_on = 0;
        tcb_restart(t);
    }
    n->set_state(NotificationState::Idle);  // an Active one too: its badges go with it
    sched_reschedule();
}

void notification_prepare_destroy(Notification *n) {
    cancel_all_signals(n);
    if (auto *t = kptr<Tcb>(n->bound_tcb)) unbind_notification(t);
}

}  // namespace petrel
