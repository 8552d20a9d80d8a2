// SPDX-License-Identifier: BSD-2-Clause
// ARM: physical addresses of kernel objects and the kernel window (see src/kernel/kmem.hpp).
#pragma once

#include "board.hpp"
#include "mmu.hpp"

namespace petrel::arch {

inline void *phys_to_kernel(paddr_t p) {
    return reinterpret_cast<void *>(static_cast<uptr>(p - board::kRamBase + arm::kKernelWindow));
}
inline paddr_t kernel_to_phys(const void *v) {
    return static_cast<paddr_t>(reinterpret_cast<uptr>(v) - arm::kKernelWindow + board::kRamBase);
}

}  // namespace petrel::arch
