// SPDX-License-Identifier: BSD-2-Clause
// demo: the timer service as an app of the demo system (apps/drivers' service, the demo's slots).
//
// Each client of its clock channel that serves a notification channel the
// service is a client of (the shell: wakeup) is woken through it.
#include "../drivers/drivers.hpp"
#include "demo.hpp"
#include "petrel/timer.hpp"

using namespace demo;

extern "C" void petrel_app_main(u32, u32) {
    constexpr u32 kMe = app::timer, kIrq = first_irq(kMe);
    static_assert(kIrq < kIrqsCount, "the timer service needs its interrupt line");
    static_assert(slots_end(kSystem, kMe) + timer::kMaxPending <= (1u << kAppCNodeRadix));
    drivers::TimerConfig c{channel_slot(kSystem, kMe, channel::clock), irq_slot(kSystem, kMe, kIrq),
                           kIrqs[kIrq].badge, kAppCNodeRadix, slots_end(kSystem, kMe), {}};
    fill_clients<kMe, channel::clock>(c.client_ntfn);
    drivers::timer_service_run(c);
}
