// SPDX-License-Identifier: BSD-2-Clause
// Faults as IPC: a faulting thread "calls" its fault endpoint.
//
// The thread's fault endpoint is a cap pointer (Tcb::fault_ep) in its own CSpace;
// it must name an Endpoint cap with Write and Grant or GrantReply, so the handler
// gets a reply cap. The message is defined in abi.hpp (FaultLabel). The thread
// waits in BlockedOnSend/BlockedOnReply like any caller; the reply resumes it
// (ipc.cpp do_reply). A thread without a usable fault endpoint is stopped and
// reported by the caller of send_fault().
#pragma once

#include "entry.hpp"
#include "tcb.hpp"

namespace petrel {

// Records `f` in the thread and sends it; false when there is no usable fault endpoint.
bool send_fault(Tcb *t, const Fault &f);

}  // namespace petrel
