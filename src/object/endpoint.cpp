// SPDX-License-Identifier: BSD-2-Clause
// Synchronous endpoints: Send, Recv and their cancellation (see endpoint.hpp).
#include "endpoint.hpp"

#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "tcb.hpp"

namespace petrel {

void send_ipc(Tcb *sender, const Cap &ep_cap, bool blocking, bool is_call) {
    auto *ep = kptr<Endpoint>(ep_cap.ipc_object());
    u32 flags = (is_call ? u32{kIpcCall} : 0u) | (ep_cap.ipc_rights() & abi::kRightGrant ? u32{kIpcGrant} : 0u) |
                (ep_cap.ipc_rights() & abi::kRightGrantReply ? u32{kIpcGrantReply} : 0u);
    if (ep->state == EndpointState::Receiving) {
        Tcb *receiver = ep->first();
        ep->dequeue(receiver);
        receiver->blocked_on = 0;
        deliver(sender, receiver, ep_cap.badge(), flags, &ep_cap);
        receiver->state = ThreadState::Running;
        if (is_call || !is_runnable(sender)) sched_direct_switch(receiver);
        else sched_wake(receiver);
        return;
    }
    if (!blocking) return;  // NBSend with no receiver waiting: the message is dropped
    sender->ipc_badge = ep_cap.badge();
    sender->ipc_flags = flags;
    sender->blocked_on = ep_cap.ipc_object();
    sched_set_state(sender, ThreadState::BlockedOnSend);
    ep->enqueue(sender, EndpointState::Sending);
}

void receive_ipc(Tcb *receiver, const Cap &ep_cap, bool blocking) {
    // A receiver that has not replied to its last caller never will (seL4 deletes
    // the caller cap on every Recv): that caller gets its error reply now, not a
    // later Reply meant for someone else, and does not wait forever.
    drop_caller(receiver);
    if (take_bound_signal(receiver)) return;
    auto *ep = kptr<Endpoint>(ep_cap.ipc_object());
    if (ep->state == EndpointState::Sending) {
        Tcb *sender = ep->first();
        ep->dequeue(sender);
        sender->blocked_on = 0;
        u32 flags = sender->ipc_flags;
        deliver(sender, receiver, sender->ipc_badge, flags, &ep_cap);
        if (!(flags & kIpcCall)) {
            sender->state = ThreadState::Running;
            sched_wake(sender);
        }
        return;
    }
    if (!blocking) {  // NBRecv with no sender: badge 0, empty tag
        reg(receiver, arch::kRegCap) = 0;
        set_info(receiver, {0, 0, 0, 0});
        return;
    }
    receiver->blocked_on = ep_cap.ipc_object();
    sched_set_state(receiver, ThreadState::BlockedOnRecv);
    ep->enqueue(receiver, EndpointState::Receiving);
}

// Out of line, as it was in ipc.cpp: the instruction count of every path,
// cold ones too, decides where the benchmarks' timer ticks land.
[[gnu::noinline]] void cancel_all_ipc(Endpoint *ep) {
    IpcQueue q = ep->queue();
    while (Tcb *t = q.head()) {
        q.remove(t);
        t->blocked_on = 0;
        tcb_restart(t);
    }
    ep->state = EndpointState::Idle;  // the queue is empty
    sched_reschedule();
}

void endpoint_prepare_destroy(Endpoint *ep) { cancel_all_ipc(ep); }

void endpoint_cancel_badged_sends(Endpoint *ep, u32 badge) {
    if (ep->state != EndpointState::Sending) return;
    Tcb *t = ep->first();
    while (t) {
        Tcb *next = IpcQueue::next(t);
        if (t->state == ThreadState::BlockedOnSend && t->ipc_badge == badge) {
            ep->dequeue(t);
            t->blocked_on = 0;
            tcb_restart(t);
        }
        t = next;
    }
    sched_reschedule();  // a restarted sender may outrank the caller
}

}  // namespace petrel
