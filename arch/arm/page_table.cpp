// SPDX-License-Identifier: BSD-2-Clause
// PageTable invocations (Map, Unmap) and PageDirectory invocations (cache
// maintenance over a mapped range); see abi.hpp for arguments and errors.
#include "kmem.hpp"
#include "slot.hpp"
#include "untyped.hpp"
#include "vspace.hpp"

namespace petrel {

using abi::Label;
using namespace arm;

namespace {

Status invoke_pt_map(Cap &pt, paddr_t pd, u32 asid, u32 vaddr) {
    map_page_table(pt, pd, asid, vaddr);
    return Status::Ok;
}

Status invoke_pt_unmap(Cap &pt) {
    if (pt.pt_mapped()) {
        unmap_page_table(pt);
        // Its entries go too, so a later Map starts from an empty table.
        zero_memory(kptr<void>(pt.object()), 1u << abi::kPageTableBits);
        arch::clean_tables(pt.object(), 1u << abi::kPageTableBits);
    }
    return Status::Ok;
}

Status decode_pt_map(Invocation &inv) {
    if (inv.length() < 1 || inv.extra_count < 1) return reject_truncated(inv, 1, 1);
    const Cap &pt = inv.slot->cap;
    const Cap &pd_cap = inv.extra[0]->cap;
    if (pt.pt_mapped())
        return reject_cap(inv, 0, "page_table", "expected an unmapped PageTable, got one mapped at 0x%08x in ASID %u",
                          pt.pt_mapped_pd_index() << kSectionShift, pt.pt_mapped_asid());
    const Result<paddr_t> pd_arg = decode_pd_arg(inv, 0, "vspace");
    if (!pd_arg.ok()) return pd_arg.status();
    const paddr_t pd = pd_arg.value();
    const u32 vaddr = inv.mr(0);
    if (vaddr >= abi::kUserTop)
        return reject_argument(inv, 0, "vaddr", "expected an address below 0x%08x, got 0x%08x", abi::kUserTop, vaddr);
    const u32 pde = kptr<u32>(pd)[l1_index(vaddr)];
    if (pde != 0)
        return reject_occupied(inv, "vaddr", "expected a free megabyte at 0x%08x, got %s", vaddr & ~(kSectionSize - 1),
                               is_page_table_entry(pde) ? "a PageTable" : "a section mapped");
    return invoke_pt_map(inv.slot->cap, pd, pd_cap.pd_asid(), vaddr);
}

Status decode_pt_unmap(Invocation &inv) {
    if (!is_final(inv.slot))
        return reject_revoke_first(inv, "page_table: expected the last cap to the PageTable, got one with copies");
    return invoke_pt_unmap(inv.slot->cap);
}

// The frame a user address falls in: its first entry's base, size and kind.
bool mapped_frame_at(paddr_t pd, u32 vaddr, paddr_t &base, u32 &bits, bool &device) {
    const u32 pde = kptr<u32>(pd)[l1_index(vaddr)];
    u32 desc;
    bool first_level = true;
    if (is_page_table_entry(pde)) {
        desc = kptr<u32>(page_table_base(pde))[l2_index(vaddr)];
        first_level = false;
        if (desc == 0) return false;
        if (is_large_page(desc)) base = large_page_base(desc), bits = abi::kLargePageBits;
        else base = small_page_base(desc), bits = abi::kPageBits;
    } else if (is_supersection(pde)) {
        desc = pde, base = supersection_base(pde), bits = abi::kSuperSectionBits;
    } else if (is_section(pde)) {
        desc = pde, base = section_base(pde), bits = abi::kSectionBits;
    } else {
        return false;
    }
    const u32 tex = (desc >> (first_level ? 12 : (is_large_page(desc) ? 12 : 6))) & 7u;
    device = tex == 0 && ((desc >> 2) & 3u) == 0b01u;
    return true;
}

Status decode_pd_cache(Invocation &inv, arch::CacheOp op) {
    if (inv.length() < 2) return reject_truncated(inv, 2, 0);
    const Cap &pd_cap = inv.slot->cap;
    const paddr_t pd = live_pd(pd_cap);
    if (!pd) return reject_cap(inv, 0, "vspace", "expected a PageDirectory with a live ASID, got one without");
    const u32 start = inv.mr(0), end = inv.mr(1);
    if (start >= abi::kUserTop)
        return reject_argument(inv, 0, "start", "expected an address below 0x%08x, got 0x%08x", abi::kUserTop, start);
    paddr_t base;
    u32 bits;
    bool device;
    if (!mapped_frame_at(pd, start, base, bits, device))
        return reject_missing_table(inv, "start", start, "a mapped frame");
    const u32 frame_vaddr = start & ~((1u << bits) - 1);
    if (end <= start || end - frame_vaddr > (1u << bits))
        return reject_argument(inv, 1, "end",
                               "expected 0x%08x < end <= 0x%08x (inside the frame mapped at 0x%08x), got 0x%08x", start,
                               frame_vaddr + ((1u << bits) - 1) + 1, frame_vaddr, end);
    if (device) return reject_illegal(inv, "start: expected cached memory, got a device mapping at 0x%08x", start);
    return invoke_cache_op(op, base + (start - frame_vaddr), end - start);
}

}  // namespace

Status decode_page_table(Invocation &inv) {
    switch (static_cast<Label>(inv.label())) {
    case Label::PageTableMap:
        inv.name = "PageTable.Map";
        return decode_pt_map(inv);
    case Label::PageTableUnmap:
        inv.name = "PageTable.Unmap";
        return decode_pt_unmap(inv);
    default:
        inv.name = "PageTable";
        return reject_illegal(inv, "label %u is not a PageTable method", inv.label());
    }
}

Status decode_page_directory(Invocation &inv) {
    switch (static_cast<Label>(inv.label())) {
    case Label::PageDirectoryClean:
        inv.name = "PageDirectory.Clean";
        return decode_pd_cache(inv, arch::CacheOp::Clean);
    case Label::PageDirectoryInvalidate:
        inv.name = "PageDirectory.Invalidate";
        return decode_pd_cache(inv, arch::CacheOp::Invalidate);
    case Label::PageDirectoryCleanInvalidate:
        inv.name = "PageDirectory.CleanInvalidate";
        return decode_pd_cache(inv, arch::CacheOp::CleanInvalidate);
    case Label::PageDirectoryUnify:
        inv.name = "PageDirectory.Unify";
        return decode_pd_cache(inv, arch::CacheOp::Unify);
    default:
        inv.name = "PageDirectory";
        return reject_illegal(inv, "label %u is not a PageDirectory method", inv.label());
    }
}

}  // namespace petrel
