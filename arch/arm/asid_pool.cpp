// SPDX-License-Identifier: BSD-2-Clause
// ASID Control (MakePool) and ASID Pool (Assign) invocations; see abi.hpp for
// arguments and errors, vspace.hpp for how ASIDs are kept.
#include "kmem.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "untyped.hpp"
#include "vspace.hpp"

namespace petrel {

using abi::Label;

namespace {

// Pool number `index` is made from the Untyped in `ut_slot`; its cap goes to `dest`.
Status invoke_make_pool(Slot *ut_slot, u32 index, Slot *dest) {
    const paddr_t pool = ut_slot->cap.untyped_base();
    zero_memory(kptr<void>(pool), 1u << abi::kAsidPoolBits);  // 4 KiB: one bounded step
    ut_slot->cap.set_untyped_free_bytes(1u << abi::kAsidPoolBits);
    install_asid_pool(index * abi::kAsidsPerPool, pool);
    insert_derived(ut_slot, dest, Cap::asid_pool(pool, index * abi::kAsidsPerPool));
    return Status::Ok;
}

Status invoke_assign(u32 asid, Cap &pd_cap) {
    assign_asid(asid, pd_cap.object(), pd_cap);
    return Status::Ok;
}

// MakePool (MR0 index, MR1 depth of the slot for the pool cap; extra caps: the
// Untyped, the CNode for the slot).
Status decode_make_pool(Invocation &inv) {
    if (inv.length() < 2 || inv.extra_count < 2) return reject_truncated(inv, 2, 2);
    Slot *ut_slot = inv.extra[0];
    const Cap &ut = ut_slot->cap;
    if (ut.type() != CapType::Untyped)
        return reject_cap(inv, 1, "untyped", "expected an Untyped cap, got %s", cap_type_name(ut.type()));
    if (ut.untyped_is_device() || ut.untyped_size_bits() != abi::kAsidPoolBits)
        return reject_cap(inv, 1, "untyped", "expected a RAM Untyped of 2^%u bytes, got %s of 2^%u bytes",
                          abi::kAsidPoolBits, ut.untyped_is_device() ? "a device Untyped" : "one",
                          ut.untyped_size_bits());
    if (has_children(ut_slot))
        return reject_revoke_first(inv, "untyped: expected an Untyped with nothing made from it; revoke it first");
    u32 index = 0;
    while (index < abi::kAsidPools && ks.asid_table[index]) ++index;
    if (index == abi::kAsidPools)
        return reject_occupied(inv, "pool", "expected a free ASID pool number (of %u), got none left", abi::kAsidPools);
    Result<Slot *> dest = lookup_arg_slot(inv, inv.extra[1]->cap, inv.mr(0), inv.mr(1), false, "dest", SlotNeed::Empty);
    if (!dest.ok()) return dest.status();
    return invoke_make_pool(ut_slot, index, dest.value());
}

// Assign (extra cap: the PageDirectory that gets the pool's first free ASID).
Status decode_assign(Invocation &inv) {
    if (inv.extra_count < 1) return reject_truncated(inv, 0, 1);
    const Cap &pd_cap = inv.extra[0]->cap;
    if (pd_cap.type() != CapType::PageDirectory)
        return reject_cap(inv, 1, "vspace", "expected a PageDirectory cap, got %s", cap_type_name(pd_cap.type()));
    if (pd_cap.pd_has_asid())
        return reject_cap(inv, 1, "vspace", "expected a PageDirectory without an ASID, got one with ASID %u",
                          pd_cap.pd_asid());
    const u32 base = inv.cap.asid_pool_base();
    const u32 *entries = kptr<u32>(inv.cap.object());
    u32 i = base == 0 ? 1 : 0;  // ASID 0 is never used
    while (i < abi::kAsidsPerPool && entries[i]) ++i;
    if (i == abi::kAsidsPerPool)
        return reject_occupied(inv, "pool", "expected a free ASID in the pool of ASIDs %u-%u, got it full", base,
                               base + abi::kAsidsPerPool - 1);
    return invoke_assign(base + i, inv.extra[0]->cap);
}

}  // namespace

Status decode_asid_control(Invocation &inv) {
    inv.name = "AsidControl.MakePool";
    if (static_cast<Label>(inv.label()) != Label::AsidControlMakePool)
        return reject_illegal(inv, "label %u is not an AsidControl method", inv.label());
    return decode_make_pool(inv);
}

Status decode_asid_pool(Invocation &inv) {
    inv.name = "AsidPool.Assign";
    if (static_cast<Label>(inv.label()) != Label::AsidPoolAssign)
        return reject_illegal(inv, "label %u is not an AsidPool method", inv.label());
    return decode_assign(inv);
}

}  // namespace petrel
