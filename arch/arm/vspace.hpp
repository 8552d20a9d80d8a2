// SPDX-License-Identifier: BSD-2-Clause
// The virtual-memory layer: Page Directories, Page Tables, Frames and ASIDs on
// the ARMv7 short-descriptor format (seL4's arch/arm/kernel/vspace.c).
//
// Objects. A PageDirectory is the 8 KiB first-level table of a 2 GiB user half
// (TTBCR.N = 1: the kernel's half is a separate, global table), a PageTable a
// 1 KiB second-level table covering 1 MiB, and a Frame 4 KiB, 64 KiB, 1 MiB or
// 16 MiB of memory, mapped as a small page, large page, section or supersection
// (64 KiB and 16 MiB as the 16 replicated entries the format requires).
//
// Who records what. Page-table entries hold no back pointers: the caps do.
//   - a PageDirectory cap holds its ASID once an ASID pool assigned one; the
//     pool's entry for that ASID holds the directory's address (and, in its low
//     bits, the hardware ASID it is lent, if any);
//   - a mapped PageTable cap holds the ASID and directory index it is mapped at;
//   - a mapped Frame cap holds the ASID and virtual address it is mapped at; a
//     frame cap maps in one place at a time (a copy of the cap starts unmapped).
// Unmapping goes from the cap: find the directory by ASID, check the entry
// still points at this object, clear it, flush. A cap whose directory or table
// has since gone (deleted, or unmapped and cleared) records a mapping that no
// longer exists: unmapping it changes nothing, as in seL4.
//
// Deletion. Deleting any frame cap unmaps its mapping; deleting the last cap to
// a PageTable unmaps the table; to a PageDirectory frees its ASID (and the
// hardware ASID); to an ASID pool frees every ASID in it. Each step is bounded
// (at most 16 entries, or one pool of 1024 entries), so Revoke stays preemptible.
//
// Hardware ASIDs. ASIDs are 16-bit software names; the TLB tags entries with an
// 8-bit hardware ASID (1-255; 0 is reserved for the switch sequence and the
// empty table). An address space gets one when a thread of it is first
// activated, round robin; when none is free the next one in turn is taken from
// its owner, whose TLB entries are flushed (seL4's findFreeHWASID). Switching
// address spaces otherwise flushes nothing.
#pragma once

#include "arch.hpp"
#include "cap.hpp"
#include "invocation.hpp"
#include "mmu.hpp"

namespace petrel {

// arch.hpp's cap_deleted(), check_mappings() and boot_asid_pool(), and
// arch::decode_invocation() (invocation.hpp) are defined in vspace.cpp.
// check_mappings(): every present user entry belongs to a frame (or table) cap
// that records it, replicated entries agree, and the hardware ASID table and
// the pools agree.

// ---- invocations: decode and perform (frame.cpp, page_table.cpp, asid_pool.cpp)
Status decode_frame(Invocation &inv);
Status decode_page_table(Invocation &inv);
Status decode_page_directory(Invocation &inv);
Status decode_asid_control(Invocation &inv);
Status decode_asid_pool(Invocation &inv);

// ---- ASIDs (vspace.cpp)
// The PageDirectory holding `asid`, or 0 (no pool, no directory, or ASID 0).
paddr_t find_pd(u32 asid);
// The PageDirectory a cap names if it is usable as an address space: it has an
// ASID and that ASID still names it. Else 0.
paddr_t live_pd(const Cap &pd_cap);
// Decodes the PageDirectory that extra cap `index` of a Map names (`arg` in the
// log): a directory with a live ASID, whose address it gives, or rejects.
inline Result<paddr_t> decode_pd_arg(Invocation &inv, u32 index, const char *arg) {
    const Cap &c = inv.extra[index]->cap;
    if (c.type() != CapType::PageDirectory)
        return reject_cap(inv, index + 1, arg, "expected a PageDirectory cap, got %s", cap_type_name(c.type()));
    if (!c.pd_has_asid())
        return reject_cap(inv, index + 1, arg,
                          "expected a PageDirectory with an ASID (AsidPool.Assign), got one without");
    const paddr_t pd = live_pd(c);
    if (!pd)
        return reject_cap(inv, index + 1, arg, "expected a PageDirectory with a live ASID, got ASID %u, since deleted",
                          c.pd_asid());
    return pd;
}
// Frame and PageDirectory cache maintenance, once decoded: `op` on the physical
// range [start, start + bytes).
inline Status invoke_cache_op(arch::CacheOp op, paddr_t start, u32 bytes) {
    arch::cache_maintain(op, start, bytes);
    return Status::Ok;
}
// The hardware ASID lent to `asid` (which must name a directory), lending one
// first if it has none.
u32 hw_asid_get(u32 asid);
// Frees ASID `asid` of directory `pd` (its last cap is being deleted).
void delete_asid(u32 asid, paddr_t pd);
// Frees every ASID of the pool `pool` for ASIDs base..base + 1023.
void delete_asid_pool(u32 base, paddr_t pool);
// Makes `pool` (4 KiB, zeroed) the pool for ASIDs base..base + 1023.
void install_asid_pool(u32 base, paddr_t pool);
// Gives `pd` ASID `asid` in its (installed) pool and records it in `pd_cap`.
void assign_asid(u32 asid, paddr_t pd, Cap &pd_cap);

// ---- mappings (vspace.cpp). The callers have checked everything.
// The second-level entry for `vaddr` in directory `pd`, or null without a table.
u32 *lookup_pte(paddr_t pd, u32 vaddr);
// Writes the entries mapping `frame_cap`'s frame at `vaddr` in `pd` (ASID
// `asid`) and records the mapping in the cap. A remap of the same place
// (to change rights or attributes) flushes the old entry.
void map_frame(Cap &frame_cap, paddr_t pd, u32 asid, u32 vaddr, const arm::UserAttrs &attrs);
// Removes the frame's mapping if it still exists, flushes, and clears the record.
void unmap_frame(Cap &frame_cap);
// Maps the table of `pt_cap` for `vaddr`'s megabyte and records it in the cap.
void map_page_table(Cap &pt_cap, paddr_t pd, u32 asid, u32 vaddr);
// Removes the table's directory entry if it still exists, flushes, and clears the record.
void unmap_page_table(Cap &pt_cap);
// The first-level or second-level entries `frame_cap`'s mapping would occupy
// at `vaddr` in `pd` (null for a missing table), and how many.
u32 *frame_entries(paddr_t pd, CapType size, u32 vaddr, u32 &count);

// Whether the mapping a frame cap records exists in the tables.
bool frame_present(const Cap &frame_cap);

// Activation: the directory and hardware ASID a thread runs in, or false when
// its VSpace cap names no live directory (it then runs on an empty table).
bool vspace_of(const Cap &vtable, paddr_t &pd, u32 &hw_asid);

}  // namespace petrel
