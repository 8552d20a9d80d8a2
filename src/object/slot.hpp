// SPDX-License-Identifier: BSD-2-Clause
// CNode slots and the capability derivation tree (seL4's CTE and MDB).
//
// A Slot is 16 bytes: the cap and its place in the derivation tree. The tree is
// kept as one doubly-linked list in depth-first order: a cap's descendants
// follow it directly, and a cap's copies sit next to it. Parenthood is decided
// locally (is_parent_of): the earlier cap must be revocable (an original: made by
// Retype, or a newly badged endpoint or notification cap, or an IRQ Handler
// issued by IRQ Control), and the later cap's object must lie within its region,
// with the badge rules of seL4 for endpoints and notifications.
//
// Links are physical addresses of slots (kmem.hpp); bits 0-1 of `prev` hold the
// revocable and first-badged flags, since slots are 16-byte aligned.
//
// Contracts of the operations below:
//   - They take slots, never user input: callers (the decoders) have validated
//     everything, so the operations cannot fail except by preemption.
//   - Delete and revoke return Status::Preempted (status.hpp) when an interrupt is pending at
//     a preemption point. Their progress is in the objects themselves (fewer
//     children, a Zombie with fewer slots left), and calling them again goes on
//     where they stopped: the system call is restarted from the beginning.
#pragma once

#include "cap.hpp"
#include "kmem.hpp"
#include "status.hpp"

namespace petrel {

struct Slot {
    Cap cap;
    u32 mdb_prev;  // slot address | first_badged << 1 | revocable
    u32 mdb_next;  // slot address

    Slot *prev() const { return kptr<Slot>(mdb_prev & ~0xfu); }
    Slot *next() const { return kptr<Slot>(mdb_next); }
    bool revocable() const { return mdb_prev & 1u; }
    bool first_badged() const { return mdb_prev & 2u; }
    void set_prev(Slot *s) { mdb_prev = kref(s) | (mdb_prev & 0xfu); }
    void set_next(Slot *s) { mdb_next = kref(s); }
    void set_flags(bool revocable, bool first_badged) {
        mdb_prev = (mdb_prev & ~0xfu) | (revocable ? 1u : 0u) | (first_badged ? 2u : 0u);
    }
};
static_assert(sizeof(Slot) == 1u << abi::kSlotBits, "a CNode slot is 16 bytes");

// The first slot of the derivation list (0 when no cap exists). For the checker.
Slot *mdb_first();

// Is `child` (which follows `parent` in the list) derived from `parent`?
bool is_parent_of(const Slot *parent, const Slot *child);
bool has_children(const Slot *slot);
// No other cap names the same object: deleting this one destroys it.
bool is_final(const Slot *slot);

// Inserts `cap` into the empty slot `dest` as a child of `parent` (placed
// directly after it), marked revocable (an original).
void insert_child(Slot *parent, Slot *dest, Cap cap);
// Inserts `cap` into the empty slot `dest` as a derivative of the cap in `src`
// (Copy/Mint): placed after `src`; revocable if it is a newly badged
// endpoint/notification cap or an IRQ Handler issued from IRQ Control.
void insert_derived(Slot *src, Slot *dest, Cap cap);
// Inserts `cap` as a new root of the tree (boot-time caps), after `after`
// (or at the end of the list when `after` is null).
void insert_root(Slot *after, Slot *dest, Cap cap);
// Moves the cap and its tree position from `src` to the empty `dest`,
// replacing the cap value with `cap` (Move passes the same value, Mutate a new one).
void move_cap(Slot *src, Slot *dest, Cap cap);
// Exchanges two non-empty slots' caps (cap1 ends up in slot2 and cap2 in slot1).
void swap_caps(Slot *slot1, Cap cap1, Slot *slot2, Cap cap2);

// Deletes the cap in `slot`, destroying its object if the cap was final.
// An empty slot is not an error. Preemptible (see above).
Status delete_cap(Slot *slot);
// Deletes every descendant of the cap in `slot`. Preemptible.
Status revoke_cap(Slot *slot);

// A preemption point: true when an interrupt is waiting to be taken. Counted for
// the figures and the host tests.
bool preemption_point();

}  // namespace petrel
