// SPDX-License-Identifier: BSD-2-Clause
// Host tests of the ARMv7 section descriptor encoder and the kernel layout (arch/arm/mmu.hpp).
#include <catch2/catch.hpp>

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
