// SPDX-License-Identifier: BSD-2-Clause
// The example product's protocol between its sensor and its logger, and their caps (from system.toml).
#pragma once

#include "product_system.hpp"
#include "petrel/system.hpp"
#include "petrel/uart.hpp"

namespace product {

using namespace petrel;
using namespace petrel::system;

// Channel "readings" (Calls from the sensor): label kReading, MR0 a reading.
// The logger adds it to the running total at the start of the shared page
// "totals" and replies MR0 = the new total.
constexpr u32 kReading = 1;

// The shared page "totals": what the logger keeps there.
struct Totals {
    u32 count;
    u32 sum;
};

// An app's console: printf through Petrel's UART driver (channel "console").
template <u32 kApp>
uart::Client console() {
    constexpr u32 kConsole = channel_slot(kSystem, kApp, channel::console);
    static_assert(kConsole, "the app is a client of the console channel");
    return uart::Client(kConsole, 0, process_ipc_buffer());
}

}  // namespace product
