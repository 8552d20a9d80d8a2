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
    platform::irq_unmask(platform::timer_irq());
    kprintf("Timer: generic timer at %u Hz, kernel tick %u Hz on line %u\n", freq, kTickHz, platform::timer_irq());
}

void handle_interrupt() {
    u32 line = platform::irq_claim();
    if (line == platform::kNoIrq) return;  // spurious
    if (line == platform::timer_irq()) {
        arch::timer_rearm();
        g_ticks = g_ticks + 1;
    } else {
        platform::irq_mask(line);
        kprintf("Interrupt: line %u has no handler, masked\n", line);
    }
    platform::irq_complete(line);
}

}  // namespace petrel
