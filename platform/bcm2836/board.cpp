// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for the Raspberry Pi 2/3: PL011 console and BCM2836/BCM2835 interrupts (see src/kernel/platform.hpp).
//
// The boards' facts (addresses, lines, clocks) are in platform/rpi2/board.toml
// and platform/rpi3/board.toml; board.hpp is generated from them. Several cores:
// each core's interrupts are its own local controller registers' (bcm2836_irq.hpp),
// the IPI is the target core's mailbox 0 (board::kIpiIrq, its local source 4).
#include "bcm2836_irq.hpp"
#include "bcm_console.hpp"     // console_init, console_putc: the Pi's PL011
#include "bcm_start_core.hpp"  // start_core: the Pi's spin mailboxes
#include "board.hpp"
#include "cpu.hpp"
#include "kernel_vspace.hpp"
#include "platform.hpp"

namespace petrel::platform {
namespace {
constexpr drivers::Bcm2836Irq kIrq{arm::io_vaddr(board::kLocal), arm::io_vaddr(board::kArmIrqCtrl)};
static_assert(arm::io_vaddr(board::kLocal) != 0);
static_assert(board::kIpiIrq == drivers::Bcm2836Irq::kIpiLine);
}  // namespace

void irq_init() { kIrq.init(); }
void irq_init_core() { kIrq.init_core(); }
void ipi_send(u32 core) {
    arm::dsb();  // this core's writes, visible to the one it interrupts
    kIrq.mailbox_set(core, 0, 1);
}
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
