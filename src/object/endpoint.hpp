// SPDX-License-Identifier: BSD-2-Clause
// Synchronous endpoints: 16 bytes, a queue of threads blocked to send or to receive.
#pragma once

#include "petrel/abi.hpp"
#include "petrel/types.hpp"

namespace petrel {

enum class EndpointState : u32 { Idle = 0, Sending = 1, Receiving = 2 };

struct Endpoint {
    u32 head;   // first queued TCB (physical), 0 when idle
    u32 tail;   // last queued TCB
    EndpointState state;
    u32 reserved;
};
static_assert(sizeof(Endpoint) == 1u << abi::kEndpointBits);

// Called when the last cap to an endpoint goes.
void endpoint_prepare_destroy(Endpoint *ep);
// Dequeues every thread blocked sending with `badge` and marks it to restart
// its send (CNode.CancelBadgedSends, and the revocation of a badge).
void endpoint_cancel_badged_sends(Endpoint *ep, u32 badge);

}  // namespace petrel
