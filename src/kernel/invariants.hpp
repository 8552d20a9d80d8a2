// SPDX-License-Identifier: BSD-2-Clause
// The invariant checker: a debug walk over every capability and object.
//
// check_invariants() verifies, and reports the first violation of:
//   - the derivation list: the head has no predecessor, every link is mirrored
//     (next->prev == this), it has no cycle, and it holds no empty slot;
//   - completeness: every non-empty slot of every CNode and TCB that a cap names
//     is in the list (no cap escapes the tree), except Reply caps, which IPC keeps
//     outside it: each must name a caller blocked on a reply that records the slot;
//   - containment: every object made from an Untyped lies inside its nearest
//     Untyped ancestor and below that Untyped's watermark; every watermark is
//     within its Untyped;
//   - no overlap: two caps whose objects overlap name the same object (same
//     address, type and size), and an object overlaps no Untyped that is not
//     one of its ancestors; Untyped regions are disjoint or nested;
//   - neighbours: the caps to one object are adjacent in the list (how a final
//     cap is recognised);
//   - threads: ready queues hold exactly the runnable threads that are not
//     running, with the bitmap in step; every thread blocked on an endpoint or
//     notification is in that object's queue, and every queued thread is
//     blocked on it;
//   - interrupts: a line is handed out exactly when an IrqHandler cap for it
//     exists, and its notification slot holds a Notification cap (in the
//     list) only then;
//   - mappings (arch::check_mappings): every user page-table entry belongs to
//     a live Frame (or PageTable) cap that records it, replicated 64 KiB and
//     16 MiB entries agree, and hardware ASIDs and ASID pools agree;
//   - types: TCB slots hold caps of their kind; Zombies count no more slots than
//     their object has and every slot beyond the count is empty (or the Zombie's own).
// The caller provides three scratch arrays of `capacity` entries (the checker
// allocates nothing); a list longer than that is reported as a violation.
#pragma once

#include "slot.hpp"

namespace petrel {

struct InvariantScratch {
    Slot **list;      // the list in order
    Slot **stack;     // ancestors during the walk
    Slot **sorted;    // sorted copies
    u32 capacity;
};

// Where a check writes the violation it found: fail() formats the message
// into why[0..size) and returns false, so a check ends with `return r.fail(...)`.
// check_invariants() and arch::check_mappings() report through it.
struct InvariantReport {
    char *why;
    usize size;
    bool fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
};

// Returns true when everything holds; otherwise false with `why` describing
// the first violation found.
bool check_invariants(InvariantScratch scratch, char *why, usize why_size);

}  // namespace petrel
