// SPDX-License-Identifier: BSD-2-Clause
// ARM Generic Interrupt Controller v2 (distributor + CPU interface), as on QEMU virt.
//
// Line numbers are GIC interrupt IDs: 0-15 SGIs, 16-31 PPIs (the non-secure
// physical timer is 30), 32 and up SPIs. Every line is routed to CPU 0, at one
// priority, and starts masked.
#pragma once

#include "cpu.hpp"
#include "petrel/types.hpp"

namespace petrel::drivers {

class GicV2 {
  public:
    constexpr GicV2(uptr dist, uptr cpu) : dist_(dist), cpu_(cpu) {}
    void init() const;
    void unmask(u32 line) const;
    // mask, claim and complete run on every interrupt: inline, so that a
    // board's constexpr GicV2 makes them a load or a store each.
    void mask(u32 line) const { arm::mmio_write(dist_ + kDistIcenabler + 4 * (line / 32), 1u << (line % 32)); }
    // Acknowledges and returns the highest-priority pending interrupt ID, or
    // ~0u when none (spurious).
    u32 claim() const {
        const u32 id = arm::mmio_read(cpu_ + kCpuIar) & 0x3ff;
        return id >= kSpurious ? ~0u : id;
    }
    void complete(u32 line) const { arm::mmio_write(cpu_ + kCpuEoir, line); }
    // SPIs (32 and up) can be set; SGIs' and PPIs' configuration is fixed.
    bool trigger_settable(u32 line) const { return line >= 32 && line < lines(); }
    // GICD_ICFGR, for a line trigger_settable() accepts. The line is disabled
    // while it changes.
    void set_trigger(u32 line, bool edge) const;
    // An enabled interrupt is pending (GICC_HPPIR), without acknowledging it.
    bool pending() const;
    u32 lines() const;

  private:
    static constexpr uptr kDistIcenabler = 0x180, kCpuIar = 0x0c, kCpuEoir = 0x10;
    static constexpr u32 kSpurious = 1020;
    uptr dist_;
    uptr cpu_;
};

}  // namespace petrel::drivers
