// SPDX-License-Identifier: BSD-2-Clause
// The interrupt calls of src/kernel/platform.hpp over a board's GICv2 (QEMU
// virt, the Pi 4's GIC-400), at board::kGicDist and board::kGicCpu.
//
// Definitions, not declarations: the board's board.cpp includes this once (one
// glue is linked into a kernel). Line numbers are GIC interrupt IDs.
//
// Several cores (kCores > 1): the IPI is SGI board::kIpiIrq, enabled on every
// core (irq_init on core 0, irq_init_core on the others). An SGI's end of
// interrupt must name the core that sent it, so irq_claim() keeps the whole
// acknowledge value of the SGI it returns, per core, for irq_complete(). With one
// core the calls are the uniprocessor ones.
#pragma once

#include "board.hpp"
#include "gicv2.hpp"
#include "kernel_vspace.hpp"
#include "platform.hpp"
#include "smp.hpp"

namespace petrel::platform {

inline constexpr drivers::GicV2 kGic{arm::io_vaddr(board::kGicDist), arm::io_vaddr(board::kGicCpu)};
static_assert(arm::io_vaddr(board::kGicDist) != 0 && arm::io_vaddr(board::kGicCpu) != 0);
static_assert(board::kIpiIrq < 16, "the IPI is an SGI");

// The acknowledge value of the SGI each core last claimed (kCores > 1).
inline u32 g_sgi_iar[kCores];

void irq_init() {
    kGic.init();
    if constexpr (kCores > 1) kGic.unmask(board::kIpiIrq);
}
void irq_init_core() {
    kGic.init_cpu();
    kGic.unmask(board::kIpiIrq);
}
void ipi_send(u32 core) { kGic.send_sgi(core, board::kIpiIrq); }
void irq_unmask(u32 line) { kGic.unmask(line); }
void irq_mask(u32 line) { kGic.mask(line); }
bool irq_maskable(u32 line) { return line >= 16 && line < board::kIrqLines; }  // not SGIs
bool irq_trigger_settable(u32 line) { return kGic.trigger_settable(line); }
void irq_set_trigger(u32 line, bool edge) { kGic.set_trigger(line, edge); }
u32 irq_claim() {
    if constexpr (kCores == 1) {
        return kGic.claim();
    } else {
        const u32 iar = kGic.acknowledge();
        const u32 id = drivers::GicV2::id_of(iar);
        if (drivers::GicV2::spurious(id)) return kNoIrq;
        if (id < 16) g_sgi_iar[core_id()] = iar;
        return id;
    }
}
void irq_complete(u32 line) {
    if constexpr (kCores > 1) {
        if (line < 16) {
            kGic.complete(g_sgi_iar[core_id()]);
            return;
        }
    }
    kGic.complete(line);
}
bool irq_pending() { return kGic.pending(); }

}  // namespace petrel::platform
