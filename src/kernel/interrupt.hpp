// SPDX-License-Identifier: BSD-2-Clause
// Interrupt dispatch and the kernel tick.
//
// The architecture calls handle_interrupt() for every IRQ. The kernel ticks from
// the generic timer's physical timer; which of its two lines fires depends on
// the security state the loader left the CPU in (QEMU's direct ELF boot on
// raspi2b runs the kernel Secure, the Pi firmware and U-Boot Non-secure), so, as
// Linux does, the kernel owns both: board::kTimerIrqs. Those are the only lines
// the kernel owns; every other line goes to the user-level driver holding its
// IrqHandler (irq_handler.hpp), or, held by nobody, is masked and reported.
// With several cores the kernel also owns the IPI line (board::kIpiIrq), and
// each core ticks from its own timer; device lines go to core 0.
#pragma once

#include "petrel/types.hpp"

namespace petrel {

constexpr u32 kTickHz = 100;

void interrupts_init();
// A secondary core's part (several cores): its controller interface, its own
// timer ticking and its lines (timer, IPI) unmasked.
void interrupts_init_core();
void handle_interrupt();

// Kernel ticks since interrupts_init().
u64 tick_count();

}  // namespace petrel
