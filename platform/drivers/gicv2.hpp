// SPDX-License-Identifier: BSD-2-Clause
// ARM Generic Interrupt Controller v2 (distributor + CPU interface), as on QEMU virt.
//
// Line numbers are GIC interrupt IDs: 0-15 SGIs, 16-31 PPIs (the non-secure
// physical timer is 30), 32 and up SPIs. Every line is routed to CPU 0, at one
// priority, and starts masked.
//
// Several cores: init() (core 0) sets up the distributor and core 0's side;
// init_cpu() the calling core's banked SGI/PPI state and its CPU interface. The
// SGI and PPI enables are banked: unmask() and mask() of a line below 32 act on
// the calling core. A core's GIC CPU interface number is taken to be its MPIDR
// Aff0 (so on QEMU virt and the BCM2711).
#pragma once

#include "cpu.hpp"
#include "petrel/types.hpp"

namespace petrel::drivers {

class GicV2 {
  public:
    constexpr GicV2(uptr dist, uptr cpu) : dist_(dist), cpu_(cpu) {}
    void init() const;
    void init_cpu() const;
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
    // The raw acknowledge (GICC_IAR): an SGI's ID in bits 9:0 with the sending
    // CPU in bits 12:10, which complete() must be given back whole.
    u32 acknowledge() const { return arm::mmio_read(cpu_ + kCpuIar); }
    static constexpr u32 id_of(u32 iar) { return iar & 0x3ff; }
    static constexpr bool spurious(u32 id) { return id >= kSpurious; }
    // Raises SGI `id` (0-15) on CPU interface `cpu`, after a barrier that makes
    // this core's writes visible to the one it interrupts.
    void send_sgi(u32 cpu, u32 id) const {
        arm::dsb();
        arm::mmio_write(dist_ + kDistSgir, (1u << (16 + cpu)) | id);
    }
    // SPIs (32 and up) can be set; SGIs' and PPIs' configuration is fixed.
    bool trigger_settable(u32 line) const { return line >= 32 && line < lines(); }
    // GICD_ICFGR, for a line trigger_settable() accepts. The line is disabled
    // while it changes.
    void set_trigger(u32 line, bool edge) const;
    // An enabled interrupt is pending (GICC_HPPIR), without acknowledging it.
    bool pending() const;
    u32 lines() const;

  private:
    static constexpr uptr kDistIcenabler = 0x180, kDistSgir = 0xf00, kCpuIar = 0x0c, kCpuEoir = 0x10;
    static constexpr u32 kSpurious = 1020;
    uptr dist_;
    uptr cpu_;
};

}  // namespace petrel::drivers
