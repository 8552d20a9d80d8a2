// SPDX-License-Identifier: BSD-2-Clause
// ARMv7-A short-descriptor translation table entries, and the kernel's virtual layout.
//
// Pure, constexpr encoders: compiled into the kernel and into the host tests alike.
// First-level sections for the kernel; for user address spaces first-level
// page-table entries, sections and supersections, and second-level small and
// large pages.
#pragma once

#include "petrel/types.hpp"

namespace petrel::arm {

// The address-space split (TTBCR.N = 1): TTBR0 translates 0x0000'0000-0x7fff'ffff
// for user address spaces, TTBR1 translates 0x8000'0000-0xffff'ffff for the
// kernel. Why a split and not kernel entries copied into every page directory:
//  * a user Page Directory shrinks to 8 KiB (2048 entries) and holds user
//    mappings only, so creating one copies nothing and a kernel mapping added
//    later never has to be propagated to every address space;
//  * the kernel table is global and walks never touch user state, so a bad user
//    table cannot break kernel translation;
//  * the cost, a 2 GiB user half, is no loss on boards with at most 1 GiB of RAM.
constexpr u32 kTtbcrN = 1;
constexpr u32 kUserTop = 0x8000'0000;        // first address translated through TTBR1
constexpr u32 kKernelWindow = 0x8000'0000;   // RAM is mapped here, from the board's RAM base
constexpr u32 kKernelWindowMax = 0x7000'0000;  // up to 1.75 GiB of RAM in the window
constexpr u32 kDeviceWindow = 0xf000'0000;   // kernel device mappings (1 MiB granules)
constexpr u32 kDeviceWindowMax = 0x0f00'0000;

constexpr u32 kSectionShift = 20;
constexpr u32 kSectionSize = 1u << kSectionShift;
constexpr u32 kL1Entries = 4096;

// Memory types for kernel mappings.
enum class MemType { normal_wb, device };

// A first-level section descriptor, global (nG = 0), domain 0, kernel read/write,
// no user access. Normal memory is inner/outer write-back write-allocate and
// shareable; device memory is shareable device and never executable.
constexpr u32 section(u32 paddr, MemType type) {
    u32 d = (paddr & 0xfff0'0000u) | 0b10u;  // section
    d |= 1u << 10;                            // AP[1:0] = 01: PL1 RW, PL0 none
    if (type == MemType::normal_wb) {
        d |= (0b001u << 12) | (1u << 3) | (1u << 2);  // TEX=001 C=1 B=1: WBWA
        d |= 1u << 16;                                // S
    } else {
        d |= 1u << 2;  // TEX=000 C=0 B=1: shareable device
        d |= 1u << 4;  // XN
    }
    return d;
}

constexpr bool is_section(u32 desc) { return (desc & 0b11u) == 0b10u && (desc & (1u << 18)) == 0; }
constexpr u32 section_base(u32 desc) { return desc & 0xfff0'0000u; }
constexpr u32 l1_index(u32 vaddr) { return vaddr >> kSectionShift; }

// The boot device-tree window: during boot only, TTBR0 maps the sections that
// hold the device tree the loader passed here, wherever in the 32-bit physical
// space it lies (a loader may put it above the RAM the kernel window holds, or
// above 2 GiB, which an identity map in TTBR0 cannot reach). 4 MiB: a device
// tree is far smaller (QEMU's is 1 MiB, U-Boot adds 12 KiB).
constexpr u32 kBootDtSections = 4;
constexpr u32 kBootDtWindow = kUserTop - kBootDtSections * kSectionSize;

// How many sections, from the one holding `paddr`, it takes to cover the `len`
// bytes from `paddr` (at least one): at most `max`, and never past 4 GiB.
constexpr u32 sections_covering(u32 paddr, u32 len, u32 max) {
    const u64 end = u64{paddr} + (len == 0 ? 1 : len);        // exclusive
    const u64 last = (end > 0x1'0000'0000ull ? 0x1'0000'0000ull : end) - 1;
    const u32 n = static_cast<u32>((last >> kSectionShift) - (paddr >> kSectionShift)) + 1;
    return n < max ? n : max;
}

// User mappings (TTBR0). A first-level entry pointing at a 1 KiB second-level
// table of 256 small-page entries, domain 0.
constexpr u32 kPageShift = 12;
constexpr u32 kPageSize = 1u << kPageShift;
constexpr u32 kPageTableBytes = 1024;
constexpr u32 page_table_entry(u32 table_paddr) { return (table_paddr & 0xffff'fc00u) | 0b01u; }
constexpr bool is_page_table_entry(u32 desc) { return (desc & 0b11u) == 0b01u; }
constexpr u32 page_table_base(u32 desc) { return desc & 0xffff'fc00u; }
constexpr u32 l2_index(u32 vaddr) { return (vaddr >> kPageShift) & 0xffu; }

// What a user mapping allows and which memory type it has. Every user entry
// is not global (nG: tagged with its address space's hardware ASID), domain 0,
// and readable by the user; writable when `writable` (AP = 011, else 010: PL1
// read/write, PL0 read-only); executable only when `executable` (else XN).
enum class UserMem : u8 {
    cached,    // normal, inner/outer write-back write-allocate, shareable
    uncached,  // normal, non-cacheable, shareable
    device,    // shareable device (never executable)
};
struct UserAttrs {
    bool writable;
    bool executable;
    UserMem mem;
};
// TEX[2:0], C and B for a memory type (TEX remapping off).
constexpr u32 tex_of(UserMem m) { return m == UserMem::device ? 0b000u : 0b001u; }
constexpr u32 cb_of(UserMem m) {
    return m == UserMem::cached ? 0b11u : m == UserMem::uncached ? 0b00u : 0b01u;  // C << 1 | B
}
constexpr u32 ap_of(const UserAttrs &a) { return a.writable ? 0b11u : 0b10u; }
constexpr bool xn_of(const UserAttrs &a) { return !a.executable || a.mem == UserMem::device; }

// Second level: a small page (4 KiB) and a large page (64 KiB, written into 16
// consecutive entries starting at a multiple of 16).
constexpr u32 user_small_page(u32 paddr, const UserAttrs &a) {
    return (paddr & 0xffff'f000u) | 0b10u | (xn_of(a) ? 1u : 0u) | cb_of(a.mem) << 2 | ap_of(a) << 4 |
           tex_of(a.mem) << 6 | 1u << 10 | 1u << 11;
}
constexpr u32 user_small_page(u32 paddr, bool writable, bool executable) {
    return user_small_page(paddr, UserAttrs{writable, executable, UserMem::cached});
}
constexpr u32 user_large_page(u32 paddr, const UserAttrs &a) {
    return (paddr & 0xffff'0000u) | 0b01u | cb_of(a.mem) << 2 | ap_of(a) << 4 | 1u << 10 | 1u << 11 |
           tex_of(a.mem) << 12 | (xn_of(a) ? 1u : 0u) << 15;
}
// First level: a section (1 MiB) and a supersection (16 MiB, written into 16
// consecutive entries starting at a multiple of 16).
constexpr u32 user_section(u32 paddr, const UserAttrs &a) {
    return (paddr & 0xfff0'0000u) | 0b10u | cb_of(a.mem) << 2 | (xn_of(a) ? 1u : 0u) << 4 | ap_of(a) << 10 |
           tex_of(a.mem) << 12 | 1u << 16 | 1u << 17;
}
constexpr u32 user_supersection(u32 paddr, const UserAttrs &a) {
    return (user_section(paddr & 0xff00'0000u, a)) | 1u << 18;
}

constexpr bool is_small_page(u32 desc) { return (desc & 0b10u) != 0; }
constexpr u32 small_page_base(u32 desc) { return desc & 0xffff'f000u; }
constexpr bool is_large_page(u32 desc) { return (desc & 0b11u) == 0b01u; }
constexpr u32 large_page_base(u32 desc) { return desc & 0xffff'0000u; }
constexpr bool is_supersection(u32 desc) { return (desc & 0b11u) == 0b10u && (desc & (1u << 18)) != 0; }
constexpr u32 supersection_base(u32 desc) { return desc & 0xff00'0000u; }
constexpr u32 kLargePageEntries = 16;  // second-level entries of one large page
constexpr u32 kSuperSectionEntries = 16;  // first-level entries of one supersection

// TTBRn walk attributes: inner write-back write-allocate (IRGN = 01 split as
// bit 6 = 1, bit 0 = 0), outer write-back write-allocate (RGN = 01), shareable.
constexpr u32 kTtbrWalkAttrs = (1u << 6) | (0b01u << 3) | (1u << 1);

}  // namespace petrel::arm
