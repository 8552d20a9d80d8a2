// SPDX-License-Identifier: BSD-2-Clause
// The console calls of src/kernel/platform.hpp on a Raspberry Pi: the PL011
// (uart0) at board::kConsoleUart, on the header's pins GPIO 14/15.
//
// Definitions, not declarations: the board's board.cpp includes this once.
// Where the firmware gives the PL011 to Bluetooth and the header pins to the
// mini UART (the Pi 3 and 4: board::kConsoleReclaimPins), the kernel takes the
// pins back and programs the UART afresh at 115200; else (the Pi 2) it keeps
// the rate U-Boot set.
#pragma once

#include "bcm2835_gpio.hpp"
#include "board.hpp"
#include "kernel_vspace.hpp"
#include "pl011.hpp"
#include "platform.hpp"

namespace petrel::platform {

inline constexpr drivers::Pl011 kUart{arm::io_vaddr(board::kConsoleUart)};
static_assert(arm::io_vaddr(board::kConsoleUart) != 0 && arm::io_vaddr(board::kGpio) != 0);

void console_init() {
    if constexpr (board::kConsoleReclaimPins) {
        drivers::gpio_uart0_on_header_pins(arm::io_vaddr(board::kGpio));
        kUart.init(board::kUartClockHz, 115200, false);
    } else {
        kUart.init(board::kUartClockHz, 115200, true);
    }
}
void console_putc(char c) { kUart.putc(c); }

}  // namespace petrel::platform
