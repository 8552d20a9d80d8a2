// SPDX-License-Identifier: BSD-2-Clause
// The UART driver as an app of any system: Petrel's component `uart_driver` (apps/README.md, "Components").
//
// The app's description gives it one [[irq]] (the PL011's line), one [[device]]
// (the PL011's page) and one endpoint channel it serves (its clients'
// console: petrel/uart.hpp). A client of that channel that serves a
// notification channel the driver is a client of is signalled through it when
// input arrives. What is missing is named on the console and the app returns
// (the root task reports it as exited).
#include "drivers.hpp"
#include PETREL_SYSTEM_TABLES
#include "petrel/system.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using namespace petrel::system;

extern "C" void petrel_app_main(u32 me, u32) {
    const u32 irq = first_irq(kSystem, me), dev = first_device(kSystem, me), ch = served_endpoint(kSystem, me);
    const char *missing = irq == kSystem.irqs.count      ? "an [[irq]] (the UART's interrupt line)"
                          : dev == kSystem.devices.count ? "a [[device]] (the PL011's registers)"
                          : ch == kSystem.channels.count ? "an endpoint channel it serves"
                                                         : nullptr;
    if (missing) {
        printf("uart_driver: app '%s' has no %s: not starting\n", kSystem.apps[me].name, missing);
        return;
    }
    drivers::UartConfig c{device_vaddr(kSystem, dev), channel_slot(kSystem, me, ch), irq_slot(kSystem, me, irq),
                          kSystem.irqs[irq].badge, {}};
    notify_slots(kSystem, me, ch, c.client_ntfn);
    drivers::uart_driver_run(c);
}
