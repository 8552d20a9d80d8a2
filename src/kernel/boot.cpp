// SPDX-License-Identifier: BSD-2-Clause
// kernel_main: from the first C++ code at virtual addresses to a ticking kernel.
//
// Order matters: the device tree is read through the boot identity map before
// anything is printed (the console's registers are not mapped yet), then the
// kernel window and devices are mapped, the identity map dropped, and only then
// does the console speak.
#include "arch.hpp"
#include "board.hpp"
#include "console.hpp"
#include "interrupt.hpp"
#include "lib/fdt.hpp"
#include "panic.hpp"
#include "platform.hpp"

#ifdef PETREL_TEST
#include "ktest.hpp"
#endif

namespace petrel {
namespace {

struct RamChoice {
    paddr_t base;
    u32 size;
    fdt::Error dt_error;  // ok when the size came from the device tree
    bool dt_range_rejected;
};

// Picks the RAM bank that starts at the board's RAM base (the kernel window
// maps from there). Falls back to the board default on any device tree problem.
RamChoice choose_ram(paddr_t dtb, u32 image_end) {
    RamChoice c{board::kRamBase, board::kRamDefaultSize, fdt::Error::null_blob, false};
    if (dtb == 0) return c;
    fdt::MemoryInfo info;
    usize max_len = arch::boot_dt_readable(dtb);
    c.dt_error = fdt::find_memory(reinterpret_cast<const void *>(static_cast<uptr>(dtb)), max_len, &info);
    if (c.dt_error != fdt::Error::ok) return c;
    for (int i = 0; i < info.count; ++i) {
        const auto &r = info.ranges[i];
        if (r.base == board::kRamBase && r.base + r.size > image_end) {
            // Keep below 4 GiB and to whole MiB; the window clamps further.
            u64 end = r.base + r.size < 0xfff0'0000ull ? r.base + r.size : 0xfff0'0000ull;
            c.size = static_cast<u32>(end - r.base) & ~0xf'ffffu;
            return c;
        }
    }
    c.dt_range_rejected = true;
    c.dt_error = fdt::Error::bad_memory_reg;
    return c;
}

void print_banner(const RamChoice &ram, u32 mapped, paddr_t dtb) {
    arch::CpuInfo cpu = arch::cpu_info();
    arch::ImageInfo img = arch::image_info();
    kprintf("\nPetrel microkernel on %s (%s)\n", board::kName, board::kDescription);
    kprintf("CPU: %s %s r%up%u (MIDR %08x)\n", cpu.implementer, cpu.part, cpu.variant, cpu.revision, cpu.midr);
    if (ram.dt_error == fdt::Error::ok) {
        kprintf("RAM: %08x-%08x (%u MiB) from the device tree at %08x\n", ram.base, ram.base + ram.size - 1,
                ram.size >> 20, dtb);
    } else if (dtb == 0) {
        kprintf("RAM: %08x-%08x (%u MiB), the platform default: no device tree was passed\n", ram.base,
                ram.base + ram.size - 1, ram.size >> 20);
    } else {
        kprintf("RAM: %08x-%08x (%u MiB), the platform default: the device tree at %08x has %s%s\n",
                ram.base, ram.base + ram.size - 1, ram.size >> 20, dtb,
                ram.dt_range_rejected ? "no RAM bank at the board's RAM base" : "",
                ram.dt_range_rejected ? "" : fdt::error_name(ram.dt_error));
    }
    if (mapped < ram.size) kprintf("RAM: only the first %u MiB fit the kernel window\n", mapped >> 20);
    kprintf("Kernel: %08x-%08x, %u KiB image, %u KiB text, %u KiB stack\n", img.phys_start, img.phys_end - 1,
            (img.phys_end - img.phys_start) >> 10, img.text_size >> 10, img.stack_size >> 10);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(paddr_t dtb) {
    arch::ImageInfo img = arch::image_info();
    RamChoice ram = choose_ram(dtb, img.phys_end);
    u32 mapped = arch::map_kernel_window(ram.size);
    arch::drop_boot_identity();
    platform::console_init();
    print_banner(ram, mapped, dtb);

    interrupts_init();
    arch::interrupts_on();

#ifdef PETREL_TEST
    halt(ktest::run_all());
#else
    kprintf("Petrel is up; printing the tick count every second\n");
    u64 last = 0;
    for (;;) {
        arch::idle();
        u64 now = tick_count();
        if (now / kTickHz != last / kTickHz) kprintf("tick %llu\n", now);
        last = now;
    }
#endif
}

}  // namespace petrel
