// SPDX-License-Identifier: BSD-2-Clause
// The kernel's own translation tables after boot (see kernel_vspace.hpp).
#include "kernel_vspace.hpp"

#include "arch.hpp"
#include "cpu.hpp"
#include "lib/fdt.hpp"

// TTBR1's table. It is a full 16 KiB first-level table, of which TTBCR.N = 1 uses
// only the upper half (entries 2048-4095). Built first by boot_mmu.cpp.
extern "C" alignas(16384) u32 kernel_pd[petrel::arm::kL1Entries];
alignas(16384) u32 kernel_pd[petrel::arm::kL1Entries];

// TTBR0's table during boot only: 8 KiB (2048 entries) covers the lower 2 GiB.
// First the image's identity map (boot_mmu.cpp), then the device tree's window.
extern "C" alignas(8192) u32 boot_identity_pd[petrel::arm::kL1Entries / 2];
alignas(8192) u32 boot_identity_pd[petrel::arm::kL1Entries / 2];

namespace petrel::arch {

using namespace arm;

namespace {

// Maps `count` sections from the one holding `dtb` at the boot device-tree
// window; returns how many bytes from `dtb` it covers.
usize map_dt_sections(paddr_t dtb, u32 count) {
    const u32 first = dtb & ~(kSectionSize - 1);
    for (u32 i = 0; i < kBootDtSections; ++i) {
        boot_identity_pd[l1_index(kBootDtWindow) + i] =
            i < count ? section(first + i * kSectionSize, MemType::normal_wb) : 0;
    }
    tlb_invalidate_all();
    return count * kSectionSize - (dtb - first);
}

}  // namespace

void map_devices() {
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
}

BootDt map_boot_dt(paddr_t dtb) {
    // Code and stack run at their window addresses since kernel_virtual_entry:
    // the image's identity map is done with, and the window may need its place.
    drop_boot_identity();
    if (dtb == 0) return {nullptr, 0};
    const void *blob = reinterpret_cast<const void *>(static_cast<uptr>(kBootDtWindow + (dtb & (kSectionSize - 1))));
    // The header first, then the sections its size asks for. A blob with a bad
    // header, or larger than the window, keeps what is mapped: the reader
    // refuses it (fdt.hpp) and the boot log says why.
    usize readable = map_dt_sections(dtb, sections_covering(dtb, fdt::kHeaderBytes, kBootDtSections));
    const usize most = sections_covering(dtb, ~0u, kBootDtSections) * kSectionSize - (dtb & (kSectionSize - 1));
    u32 total = 0;  // check_header reads the header only, which is mapped
    if (fdt::check_header(blob, most, &total) == fdt::Error::ok && total > readable) {
        readable = map_dt_sections(dtb, sections_covering(dtb, total, kBootDtSections));
    }
    return {blob, readable};
}

u32 map_kernel_window(u32 ram_size) {
    if (ram_size > kKernelWindowMax) ram_size = kKernelWindowMax;
    ram_size &= ~(kSectionSize - 1);
    for (u32 off = 0; off < ram_size; off += kSectionSize) {
        kernel_pd[l1_index(kKernelWindow + off)] = section(board::kRamBase + off, MemType::normal_wb);
    }
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
