// SPDX-License-Identifier: BSD-2-Clause
// The Raspberry Pi 2/3 interrupt controllers: BCM2836 per-core local controller cascaded with the BCM2835 ARM
// controller.
//
// Line numbering (the board's own, used by IRQ caps later):
//    0-31   the calling core's local sources, by bit of its IRQ source register:
//           0 CNTPS, 1 CNTPNS (the kernel tick), 2 CNTHP, 3 CNTV timers,
//           4-7 mailboxes 0-3, 8 the GPU cascade, 9 PMU, 11 local timer
//   32-95   BCM2835 "GPU" interrupts 0-63 (pending registers 1 and 2)
//   96-103  BCM2835 basic ARM interrupts 0-7 (ARM timer, mailbox, doorbells...)
// Only the four generic-timer lines and lines 32-103 can be masked and unmasked.
// Both controllers are level-sensitive and need no end-of-interrupt write.
//
// Each core has its own local registers (timer and mailbox interrupt control,
// IRQ source, mailboxes): every call acts on the calling core's (core_id(),
// src/kernel/smp.hpp; core 0's alone in a one-core kernel). The GPU interrupts
// go to core 0. Several cores: the IPI is mailbox 0 (line kIpiLine), whose
// interrupt init() and init_core() enable; claim() clears it.
#pragma once

#include "petrel/types.hpp"

namespace petrel::drivers {

class Bcm2836Irq {
  public:
    static constexpr u32 kGpuBase = 32, kBasicBase = 96, kLines = 104;
    static constexpr u32 kIpiLine = 4;  // mailbox 0

    constexpr Bcm2836Irq(uptr local, uptr armctrl) : local_(local), armctrl_(armctrl) {}
    void init() const;
    // The calling core's local registers (a core other than 0, several cores).
    void init_core() const;
    // Writes `value` to core `core`'s mailbox `mailbox` (0-3): its bits are set.
    void mailbox_set(u32 core, u32 mailbox, u32 value) const;
    // Returns false for a line that cannot be masked or unmasked.
    bool unmask(u32 line) const;
    bool mask(u32 line) const;
    // Lines set_enabled() can switch: the four generic-timer lines and 32-103.
    static constexpr bool maskable(u32 line) { return line < 4 || (line >= kGpuBase && line < kLines); }
    u32 claim() const;
    // A source is pending for the calling core (only enabled sources are shown).
    bool pending() const;

  private:
    bool set_enabled(u32 line, bool on) const;
    uptr local_;
    uptr armctrl_;
};

}  // namespace petrel::drivers
