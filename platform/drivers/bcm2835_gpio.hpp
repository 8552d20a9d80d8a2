// SPDX-License-Identifier: BSD-2-Clause
// BCM2835-family GPIO (the Pi 2, 3 and 4 alike): the one thing the kernel does
// with it, giving the header's UART pins to the PL011.
#pragma once

#include "cpu.hpp"
#include "petrel/types.hpp"

namespace petrel::drivers {

// GPIO 14 and 15 (the header's TXD and RXD, pins 8 and 10) to function ALT0,
// the PL011 (uart0). On the Pi 3 and 4 the firmware gives the PL011 to
// Bluetooth and puts the mini UART there; the kernel's console takes them back.
inline void gpio_uart0_on_header_pins(uptr gpio) {
    const uptr gpfsel1 = gpio + 0x04;  // GPIO 10-19, 3 bits each
    const u32 sel = arm::mmio_read(gpfsel1) & ~((7u << 12) | (7u << 15));
    arm::mmio_write(gpfsel1, sel | (4u << 12) | (4u << 15));
}

}  // namespace petrel::drivers
