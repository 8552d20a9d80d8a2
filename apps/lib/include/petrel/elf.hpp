// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: reading an app's ELF executable (32-bit, little-endian, ARM), as the root task loads it.
//
// ElfFile::parse() checks the file header and program headers and keeps the
// PT_LOAD segments (those with a nonzero memory size). It checks that the file
// is a 32-bit little-endian ARM executable, that every program header and
// every segment's file bytes lie inside the file, that filesz <= memsz, and
// that a segment's end does not wrap. check_image() then says whether the
// segments fit a loader that maps each page with its segment's permissions
// (process_create() in process.hpp). Nothing is copied: segments point into
// the file's bytes.
#pragma once

#include "petrel/types.hpp"

namespace petrel {

struct ElfSegment {
    u32 vaddr;    // where it starts in the address space
    u32 memsz;    // bytes it covers there; past filesz they are zero (.bss)
    u32 offset;   // where its bytes start in the file
    u32 filesz;   // bytes taken from the file
    bool writable, executable;  // PF_W, PF_X (every segment is readable)
};

class ElfFile {
  public:
    static constexpr u32 kMaxSegments = 8;

    // Reads the file [begin, end). False if it is not one Petrel can load;
    // error() then says why (a constant string).
    bool parse(const u8 *begin, const u8 *end);

    u32 entry() const { return entry_; }
    u32 segment_count() const { return count_; }
    const ElfSegment &segment(u32 i) const { return segments_[i]; }
    // The segment's file bytes (filesz of them).
    const u8 *bytes(const ElfSegment &s) const { return begin_ + s.offset; }
    const char *error() const { return error_; }

    // Whether a parsed file can be loaded as an image in [base, limit): every
    // segment inside it and starting on a 4 KiB page, none both writable and
    // executable, no two touching the same page, and the entry (bit 0 set for
    // Thumb) in an executable segment. nullptr if so, else what is wrong.
    const char *check_image(u32 base, u32 limit) const;

  private:
    bool fail(const char *why);
    const u8 *begin_ = nullptr;
    u32 entry_ = 0, count_ = 0;
    ElfSegment segments_[kMaxSegments] = {};
    const char *error_ = nullptr;
};

}  // namespace petrel
