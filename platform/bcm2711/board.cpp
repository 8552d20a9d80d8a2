// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for the Raspberry Pi 4 (BCM2711): PL011 console on the header
// pins and the GIC-400 (see src/kernel/platform.hpp).
//
// The board's facts (addresses, lines, clocks) are in platform/rpi4/board.toml;
// board.hpp is generated from it. The peripherals are at their low addresses
// (the firmware's default for a 32-bit kernel, arm_peri_high=0).
#include "board.hpp"

#include "bcm2835_gpio.hpp"
#include "gicv2.hpp"
#include "kernel_vspace.hpp"
#include "pl011.hpp"
#include "platform.hpp"

namespace petrel::platform {
namespace {
constexpr drivers::Pl011 kUart{arm::io_vaddr(board::kConsoleUart)};
constexpr drivers::GicV2 kGic{arm::io_vaddr(board::kGicDist), arm::io_vaddr(board::kGicCpu)};
static_assert(arm::io_vaddr(board::kConsoleUart) != 0 && arm::io_vaddr(board::kGicCpu) != 0 &&
              arm::io_vaddr(board::kGpio) != 0);
}  // namespace

void console_init() {
    // The firmware puts the mini UART on GPIO 14/15 (the PL011 serves
    // Bluetooth): take the header pins for the PL011, program it at 115200.
    if constexpr (board::kConsoleReclaimPins) {
        drivers::gpio_uart0_on_header_pins(arm::io_vaddr(board::kGpio));
        kUart.init(board::kUartClockHz, 115200, false);
    } else {
        kUart.init(board::kUartClockHz, 115200, true);
    }
}
void console_putc(char c) { kUart.putc(c); }

void irq_init() { kGic.init(); }
void irq_unmask(u32 line) { kGic.unmask(line); }
void irq_mask(u32 line) { kGic.mask(line); }
bool irq_maskable(u32 line) { return line >= 16 && line < board::kIrqLines; }  // not SGIs
bool irq_trigger_settable(u32 line) { return kGic.trigger_settable(line); }
void irq_set_trigger(u32 line, bool edge) { kGic.set_trigger(line, edge); }
u32 irq_claim() { return kGic.claim(); }
void irq_complete(u32 line) { kGic.complete(line); }
bool irq_pending() { return kGic.pending(); }

u32 timer_default_hz() { return board::kTimerDefaultHz; }

}  // namespace petrel::platform
