// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for the Raspberry Pi 2/3: PL011 console and BCM2836/BCM2835 interrupts (see src/kernel/platform.hpp).
//
// The boards' facts (addresses, lines, clocks) are in platform/rpi2/board.toml
// and platform/rpi3/board.toml; board.hpp is generated from them.
#include "bcm2836_irq.hpp"
#include "bcm_console.hpp"  // console_init, console_putc: the Pi's PL011
#include "board.hpp"
#include "cpu.hpp"
#include "kernel_vspace.hpp"
#include "platform.hpp"

namespace petrel::platform {
namespace {
constexpr drivers::Bcm2836Irq kIrq{arm::io_vaddr(board::kLocal), arm::io_vaddr(board::kArmIrqCtrl)};
static_assert(arm::io_vaddr(board::kLocal) != 0);
}  // namespace

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
