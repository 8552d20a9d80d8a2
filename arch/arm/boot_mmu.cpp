// SPDX-License-Identifier: BSD-2-Clause
// Boot page tables, built before the MMU is on (runs at physical addresses).
//
// Everything in this file lives in .boot.text, which is linked at its physical
// address: it may only use its arguments, constants and linker symbols, and must
// reach kernel data through its physical alias (virtual - __pv_offset). It calls
// nothing, so no code at a virtual address runs before the MMU is on.
#include "kernel_vspace.hpp"

extern "C" {
extern u32 kernel_pd[];
extern u32 boot_identity_pd[];
extern char __pv_offset[];
extern char __kernel_phys_start[];
extern char __kernel_end[];
}

namespace {

[[gnu::section(".boot.text")]] inline u32 *phys_alias(u32 *virt) {
    return reinterpret_cast<u32 *>(reinterpret_cast<uptr>(virt) - reinterpret_cast<uptr>(__pv_offset));
}

}  // namespace

using namespace petrel;
using namespace petrel::arm;

extern "C" [[gnu::section(".boot.text")]] void boot_map_kernel() {
    u32 *kpd = phys_alias(kernel_pd);
    u32 *ipd = phys_alias(boot_identity_pd);
    const u32 offset = static_cast<u32>(reinterpret_cast<uptr>(__pv_offset));
    const u32 image_start = static_cast<u32>(reinterpret_cast<uptr>(__kernel_phys_start)) & ~(kSectionSize - 1);
    const u32 image_end = static_cast<u32>(reinterpret_cast<uptr>(__kernel_end)) - offset;

    // The window from the RAM base through the end of the image (.bss included).
    for (u32 p = board::kRamBase; p < image_end; p += kSectionSize) {
        kpd[l1_index(kKernelWindow + (p - board::kRamBase))] = section(p, MemType::normal_wb);
    }
    // Identity: the image, so the instruction after the MMU turns on is mapped.
    for (u32 p = image_start; p < image_end; p += kSectionSize) {
        ipd[l1_index(p)] = section(p, MemType::normal_wb);
    }
    // The device tree is mapped later, at its own window (arch::map_boot_dt),
    // wherever the loader put it: this identity map could not reach a tree
    // above 2 GiB (U-Boot puts it at the top of RAM).
}
