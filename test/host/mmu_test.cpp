// SPDX-License-Identifier: BSD-2-Clause
// Host tests of the ARMv7 section descriptor encoder and the kernel layout (arch/arm/mmu.hpp).
#include "catch.hpp"

#include "mmu.hpp"

using namespace petrel::arm;

TEST_CASE("mmu: normal-memory kernel section") {
    u32 d = section(0x40123456, MemType::normal_wb);
    CHECK(is_section(d));
    CHECK(section_base(d) == 0x40100000);
    CHECK(((d >> 10) & 3) == 1);     // AP[1:0] = 01: kernel RW, user none
    CHECK((d & (1u << 15)) == 0);    // AP[2] = 0
    CHECK(((d >> 12) & 7) == 1);     // TEX = 001
    CHECK((d & (1u << 3)) != 0);     // C
    CHECK((d & (1u << 2)) != 0);     // B
    CHECK((d & (1u << 16)) != 0);    // shareable
    CHECK((d & (1u << 4)) == 0);     // executable
    CHECK((d & (1u << 17)) == 0);    // global
    CHECK(((d >> 5) & 0xf) == 0);    // domain 0
}

TEST_CASE("mmu: device section is shareable device, never executable") {
    u32 d = section(0x3f200000, MemType::device);
    CHECK(is_section(d));
    CHECK(section_base(d) == 0x3f200000);
    CHECK(((d >> 12) & 7) == 0);
    CHECK((d & (1u << 3)) == 0);
    CHECK((d & (1u << 2)) != 0);
    CHECK((d & (1u << 4)) != 0);
    CHECK(((d >> 10) & 3) == 1);
}

TEST_CASE("mmu: layout constants agree with the TTBCR split") {
    CHECK(kUserTop == (1u << (32 - kTtbcrN)));
    CHECK(l1_index(kKernelWindow) == 2048);
    CHECK(kKernelWindow + kKernelWindowMax <= kDeviceWindow);
    CHECK(static_cast<unsigned long long>(kDeviceWindow) + kDeviceWindowMax <= 0x100000000ull);
    CHECK(!is_section(0));
    CHECK(!is_section(section(0, MemType::normal_wb) | (1u << 18)));  // a supersection is not a section
}

TEST_CASE("mmu: the boot device-tree window and the sections a blob needs") {
    CHECK(kBootDtWindow + kBootDtSections * kSectionSize == kUserTop);  // in TTBR0, below the kernel's half
    CHECK(kBootDtWindow % kSectionSize == 0);
    // QEMU's 1 MiB tree plus U-Boot's 12 KiB pad, where U-Boot put it at 2 GiB of RAM on virt: two sections.
    CHECK(sections_covering(0xbedf7eb0, 0x103000, kBootDtSections) == 2);
    CHECK(sections_covering(0x40000000, 0x100000, kBootDtSections) == 1);   // exactly one section
    CHECK(sections_covering(0x400fffd8, 40, kBootDtSections) == 1);         // a header that just fits
    CHECK(sections_covering(0x400fffe0, 40, kBootDtSections) == 2);         // a header that straddles
    CHECK(sections_covering(0x40000000, 0, kBootDtSections) == 1);
    CHECK(sections_covering(0x40080000, 0x800000, kBootDtSections) == kBootDtSections);  // clamped to the window
    // At the top of the 32-bit space (3 GiB of RAM from 1 GiB): never past 4 GiB.
    CHECK(sections_covering(0xfff80000, 0x100000, kBootDtSections) == 1);
    CHECK(sections_covering(0xffefff00, 0x300000, kBootDtSections) == 2);
    CHECK(sections_covering(0xffffffff, 1, kBootDtSections) == 1);
}

TEST_CASE("mmu: user page-table entry and small pages") {
    u32 t = page_table_entry(0x40123c00);
    CHECK(is_page_table_entry(t));
    CHECK(page_table_base(t) == 0x40123c00);
    CHECK(((t >> 5) & 0xf) == 0);  // domain 0
    CHECK((t & (1u << 2)) == 0);    // PXN clear
    CHECK(l2_index(0x7ffe'f123) == 0xef);

    u32 code = user_small_page(0x40200fff, false, true);
    CHECK(is_small_page(code));
    CHECK(small_page_base(code) == 0x40200000);
    CHECK((code & 1u) == 0);                 // executable
    CHECK(((code >> 4) & 3) == 2);           // AP = 010: user read-only
    CHECK((code & (1u << 9)) == 0);          // AP[2] = 0
    CHECK(((code >> 6) & 7) == 1);           // TEX = 001
    CHECK((code & 0xcu) == 0xcu);            // C, B: write-back write-allocate
    CHECK((code & (1u << 10)) != 0);         // shareable
    CHECK((code & (1u << 11)) != 0);         // not global: tagged with the ASID

    u32 data = user_small_page(0x40201000, true, false);
    CHECK((data & 1u) == 1u);                // XN
    CHECK(((data >> 4) & 3) == 3);           // AP = 011: user read/write
}
