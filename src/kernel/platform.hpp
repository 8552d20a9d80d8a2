// SPDX-License-Identifier: BSD-2-Clause
// The interface every board in platform/ implements; the generic kernel calls only this.
//
// A board provides, in platform/<board>/: board.toml (its facts: name, RAM base
// and default size, device regions, the console UART, the timer's lines, from
// which the build generates the constexpr board.hpp) and a board.cpp (its own or
// a shared glue's) implementing the functions below, usually by forwarding to a
// shared driver in platform/drivers/. Selection is at compile time by Meson.
#pragma once

#include "petrel/types.hpp"

namespace petrel::platform {

// Interrupt line numbers are the board's own numbering (its board.toml documents it).
constexpr u32 kNoIrq = ~0u;

// Console UART: polled output, usable from any context after console_init().
void console_init();
void console_putc(char c);

// Interrupt controller: every line starts masked after irq_init().
void irq_init();
void irq_unmask(u32 line);
void irq_mask(u32 line);
// Whether `line` (below board::kIrqLines) can be masked and unmasked, so that
// the kernel can hand it to a user driver.
bool irq_maskable(u32 line);
// Whether the controller can make `line` edge-triggered or level-sensitive.
bool irq_trigger_settable(u32 line);
// Makes a line edge-triggered (`edge`) or level-sensitive; only for a line
// irq_trigger_settable() accepts.
void irq_set_trigger(u32 line, bool edge);
// The highest-priority pending line, acknowledged at the controller, or kNoIrq.
u32 irq_claim();
// Ends the handling of a line returned by irq_claim().
void irq_complete(u32 line);
// Whether an unmasked interrupt is waiting (the kernel's preemption points ask).
bool irq_pending();

// Several cores (the build option cores > 1; a one-core kernel never calls these).
// start_core() starts core `core` (1..3) at physical address `entry`, MMU off, in
// SVC or HYP mode: PSCI CPU_ON on virt, the ARM-local mailbox 3 on the Pis (which
// QEMU's and the firmware's spin code and platform/armstub poll). False when the
// board has no way to start it. irq_init_core() sets up the calling core's part of
// the interrupt controller (a secondary core, before it takes interrupts: the
// GIC's CPU interface and banked lines). ipi_send() raises the inter-processor
// interrupt on `core`: irq_claim() there returns board::kIpiIrq. Lines private to
// a core (the timer's) are unmasked and masked on the core that calls irq_unmask()
// or irq_mask(); every other line goes to core 0.
bool start_core(u32 core, paddr_t entry);
void irq_init_core();
void ipi_send(u32 core);
// The counter frequency to assume when CNTFRQ reads zero. (The timer's lines
// are board data: board::kTimerIrqs, see src/kernel/interrupt.hpp.)
u32 timer_default_hz();

}  // namespace petrel::platform
