// SPDX-License-Identifier: BSD-2-Clause
// demo: the UART driver and the timer service as apps of the demo system (apps/drivers' code, the demo's slots).
//
// Each client of the driver's endpoint channel that serves a notification
// channel the driver is a client of is signalled through it (the shell: its
// console_input and wakeup channels).
#include "../drivers/drivers.hpp"
#include "demo.hpp"
#include "petrel/timer.hpp"
#include "petrel/uart.hpp"

using namespace demo;

namespace {

template <u32 kServer, u32 kChannel>
void fill_clients(u32 (&ntfn)[8]) {
    const ChannelDesc &ch = kSystem.channels[kChannel];
    for (u32 i = ch.first_client; i < ch.first_client + ch.client_count; ++i) {
        const ClientDesc &c = kSystem.clients[i];
        if (c.badge >= 1 && c.badge <= 8) ntfn[c.badge - 1] = notify_slot(kServer, c.app);
    }
}

}  // namespace

extern "C" void petrel_app_uart_driver(u32, u32, u32) {
    constexpr u32 kMe = app::uart, kIrq = first_irq(kMe);
    static_assert(kIrq < kIrqsCount, "the UART driver needs its interrupt line");
    drivers::UartConfig c{device_vaddr(kSystem, device::pl011), channel_slot(kSystem, kMe, channel::console),
                          irq_slot(kSystem, kMe, kIrq), kIrqs[kIrq].badge, {}};
    fill_clients<kMe, channel::console>(c.client_ntfn);
    drivers::uart_driver_run(c);
}

extern "C" void petrel_app_timer_service(u32, u32, u32) {
    constexpr u32 kMe = app::timer, kIrq = first_irq(kMe);
    static_assert(kIrq < kIrqsCount, "the timer service needs its interrupt line");
    static_assert(slots_end(kSystem, kMe) + timer::kMaxPending <= (1u << kAppCNodeRadix));
    drivers::TimerConfig c{channel_slot(kSystem, kMe, channel::clock), irq_slot(kSystem, kMe, kIrq),
                           kIrqs[kIrq].badge, kAppCNodeRadix, slots_end(kSystem, kMe), {}};
    fill_clients<kMe, channel::clock>(c.client_ntfn);
    drivers::timer_service_run(c);
}
