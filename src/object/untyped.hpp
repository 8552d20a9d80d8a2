// SPDX-License-Identifier: BSD-2-Clause
// Untyped memory: the only source of kernel objects.
//
// An Untyped cap covers 2^n bytes (4 <= n <= 29) and keeps a watermark (free
// index): memory below it may be in use, memory above it is unused AND ZERO.
// Retype carves objects upward from the watermark, each naturally aligned, so
// new objects need no clearing. Resetting an Untyped (when it has no children
// left: at the end of Revoke, or when Retype finds it childless) zeroes what lies
// below the watermark in chunks, from the top down, lowering the watermark as it
// goes: that is the preemptible part, and its progress is the watermark itself.
// Boot hands out RAM Untyped with the watermark at the top (memory of unknown
// content), so the first Retype of each clears it once. Device Untyped are never
// cleared and make frames only.
//
//   Retype(type, size_bits, root*, node_index, node_depth, node_offset, num_objects)
// makes num_objects (1..256) objects of `type` (abi::ObjectType) into consecutive
// empty slots node_offset.. of the CNode named by (node_index, node_depth) from
// root; node_depth 0 means root itself. size_bits is log2 bytes for Untyped
// (4..29) and the radix for CNode (1..25); other types ignore it.
#pragma once

#include "invocation.hpp"

namespace petrel {

constexpr u32 kResetChunkBits = 12;  // bytes zeroed between preemption points: 4 KiB

Status decode_untyped(Invocation &inv);

// Zeroes the Untyped in `slot` below its watermark and sets the watermark to 0.
Status untyped_reset(Slot *slot);
// Validated Retype: `reset` when the Untyped has no children.
Status invoke_untyped_retype(Slot *slot, bool reset, abi::ObjectType type, u32 user_bits,
                             paddr_t first, Slot *dest, u32 count);

// Zeroes `bytes` (a multiple of 16) at the 16-byte aligned `p`.
void zero_memory(void *p, usize bytes);

}  // namespace petrel
