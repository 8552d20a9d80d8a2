// SPDX-License-Identifier: BSD-2-Clause
// Interrupt dispatch and the kernel tick.
//
// The architecture calls handle_interrupt() for every IRQ. Today the only line
// the kernel owns is its timer; any other line is masked and reported (the
// interrupt issue routes them to user-level drivers through notifications).
#pragma once

#include "petrel/types.hpp"

namespace petrel {

constexpr u32 kTickHz = 100;

void interrupts_init();
void handle_interrupt();

// Kernel ticks since interrupts_init().
u64 tick_count();

}  // namespace petrel
