// SPDX-License-Identifier: BSD-2-Clause
// CSpace lookup (see cspace.hpp).
#include "cspace.hpp"

#include "lib/format.hpp"

namespace petrel {

using abi::LookupFailure;

namespace {
// n bits of `word` starting at bit `shift` (shift may be 32, n may be 0).
u32 bits_at(u32 word, u32 shift, u32 n) { return static_cast<u32>(u64{word} >> shift) & mask_bits(n); }
}  // namespace

Lookup resolve(const Cap &root, u32 cptr, u32 depth) {
    Lookup r;
    if (root.type() != CapType::CNode) {
        r.failure = LookupFailure::InvalidRoot;
        r.root_type = root.type();
        return r;
    }
    if (depth > 32) {  // a cap pointer has 32 bits (decoders check depths; IPC-buffer fields come unchecked)
        r.failure = LookupFailure::DepthMismatch;
        r.level = 1;
        r.bits_left = depth;
        r.bits_needed = 32;
        return r;
    }
    Cap node = root;
    u32 bits = depth;
    for (u32 level = 1;; ++level) {
        r.level = level;
        u32 radix = node.cnode_radix();
        u32 guard_size = node.cnode_guard_size();
        u32 level_bits = radix + guard_size;
        u32 guard = guard_size > bits ? 0 : bits_at(cptr, bits - guard_size, guard_size);
        if (guard_size > bits || guard != node.cnode_guard()) {
            r.failure = LookupFailure::GuardMismatch;
            r.bits_left = bits;
            r.guard_found = guard;
            r.guard_expected = node.cnode_guard();
            r.guard_size = guard_size;
            return r;
        }
        if (level_bits > bits) {
            r.failure = LookupFailure::DepthMismatch;
            r.bits_left = bits;
            r.bits_needed = level_bits;
            return r;
        }
        u32 index = bits_at(cptr, bits - level_bits, radix);
        Slot *slot = kptr<Slot>(node.object()) + index;
        bits -= level_bits;
        if (bits == 0 || slot->cap.type() != CapType::CNode) {
            r.slot = slot;
            r.bits_left = bits;
            return r;
        }
        node = slot->cap;
    }
}

Lookup lookup_exact(const Cap &root, u32 cptr, u32 depth) {
    Lookup r = resolve(root, cptr, depth);
    if (r.ok() && r.bits_left != 0) {
        r.failure = LookupFailure::DepthMismatch;
        r.bits_needed = 0;
        r.slot = nullptr;
    }
    return r;
}

void describe_lookup(const Lookup &l, char *buf, usize size) {
    switch (l.failure) {
    case LookupFailure::None:
        snformat(buf, size, "level %u: resolved with %u bits left", l.level, l.bits_left);
        break;
    case LookupFailure::InvalidRoot:
        snformat(buf, size, "root: expected a CNode cap, got %s", cap_type_name(l.root_type));
        break;
    case LookupFailure::MissingCapability:
        snformat(buf, size, "level %u: empty slot (%u bits left)", l.level, l.bits_left);
        break;
    case LookupFailure::DepthMismatch:
        if (l.bits_needed)
            snformat(buf, size, "level %u: depth mismatch: %u bits left, the CNode needs %u",
                     l.level, l.bits_left, l.bits_needed);
        else
            snformat(buf, size, "level %u: depth mismatch: %u bits left at a %s cap", l.level,
                     l.bits_left, "non-CNode");
        break;
    case LookupFailure::GuardMismatch:
        snformat(buf, size, "level %u: guard mismatch: expected 0x%x (%u bits), found 0x%x (%u bits left)",
                 l.level, l.guard_expected, l.guard_size, l.guard_found, l.bits_left);
        break;
    }
}

}  // namespace petrel
