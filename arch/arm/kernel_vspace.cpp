// SPDX-License-Identifier: BSD-2-Clause
// The kernel's own translation tables after boot (see kernel_vspace.hpp).
#include "kernel_vspace.hpp"

#include "arch.hpp"
#include "cpu.hpp"

// TTBR1's table. It is a full 16 KiB first-level table, of which TTBCR.N = 1 uses
// only the upper half (entries 2048-4095). Built first by boot_mmu.cpp.
extern "C" alignas(16384) u32 kernel_pd[petrel::arm::kL1Entries];
alignas(16384) u32 kernel_pd[petrel::arm::kL1Entries];

// TTBR0's table during boot only: 8 KiB (2048 entries) covers the lower 2 GiB.
extern "C" alignas(8192) u32 boot_identity_pd[petrel::arm::kL1Entries / 2];
alignas(8192) u32 boot_identity_pd[petrel::arm::kL1Entries / 2];

namespace petrel::arch {

using namespace arm;

usize boot_dt_readable(paddr_t dtb) {
    // boot_mmu.cpp maps the two sections from the one holding the blob's start.
    return dtb == 0 ? 0 : 2 * kSectionSize - (dtb & (kSectionSize - 1));
}

u32 map_kernel_window(u32 ram_size) {
    if (ram_size > kKernelWindowMax) ram_size = kKernelWindowMax;
    ram_size &= ~(kSectionSize - 1);
    for (u32 off = 0; off < ram_size; off += kSectionSize) {
        kernel_pd[l1_index(kKernelWindow + off)] = section(board::kRamBase + off, MemType::normal_wb);
    }
    u32 v = kDeviceWindow;
    for (const auto &r : board::kDevices) {
        for (u32 off = 0; off < r.size; off += kSectionSize) {
            kernel_pd[l1_index(v)] = section(r.base + off, MemType::device);
            v += kSectionSize;
        }
    }
    // Table walks read memory through the caches (TTBR attributes), so a dsb
    // makes the stores visible to the walker; nothing was mapped here before,
    // but the invalidate also clears any stale entry the loader left.
    tlb_invalidate_all();
    return ram_size;
}

void drop_boot_identity() {
    // TTBR0 keeps pointing at this table, now empty: every user-half address
    // faults until the threads issue installs user page directories. (TTBCR.PD0
    // would say the same, but exists only with the Security Extensions, which
    // QEMU virt's CPU lacks.)
    for (u32 &entry : boot_identity_pd) entry = 0;
    tlb_invalidate_all();
}

}  // namespace petrel::arch
