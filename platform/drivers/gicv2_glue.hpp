// SPDX-License-Identifier: BSD-2-Clause
// The interrupt calls of src/kernel/platform.hpp over a board's GICv2 (QEMU
// virt, the Pi 4's GIC-400), at board::kGicDist and board::kGicCpu.
//
// Definitions, not declarations: the board's board.cpp includes this once (one
// glue is linked into a kernel). Line numbers are GIC interrupt IDs.
#pragma once

#include "board.hpp"
#include "gicv2.hpp"
#include "kernel_vspace.hpp"
#include "platform.hpp"

namespace petrel::platform {

inline constexpr drivers::GicV2 kGic{arm::io_vaddr(board::kGicDist), arm::io_vaddr(board::kGicCpu)};
static_assert(arm::io_vaddr(board::kGicDist) != 0 && arm::io_vaddr(board::kGicCpu) != 0);

void irq_init() { kGic.init(); }
void irq_unmask(u32 line) { kGic.unmask(line); }
void irq_mask(u32 line) { kGic.mask(line); }
bool irq_maskable(u32 line) { return line >= 16 && line < board::kIrqLines; }  // not SGIs
bool irq_trigger_settable(u32 line) { return kGic.trigger_settable(line); }
void irq_set_trigger(u32 line, bool edge) { kGic.set_trigger(line, edge); }
u32 irq_claim() { return kGic.claim(); }
void irq_complete(u32 line) { kGic.complete(line); }
bool irq_pending() { return kGic.pending(); }

}  // namespace petrel::platform
