// SPDX-License-Identifier: BSD-2-Clause
// Synchronous endpoints (see endpoint.hpp).
#include "endpoint.hpp"

#include "ipc.hpp"
#include "scheduler.hpp"
#include "tcb.hpp"

namespace petrel {

void endpoint_prepare_destroy(Endpoint *ep) { cancel_all_ipc(ep); }

void endpoint_cancel_badged_sends(Endpoint *ep, u32 badge) {
    if (ep->state != EndpointState::Sending) return;
    Tcb *t = kptr<Tcb>(ep->head);
    while (t) {
        Tcb *next = kptr<Tcb>(t->ep_next);
        if (t->state == ThreadState::BlockedOnSend && t->ipc_badge == badge) {
            Tcb *prev = kptr<Tcb>(t->ep_prev);
            if (prev) prev->ep_next = t->ep_next; else ep->head = t->ep_next;
            if (next) next->ep_prev = t->ep_prev; else ep->tail = t->ep_prev;
            t->ep_prev = t->ep_next = 0;
            t->blocked_on = 0;
            tcb_restart(t);
        }
        t = next;
    }
    if (ep->head == 0) ep->state = EndpointState::Idle;
    sched_reschedule();  // a restarted sender may outrank the caller
}

}  // namespace petrel
