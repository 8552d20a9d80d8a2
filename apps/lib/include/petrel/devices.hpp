// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the devices user-level drivers reach on each board: physical addresses and interrupt lines.
//
// The board's facts come from platform/<board>/board.toml, which the build
// turns into board_devices.hpp (an app that includes this is built with
// app_board_args, which finds it; petrel_root_dep and petrel_app_dep add them).
// Interrupt lines are numbered as the kernel's IRQ Control numbers them: GIC IDs
// on virt; on the Pi, platform/drivers/bcm2836_irq.hpp (0-31 core 0's local
// sources, 32-95 the BCM2835 "GPU" interrupts, 96-103 the basic ARM
// interrupts). The kernel's board.hpp is generated from the same file; a test
// that relies on these facts checks them against the kernel (the range error's
// last line, the reserved lines).
#pragma once

#include "board_devices.hpp"
#include "petrel/types.hpp"

namespace petrel::devices {

// kBoard, kUartPaddr, kUartIrq, kVirtualTimerIrq, kKernelTimerIrqs, kIrqLines,
// kUnmaskableIrq, kSpareIrq, kCanSetTrigger: board_devices.hpp.

// PL011 registers (byte offsets) and bits, the same on every board (each console is a PL011).
namespace pl011 {
constexpr u32 kDr = 0x00, kFr = 0x18, kImsc = 0x38, kMis = 0x40, kIcr = 0x44;
constexpr u32 kFrRxfe = 1u << 4, kFrTxff = 1u << 5;
constexpr u32 kIntRx = 1u << 4, kIntRt = 1u << 6;  // receive, receive timeout
constexpr u32 kIntAll = 0x7ff;
}  // namespace pl011

}  // namespace petrel::devices
