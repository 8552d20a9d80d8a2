// SPDX-License-Identifier: BSD-2-Clause
// demo: the UART driver as an app of the demo system (apps/drivers' driver, the demo's slots).
//
// Each client of its console channel that serves a notification channel the
// driver is a client of (the shell: console_input) is signalled through it
// when input arrives.
#include "../drivers/drivers.hpp"
#include "demo.hpp"
#include "petrel/uart.hpp"

using namespace demo;

extern "C" void petrel_app_main(u32, u32) {
    constexpr u32 kMe = app::uart, kIrq = first_irq(kMe);
    static_assert(kIrq < kIrqsCount, "the UART driver needs its interrupt line");
    drivers::UartConfig c{device_vaddr(kSystem, device::pl011), channel_slot(kSystem, kMe, channel::console),
                          irq_slot(kSystem, kMe, kIrq), kIrqs[kIrq].badge, {}};
    fill_clients<kMe, channel::console>(c.client_ntfn);
    drivers::uart_driver_run(c);
}
