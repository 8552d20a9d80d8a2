// SPDX-License-Identifier: BSD-2-Clause
// Kernel references: how the generic kernel names memory that holds kernel objects.
//
// Kernel objects refer to each other by 32-bit physical address (capabilities,
// derivation links, queues), because an object's address must fit in a word of
// an 8-byte capability on every architecture, including the 64-bit host that runs
// the hosted kernel. Each architecture supplies, in its arch_memory.hpp:
//   void *arch::phys_to_kernel(paddr_t)      the kernel's pointer to a physical address
//   paddr_t arch::kernel_to_phys(const void *) the inverse, for memory in the window
// On ARM these are one addition (the RAM window is linear); on the host they index
// the simulated physical memory. Physical address 0 never holds a kernel object
// (the first 1 MiB of RAM is reserved on every board), so 0 means "none".
#pragma once

#include "arch_memory.hpp"
#include "petrel/types.hpp"

namespace petrel {

template <typename T>
inline T *kptr(paddr_t p) {
    return p ? static_cast<T *>(arch::phys_to_kernel(p)) : nullptr;
}

inline paddr_t kref(const void *p) { return p ? arch::kernel_to_phys(p) : 0; }

// The same for a reference known not to be "none" (the fastpath's, where the
// check has been made already): one addition on ARM, no test.
template <typename T>
inline T *kptr_live(paddr_t p) {
    return static_cast<T *>(arch::phys_to_kernel(p));
}
inline paddr_t kref_live(const void *p) { return arch::kernel_to_phys(p); }

}  // namespace petrel
