// SPDX-License-Identifier: BSD-2-Clause
// Host tests of the device tree reader (src/lib/fdt.cpp) on dtc-built fixtures and damaged blobs.
#include "catch.hpp"

#include "fixtures.hpp"
#include "lib/fdt.hpp"

using namespace petrel::fdt;

namespace {
Error find(const std::vector<unsigned char> &blob, MemoryInfo &info) {
    return find_memory(blob.data(), blob.size(), &info);
}
void put_be32(std::vector<unsigned char> &b, size_t at, unsigned v) {
    b[at] = v >> 24;
    b[at + 1] = v >> 16;
    b[at + 2] = v >> 8;
    b[at + 3] = v;
}
}  // namespace

TEST_CASE("fdt: two typed banks with 1-cell reg; nested look-alikes and empty ranges ignored") {
    auto blob = read_fixture("two-banks.dtb");
    MemoryInfo info;
    REQUIRE(find(blob, info) == Error::ok);
    REQUIRE(info.count == 2);
    CHECK(info.ranges[0].base == 0);
    CHECK(info.ranges[0].size == 0x3b400000);
    CHECK(info.ranges[1].base == 0x80000000);
    CHECK(info.ranges[1].size == 0x10000000);
}

TEST_CASE("fdt: a /memory node without device_type is not memory") {
    auto blob = read_fixture("no-memory.dtb");
    MemoryInfo info;
    CHECK(find(blob, info) == Error::no_memory_node);
    CHECK(info.count == 0);
}

TEST_CASE("fdt: a reg that is not whole (address, size) pairs is refused") {
    auto blob = read_fixture("bad-reg.dtb");
    MemoryInfo info;
    CHECK(find(blob, info) == Error::bad_memory_reg);
}

TEST_CASE("fdt: header checks") {
    auto blob = read_fixture("two-banks.dtb");
    MemoryInfo info;
    CHECK(find_memory(nullptr, 100, &info) == Error::null_blob);
    CHECK(find_memory(blob.data(), 39, &info) == Error::bad_size);
    CHECK(find_memory(blob.data(), blob.size() - 1, &info) == Error::bad_size);  // totalsize > max_len
    auto bad = blob;
    bad[0] ^= 1;
    CHECK(find(bad, info) == Error::bad_magic);
    bad = blob;
    put_be32(bad, 20, 15);  // version
    CHECK(find(bad, info) == Error::bad_version);
    bad = blob;
    put_be32(bad, 8, 0x7fffffff);  // off_dt_struct
    CHECK(find(bad, info) == Error::bad_layout);
}

TEST_CASE("fdt: every truncation and every single-byte corruption is rejected or parsed, never a crash") {
    auto blob = read_fixture("two-banks.dtb");
    MemoryInfo info;
    for (size_t len = 0; len < blob.size(); ++len) {
        std::vector<unsigned char> cut(blob.begin(), blob.begin() + static_cast<long>(len));
        CHECK(find_memory(cut.data(), cut.size(), &info) != Error::ok);
    }
    int parsed = 0, refused = 0;
    for (size_t i = 0; i < blob.size(); ++i) {
        for (unsigned char v : {0x00, 0xff, 0x03, 0x09}) {
            auto bad = blob;
            bad[i] = v;
            Error e = find(bad, info);
            (e == Error::ok ? parsed : refused)++;
            CHECK(info.count <= MemoryInfo::kMaxRanges);
        }
    }
    CHECK(refused > 0);
    CHECK(parsed > 0);
}
