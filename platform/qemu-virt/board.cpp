// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for QEMU virt: PL011 console and GICv2 (see src/kernel/platform.hpp).
//
// The board's facts (addresses, lines, clocks) are in platform/qemu-virt/board.toml;
// board.hpp is generated from it.
#include "board.hpp"

#include "gicv2_glue.hpp"  // irq_*
#include "kernel_vspace.hpp"
#include "pl011.hpp"
#include "platform.hpp"

namespace petrel::platform {
namespace {
constexpr drivers::Pl011 kUart{arm::io_vaddr(board::kConsoleUart)};
static_assert(arm::io_vaddr(board::kConsoleUart) != 0);
}  // namespace

void console_init() { kUart.init(board::kUartClockHz, 115200, true); }
void console_putc(char c) { kUart.putc(c); }

u32 timer_default_hz() { return board::kTimerDefaultHz; }

}  // namespace petrel::platform
