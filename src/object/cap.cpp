// SPDX-License-Identifier: BSD-2-Clause
// Capability encoding and the region/object relations (see cap.hpp).
#include "cap.hpp"

#include "panic.hpp"

namespace petrel {

namespace {
constexpr u32 tag(CapType t) { return static_cast<u32>(t); }
}  // namespace

const char *cap_type_name(CapType t) {
    switch (t) {
    case CapType::Null: return "null";
    case CapType::Untyped: return "Untyped";
    case CapType::Endpoint: return "Endpoint";
    case CapType::Notification: return "Notification";
    case CapType::Reply: return "Reply";
    case CapType::CNode: return "CNode";
    case CapType::Thread: return "TCB";
    case CapType::Zombie: return "Zombie";
    case CapType::PageDirectory: return "PageDirectory";
    case CapType::PageTable: return "PageTable";
    case CapType::Frame4K: return "Frame4K";
    case CapType::Frame64K: return "Frame64K";
    case CapType::Frame1M: return "Frame1M";
    case CapType::Frame16M: return "Frame16M";
    case CapType::AsidPool: return "AsidPool";
    case CapType::IrqControl: return "IrqControl";
    case CapType::IrqHandler: return "IrqHandler";
    case CapType::AsidControl: return "AsidControl";
    case CapType::Debug: return "Debug";
    }
    return "unknown";
}

u32 frame_size_bits(CapType t) {
    switch (t) {
    case CapType::Frame4K: return 12;
    case CapType::Frame64K: return 16;
    case CapType::Frame1M: return 20;
    case CapType::Frame16M: return 24;
    default: return 0;
    }
}

Cap Cap::untyped(paddr_t base, u32 size_bits, bool device, u32 free_bytes) {
    kassert(size_bits >= abi::kMinUntypedBits && size_bits <= abi::kMaxUntypedBits);
    kassert((base & mask_bits(size_bits)) == 0 && (free_bytes & 0xfu) == 0);
    return {tag(CapType::Untyped) | (device ? 1u : 0u) << 4 | (free_bytes >> 4) << 5,
            region_encode(base, size_bits)};
}

Cap Cap::endpoint(paddr_t ep, u32 badge, u32 rights) {
    return {tag(CapType::Endpoint) | badge << 4, ep | (rights & abi::kRightsAll)};
}

Cap Cap::notification(paddr_t ntfn, u32 badge, u32 rights) {
    return {tag(CapType::Notification) | badge << 4, ntfn | (rights & abi::kRightsAll)};
}

Cap Cap::cnode(paddr_t node, u32 radix, u32 guard_size, u32 guard) {
    kassert(radix <= 31 && guard_size <= 31 && guard < (1u << abi::kCNodeGuardBits));
    return {tag(CapType::CNode) | radix << 4 | guard_size << 9 | guard << 14, node};
}

Cap Cap::thread(paddr_t tcb) { return {tag(CapType::Thread), tcb}; }

Cap Cap::zombie(paddr_t obj, u32 size_bits, bool is_tcb, u32 remaining) {
    return {tag(CapType::Zombie) | (is_tcb ? 1u : 0u) << 4 | remaining << 5, region_encode(obj, size_bits)};
}

Cap Cap::page_directory(paddr_t pd) { return {tag(CapType::PageDirectory), pd}; }
Cap Cap::page_table(paddr_t pt) { return {tag(CapType::PageTable), pt}; }

Cap Cap::frame(CapType size, paddr_t frame, u32 rights, bool device) {
    kassert(frame_size_bits(size) != 0);
    u32 r = (rights & abi::kRightRead ? 2u : 0u) | (rights & abi::kRightWrite ? 4u : 0u);
    return {tag(size), frame | r | (device ? 1u : 0u)};
}

Cap Cap::asid_pool(paddr_t pool, u32 asid_base) {
    return {tag(CapType::AsidPool) | ((asid_base >> 10) & 0x3fu) << 4, pool};
}

Cap Cap::irq_handler(u32 irq) { return {tag(CapType::IrqHandler) | irq << 8, 0}; }

paddr_t Cap::object() const {
    switch (type()) {
    case CapType::Untyped: return untyped_base();
    case CapType::Endpoint:
    case CapType::Notification:
    case CapType::Reply: return w1 & ~0xfu;
    case CapType::CNode:
    case CapType::Thread: return w1;
    case CapType::Zombie: return region_base(w1);
    case CapType::PageDirectory:
    case CapType::PageTable:
    case CapType::AsidPool: return w1 & ~0x3ffu;
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M: return w1 & ~0xfffu;
    default: return 0;
    }
}

u32 Cap::object_size_bits() const {
    switch (type()) {
    case CapType::Untyped: return untyped_size_bits();
    case CapType::Endpoint: return abi::kEndpointBits;
    case CapType::Notification: return abi::kNotificationBits;
    case CapType::CNode: return cnode_radix() + abi::kSlotBits;
    case CapType::Thread: return abi::kTcbBits;
    case CapType::Zombie: return region_size_bits(w1);
    case CapType::PageDirectory: return abi::kPageDirectoryBits;
    case CapType::PageTable: return abi::kPageTableBits;
    case CapType::AsidPool: return abi::kAsidPoolBits;
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M: return frame_size_bits(type());
    default: return 0;  // Reply (names a TCB), IRQ and ASID control, IRQ Handler, Debug, null
    }
}

u32 Cap::rights() const {
    switch (type()) {
    case CapType::Endpoint:
    case CapType::Notification:
    case CapType::Reply: return w1 & abi::kRightsAll;
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M:
        return (w1 & 2u ? abi::kRightRead : 0u) | (w1 & 4u ? abi::kRightWrite : 0u);
    default: return 0;
    }
}

Cap Cap::masked(u32 mask) const {
    Cap c = *this;
    switch (type()) {
    case CapType::Endpoint:
    case CapType::Notification:
    case CapType::Reply: c.w1 = (w1 & ~abi::kRightsAll) | (w1 & mask & abi::kRightsAll); break;
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M:
        if (!(mask & abi::kRightRead)) c.w1 &= ~2u;
        if (!(mask & abi::kRightWrite)) c.w1 &= ~4u;
        break;
    default: break;
    }
    return c;
}

bool same_region(const Cap &a, const Cap &b) {
    switch (a.type()) {
    case CapType::Untyped: {
        u32 bb = b.object_size_bits();
        if (bb == 0) return false;
        u64 a_lo = a.untyped_base(), a_hi = a_lo + (u64{1} << a.untyped_size_bits());
        u64 b_lo = b.object(), b_hi = b_lo + (u64{1} << bb);
        return a_lo <= b_lo && b_hi <= a_hi;
    }
    case CapType::Endpoint:
    case CapType::Notification:
    case CapType::Thread:
    case CapType::PageDirectory:
    case CapType::PageTable:
    case CapType::AsidPool:
        return b.type() == a.type() && b.object() == a.object();
    case CapType::Reply:
        return b.type() == CapType::Reply && b.object() == a.object();
    case CapType::CNode:
        return b.type() == CapType::CNode && b.object() == a.object() &&
               b.cnode_radix() == a.cnode_radix();
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M:
        return b.type() == a.type() && b.object() == a.object() &&
               b.frame_is_device() == a.frame_is_device();
    case CapType::IrqControl:
        return b.type() == CapType::IrqControl || b.type() == CapType::IrqHandler;
    case CapType::IrqHandler:
        return b.type() == CapType::IrqHandler && b.irq() == a.irq();
    case CapType::AsidControl:
        return b.type() == CapType::AsidControl;
    case CapType::Debug:
        return b.type() == CapType::Debug;
    case CapType::Null:
    case CapType::Zombie:
        return false;
    }
    return false;
}

bool same_object(const Cap &a, const Cap &b) {
    if (a.type() == CapType::Untyped) return false;
    if (a.type() == CapType::IrqControl && b.type() == CapType::IrqHandler) return false;
    return same_region(a, b);
}

}  // namespace petrel
