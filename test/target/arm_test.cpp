// SPDX-License-Identifier: BSD-2-Clause
// Target tests of the ARM boot state: mode, MMU, caches, vectors, address-space split, kernel window.
#include "arch.hpp"
#include "cpu.hpp"
#include "kernel_vspace.hpp"
#include "ktest.hpp"

extern "C" char vector_table[];
extern "C" u32 kernel_pd[];
extern "C" u32 boot_identity_pd[];

namespace petrel {
using namespace arm;

// The entry stub left HYP (the Pi and U-Boot enter there) and runs in SVC.
KTEST(arm_runs_in_svc_mode) { KEXPECT((read_cpsr() & 0x1f) == kModeSvc); }

KTEST(arm_mmu_caches_branch_prediction_on) {
    u32 sctlr = read_sctlr();
    KEXPECT(sctlr & (1u << 0));   // M
    KEXPECT(sctlr & (1u << 2));   // C
    KEXPECT(sctlr & (1u << 12));  // I
    KEXPECT(sctlr & (1u << 11));  // Z
    KEXPECT((sctlr & (1u << 13)) == 0);  // V: vectors from VBAR
}

KTEST(arm_vectors_installed) { KEXPECT(read_vbar() == reinterpret_cast<uptr>(vector_table)); }

// TTBR1 holds the kernel table; TTBR0's boot identity map is empty once dropped.
KTEST(arm_split_and_identity_dropped) {
    KEXPECT((read_ttbcr() & 7) == kTtbcrN);
    KEXPECT((read_ttbr1() & ~0x3fffu) == virt_to_phys(kernel_pd));
    KEXPECT((read_ttbr0() & ~0x1fffu) == virt_to_phys(boot_identity_pd));
    u32 mapped = 0;
    for (u32 i = 0; i < kL1Entries / 2; ++i) mapped += boot_identity_pd[i] != 0;
    KEXPECT(mapped == 0);
}

// Every MiB of the RAM window is mapped and writable: the first and last word of
// each section past the kernel image round-trip a pattern.
KTEST(arm_ram_window_mapped) {
    arch::ImageInfo img = arch::image_info();
    u32 sections = 0, bad = 0;
    for (u32 i = 0; i < kKernelWindowMax >> kSectionShift; ++i) {
        u32 desc = kernel_pd[l1_index(kKernelWindow) + i];
        if (!is_section(desc)) break;
        ++sections;
        KEXPECT(section_base(desc) == board::kRamBase + (i << kSectionShift));
        paddr_t p = board::kRamBase + (i << kSectionShift);
        if (p < img.phys_end) continue;  // don't scribble on the kernel
        auto *first = reinterpret_cast<volatile u32 *>(phys_to_virt(p));
        auto *last = reinterpret_cast<volatile u32 *>(phys_to_virt(p + kSectionSize - 4));
        *first = 0x5a5a0000u | i;
        *last = 0xa5a50000u | i;
        if (*first != (0x5a5a0000u | i) || *last != (0xa5a50000u | i)) ++bad;
    }
    KEXPECT(sections >= 32);
    KEXPECT(bad == 0);
}

}  // namespace petrel
