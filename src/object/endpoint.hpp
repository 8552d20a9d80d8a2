// SPDX-License-Identifier: BSD-2-Clause
// Synchronous endpoints: 16 bytes, a queue of threads blocked to send or to receive.
//
// Invariants: the queue is empty exactly when the state is Idle; Sending: every
// queued thread is BlockedOnSend on this endpoint, Receiving: BlockedOnRecv. The
// queue changes only through enqueue and the dequeue functions below, which
// keep the state right with it.
#pragma once

#include "cap.hpp"
#include "petrel/abi.hpp"
#include "petrel/types.hpp"
#include "tcb_queue.hpp"

namespace petrel {

enum class EndpointState : u32 { Idle = 0, Sending = 1, Receiving = 2 };

struct Endpoint {
    u32 head;   // first queued TCB (physical), 0 when idle
    u32 tail;   // last queued TCB
    EndpointState state;
    u32 reserved;

    IpcQueue queue() { return {head, tail}; }
    Tcb *first() const { return kptr<Tcb>(head); }
    // Queues `t`, which has blocked to send or to receive (state Sending or Receiving).
    void enqueue(Tcb *t, EndpointState s) {
        queue().append(t);
        state = s;
    }
    // Takes `t` out of the queue; the endpoint is Idle once the queue is empty.
    void dequeue(Tcb *t) {
        queue().remove(t);
        if (head == 0) state = EndpointState::Idle;
    }
    // dequeue(first()) of a non-empty queue, shorter (the IPC fastpath's case).
    Tcb *dequeue_first() {
        Tcb *t = queue().pop_head();
        if (head == 0) state = EndpointState::Idle;
        return t;
    }
};
static_assert(sizeof(Endpoint) == 1u << abi::kEndpointBits);

// Send (is_call: Call) and Recv on the endpoint `ep_cap` names, for the current
// thread. A sender meets a waiting receiver and delivers at once (ipc.hpp's
// deliver), else it blocks (or, not `blocking`, the message is dropped); a
// receiver first takes its bound notification's pending signal, then a waiting
// sender's message, else blocks (or, not `blocking`, gets badge 0 and an
// empty tag).
void send_ipc(Tcb *sender, const Cap &ep_cap, bool blocking, bool is_call);
void receive_ipc(Tcb *receiver, const Cap &ep_cap, bool blocking);

// Every thread queued on the endpoint is made to restart its system call
// (which then fails, the endpoint being gone): when the last cap is deleted.
void cancel_all_ipc(Endpoint *ep);
// Called when the last cap to an endpoint goes.
void endpoint_prepare_destroy(Endpoint *ep);
// Dequeues every thread blocked sending with `badge` and marks it to restart
// its send (CNode.CancelBadgedSends, and the revocation of a badge).
void endpoint_cancel_badged_sends(Endpoint *ep, u32 badge);

}  // namespace petrel
