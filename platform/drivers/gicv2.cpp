// SPDX-License-Identifier: BSD-2-Clause
// GICv2 driver (see gicv2.hpp).
#include "gicv2.hpp"

#include "cpu.hpp"

namespace petrel::drivers {
namespace {
enum : uptr {
    kDistCtlr = 0x000, kDistTyper = 0x004, kDistIsenabler = 0x100,
    kDistIcpendr = 0x280, kDistIpriorityr = 0x400, kDistItargetsr = 0x800, kDistIcfgr = 0xc00,
    kCpuCtlr = 0x00, kCpuPmr = 0x04, kCpuBpr = 0x08, kCpuHppir = 0x18,
};

// The calling core's CPU interface: every priority unmasked (0xf0 above 0xa0), no
// preemption groups, on.
void cpu_interface_on(uptr cpu) {
    arm::mmio_write(cpu + kCpuPmr, 0xf0);
    arm::mmio_write(cpu + kCpuBpr, 0);
    arm::mmio_write(cpu + kCpuCtlr, 1);
}
}  // namespace

using arm::mmio_read;
using arm::mmio_write;

u32 GicV2::lines() const { return 32 * ((mmio_read(dist_ + kDistTyper) & 0x1f) + 1); }

void GicV2::init() const {
    mmio_write(dist_ + kDistCtlr, 0);
    u32 n = lines();
    for (u32 i = 0; i < n; i += 32) {
        mmio_write(dist_ + kDistIcenabler + i / 8, ~0u);
        mmio_write(dist_ + kDistIcpendr + i / 8, ~0u);
    }
    for (u32 i = 0; i < n; i += 4) {
        mmio_write(dist_ + kDistIpriorityr + i, 0xa0a0a0a0u);
        if (i >= 32) mmio_write(dist_ + kDistItargetsr + i, 0x01010101u);  // SPIs to CPU 0
    }
    mmio_write(dist_ + kDistCtlr, 1);
    cpu_interface_on(cpu_);
}

// Registers 0 of the enable and pending sets and 0-7 of the priorities are
// each core's own (SGIs and PPIs); init() did core 0's with the rest.
void GicV2::init_cpu() const {
    mmio_write(dist_ + kDistIcenabler, ~0u);
    mmio_write(dist_ + kDistIcpendr, ~0u);
    for (u32 i = 0; i < 32; i += 4) mmio_write(dist_ + kDistIpriorityr + i, 0xa0a0a0a0u);
    cpu_interface_on(cpu_);
}

void GicV2::unmask(u32 line) const { mmio_write(dist_ + kDistIsenabler + 4 * (line / 32), 1u << (line % 32)); }

void GicV2::set_trigger(u32 line, bool edge) const {
    const uptr enabler = dist_ + kDistIsenabler + 4 * (line / 32);  // reads back the enables
    const bool enabled = mmio_read(enabler) & (1u << (line % 32));
    if (enabled) mask(line);
    const uptr cfg = dist_ + kDistIcfgr + 4 * (line / 16);
    const u32 bit = 2u << (2 * (line % 16));  // Int_config[1]: 1 = edge-triggered
    u32 v = mmio_read(cfg);
    mmio_write(cfg, edge ? v | bit : v & ~bit);
    if (enabled) unmask(line);
}

bool GicV2::pending() const { return (mmio_read(cpu_ + kCpuHppir) & 0x3ff) < 1020; }

}  // namespace petrel::drivers
