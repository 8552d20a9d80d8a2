// SPDX-License-Identifier: BSD-2-Clause
// CNode invocations: moving authority between slots.
//
// All take the invoked CNode cap as the root of the destination (or target)
// slot, named by (index, depth) with 1 <= depth <= 32 used up exactly.
//
//   Revoke(index, depth)                         delete every cap derived from the slot's cap;
//                                                for an Untyped, also reset it to empty
//   Delete(index, depth)                         delete the slot's cap (an empty slot is fine)
//   CancelBadgedSends(index, depth)              the slot holds an Endpoint cap with all
//                                                rights: senders blocked with its badge are
//                                                dequeued and will redo their send
//   Copy(dest_index, dest_depth, src_root*, src_index, src_depth, rights)
//   Mint(dest_index, dest_depth, src_root*, src_index, src_depth, rights, data)
//   Move(dest_index, dest_depth, src_root*, src_index, src_depth)
//   Mutate(dest_index, dest_depth, src_root*, src_index, src_depth, data)
//   Rotate(dest_index, dest_depth, pivot_root*, pivot_index, pivot_depth, pivot_data,
//          src_root*, src_index, src_depth, src_data)   src -> pivot -> dest
//   SaveCaller(index, depth)                     move the reply cap of the calling thread's
//                                                last caller into the empty slot; a Send on
//                                                it later replies (nothing saved: no error)
// (* = an extra cap, in order.) Rights only shrink: the new cap has the source's
// rights ANDed with `rights`. `data` is a badge (Endpoint, Notification; Mint
// only, and only on an unbadged cap) or a guard (CNode: abi::cnode_cap_data);
// every other cap takes data 0. Untyped caps are never copied: two caps to one
// Untyped would each allocate the same memory. Move them, or Retype smaller ones.
#pragma once

#include "invocation.hpp"

namespace petrel {

Status decode_cnode(Invocation &inv);

// The CNode cap `cnode` with the guard that `data` (message register `data_mr`,
// named `arg` in the log) sets: bits 0-5 the guard size, the rest the guard.
// Rejects a guard that does not fit. CNode.Mint/Mutate and TCB.Configure use it.
Result<Cap> decode_cnode_guard(Invocation &inv, u32 data_mr, const char *arg, u32 data, const Cap &cnode);

// The derive rule (seL4's deriveCap): what a new copy of `cap` (the cap in
// slot `src`, rights and data already applied) starts as, or why it cannot be
// copied. A frame cap's copy is unmapped; a Zombie, Reply, IRQ Control or null
// cap, an Untyped, a PageDirectory without an ASID and an unmapped PageTable
// are refused. CNode.Copy/Mint and IPC cap transfer (ipc.cpp) both apply it.
enum class DeriveFailure { None, Zombie, NotCopyable, Untyped, UntypedWithChildren, PdWithoutAsid, PtUnmapped };
struct Derived {
    Cap cap;
    DeriveFailure failure;
};
Derived derive_cap(Slot *src, Cap cap);

}  // namespace petrel
