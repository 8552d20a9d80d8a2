// SPDX-License-Identifier: BSD-2-Clause
// CNode invocations: decode (validate everything) then invoke (see cnode.hpp).
#include "cnode.hpp"

#include "endpoint.hpp"
#include "untyped.hpp"

namespace petrel {

using abi::Label;

namespace {

constexpr u32 kBadgeLimit = (1u << Cap::kBadgeBits) - 1;

// The cap a Mint (preserve = false) or Mutate (preserve = true) produces from
// `cap` with `data`, or rejects. `data_mr` is the message register of `data`.
bool apply_data(Invocation &inv, Outcome &out, bool preserve, u32 data, u32 data_mr, Cap &cap) {
    switch (cap.type()) {
    case CapType::Endpoint:
    case CapType::Notification:
        if (data == 0) return true;
        if (preserve) {
            out = reject_argument(inv, data_mr, "data", "expected 0 (Mutate keeps the badge; Mint a badged copy), got 0x%x", data);
            return false;
        }
        if (cap.badge() != 0) {
            out = reject_illegal(inv, "source: expected an unbadged %s cap, got badge 0x%x",
                                 cap_type_name(cap.type()), cap.badge());
            return false;
        }
        if (data > kBadgeLimit) {
            out = reject_argument(inv, data_mr, "badge", "expected at most 0x%x, got 0x%x", kBadgeLimit, data);
            return false;
        }
        cap.set_badge(data);
        return true;
    case CapType::CNode: {
        u32 guard_size = data & 0x3fu;
        u32 guard = data >> 6;
        u32 radix = cap.cnode_radix();
        if (guard_size + radix > 32) {
            out = reject_argument(inv, data_mr, "guard size",
                                  "expected at most %u (32 - radix %u), got %u", 32 - radix, radix, guard_size);
            return false;
        }
        if (guard >= (1u << abi::kCNodeGuardBits) || (guard_size < 32 && (guard >> guard_size) != 0)) {
            out = reject_argument(inv, data_mr, "guard", "expected a value of %u bits (at most %u), got 0x%x",
                                  guard_size, abi::kCNodeGuardBits, guard);
            return false;
        }
        cap = Cap::cnode(cap.object(), radix, guard_size, guard);
        return true;
    }
    default:
        if (data != 0) {
            out = reject_argument(inv, data_mr, "data", "expected 0 for a %s cap, got 0x%x",
                                  cap_type_name(cap.type()), data);
            return false;
        }
        return true;
    }
}

// The cap a copy of the cap in `src` starts as, or rejects (seL4's deriveCap).
bool derive(Invocation &inv, Outcome &out, Slot *src, Cap &cap) {
    switch (cap.type()) {
    case CapType::Zombie:
        out = reject_illegal(inv, "source: expected a usable cap, got one being deleted");
        return false;
    case CapType::IrqControl:
    case CapType::Reply:
        out = reject_illegal(inv, "source: %s caps cannot be copied", cap_type_name(cap.type()));
        return false;
    case CapType::Untyped:
        if (has_children(src)) {
            out = reject_revoke_first(inv, "source: an Untyped with objects made from it cannot be copied; revoke it first");
            return false;
        }
        out = reject_illegal(inv, "source: Untyped caps cannot be copied (Move it, or Retype a smaller Untyped)");
        return false;
    case CapType::PageDirectory:
        if (!cap.pd_has_asid()) {
            out = reject_illegal(inv, "source: a PageDirectory cap is copied only once it has an ASID");
            return false;
        }
        return true;
    case CapType::PageTable:
        if (!cap.pt_mapped()) {
            out = reject_illegal(inv, "source: a PageTable cap is copied only once it is mapped");
            return false;
        }
        return true;
    default:
        if (cap.is_frame()) cap = Cap::frame(cap.type(), cap.object(), cap.rights(), cap.frame_is_device());
        return true;  // a frame copy starts unmapped
    }
}

Outcome decode_target_op(Invocation &inv) {
    if (inv.length() < 2) return reject_truncated(inv, 2, 0);
    Outcome out = Outcome::Ok;
    Slot *slot = lookup_arg_slot(inv, out, inv.cap, inv.mr(0), inv.mr(1), false, "index", SlotNeed::Any);
    if (!slot) return out;
    switch (static_cast<Label>(inv.label())) {
    case Label::CNodeRevoke:
        return invoke_cnode_revoke(slot) == Status::Ok ? Outcome::Ok : Outcome::Preempted;
    case Label::CNodeDelete:
        return invoke_cnode_delete(slot) == Status::Ok ? Outcome::Ok : Outcome::Preempted;
    case Label::CNodeCancelBadgedSends: {
        const Cap &ep = slot->cap;
        if (ep.type() != CapType::Endpoint)
            return reject_illegal(inv, "index: expected an Endpoint cap, got %s", cap_type_name(ep.type()));
        if (ep.rights() != abi::kRightsAll)
            return reject_illegal(inv, "index: expected an Endpoint cap with all rights, got rights 0x%x",
                                  ep.rights());
        if (ep.badge() != 0) endpoint_cancel_badged_sends(kptr<Endpoint>(ep.object()), ep.badge());
        return Outcome::Ok;
    }
    default: {  // SaveCaller: the reply cap in the caller slot moves into the named slot
        if (!slot->cap.is_null()) return reject_delete_first(inv, "index", inv.mr(0));
        Slot *caller = inv.thread->slot(kTcbCaller);
        if (!caller->cap.is_null()) invoke_cnode_move(caller, slot, caller->cap);
        return Outcome::Ok;  // nothing to save is not an error (seL4)
    }
    }
}

Outcome decode_copy_like(Invocation &inv, Label label) {
    const u32 words = label == Label::CNodeMove ? 4 : label == Label::CNodeMint ? 6 : 5;
    if (inv.length() < words || inv.extra_count < 1) return reject_truncated(inv, words, 1);
    Outcome out = Outcome::Ok;
    Slot *dest = lookup_arg_slot(inv, out, inv.cap, inv.mr(0), inv.mr(1), false, "dest", SlotNeed::Empty);
    if (!dest) return out;
    Slot *src = lookup_arg_slot(inv, out, inv.extra[0]->cap, inv.mr(2), inv.mr(3), true, "src", SlotNeed::Cap);
    if (!src) return out;
    Cap cap = src->cap;
    switch (label) {
    case Label::CNodeCopy:
    case Label::CNodeMint: {
        u32 rights = inv.mr(4);
        if (rights > abi::kRightsAll)
            return reject_argument(inv, 4, "rights", "expected a mask within 0x%x, got 0x%x", abi::kRightsAll, rights);
        cap = cap.masked(rights);
        if (label == Label::CNodeMint && !apply_data(inv, out, false, inv.mr(5), 5, cap)) return out;
        if (!derive(inv, out, src, cap)) return out;
        invoke_cnode_insert(src, dest, cap);
        return Outcome::Ok;
    }
    case Label::CNodeMutate:
        if (cap.type() == CapType::Zombie)
            return reject_illegal(inv, "src: expected a usable cap, got one being deleted");
        if (!apply_data(inv, out, true, inv.mr(4), 4, cap)) return out;
        invoke_cnode_move(src, dest, cap);
        return Outcome::Ok;
    default:  // Move
        if (cap.type() == CapType::Zombie)
            return reject_illegal(inv, "src: expected a usable cap, got one being deleted");
        invoke_cnode_move(src, dest, cap);
        return Outcome::Ok;
    }
}

Outcome decode_rotate(Invocation &inv) {
    if (inv.length() < 8 || inv.extra_count < 2) return reject_truncated(inv, 8, 2);
    Outcome out = Outcome::Ok;
    Slot *dest = lookup_arg_slot(inv, out, inv.cap, inv.mr(0), inv.mr(1), false, "dest", SlotNeed::Any);
    if (!dest) return out;
    Slot *pivot = lookup_arg_slot(inv, out, inv.extra[0]->cap, inv.mr(2), inv.mr(3), true, "pivot", SlotNeed::Cap);
    if (!pivot) return out;
    Slot *src = lookup_arg_slot(inv, out, inv.extra[1]->cap, inv.mr(5), inv.mr(6), true, "src", SlotNeed::Cap);
    if (!src) return out;
    if (pivot == src || pivot == dest)
        return reject_illegal(inv, "pivot: expected a slot other than src and dest");
    if (dest != src && !dest->cap.is_null()) return reject_delete_first(inv, "dest", inv.mr(0));
    if (pivot->cap.type() == CapType::Zombie || src->cap.type() == CapType::Zombie)
        return reject_illegal(inv, "src/pivot: expected usable caps, got one being deleted");
    Cap new_pivot = pivot->cap;
    Cap new_src = src->cap;
    if (!apply_data(inv, out, true, inv.mr(4), 4, new_pivot)) return out;
    if (!apply_data(inv, out, true, inv.mr(7), 7, new_src)) return out;
    invoke_cnode_rotate(src, new_src, pivot, new_pivot, dest);
    return Outcome::Ok;
}

}  // namespace

Outcome decode_cnode(Invocation &inv) {
    Label label = static_cast<Label>(inv.label());
    switch (label) {
    case Label::CNodeRevoke: inv.name = "CNode.Revoke"; return decode_target_op(inv);
    case Label::CNodeDelete: inv.name = "CNode.Delete"; return decode_target_op(inv);
    case Label::CNodeCancelBadgedSends: inv.name = "CNode.CancelBadgedSends"; return decode_target_op(inv);
    case Label::CNodeSaveCaller: inv.name = "CNode.SaveCaller"; return decode_target_op(inv);
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

Status invoke_cnode_revoke(Slot *slot) {
    if (revoke_cap(slot) == Status::Preempted) return Status::Preempted;
    if (slot->cap.type() == CapType::Untyped) return untyped_reset(slot);
    return Status::Ok;
}

Status invoke_cnode_delete(Slot *slot) { return delete_cap(slot); }

void invoke_cnode_insert(Slot *src, Slot *dest, Cap cap) { insert_derived(src, dest, cap); }

void invoke_cnode_move(Slot *src, Slot *dest, Cap cap) { move_cap(src, dest, cap); }

void invoke_cnode_rotate(Slot *src, Cap new_src, Slot *pivot, Cap new_pivot, Slot *dest) {
    if (dest == src) {
        swap_caps(src, new_src, pivot, new_pivot);
        return;
    }
    move_cap(pivot, dest, new_pivot);
    move_cap(src, pivot, new_src);
}

}  // namespace petrel
