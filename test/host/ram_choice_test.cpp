// SPDX-License-Identifier: BSD-2-Clause
// Host tests of the boot RAM choice and its log line (src/kernel/ram_choice.cpp).
#include "catch.hpp"
#include <string>

#include "fixtures.hpp"
#include "kernel/ram_choice.hpp"

using namespace petrel;

namespace {
std::string describe(const RamChoice &c, paddr_t dt) {
    char buf[160];
    describe_ram(c, dt, buf, sizeof buf);
    return buf;
}
constexpr u32 kDefault = 128u << 20;
}  // namespace

TEST_CASE("ram: no device tree means the platform default, and the log says so") {
    RamChoice c = choose_ram(nullptr, 0, 0x40000000, kDefault, 0x40110000);
    CHECK(c.base == 0x40000000);
    CHECK(c.size == kDefault);
    CHECK(describe(c, 0) == "RAM: 40000000-47ffffff (128 MiB), the platform default: no device tree was passed");
}

TEST_CASE("ram: the bank at the RAM base is used, rounded down to whole MiB") {
    auto blob = read_fixture("two-banks.dtb");
    RamChoice c = choose_ram(blob.data(), blob.size(), 0, kDefault, 0x110000);
    CHECK(c.dt_error == fdt::Error::ok);
    CHECK(c.size == 0x3b400000);
    // The other banks (256 MiB at 2 GiB; an empty one does not count) are reported, not used.
    CHECK(c.other_banks == 1);
    CHECK(c.other_mib == 256);
    CHECK(describe(c, 0x2eff9800) == "RAM: 00000000-3b3fffff (948 MiB) from the device tree at 2eff9800; "
                                     "256 MiB more in 1 other bank, unused");
}

TEST_CASE("ram: RAM up to the 4 GiB line is reported whole (virt, 3 GiB, highmem=off)") {
    auto blob = read_fixture("virt-3g.dtb");
    RamChoice c = choose_ram(blob.data(), blob.size(), 0x40000000, kDefault, 0x40130000);
    CHECK(c.dt_error == fdt::Error::ok);
    CHECK(c.size == 0xc0000000u);
    CHECK(c.other_banks == 0);
    CHECK(describe(c, 0xfedf7eb0) == "RAM: 40000000-ffffffff (3072 MiB) from the device tree at fedf7eb0");
}

TEST_CASE("ram: a tree without a usable memory node falls back and names the reason") {
    auto blob = read_fixture("no-memory.dtb");
    RamChoice c = choose_ram(blob.data(), blob.size(), 0x40000000, kDefault, 0x40110000);
    CHECK(c.size == kDefault);
    CHECK(describe(c, 0x48000000) == "RAM: 40000000-47ffffff (128 MiB), the platform default: the device tree at "
                                     "48000000 has no memory node (device_type \"memory\")");
    blob = read_fixture("bad-reg.dtb");
    c = choose_ram(blob.data(), blob.size(), 0x40000000, kDefault, 0x40110000);
    CHECK(c.size == kDefault);
    CHECK(describe(c, 0x48000000).find("has unusable /memory reg") != std::string::npos);
}

TEST_CASE("ram: RAM that does not start at the base or cannot hold the kernel is refused") {
    auto blob = read_fixture("two-banks.dtb");
    RamChoice c = choose_ram(blob.data(), blob.size(), 0x40000000, kDefault, 0x40110000);
    CHECK(c.size == kDefault);
    CHECK(c.no_bank_at_base);
    CHECK(describe(c, 0x100).find("has no RAM bank at 40000000 that holds the kernel") != std::string::npos);
    c = choose_ram(blob.data(), blob.size(), 0, kDefault, 0x3c000000);  // kernel ends past the bank
    CHECK(c.size == kDefault);
    CHECK(c.no_bank_at_base);
}

TEST_CASE("ram: a corrupt tree falls back") {
    auto blob = read_fixture("two-banks.dtb");
    blob[0] = 0;
    RamChoice c = choose_ram(blob.data(), blob.size(), 0, kDefault, 0x110000);
    CHECK(c.size == kDefault);
    CHECK(describe(c, 0x1000).find("has bad magic") != std::string::npos);
}
