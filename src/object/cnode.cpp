// SPDX-License-Identifier: BSD-2-Clause
// CNode invocations: decode (validate everything, change nothing) then invoke
// (change state only); see cnode.hpp.
#include "cnode.hpp"

#include "endpoint.hpp"
#include "untyped.hpp"

namespace petrel {

using abi::Label;

Result<Cap> decode_cnode_guard(Invocation &inv, u32 data_mr, const char *arg, u32 data, const Cap &cnode) {
    const u32 guard_size = data & 0x3fu, guard = data >> 6, radix = cnode.cnode_radix();
    if (guard_size + radix > 32)
        return reject_argument(inv, data_mr, arg, "guard size: expected at most %u (32 - radix %u), got %u",
                               32 - radix, radix, guard_size);
    if (guard >= (1u << abi::kCNodeGuardBits) || (guard_size < 32 && (guard >> guard_size) != 0))
        return reject_argument(inv, data_mr, arg, "guard: expected a value of %u bits (at most %u), got 0x%x",
                               guard_size, abi::kCNodeGuardBits, guard);
    return Cap::cnode(cnode.object(), radix, guard_size, guard);
}

Derived derive_cap(Slot *src, Cap cap) {
    switch (cap.type()) {
    case CapType::Zombie: return {cap, DeriveFailure::Zombie};
    case CapType::Null:
    case CapType::IrqControl:
    case CapType::Reply: return {cap, DeriveFailure::NotCopyable};
    case CapType::Untyped:
        return {cap, has_children(src) ? DeriveFailure::UntypedWithChildren : DeriveFailure::Untyped};
    case CapType::PageDirectory: return {cap, cap.pd_has_asid() ? DeriveFailure::None : DeriveFailure::PdWithoutAsid};
    case CapType::PageTable: return {cap, cap.pt_mapped() ? DeriveFailure::None : DeriveFailure::PtUnmapped};
    default: return {cap.is_frame() ? cap.frame_unmapped() : cap, DeriveFailure::None};
    }
}

namespace {

constexpr u32 kBadgeLimit = (1u << Cap::kBadgeBits) - 1;

// The cap a Mint (preserve = false) or Mutate (preserve = true) produces from
// `cap` with `data`, or rejects. `data_mr` is the message register of `data`.
Result<Cap> apply_data(Invocation &inv, bool preserve, u32 data, u32 data_mr, Cap cap) {
    switch (cap.type()) {
    case CapType::Endpoint:
    case CapType::Notification:
        if (data == 0) return cap;
        if (preserve)
            return reject_argument(inv, data_mr, "data",
                                   "expected 0 (Mutate keeps the badge; Mint a badged copy), got 0x%x", data);
        if (cap.badge() != 0)
            return reject_illegal(inv, "source: expected an unbadged %s cap, got badge 0x%x",
                                  cap_type_name(cap.type()), cap.badge());
        if (data > kBadgeLimit)
            return reject_argument(inv, data_mr, "badge", "expected at most 0x%x, got 0x%x", kBadgeLimit, data);
        cap.set_badge(data);
        return cap;
    case CapType::CNode: return decode_cnode_guard(inv, data_mr, "data", data, cap);
    default:
        if (data != 0)
            return reject_argument(inv, data_mr, "data", "expected 0 for a %s cap, got 0x%x",
                                   cap_type_name(cap.type()), data);
        return cap;
    }
}

// The cap a copy of the cap in `src` starts as, from `cap` (the source's, with
// rights and data applied), or rejects (derive_cap's rule, with the reason).
Result<Cap> derive(Invocation &inv, Slot *src, Cap cap) {
    Derived d = derive_cap(src, cap);
    switch (d.failure) {
    case DeriveFailure::None: return d.cap;
    case DeriveFailure::Zombie: return reject_illegal(inv, "source: expected a usable cap, got one being deleted");
    case DeriveFailure::NotCopyable:
        return reject_illegal(inv, "source: %s caps cannot be copied", cap_type_name(cap.type()));
    case DeriveFailure::UntypedWithChildren:
        return reject_revoke_first(
            inv, "source: an Untyped with objects made from it cannot be copied; revoke it first");
    case DeriveFailure::Untyped:
        return reject_illegal(inv, "source: Untyped caps cannot be copied (Move it, or Retype a smaller Untyped)");
    case DeriveFailure::PdWithoutAsid:
        return reject_illegal(inv, "source: a PageDirectory cap is copied only once it has an ASID");
    case DeriveFailure::PtUnmapped:
        return reject_illegal(inv, "source: a PageTable cap is copied only once it is mapped");
    }
    return reject_illegal(inv, "source: cannot be copied");
}

// ---------------------------------------------------------------- invoke: change state only

Status invoke_cnode_revoke(Slot *slot) {
    if (revoke_cap(slot) == Status::Preempted) return Status::Preempted;
    if (slot->cap.type() == CapType::Untyped) return untyped_reset(slot);
    return Status::Ok;
}

Status invoke_cnode_delete(Slot *slot) { return delete_cap(slot); }

Status invoke_cnode_cancel_badged_sends(const Cap &ep) {
    if (ep.badge() != 0) endpoint_cancel_badged_sends(kptr<Endpoint>(ep.object()), ep.badge());
    return Status::Ok;
}

Status invoke_cnode_save_caller(Tcb *thread, Slot *slot) {
    Slot *caller = thread->slot(kTcbCaller);
    if (caller->cap.is_null()) return Status::Ok;  // nothing to save: no error (seL4)
    move_cap(caller, slot, caller->cap);
    return Status::Ok;
}

Status invoke_cnode_insert(Slot *src, Slot *dest, Cap cap) {
    insert_derived(src, dest, cap);
    return Status::Ok;
}

Status invoke_cnode_move(Slot *src, Slot *dest, Cap cap) {
    move_cap(src, dest, cap);
    return Status::Ok;
}

Status invoke_cnode_rotate(Slot *src, Cap new_src, Slot *pivot, Cap new_pivot, Slot *dest) {
    if (dest == src) {
        swap_caps(src, new_src, pivot, new_pivot);
        return Status::Ok;
    }
    move_cap(pivot, dest, new_pivot);
    move_cap(src, pivot, new_src);
    return Status::Ok;
}

// ---------------------------------------------------------------- decode: check everything

// Revoke, Delete, CancelBadgedSends, SaveCaller: the slot named by (MR0 index,
// MR1 depth). CancelBadgedSends needs an Endpoint cap with all rights there,
// SaveCaller an empty slot.
Status decode_target_op(Invocation &inv, Label label) {
    if (inv.length() < 2) return reject_truncated(inv, 2, 0);
    Result<Slot *> found = lookup_arg_slot(inv, inv.cap, inv.mr(0), inv.mr(1), false, "index", SlotNeed::Any);
    if (!found.ok()) return found.status();
    Slot *slot = found.value();
    switch (label) {
    case Label::CNodeRevoke: return invoke_cnode_revoke(slot);
    case Label::CNodeDelete: return invoke_cnode_delete(slot);
    case Label::CNodeCancelBadgedSends: {
        const Cap &ep = slot->cap;
        if (ep.type() != CapType::Endpoint)
            return reject_illegal(inv, "index: expected an Endpoint cap, got %s", cap_type_name(ep.type()));
        if (ep.rights() != abi::kRightsAll)
            return reject_illegal(inv, "index: expected an Endpoint cap with all rights, got rights 0x%x", ep.rights());
        return invoke_cnode_cancel_badged_sends(ep);
    }
    default:  // SaveCaller
        if (!slot->cap.is_null()) return reject_delete_first(inv, "index", inv.mr(0));
        return invoke_cnode_save_caller(inv.thread, slot);
    }
}

// Copy, Mint, Move and Mutate: the new cap for `dest`, from `src`.
Status decode_copy_like(Invocation &inv, Label label) {
    const u32 words = label == Label::CNodeMove ? 4 : label == Label::CNodeMint ? 6 : 5;
    if (inv.length() < words || inv.extra_count < 1) return reject_truncated(inv, words, 1);
    Result<Slot *> dest = lookup_arg_slot(inv, inv.cap, inv.mr(0), inv.mr(1), false, "dest", SlotNeed::Empty);
    if (!dest.ok()) return dest.status();
    Result<Slot *> src = lookup_arg_slot(inv, inv.extra[0]->cap, inv.mr(2), inv.mr(3), true, "src", SlotNeed::Cap);
    if (!src.ok()) return src.status();
    Result<Cap> cap = src.value()->cap;
    switch (label) {
    case Label::CNodeCopy:
    case Label::CNodeMint: {
        u32 rights = inv.mr(4);
        if (rights > abi::kRightsAll)
            return reject_argument(inv, 4, "rights", "expected a mask within 0x%x, got 0x%x", abi::kRightsAll, rights);
        cap = cap.value().masked(rights);
        if (label == Label::CNodeMint) {
            cap = apply_data(inv, false, inv.mr(5), 5, cap.value());
            if (!cap.ok()) return cap.status();
        }
        cap = derive(inv, src.value(), cap.value());
        break;
    }
    case Label::CNodeMutate:
        if (cap->type() == CapType::Zombie)
            return reject_illegal(inv, "src: expected a usable cap, got one being deleted");
        cap = apply_data(inv, true, inv.mr(4), 4, cap.value());
        break;
    default:  // Move
        if (cap->type() == CapType::Zombie)
            return reject_illegal(inv, "src: expected a usable cap, got one being deleted");
        break;
    }
    if (!cap.ok()) return cap.status();
    if (label == Label::CNodeCopy || label == Label::CNodeMint)
        return invoke_cnode_insert(src.value(), dest.value(), cap.value());
    return invoke_cnode_move(src.value(), dest.value(), cap.value());
}

Status decode_rotate(Invocation &inv) {
    if (inv.length() < 8 || inv.extra_count < 2) return reject_truncated(inv, 8, 2);
    Result<Slot *> dest = lookup_arg_slot(inv, inv.cap, inv.mr(0), inv.mr(1), false, "dest", SlotNeed::Any);
    if (!dest.ok()) return dest.status();
    Result<Slot *> pivot =
        lookup_arg_slot(inv, inv.extra[0]->cap, inv.mr(2), inv.mr(3), true, "pivot", SlotNeed::Cap);
    if (!pivot.ok()) return pivot.status();
    Result<Slot *> src = lookup_arg_slot(inv, inv.extra[1]->cap, inv.mr(5), inv.mr(6), true, "src", SlotNeed::Cap);
    if (!src.ok()) return src.status();
    if (pivot.value() == src.value() || pivot.value() == dest.value())
        return reject_illegal(inv, "pivot: expected a slot other than src and dest");
    if (dest.value() != src.value() && !dest.value()->cap.is_null())
        return reject_delete_first(inv, "dest", inv.mr(0));
    if (pivot.value()->cap.type() == CapType::Zombie || src.value()->cap.type() == CapType::Zombie)
        return reject_illegal(inv, "src/pivot: expected usable caps, got one being deleted");
    Result<Cap> new_pivot = apply_data(inv, true, inv.mr(4), 4, pivot.value()->cap);
    if (!new_pivot.ok()) return new_pivot.status();
    Result<Cap> new_src = apply_data(inv, true, inv.mr(7), 7, src.value()->cap);
    if (!new_src.ok()) return new_src.status();
    return invoke_cnode_rotate(src.value(), new_src.value(), pivot.value(), new_pivot.value(), dest.value());
}

}  // namespace

Status decode_cnode(Invocation &inv) {
    Label label = static_cast<Label>(inv.label());
    switch (label) {
    case Label::CNodeRevoke: inv.name = "CNode.Revoke"; return decode_target_op(inv, label);
    case Label::CNodeDelete: inv.name = "CNode.Delete"; return decode_target_op(inv, label);
    case Label::CNodeCancelBadgedSends: inv.name = "CNode.CancelBadgedSends"; return decode_target_op(inv, label);
    case Label::CNodeSaveCaller: inv.name = "CNode.SaveCaller"; return decode_target_op(inv, label);
    case Label::CNodeCopy: inv.name = "CNode.Copy"; return decode_copy_like(inv, label);
    case Label::CNodeMint: inv.name = "CNode.Mint"; return decode_copy_like(inv, label);
    case Label::CNodeMove: inv.name = "CNode.Move"; return decode_copy_like(inv, label);
    case Label::CNodeMutate: inv.name = "CNode.Mutate"; return decode_copy_like(inv, label);
    case Label::CNodeRotate: inv.name = "CNode.Rotate"; return decode_rotate(inv);
    default:
        inv.name = "CNode";
        return reject_illegal(inv, "label: expected a CNode method (%u..%u), got %u",
                              static_cast<u32>(Label::CNodeRevoke), static_cast<u32>(Label::CNodeSaveCaller),
                              inv.label());
    }
}

}  // namespace petrel
