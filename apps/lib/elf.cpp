// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: reading an app's ELF executable (see elf.hpp).
#include "petrel/elf.hpp"

namespace petrel {

namespace {

// Little-endian reads at any alignment (the file is packed with 8-byte alignment only).
u32 read16(const u8 *p) { return u32{p[0]} | u32{p[1]} << 8; }
u32 read32(const u8 *p) { return read16(p) | read16(p + 2) << 16; }

constexpr u32 kHeaderBytes = 52, kPhdrBytes = 32;
constexpr u32 kEtExec = 2, kEmArm = 40, kPtLoad = 1, kPfX = 1, kPfW = 2;

}  // namespace

bool ElfFile::fail(const char *why) {
    error_ = why;
    count_ = 0;
    return false;
}

bool ElfFile::parse(const u8 *begin, const u8 *end) {
    begin_ = begin;
    count_ = 0;
    error_ = nullptr;
    const u32 size = static_cast<u32>(end - begin);
    if (!begin || end < begin || size < kHeaderBytes) return fail("shorter than an ELF header");
    if (begin[0] != 0x7f || begin[1] != 'E' || begin[2] != 'L' || begin[3] != 'F') return fail("not an ELF file");
    if (begin[4] != 1 || begin[5] != 1) return fail("not a 32-bit little-endian ELF file");
    if (read16(begin + 16) != kEtExec) return fail("not an executable (ELF type)");
    if (read16(begin + 18) != kEmArm) return fail("not an ARM ELF file");
    entry_ = read32(begin + 24);
    const u32 phoff = read32(begin + 28), phentsize = read16(begin + 42), phnum = read16(begin + 44);
    if (phnum == 0) return fail("no program headers");
    if (phentsize < kPhdrBytes || phoff > size || phnum > (size - phoff) / phentsize)
        return fail("program headers outside the file");
    for (u32 i = 0; i < phnum; ++i) {
        const u8 *ph = begin + phoff + i * phentsize;
        const u32 type = read32(ph), offset = read32(ph + 4), vaddr = read32(ph + 8), filesz = read32(ph + 16),
                  memsz = read32(ph + 20), flags = read32(ph + 24);
        if (type != kPtLoad || memsz == 0) continue;
        if (count_ == kMaxSegments) return fail("more than 8 PT_LOAD segments");
        if (filesz > memsz) return fail("a segment's file size exceeds its memory size");
        if (offset > size || filesz > size - offset) return fail("a segment's bytes lie outside the file");
        if (vaddr + memsz < vaddr) return fail("a segment wraps around the address space");
        segments_[count_++] = {vaddr, memsz, offset, filesz, (flags & kPfW) != 0, (flags & kPfX) != 0};
    }
    if (count_ == 0) return fail("no PT_LOAD segment");
    return true;
}

const char *ElfFile::check_image(u32 base, u32 limit) const {
    constexpr u32 kPage = 4096;
    const auto page_end = [](u32 v) { return (v + kPage - 1) & ~(kPage - 1); };
    bool entry_ok = false;
    for (u32 i = 0; i < count_; ++i) {
        const ElfSegment &s = segments_[i];
        if (s.vaddr & (kPage - 1)) return "a segment does not start on a page";
        if (s.vaddr < base || s.vaddr > limit || s.memsz > limit - s.vaddr)
            return "a segment lies outside the image window";
        if (s.writable && s.executable) return "a segment is both writable and executable";
        for (u32 k = 0; k < i; ++k) {
            const ElfSegment &o = segments_[k];
            if (s.vaddr < page_end(o.vaddr + o.memsz) && o.vaddr < page_end(s.vaddr + s.memsz))
                return "two segments share a page";
        }
        const u32 pc = entry_ & ~1u;
        if (s.executable && pc >= s.vaddr && pc - s.vaddr < s.memsz) entry_ok = true;
    }
    if (count_ == 0) return "no PT_LOAD segment";
    return entry_ok ? nullptr : "the entry point is not in an executable segment";
}

}  // namespace petrel
