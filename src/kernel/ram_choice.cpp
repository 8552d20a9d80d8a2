// SPDX-License-Identifier: BSD-2-Clause
// The kernel's choice of RAM at boot (see ram_choice.hpp).
#include "ram_choice.hpp"

#include "lib/format.hpp"

namespace petrel {

RamChoice choose_ram(const void *dt, usize dt_len, paddr_t ram_base, u32 default_size, paddr_t image_end) {
    RamChoice c{ram_base, default_size, fdt::Error::null_blob, false, 0, 0};
    if (dt == nullptr) return c;
    fdt::MemoryInfo info;
    c.dt_error = fdt::find_memory(dt, dt_len, &info);
    if (c.dt_error != fdt::Error::ok) return c;
    int used = -1;
    for (int i = 0; i < info.count && used < 0; ++i) {
        const fdt::MemoryRange &r = info.ranges[i];
        // Below 4 GiB, whole MiB, and a size a u32 holds (RAM from 0 to the
        // 4 GiB line is 1 MiB short); the kernel window clamps further.
        u64 end = r.base + r.size < 0x1'0000'0000ull ? r.base + r.size : 0x1'0000'0000ull;
        if (r.base == ram_base && end > image_end) {
            u64 size = end - r.base < 0xfff0'0000ull ? end - r.base : 0xfff0'0000ull;
            c.size = static_cast<u32>(size) & ~0xf'ffffu;
            used = i;
        }
    }
    if (used < 0) {
        c.no_bank_at_base = true;
        c.dt_error = fdt::Error::bad_memory_reg;
        return c;
    }
    u64 other = 0;  // the kernel uses one bank: what the others hold is reported, not used
    for (int i = 0; i < info.count; ++i) {
        if (i == used || info.ranges[i].size == 0) continue;
        ++c.other_banks;
        other += info.ranges[i].size;
    }
    c.other_mib = static_cast<u32>(other >> 20);
    return c;
}

void describe_ram(const RamChoice &ram, paddr_t dt_phys, char *buf, usize size) {
    int n = snformat(buf, size, "RAM: %08x-%08x (%u MiB)", ram.base, ram.base + ram.size - 1, ram.size >> 20);
    usize used = n < 0 ? 0 : static_cast<usize>(n);
    if (used >= size) return;
    char *rest = buf + used;
    usize left = size - used;
    if (ram.dt_error == fdt::Error::ok) {
        n = snformat(rest, left, " from the device tree at %08x", dt_phys);
        if (ram.other_banks == 0 || n < 0 || static_cast<usize>(n) >= left) return;
        snformat(rest + n, left - static_cast<usize>(n), "; %u MiB more in %u other bank%s, unused", ram.other_mib,
                 ram.other_banks, ram.other_banks == 1 ? "" : "s");
    } else if (ram.dt_error == fdt::Error::null_blob) {
        snformat(rest, left, ", the platform default: no device tree was passed");
    } else if (ram.no_bank_at_base) {
        snformat(rest, left, ", the platform default: the device tree at %08x has no RAM bank at %08x "
                 "that holds the kernel", dt_phys, ram.base);
    } else {
        snformat(rest, left, ", the platform default: the device tree at %08x has %s", dt_phys,
                 fdt::error_name(ram.dt_error));
    }
}

}  // namespace petrel
