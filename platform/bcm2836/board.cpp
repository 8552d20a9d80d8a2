// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for the Raspberry Pi 2/3: PL011 console and BCM2836/BCM2835 interrupts (see src/kernel/platform.hpp).
//
// The boards' facts (addresses, lines, clocks) are in platform/rpi2/board.toml
// and platform/rpi3/board.toml; board.hpp is generated from them.
#include "board.hpp"

#include "bcm2835_gpio.hpp"
#include "bcm2836_irq.hpp"
#include "cpu.hpp"
#include "kernel_vspace.hpp"
#include "pl011.hpp"
#include "platform.hpp"

namespace petrel::platform {
namespace {
constexpr drivers::Pl011 kUart{arm::io_vaddr(board::kConsoleUart)};
constexpr drivers::Bcm2836Irq kIrq{arm::io_vaddr(board::kLocal), arm::io_vaddr(board::kArmIrqCtrl)};
static_assert(arm::io_vaddr(board::kConsoleUart) != 0 && arm::io_vaddr(board::kLocal) != 0);
}  // namespace

void console_init() {
    if constexpr (board::kConsoleReclaimPins) {
        // On the Pi 3 the firmware gives the PL011 to Bluetooth and puts the mini
        // UART on GPIO 14/15. Petrel's console is the PL011: take the header pins
        // back and program the UART afresh at 115200.
        drivers::gpio_uart0_on_header_pins(arm::io_vaddr(board::kGpio));
        kUart.init(board::kUartClockHz, 115200, false);
    } else {
        kUart.init(board::kUartClockHz, 115200, true);
    }
}
void console_putc(char c) { kUart.putc(c); }

void irq_init() { kIrq.init(); }
void irq_unmask(u32 line) { (void)kIrq.unmask(line); }
void irq_mask(u32 line) { (void)kIrq.mask(line); }
bool irq_maskable(u32 line) { return drivers::Bcm2836Irq::maskable(line); }
bool irq_trigger_settable(u32) { return false; }  // level-sensitive, fixed
void irq_set_trigger(u32, bool) {}
u32 irq_claim() { return kIrq.claim(); }
void irq_complete(u32) {}
bool irq_pending() { return kIrq.pending(); }

u32 timer_default_hz() { return board::kTimerDefaultHz; }

}  // namespace petrel::platform
