// SPDX-License-Identifier: BSD-2-Clause
// Which RAM the kernel uses: the device tree's bank at the board's RAM base, or the board default.
//
// Pure logic, shared by kernel_main and the host tests. choose_ram() never fails:
// any problem with the device tree (none passed, corrupt, no memory node, no bank
// that starts at the RAM base and holds the kernel) means the board default,
// and describe_ram() says which and why in one log line.
#pragma once

#include "lib/fdt.hpp"
#include "petrel/types.hpp"

namespace petrel {

struct RamChoice {
    paddr_t base;
    u32 size;              // whole MiB
    fdt::Error dt_error;   // ok when the size came from the device tree
    bool no_bank_at_base;  // the tree listed RAM, but none at base that holds the kernel
    u32 other_banks;       // further non-empty banks the tree lists, which the kernel leaves unused
    u32 other_mib;         // their size in MiB (a Pi 4 with 2, 4 or 8 GB has RAM above 1 GiB)
};

// dt: the blob (nullptr when none was passed), readable for dt_len bytes.
// image_end: first physical address past the kernel image, which the bank must hold.
RamChoice choose_ram(const void *dt, usize dt_len, paddr_t ram_base, u32 default_size, paddr_t image_end);

// Writes "RAM: <first>-<last> (<n> MiB) ..." with the source of the figure into buf,
// and the RAM of other banks the kernel leaves unused.
void describe_ram(const RamChoice &ram, paddr_t dt_phys, char *buf, usize size);

}  // namespace petrel
