// SPDX-License-Identifier: BSD-2-Clause
// ARMv7-A short-descriptor translation table entries, and the kernel's virtual layout.
//
// Pure, constexpr encoders: compiled into the kernel and into the host tests alike.
// Only the formats the kernel itself uses today are here: first-level sections
// for the kernel, and first-level page-table entries and small pages for the
// root task's address space; the virtual-memory issue adds large pages and
// supersections.
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

// User mappings (TTBR0). A first-level entry pointing at a 1 KiB second-level
// table of 256 small-page entries, domain 0.
constexpr u32 kPageShift = 12;
constexpr u32 kPageSize = 1u << kPageShift;
constexpr u32 kPageTableBytes = 1024;
constexpr u32 page_table_entry(u32 table_paddr) { return (table_paddr & 0xffff'fc00u) | 0b01u; }
constexpr bool is_page_table_entry(u32 desc) { return (desc & 0b11u) == 0b01u; }
constexpr u32 page_table_base(u32 desc) { return desc & 0xffff'fc00u; }
constexpr u32 l2_index(u32 vaddr) { return (vaddr >> kPageShift) & 0xffu; }

// A user small page (4 KiB) of normal write-back write-allocate shareable
// memory, not global (nG: tagged with the address space's ASID). Readable by
// the user always; writable when `writable` (AP = 011, else 010: PL1 read/write,
// PL0 read-only); executable only when `executable` (else XN).
constexpr u32 user_small_page(u32 paddr, bool writable, bool executable) {
    u32 d = (paddr & 0xffff'f000u) | 0b10u;          // small page
    if (!executable) d |= 1u;                         // XN
    d |= (1u << 2) | (1u << 3) | (0b001u << 6);      // B, C, TEX = 001: WBWA
    d |= (writable ? 0b11u : 0b10u) << 4;             // AP[1:0], AP[2] = 0
    d |= (1u << 10) | (1u << 11);                     // S, nG
    return d;
}
constexpr bool is_small_page(u32 desc) { return (desc & 0b10u) != 0; }
constexpr u32 small_page_base(u32 desc) { return desc & 0xffff'f000u; }

// TTBRn walk attributes: inner write-back write-allocate (IRGN = 01 split as
// bit 6 = 1, bit 0 = 0), outer write-back write-allocate (RGN = 01), shareable.
constexpr u32 kTtbrWalkAttrs = (1u << 6) | (0b01u << 3) | (1u << 1);

}  // namespace petrel::arm
