// SPDX-License-Identifier: BSD-2-Clause
// Untyped.Retype and reset (see untyped.hpp).
#include "untyped.hpp"

#include "objects.hpp"
#include "panic.hpp"

namespace petrel {

using abi::ObjectType;

void zero_memory(void *p, usize bytes) {
    auto *w = static_cast<volatile u32 *>(p);
    for (usize i = 0; i < bytes / 4; i += 4) {
        w[i] = 0;
        w[i + 1] = 0;
        w[i + 2] = 0;
        w[i + 3] = 0;
    }
}

namespace {

Status decode_retype(Invocation &inv) {
    if (inv.length() < 6 || inv.extra_count < 1) return reject_truncated(inv, 6, 1);

    const Cap &ut = inv.cap;
    u32 type_arg = inv.mr(0);
    if (type_arg >= static_cast<u32>(ObjectType::Count))
        return reject_argument(inv, 0, "type", "expected an object type 0..%u, got %u",
                               static_cast<u32>(ObjectType::Count) - 1, type_arg);
    auto type = static_cast<ObjectType>(type_arg);
    u32 user_bits = inv.mr(1);
    if (type == ObjectType::Untyped && (user_bits < abi::kMinUntypedBits || user_bits > abi::kMaxUntypedBits))
        return reject_range(inv, "size_bits", user_bits, abi::kMinUntypedBits, abi::kMaxUntypedBits);
    if (type == ObjectType::CNode && (user_bits < abi::kMinCNodeRadix || user_bits > abi::kMaxCNodeRadix))
        return reject_range(inv, "size_bits (CNode radix)", user_bits, abi::kMinCNodeRadix, abi::kMaxCNodeRadix);
    if (ut.untyped_is_device() && !is_frame_type(type))
        return reject_argument(inv, 0, "type", "expected a frame type for device memory, got %s",
                               object_type_name(type));

    // The destination CNode.
    const Cap &root = inv.extra[0]->cap;
    u32 node_index = inv.mr(2), node_depth = inv.mr(3);
    Cap node = root;
    if (node_depth == 0) {
        if (node.type() != CapType::CNode)
            return reject_cap(inv, 1, "root", "expected a CNode cap, got %s", cap_type_name(node.type()));
    } else {
        Result<Slot *> s = lookup_arg_slot(inv, root, node_index, node_depth, false, "node", SlotNeed::Any);
        if (!s.ok()) return s.status();
        node = s.value()->cap;
        if (node.type() != CapType::CNode) {
            Lookup l;
            l.failure = abi::LookupFailure::MissingCapability;
            return reject_lookup(inv, false, "node (not a CNode cap)", l);
        }
    }
    u32 slots = 1u << node.cnode_radix();
    u32 offset = inv.mr(4), count = inv.mr(5);
    if (offset >= slots) return reject_range(inv, "node_offset", offset, 0, slots - 1);
    u32 max_count = slots - offset < abi::kRetypeMaxObjects ? slots - offset : abi::kRetypeMaxObjects;
    if (count < 1 || count > max_count) return reject_range(inv, "num_objects", count, 1, max_count);
    Slot *dest = kptr<Slot>(node.object()) + offset;
    for (u32 i = 0; i < count; ++i)
        if (!dest[i].cap.is_null()) return reject_delete_first(inv, "node_offset", offset + i);

    // Space: from the watermark, or from the bottom when nothing made from the
    // Untyped is left (Retype then resets it first).
    bool reset = !has_children(inv.slot);
    u32 obj_bits = object_size_bits(type, user_bits);
    u64 base = ut.untyped_base();
    u64 end = base + (u64{1} << ut.untyped_size_bits());
    u64 free = base + (reset ? 0 : ut.untyped_free_bytes());
    u64 first = (free + mask_bits(obj_bits)) & ~u64{mask_bits(obj_bits)};
    u64 needed = u64{count} << obj_bits;
    if (obj_bits > ut.untyped_size_bits() || first + needed > end) {
        u32 available = static_cast<u32>(end - free);
        return reject_memory(inv, available, static_cast<u32>(needed > 0xffffffffu ? 0xffffffffu : needed));
    }

    return invoke_untyped_retype(inv.slot, reset, type, user_bits, static_cast<paddr_t>(first), dest, count);
}

}  // namespace

Status decode_untyped(Invocation &inv) {
    inv.name = "Untyped.Retype";
    if (inv.label() != static_cast<u32>(abi::Label::UntypedRetype))
        return reject_illegal(inv, "label: expected %u (Retype), got %u",
                              static_cast<u32>(abi::Label::UntypedRetype), inv.label());
    return decode_retype(inv);
}

Status untyped_reset(Slot *slot) {
    Cap &ut = slot->cap;
    kassert(ut.type() == CapType::Untyped);
    if (ut.untyped_is_device()) {
        ut.set_untyped_free_bytes(0);
        return Status::Ok;
    }
    const u32 chunk = 1u << kResetChunkBits;
    for (u32 free = ut.untyped_free_bytes(); free > 0;) {
        u32 low = (free - 1) & ~(chunk - 1);
        zero_memory(kptr<u8>(ut.untyped_base() + low), free - low);
        free = low;
        ut.set_untyped_free_bytes(free);
        if (free > 0 && preemption_point()) return Status::Preempted;
    }
    return Status::Ok;
}

Status invoke_untyped_retype(Slot *slot, bool reset, ObjectType type, u32 user_bits, paddr_t first,
                             Slot *dest, u32 count) {
    if (reset && untyped_reset(slot) == Status::Preempted) return Status::Preempted;
    Cap &ut = slot->cap;
    const bool device = ut.untyped_is_device();
    const u32 obj_bits = object_size_bits(type, user_bits);
    for (u32 i = 0; i < count; ++i) {
        paddr_t obj = first + (i << obj_bits);
        insert_child(slot, &dest[i], create_object(type, obj, user_bits, device));
    }
    slot->cap.set_untyped_free_bytes(first + (count << obj_bits) - ut.untyped_base());
    return Status::Ok;
}

}  // namespace petrel
