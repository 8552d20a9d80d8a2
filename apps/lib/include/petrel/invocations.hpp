// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: invocations on kernel objects, one function per method.
//
// An invocation is a Call on the object's cap with the method's label
// (abi::Label); its arguments are message registers in the kernel's order
// (src/kernel/{untyped,cnode,tcb}.hpp document each method) and extra caps.
// Every function returns the reply's label as an abi::Error: Error::None when
// the method succeeded. Errors are values; nothing here throws or stops.
//
// Functions that pass more than four words or any extra cap take the calling
// thread's IPC buffer `ipc` (MR4.. and the extra cap pointers travel there);
// given a null `ipc` they return Error::TruncatedMessage without calling.
// Cap pointers are resolved in the caller's CSpace at depth 32; CNode slot
// arguments are (index, depth) pairs relative to a CNode cap, as in seL4.
#pragma once

#include "petrel/user.hpp"

namespace petrel {

// The general form: `words` message registers and `caps` extra cap pointers.
// On return the first min(4, reply length) reply words are in `reply` if given.
abi::Error invoke(abi::IpcBuffer *ipc, u32 cptr, abi::Label label, const u32 *words, u32 num_words,
                  const u32 *caps, u32 num_caps, MessageRegs *reply = nullptr);

// ---- Untyped
// Makes `num_objects` objects of `type` into consecutive empty slots
// node_offset.. of the CNode (node_index, node_depth) under `root`; node_depth 0
// means `root` itself. size_bits: Untyped size, CNode radix; ignored otherwise.
abi::Error untyped_retype(abi::IpcBuffer *ipc, u32 untyped, abi::ObjectType type, u32 size_bits, u32 root,
                          u32 node_index, u32 node_depth, u32 node_offset, u32 num_objects);

// ---- CNode (`cnode` is the root of the destination / target slot)
abi::Error cnode_copy(abi::IpcBuffer *ipc, u32 cnode, u32 dest_index, u32 dest_depth, u32 src_root,
                      u32 src_index, u32 src_depth, u32 rights);
// As Copy, with `data`: a badge (Endpoint, Notification) or abi::cnode_cap_data (CNode).
abi::Error cnode_mint(abi::IpcBuffer *ipc, u32 cnode, u32 dest_index, u32 dest_depth, u32 src_root,
                      u32 src_index, u32 src_depth, u32 rights, u32 data);
abi::Error cnode_move(abi::IpcBuffer *ipc, u32 cnode, u32 dest_index, u32 dest_depth, u32 src_root,
                      u32 src_index, u32 src_depth);
abi::Error cnode_delete(u32 cnode, u32 index, u32 depth);
abi::Error cnode_revoke(u32 cnode, u32 index, u32 depth);

// ---- TCB
// The register file of Read/WriteRegisters, in the kernel's order; `count`
// arguments take the first `count` of them (pc, sp, cpsr, lr, r0, r1, ...).
struct UserRegisters {
    u32 pc, sp, cpsr, lr;
    u32 r[13];
};
static_assert(sizeof(UserRegisters) == 17 * 4);
constexpr u32 kCpsrUserArm = 0x10;  // USR mode, ARM state, interrupts enabled

// fault_ep: a cap pointer in the thread's own CSpace (0: none). cspace_root_data
// 0 keeps the CNode cap's guard, else abi::cnode_cap_data(guard, guard_size).
// buffer: the IPC buffer's user address (512-aligned) inside `buffer_frame`.
abi::Error tcb_configure(abi::IpcBuffer *ipc, u32 tcb, u32 fault_ep, u32 cspace_root, u32 cspace_root_data,
                         u32 vspace_root, u32 vspace_root_data, u32 buffer, u32 buffer_frame);
abi::Error tcb_write_registers(abi::IpcBuffer *ipc, u32 tcb, bool resume_target, u32 count,
                               const UserRegisters &regs);
// Only the first four registers come back to a caller without an IPC buffer.
abi::Error tcb_read_registers(abi::IpcBuffer *ipc, u32 tcb, bool suspend_source, u32 count, UserRegisters &regs);
abi::Error tcb_resume(u32 tcb);
abi::Error tcb_suspend(u32 tcb);  // a thread may suspend itself
// priority and mcp: at most the mcp of the thread of `authority` (a TCB cap).
abi::Error tcb_set_priority(abi::IpcBuffer *ipc, u32 tcb, u32 authority, u32 priority);
abi::Error tcb_set_mc_priority(abi::IpcBuffer *ipc, u32 tcb, u32 authority, u32 mcp);
// ntfn: a Notification cap with Read; the thread then also receives its signals
// while waiting on an endpoint (label abi::kNotificationLabel).
abi::Error tcb_bind_notification(abi::IpcBuffer *ipc, u32 tcb, u32 ntfn);
abi::Error tcb_unbind_notification(u32 tcb);

}  // namespace petrel
