// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the devices user-level drivers reach on each board: physical addresses and interrupt lines.
//
// An app that includes this is built with the board's define (apps/meson.build
// adds it to app_board_args): PETREL_BOARD_QEMU_VIRT or PETREL_BOARD_BCM2836
// (the Raspberry Pi 2 and 3). Interrupt lines are numbered as the kernel's IRQ
// Control numbers them: GIC IDs on virt; on the Pi, platform/drivers/bcm2836_irq.hpp
// (0-31 core 0's local sources, 32-95 the BCM2835 "GPU" interrupts, 96-103 the
// basic ARM interrupts). These facts mirror the kernel's platform/*/board.hpp,
// which user code does not see; a test that relies on them checks them against
// the kernel (the range error's last line, the reserved lines).
#pragma once

#include "petrel/types.hpp"

namespace petrel::devices {

#if defined(PETREL_BOARD_QEMU_VIRT)
constexpr const char *kBoard = "qemu-virt";
// PL011 UART0: the console, shared with the kernel's polled debug output.
constexpr paddr_t kUartPaddr = 0x0900'0000;
constexpr u32 kUartIrq = 33;  // SPI 1
// The generic timer's virtual timer (CNTV), which user mode may program.
constexpr u32 kVirtualTimerIrq = 27;  // PPI 11
// The kernel's tick: the physical timer's secure and non-secure PPIs.
constexpr u32 kKernelTimerIrqs[] = {29, 30};
constexpr u32 kIrqLines = 288;  // 32 SGIs and PPIs, 256 SPIs
// A line the controller cannot mask: an SGI (software-generated, 0-15).
constexpr u32 kUnmaskableIrq = 5;
// A line no driver of the test image uses: the PL031 RTC's (SPI 2).
constexpr u32 kSpareIrq = 34;
// The GIC sets the trigger of its shared lines (32 and up).
constexpr bool kCanSetTrigger = true;
#elif defined(PETREL_BOARD_BCM2836)
constexpr const char *kBoard = "bcm2836";
constexpr paddr_t kUartPaddr = 0x3f20'1000;  // PL011 uart0
constexpr u32 kUartIrq = 89;                 // GPU interrupt 57
constexpr u32 kVirtualTimerIrq = 3;          // core 0 local source CNTVIRQ
constexpr u32 kKernelTimerIrqs[] = {0, 1};   // CNTPSIRQ, CNTPNSIRQ
constexpr u32 kIrqLines = 104;
constexpr u32 kUnmaskableIrq = 8;  // the local controller's GPU cascade
constexpr u32 kSpareIrq = 33;      // BCM2835 system timer channel 1 (GPU interrupt 1)
constexpr bool kCanSetTrigger = false;  // both controllers are level-sensitive, fixed
#else
#error "petrel/devices.hpp needs PETREL_BOARD_QEMU_VIRT or PETREL_BOARD_BCM2836 (app_board_args)"
#endif

// PL011 registers (byte offsets) and bits, the same on both boards.
namespace pl011 {
constexpr u32 kDr = 0x00, kFr = 0x18, kImsc = 0x38, kMis = 0x40, kIcr = 0x44;
constexpr u32 kFrRxfe = 1u << 4, kFrTxff = 1u << 5;
constexpr u32 kIntRx = 1u << 4, kIntRt = 1u << 6;  // receive, receive timeout
constexpr u32 kIntAll = 0x7ff;
}  // namespace pl011

}  // namespace petrel::devices
