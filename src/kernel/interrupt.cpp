// SPDX-License-Identifier: BSD-2-Clause
// Interrupt dispatch and the kernel tick (see interrupt.hpp).
#include "interrupt.hpp"

#include "arch.hpp"
#include "board.hpp"
#include "console.hpp"
#include "irq_handler.hpp"
#include "platform.hpp"
#include "scheduler.hpp"
#include "smp.hpp"

namespace petrel {
namespace {
volatile u64 g_ticks;

static_assert(sizeof(board::kTimerIrqs) / sizeof(board::kTimerIrqs[0]) == 2, "secure and non-secure line");
bool is_timer_irq(u32 line) { return line == board::kTimerIrqs[0] || line == board::kTimerIrqs[1]; }
}  // namespace

u64 tick_count() { return g_ticks; }

void interrupts_init() {
    platform::irq_init();
    u32 freq = arch::timer_start(kTickHz, platform::timer_default_hz());
    for (u32 line : board::kTimerIrqs) platform::irq_unmask(line);
#if PETREL_CORES > 1
    platform::irq_unmask(board::kIpiIrq);
#endif
    kprintf("Timer: generic timer at %u Hz, kernel tick %u Hz on lines %u and %u\n", freq, kTickHz,
            board::kTimerIrqs[0], board::kTimerIrqs[1]);
}

#if PETREL_CORES > 1
void interrupts_init_core() {
    platform::irq_init_core();
    arch::timer_start(kTickHz, platform::timer_default_hz());
    for (u32 line : board::kTimerIrqs) platform::irq_unmask(line);  // (this core's)
    platform::irq_unmask(board::kIpiIrq);
}
#endif

void handle_interrupt() {
    u32 line = platform::irq_claim();
    if (line == platform::kNoIrq) return;  // spurious
    if (is_timer_irq(line)) {
        arch::timer_rearm();
        if (core_id() == 0) g_ticks = g_ticks + 1;  // (every core ticks; the count is core 0's)
        sched_tick();
#if PETREL_CORES > 1
    } else if (line == board::kIpiIrq) {
        // Another core asked this one to choose again (it set the action) or
        // to let go of a thread (answered while waiting for the lock): nothing
        // is left to do here.
#endif
    } else if (!irq_deliver(line)) {  // a driver's: masked until its Ack
        platform::irq_mask(line);
        kprintf("Interrupt: line %u has no handler, masked\n", line);
    }
    platform::irq_complete(line);
}

}  // namespace petrel
