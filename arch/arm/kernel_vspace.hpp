// SPDX-License-Identifier: BSD-2-Clause
// The kernel's own address space: the RAM window, the device window, and the boot identity map.
//
// Layout (TTBR1, see mmu.hpp for why the split):
//   0x8000'0000 + (p - RAM base)  RAM, as much as the device tree reports (at most 1.75 GiB)
//   0xf000'0000 ...               the board's device regions, in board::kDevices order
//   0x7fc0'0000 (TTBR0, boot only)  the device tree, kBootDtSections sections (mmu.hpp)
// Boot (entry.S + boot_mmu.cpp) maps only the kernel image into the window and an
// identity map of the image into TTBR0. arch::map_devices() then maps the devices;
// arch::map_boot_dt() replaces the identity map with the device tree's window,
// wherever the loader put the tree; arch::map_kernel_window() maps the rest of
// RAM; arch::drop_boot_identity() removes the window once the tree has been read.
#pragma once

#include "mmu.hpp"
#include "board.hpp"

namespace petrel::arm {

// Kernel virtual address of a device register block, fixed at compile time.
// Returns 0 for a physical address outside every board::kDevices region.
constexpr uptr io_vaddr(paddr_t phys) {
    u32 v = kDeviceWindow;
    for (const auto &r : board::kDevices) {
        if (phys >= r.base && phys - r.base < r.size) return v + (phys - r.base);
        v += (r.size + kSectionSize - 1) & ~(kSectionSize - 1);
    }
    return 0;
}

constexpr u32 device_window_size() {
    u32 v = 0;
    for (const auto &r : board::kDevices) v += (r.size + kSectionSize - 1) & ~(kSectionSize - 1);
    return v;
}
static_assert(device_window_size() <= kDeviceWindowMax, "board devices overflow the device window");

constexpr uptr phys_to_virt(paddr_t p) { return kKernelWindow + (p - board::kRamBase); }
inline paddr_t virt_to_phys(const void *v) {
    return static_cast<paddr_t>(reinterpret_cast<uptr>(v) - kKernelWindow + board::kRamBase);
}

}  // namespace petrel::arm
