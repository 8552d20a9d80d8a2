// SPDX-License-Identifier: BSD-2-Clause
// CSpace addressing: resolving a cap pointer through guarded, radix-indexed CNodes.
//
// A cap pointer is read from its most significant `depth` bits down. Each level
// is a CNode cap: its guard (guard_size bits) must match the next bits of the
// address, then radix bits index a slot. If bits remain and that slot holds a
// CNode cap, resolution continues there. resolve() stops early, with bits left,
// at a slot that holds anything else; lookup_exact() (CNode operations, which
// name a slot with an explicit depth) requires the depth to be used up exactly.
#pragma once

#include "petrel/abi.hpp"
#include "slot.hpp"

namespace petrel {

struct Lookup {
    Slot *slot = nullptr;       // the slot reached (null on failure)
    u32 bits_left = 0;          // address bits not consumed
    abi::LookupFailure failure = abi::LookupFailure::None;
    u32 level = 0;              // 1-based level reached or failed at
    u32 bits_needed = 0;        // DepthMismatch: guard + radix of the level
    u32 guard_found = 0;        // GuardMismatch: guard bits in the address
    u32 guard_expected = 0;     //                the CNode cap's guard
    u32 guard_size = 0;
    CapType root_type = CapType::Null;  // InvalidRoot: what the root was

    bool ok() const { return failure == abi::LookupFailure::None; }
};

// Resolves `depth` bits of `cptr` from `root`.
Lookup resolve(const Cap &root, u32 cptr, u32 depth);

// resolve(root, cptr, 32) in the usual case, inline: `root` one CNode that
// translates all 32 bits at once (guard + radix = 32, radix > 0: a flat
// CSpace) and its guard matches, so the answer is one slot of it. Null in
// every other case, for which resolve() gives the answer and the failure's
// details. Every system call's lookup and the fastpath's take this first.
[[gnu::always_inline]] inline Slot *flat_lookup(const Cap &root, u32 cptr) {
    if (!root.has_tag(CapType::CNode)) return nullptr;
    // (radix > 0 follows: the guard size is a 5-bit field, at most 31.)
    const u32 radix = root.cnode_radix();
    if (radix + root.cnode_guard_size() != 32 || (cptr >> radix) != root.cnode_guard()) return nullptr;
    Slot *s = kptr_live<Slot>(root.cnode_object()) + (cptr & ((1u << radix) - 1));
    if (!s) __builtin_unreachable();  // (a slot in the kernel window: never null, which callers then need not test)
    return s;
}
// For CNode operations: resolve(), then DepthMismatch unless all bits were used.
Lookup lookup_exact(const Cap &root, u32 cptr, u32 depth);

// One readable description of a failed lookup, for the debug log.
void describe_lookup(const Lookup &l, char *buf, usize size);

}  // namespace petrel
