// SPDX-License-Identifier: BSD-2-Clause
// Frame invocations: Map, Unmap, GetAddress and cache maintenance (see
// abi.hpp for the arguments and errors, vspace.hpp for the model).
#include "kmem.hpp"
#include "slot.hpp"
#include "vspace.hpp"

namespace petrel {

using abi::Label;
using namespace arm;

namespace {

Status invoke_map(Cap &frame, paddr_t pd, u32 asid, u32 vaddr, const UserAttrs &attrs) {
    map_frame(frame, pd, asid, vaddr, attrs);
    return Status::Ok;
}

Status invoke_unmap(Cap &frame) {
    unmap_frame(frame);
    return Status::Ok;
}

Status invoke_get_address(Invocation &inv, const Cap &frame) {
    inv.reply_mr(0, frame.object());
    return Status::Ok;
}

Status decode_map(Invocation &inv) {
    if (inv.length() < 3 || inv.extra_count < 1) return reject_truncated(inv, 3, 1);
    const Result<paddr_t> pd_arg = decode_pd_arg(inv, 0, "vspace");
    if (!pd_arg.ok()) return pd_arg.status();
    const paddr_t pd = pd_arg.value();
    const u32 asid = inv.extra[0]->cap.pd_asid();
    Cap &frame = inv.slot->cap;
    const CapType size = frame.type();
    const u32 bits = frame_size_bits(size);
    const u32 vaddr = inv.mr(0), rights = inv.mr(1) & frame.rights(), attr = inv.mr(2);
    if (vaddr & ((1u << bits) - 1)) return reject_alignment(inv, "vaddr", vaddr, bits);
    if (vaddr >= abi::kUserTop || (1u << bits) > abi::kUserTop - vaddr)
        return reject_argument(inv, 0, "vaddr", "expected a %u KiB frame's place below 0x%08x, got 0x%08x",
                               (1u << bits) >> 10, abi::kUserTop, vaddr);
    if (!(rights & abi::kRightRead))
        return reject_argument(inv, 1, "rights",
                               "expected kRightRead among the rights (0x%x) ANDed with the cap's (0x%x), got 0x%x",
                               inv.mr(1), frame.rights(), rights);
    if (attr & ~abi::kVmAttributesAll)
        return reject_argument(inv, 2, "attr", "expected VmAttributes bits 0x%x, got 0x%x", abi::kVmAttributesAll,
                               attr);
    const bool remap = frame.frame_mapped();
    if (remap && (frame.frame_mapped_asid() != asid || frame.frame_mapped_vaddr() != vaddr))
        return reject_cap(inv, 0, "frame",
                          "expected an unmapped frame cap (map a copy to map the frame twice), got one mapped at "
                          "0x%08x in ASID %u",
                          frame.frame_mapped_vaddr(), frame.frame_mapped_asid());
    u32 count;
    u32 *e = frame_entries(pd, size, vaddr, count);
    if (!e) return reject_missing_table(inv, "vaddr", vaddr);
    if (size == CapType::Frame1M || size == CapType::Frame16M) {
        // A section must not replace a PageTable (remove the table first).
        for (u32 i = 0; i < count; ++i)
            if (is_page_table_entry(e[i]))
                return reject_occupied(inv, "vaddr", "expected no PageTable at 0x%08x, got one", vaddr + (i << 20));
    }
    // Free entries, or (remapping the same place) exactly this frame's.
    if (!(remap && frame_present(frame)))
        for (u32 i = 0; i < count; ++i)
            if (e[i] != 0)
                return reject_occupied(inv, "vaddr", "expected nothing mapped at 0x%08x, got entry %08x", vaddr, e[i]);
    const bool device = frame.frame_is_device();
    const UserAttrs a{(rights & abi::kRightWrite) != 0, !(attr & abi::kVmExecuteNever),
                      device ? UserMem::device : (attr & abi::kVmCacheable) ? UserMem::cached : UserMem::uncached};
    return invoke_map(frame, pd, asid, vaddr, a);
}

Status decode_cache_op(Invocation &inv, arch::CacheOp op) {
    if (inv.length() < 2) return reject_truncated(inv, 2, 0);
    const Cap &frame = inv.slot->cap;
    const u32 size = 1u << frame_size_bits(frame.type());
    const u32 start = inv.mr(0), end = inv.mr(1);
    if (frame.frame_is_device()) return reject_illegal(inv, "expected a RAM frame, got a device frame (never cached)");
    if (start >= size) return reject_range(inv, "start", start, 0, size - 1);
    if (end <= start || end > size) return reject_range(inv, "end", end, start + 1, size);
    return invoke_cache_op(op, frame.object() + start, end - start);
}

}  // namespace

Status decode_frame(Invocation &inv) {
    switch (static_cast<Label>(inv.label())) {
    case Label::PageMap:
        inv.name = "Page.Map";
        return decode_map(inv);
    case Label::PageUnmap:
        inv.name = "Page.Unmap";
        return invoke_unmap(inv.slot->cap);  // nothing to check
    case Label::PageGetAddress:
        inv.name = "Page.GetAddress";
        return invoke_get_address(inv, inv.slot->cap);  // nothing to check
    case Label::PageClean: inv.name = "Page.Clean"; return decode_cache_op(inv, arch::CacheOp::Clean);
    case Label::PageInvalidate: inv.name = "Page.Invalidate"; return decode_cache_op(inv, arch::CacheOp::Invalidate);
    case Label::PageCleanInvalidate:
        inv.name = "Page.CleanInvalidate";
        return decode_cache_op(inv, arch::CacheOp::CleanInvalidate);
    case Label::PageUnify: inv.name = "Page.Unify"; return decode_cache_op(inv, arch::CacheOp::Unify);
    default:
        inv.name = "Page";
        return reject_illegal(inv, "label %u is not a Frame method", inv.label());
    }
}

}  // namespace petrel
