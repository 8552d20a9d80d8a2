// SPDX-License-Identifier: BSD-2-Clause
// Host: simulated physical memory (see src/kernel/kmem.hpp and machine.hpp).
//
// The hosted kernel's "physical memory" is one block of host memory. A physical
// address outside it is a kernel bug; the conversion reports it as a panic.
#pragma once

#include "petrel/types.hpp"

namespace petrel::host {
extern u8 *g_ram;            // host address of simulated physical address g_ram_phys
extern paddr_t g_ram_phys;
extern u64 g_ram_size;
[[noreturn]] void bad_physical(u64 address, const char *what);
}  // namespace petrel::host

namespace petrel::arch {

inline void *phys_to_kernel(paddr_t p) {
    if (p < host::g_ram_phys || u64{p} - host::g_ram_phys >= host::g_ram_size)
        host::bad_physical(p, "physical address outside simulated RAM");
    return host::g_ram + (p - host::g_ram_phys);
}

inline paddr_t kernel_to_phys(const void *v) {
    auto *b = static_cast<const u8 *>(v);
    if (b < host::g_ram || static_cast<u64>(b - host::g_ram) >= host::g_ram_size)
        host::bad_physical(reinterpret_cast<uptr>(v), "kernel pointer outside simulated RAM");
    return static_cast<paddr_t>(host::g_ram_phys + (b - host::g_ram));
}

}  // namespace petrel::arch
