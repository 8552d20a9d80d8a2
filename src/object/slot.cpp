// SPDX-License-Identifier: BSD-2-Clause
// The derivation tree and cap deletion (see slot.hpp).
//
// Deleting the final cap to a CNode or a TCB must empty the object's slots,
// which may hold final caps to further CNodes, and so on, without recursion on
// the kernel stack and with a preemption point between any two slots. The
// final cap becomes a Zombie recording how many of the object's slots are still
// to be emptied. reduce() walks from the Zombie the user asked to delete (the
// "top") down the chain of Zombies found in last-remaining slots, and empties one
// slot of the deepest one per step. Two cases make the chain cyclic:
//   - a Zombie whose next slot is its own slot (the object held the last cap to
//     itself): that slot is skipped and goes with the object;
//   - a Zombie whose next slot is the top: the two are swapped, so the top now
//     holds a Zombie that lives in its own object (the first case). What was
//     the top's Zombie is left in an unreachable cycle of objects; it stays in the
//     derivation tree under its Untyped, and revoking that Untyped destroys it.
#include "slot.hpp"

#include "arch.hpp"
#include "endpoint.hpp"
#include "ipc.hpp"
#include "irq_handler.hpp"
#include "notification.hpp"
#include "objects.hpp"
#include "panic.hpp"
#include "platform.hpp"
#include "state.hpp"
#include "tcb.hpp"

namespace petrel {

namespace {
void set_head(Slot *s) { ks.mdb_head = kref(s); }

void link_after(Slot *after, Slot *dest) {
    Slot *next = after ? after->next() : kptr<Slot>(ks.mdb_head);
    dest->set_prev(after);
    dest->set_next(next);
    if (after) after->set_next(dest); else set_head(dest);
    if (next) next->set_prev(dest);
}

bool is_cap_revocable(const Cap &derived, const Cap &src) {
    switch (derived.type()) {
    case CapType::Endpoint:
    case CapType::Notification: return derived.badge() != src.badge();
    case CapType::IrqHandler: return src.type() == CapType::IrqControl;
    default: return false;
    }
}

// Removes the slot from the list and clears it.
void empty_slot(Slot *slot) {
    Slot *prev = slot->prev();
    Slot *next = slot->next();
    if (prev) prev->set_next(next); else if (ks.mdb_head == kref(slot)) set_head(next);
    if (next) {
        next->set_prev(prev);
        // A badged copy after a deleted first-badged cap now starts its badge group.
        next->set_flags(next->revocable(), next->first_badged() || slot->first_badged());
    }
    slot->cap = Cap::null();
    slot->mdb_prev = 0;
    slot->mdb_next = 0;
}

Slot *zombie_slots(const Cap &z) {
    if (z.zombie_is_tcb()) return kptr<Tcb>(z.object())->slots;
    return kptr<Slot>(z.object());
}

// Finalisation that completes in bounded time. For a final cap to a CNode or a
// TCB, returns the Zombie that stands for the object while its slots are emptied
// (the caller writes it into the slot); otherwise returns null after the
// object-specific cleanup.
Cap finalise(Slot *slot) {
    const Cap &cap = slot->cap;
    switch (cap.type()) {
    case CapType::CNode:
        return Cap::zombie(cap.object(), cap.object_size_bits(), false, 1u << cap.cnode_radix());
    case CapType::Thread:
        tcb_prepare_destroy(kptr<Tcb>(cap.object()));
        return Cap::zombie(cap.object(), abi::kTcbBits, true, kTcbSlots);
    case CapType::Endpoint: endpoint_prepare_destroy(kptr<Endpoint>(cap.object())); break;
    case CapType::Notification: notification_prepare_destroy(kptr<Notification>(cap.object())); break;
    case CapType::Reply: reply_cap_lost(slot); break;  // its caller gets an error reply
    case CapType::IrqHandler: irq_handler_deleted(cap.irq()); break;  // the line is free again
    default: arch::cap_deleted(slot->cap, true); break;  // unmaps, frees ASIDs; else nothing
    }
    return Cap::null();
}

// Empties `slot` if that takes bounded time; returns false when the slot now
// holds a Zombie that needs reducing.
bool delete_step(Slot *slot) {
    if (slot->cap.is_null()) return true;
    if (slot->cap.type() == CapType::Zombie) return false;
    if (!is_final(slot)) {
        arch::cap_deleted(slot->cap, false);  // a frame cap's own mapping goes with it
        empty_slot(slot);
        return true;
    }
    Cap zombie = finalise(slot);
    if (zombie.is_null()) {
        empty_slot(slot);
        return true;
    }
    slot->cap = zombie;  // keeps its place in the tree
    return false;
}

Status reduce(Slot *top) {
    for (;;) {
        // Find the deepest Zombie along the chain and do one step of work on it.
        Slot *z = top;
        for (;;) {
            Cap zc = z->cap;
            u32 n = zc.zombie_remaining();
            if (n == 0) break;
            Slot *last = &zombie_slots(zc)[n - 1];
            if (last == z) {            // the Zombie's own slot: it goes with the object
                z->cap.set_zombie_remaining(n - 1);
                continue;
            }
            if (last == top) {          // a cycle through the top: make the top self-contained
                swap_caps(top, top->cap, z, z->cap);
                z = top;
                continue;
            }
            if (delete_step(last)) {
                z->cap.set_zombie_remaining(n - 1);
                break;
            }
            z = last;                   // descend into the new or older Zombie
        }
        if (z->cap.zombie_remaining() == 0) {
            empty_slot(z);
            if (z == top) return Status::Ok;
        }
        if (preemption_point()) return Status::Preempted;
    }
}
}  // namespace

Slot *mdb_first() { return kptr<Slot>(ks.mdb_head); }

bool is_parent_of(const Slot *parent, const Slot *child) {
    if (!parent->revocable()) return false;
    const Cap &p = parent->cap;
    const Cap &c = child->cap;
    if (!same_region(p, c)) return false;
    switch (p.type()) {
    case CapType::Endpoint:
    case CapType::Notification:
        if (p.badge() == 0) return true;
        return p.badge() == c.badge() && !child->first_badged();
    default: return true;
    }
}

bool has_children(const Slot *slot) {
    const Slot *next = slot->next();
    return next && is_parent_of(slot, next);
}

bool is_final(const Slot *slot) {
    const Slot *prev = slot->prev();
    if (prev && same_object(prev->cap, slot->cap)) return false;
    const Slot *next = slot->next();
    if (next && same_object(slot->cap, next->cap)) return false;
    return true;
}

void insert_child(Slot *parent, Slot *dest, Cap cap) {
    kassert(dest->cap.is_null());
    dest->cap = cap;
    link_after(parent, dest);
    dest->set_flags(true, true);
}

void insert_derived(Slot *src, Slot *dest, Cap cap) {
    kassert(dest->cap.is_null());
    bool revocable = is_cap_revocable(cap, src->cap);
    dest->cap = cap;
    link_after(src, dest);
    dest->set_flags(revocable, revocable);
}

void insert_root(Slot *after, Slot *dest, Cap cap) {
    kassert(dest->cap.is_null());
    if (!after) {  // append at the end of the list
        for (Slot *s = mdb_first(); s; s = s->next()) after = s;
    }
    dest->cap = cap;
    link_after(after, dest);
    dest->set_flags(true, true);
}

void move_cap(Slot *src, Slot *dest, Cap cap) {
    kassert(dest->cap.is_null() && !src->cap.is_null());
    dest->cap = cap;
    dest->mdb_prev = src->mdb_prev;
    dest->mdb_next = src->mdb_next;
    if (Slot *prev = dest->prev()) prev->set_next(dest); else if (ks.mdb_head == kref(src)) set_head(dest);
    if (Slot *next = dest->next()) next->set_prev(dest);
    src->cap = Cap::null();
    src->mdb_prev = 0;
    src->mdb_next = 0;
    reply_cap_moved(dest);  // reply caps are not in the list; their caller follows them
}

void swap_caps(Slot *slot1, Cap cap1, Slot *slot2, Cap cap2) {
    if (slot1 == slot2) return;
    paddr_t head = ks.mdb_head;
    slot1->cap = cap2;
    slot2->cap = cap1;
    // The order matters when the two are neighbours (see the argument in the tests).
    u32 prev1 = slot1->mdb_prev, next1 = slot1->mdb_next;
    if (Slot *p = kptr<Slot>(prev1 & ~0xfu)) p->set_next(slot2);
    if (Slot *n = kptr<Slot>(next1)) n->set_prev(slot2);
    u32 prev2 = slot2->mdb_prev, next2 = slot2->mdb_next;
    slot1->mdb_prev = prev2;
    slot1->mdb_next = next2;
    slot2->mdb_prev = prev1;
    slot2->mdb_next = next1;
    if (Slot *p = kptr<Slot>(prev2 & ~0xfu)) p->set_next(slot1);
    if (Slot *n = kptr<Slot>(next2)) n->set_prev(slot1);
    if (head == kref(slot1)) set_head(slot2);
    else if (head == kref(slot2)) set_head(slot1);
    reply_cap_moved(slot1);
    reply_cap_moved(slot2);
}

Status delete_cap(Slot *slot) {
    if (delete_step(slot)) return Status::Ok;
    return reduce(slot);
}

Status revoke_cap(Slot *slot) {
    for (;;) {
        Slot *next = slot->next();
        if (slot->cap.is_null() || !next || !is_parent_of(slot, next)) return Status::Ok;
        if (delete_cap(next) == Status::Preempted) return Status::Preempted;
        if (preemption_point()) return Status::Preempted;
    }
}

bool preemption_point() {
    ++here().preemption_points;
    if (!platform::irq_pending()) return false;
    ++here().preemptions;
    return true;
}

}  // namespace petrel
