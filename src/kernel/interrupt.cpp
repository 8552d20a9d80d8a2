// SPDX-License-Identifier: BSD-2-Clause
// Interrupt dispatch and the kernel tick (see interrupt.hpp).
#include "interrupt.hpp"

#include "arch.hpp"
#include "console.hpp"
#include "platform.hpp"

namespace petrel {
namespace {
volatile u64 g_ticks;
}

u64 tick_count() { return g_ticks; }

void interrupts_init() {
    platform::irq_init();
    u32 freq = arch::timer_start(kTickHz, platform::timer_default_hz());
    for (u32 line : platform::kTimerIrqs) platform::irq_unmask(line);
    kprintf("Timer: generic timer at %u Hz, kernel tick %u Hz on lines %u and %u\n", freq, kTickHz,
            platform::kTimerIrqs[0], platform::kTimerIrqs[1]);
}

void handle_interrupt() {
    u32 line = platform::irq_claim();
    if (line == platform::kNoIrq) return;  // spurious
    if (platform::is_timer_irq(line)) {
        arch::timer_rearm();
        g_ticks = g_ticks + 1;
    } else {
        platform::irq_mask(line);
        kprintf("Interrupt: line %u has no handler, masked\n", line);
    }
    platform::irq_complete(line);
}

}  // namespace petrel
