// SPDX-License-Identifier: BSD-2-Clause
// The timer service as an app of any system: Petrel's component `timer_service` (apps/README.md, "Components").
//
// The app's description gives it one [[irq]] (the generic timer's virtual
// timer line) and one endpoint channel it serves (its clients' clock:
// petrel/timer.hpp); it keeps the callers it has not answered yet in
// timer::kMaxPending free slots of its CNode. A client of that channel that
// serves a notification channel the service is a client of is woken through
// it. What is missing is named on the console and the app returns (the root
// task reports it as exited).
#include "drivers.hpp"
#include PETREL_SYSTEM_TABLES
#include "petrel/system.hpp"
#include "petrel/timer.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using namespace petrel::system;

extern "C" void petrel_app_main(u32 me, u32) {
    const u32 irq = first_irq(kSystem, me), ch = served_endpoint(kSystem, me);
    const char *missing = irq == kSystem.irqs.count      ? "an [[irq]] (the virtual timer's line)"
                          : ch == kSystem.channels.count ? "an endpoint channel it serves"
                          : slots_end(kSystem, me) + timer::kMaxPending > (1u << kAppCNodeRadix)
                              ? "room in its CNode for the callers it holds (too many channels)"
                              : nullptr;
    if (missing) {
        printf("timer_service: app '%s' has no %s: not starting\n", kSystem.apps[me].name, missing);
        return;
    }
    drivers::TimerConfig c{channel_slot(kSystem, me, ch), irq_slot(kSystem, me, irq), kSystem.irqs[irq].badge,
                           kAppCNodeRadix, slots_end(kSystem, me), {}};
    notify_slots(kSystem, me, ch, c.client_ntfn);
    drivers::timer_service_run(c);
}
