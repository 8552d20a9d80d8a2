// SPDX-License-Identifier: BSD-2-Clause
// The kernel's global state, in one place (seL4's ks* variables).
#pragma once

#include "petrel/types.hpp"

namespace petrel {

struct Tcb;

struct KernelState {
    paddr_t mdb_head;        // first slot of the derivation list (slot.cpp)
    Tcb *current;            // the thread the kernel runs for (tcb.cpp)
    u32 preemption_points;   // preemption points passed, for figures and tests
    u32 preemptions;         // of which found an interrupt pending
};

extern KernelState ks;

}  // namespace petrel
