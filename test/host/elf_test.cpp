// SPDX-License-Identifier: BSD-2-Clause
// libpetrel's ELF reader (apps/lib/elf.cpp), which the system root task loads every app with:
// each header check, each placement rule of check_image(), on files built byte by byte here.
#include "catch.hpp"

#include <cstring>
#include <vector>

#include "petrel/elf.hpp"

using petrel::ElfFile;

namespace {

constexpr u32 kBase = 0x0001'0000, kLimit = 0x0010'0000;
constexpr u32 kR = 4, kW = 2, kX = 1;

struct Seg {
    u32 type = 1, offset = 0, vaddr = 0, filesz = 0, memsz = 0, flags = kR;
};

void put16(std::vector<u8> &b, size_t at, u32 v) {
    b[at] = static_cast<u8>(v);
    b[at + 1] = static_cast<u8>(v >> 8);
}
void put32(std::vector<u8> &b, size_t at, u32 v) {
    put16(b, at, v & 0xffff);
    put16(b, at + 2, v >> 16);
}

// An ELF of a 52-byte header, the program headers at 52 and `payload` bytes
// after them (segments' offsets point anywhere into the whole file).
std::vector<u8> make_elf(const std::vector<Seg> &segs, u32 entry, u32 payload = 0x3000) {
    std::vector<u8> b(52 + 32 * segs.size() + payload, 0);
    const u8 ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    std::memcpy(b.data(), ident, sizeof ident);
    put16(b, 16, 2);   // ET_EXEC
    put16(b, 18, 40);  // EM_ARM
    put32(b, 20, 1);
    put32(b, 24, entry);
    put32(b, 28, 52);  // phoff
    put16(b, 40, 52);
    put16(b, 42, 32);  // phentsize
    put16(b, 44, static_cast<u32>(segs.size()));
    for (size_t i = 0; i < segs.size(); ++i) {
        const size_t at = 52 + 32 * i;
        const Seg &s = segs[i];
        put32(b, at, s.type);
        put32(b, at + 4, s.offset);
        put32(b, at + 8, s.vaddr);
        put32(b, at + 12, s.vaddr);
        put32(b, at + 16, s.filesz);
        put32(b, at + 20, s.memsz);
        put32(b, at + 24, s.flags);
        put32(b, at + 28, 0x1000);
    }
    return b;
}

// user.ld's shape: text R+X at 64 KiB, data R+W on the next page, an empty
// PT_LOAD at 0 (as a stripped ELF without .data has).
std::vector<Seg> good_segments() {
    return {{1, 0x100, kBase, 0x1800, 0x1800, kR | kX},
            {1, 0x1900, kBase + 0x2000, 0x10, 0x900, kR | kW},
            {1, 0, 0, 0, 0, kR | kW}};
}

const char *parse_error(const std::vector<u8> &b) {
    ElfFile f;
    return f.parse(b.data(), b.data() + b.size()) ? "(read)" : f.error();
}

const char *image_error(const std::vector<Seg> &segs, u32 entry) {
    const std::vector<u8> b = make_elf(segs, entry);
    ElfFile f;
    if (!f.parse(b.data(), b.data() + b.size())) return f.error();
    return f.check_image(kBase, kLimit);
}

}  // namespace

TEST_CASE("ElfFile reads an app's PT_LOAD segments and their bytes", "[elf]") {
    std::vector<u8> b = make_elf(good_segments(), kBase + 0x40);
    b[0x100] = 0xab;
    b[0x1900] = 0xcd;
    ElfFile f;
    REQUIRE(f.parse(b.data(), b.data() + b.size()));
    CHECK(f.entry() == kBase + 0x40);
    REQUIRE(f.segment_count() == 2);  // the empty one is skipped
    CHECK(f.segment(0).vaddr == kBase);
    CHECK(f.segment(0).executable);
    CHECK_FALSE(f.segment(0).writable);
    CHECK(f.segment(1).memsz == 0x900);
    CHECK(f.segment(1).filesz == 0x10);
    CHECK(f.segment(1).writable);
    CHECK_FALSE(f.segment(1).executable);
    CHECK(*f.bytes(f.segment(0)) == 0xab);
    CHECK(*f.bytes(f.segment(1)) == 0xcd);
    CHECK(f.check_image(kBase, kLimit) == nullptr);
    CHECK(image_error(good_segments(), kBase + 0x101) == nullptr);  // a Thumb entry in the text
}

TEST_CASE("ElfFile refuses files it cannot load, saying why", "[elf]") {
    const std::vector<u8> good = make_elf(good_segments(), kBase);
    REQUIRE(std::strcmp(parse_error(good), "(read)") == 0);
    auto with = [&](size_t at, u8 v) {
        std::vector<u8> b = good;
        b[at] = v;
        return parse_error(b);
    };
    CHECK(std::strcmp(parse_error(std::vector<u8>(good.begin(), good.begin() + 51)), "shorter than an ELF header") ==
          0);
    CHECK(std::strcmp(with(1, 'X'), "not an ELF file") == 0);
    CHECK(std::strcmp(with(4, 2), "not a 32-bit little-endian ELF file") == 0);
    CHECK(std::strcmp(with(5, 2), "not a 32-bit little-endian ELF file") == 0);
    CHECK(std::strcmp(with(16, 3), "not an executable (ELF type)") == 0);
    CHECK(std::strcmp(with(18, 3), "not an ARM ELF file") == 0);
    CHECK(std::strcmp(with(44, 0), "no program headers") == 0);
    CHECK(std::strcmp(with(45, 0x10), "program headers outside the file") == 0);  // 4099 headers
    CHECK(std::strcmp(with(42, 16), "program headers outside the file") == 0);  // phentsize too small

    std::vector<Seg> s = good_segments();
    s[1].filesz = 0x901;
    CHECK(std::strcmp(parse_error(make_elf(s, kBase)), "a segment's file size exceeds its memory size") == 0);
    s = good_segments();
    s[0].offset = 0x10000;
    CHECK(std::strcmp(parse_error(make_elf(s, kBase)), "a segment's bytes lie outside the file") == 0);
    s = good_segments();
    s[0].filesz = 0xffff'ffff;
    s[0].memsz = 0xffff'ffff;
    CHECK(std::strcmp(parse_error(make_elf(s, kBase)), "a segment's bytes lie outside the file") == 0);
    s = good_segments();
    s[1] = {1, 0, 0xffff'f000, 0, 0x2000, kR | kW};
    CHECK(std::strcmp(parse_error(make_elf(s, kBase)), "a segment wraps around the address space") == 0);
    CHECK(std::strcmp(parse_error(make_elf(std::vector<Seg>(9, {1, 0, kBase, 0, 0x1000, kR}), kBase)),
                      "more than 8 PT_LOAD segments") == 0);
    CHECK(std::strcmp(parse_error(make_elf({{2, 0, kBase, 0, 0x1000, kR}, {1, 0, kBase, 0, 0, kR}}, kBase)),
                      "no PT_LOAD segment") == 0);
}

TEST_CASE("check_image holds an image to the loader's rules", "[elf]") {
    auto refused = [](std::vector<Seg> s, u32 entry, const char *why) {
        const char *got = image_error(s, entry);
        INFO("expected: " << why);
        REQUIRE(got != nullptr);
        CHECK(std::strcmp(got, why) == 0);
    };
    std::vector<Seg> s = good_segments();
    s[1].vaddr += 0x10;
    refused(s, kBase, "a segment does not start on a page");
    s = good_segments();
    s[0].vaddr = kBase - 0x1000;
    refused(s, kBase - 0x1000, "a segment lies outside the image window");
    s = good_segments();
    s[1].vaddr = kLimit - 0x1000;
    s[1].memsz = 0x1001;  // one byte over the limit
    refused(s, kBase, "a segment lies outside the image window");
    s[1].memsz = 0x1000;  // exactly up to it
    CHECK(image_error(s, kBase) == nullptr);
    s = good_segments();
    s[1].flags = kR | kW | kX;
    refused(s, kBase, "a segment is both writable and executable");
    s = good_segments();
    s[1].vaddr = kBase + 0x1000;  // the text's last page is 0x11000..0x11fff
    refused(s, kBase, "two segments share a page");
    refused(good_segments(), kBase + 0x2000, "the entry point is not in an executable segment");  // in the data
    refused(good_segments(), kBase + 0x1800, "the entry point is not in an executable segment");  // just past text
}
