// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for the Raspberry Pi 4 (BCM2711): the PL011 console on the
// header pins and the GIC-400 (see src/kernel/platform.hpp).
//
// The board's facts (addresses, lines, clocks) are in platform/rpi4/board.toml;
// board.hpp is generated from it. The peripherals are at their low addresses
// (the firmware's default for a 32-bit kernel, arm_peri_high=0).
#include "bcm_console.hpp"     // console_init, console_putc: the Pi's PL011
#include "bcm_start_core.hpp"  // start_core: the Pi's spin mailboxes (the ARM-local block at 0xff80'0000)
#include "gicv2_glue.hpp"      // irq_*, ipi_send: the GIC-400, a GICv2

namespace petrel::platform {

u32 timer_default_hz() { return board::kTimerDefaultHz; }

}  // namespace petrel::platform
