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
