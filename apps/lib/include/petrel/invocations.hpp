// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: invocations on kernel objects, one function per method.
//
// An invocation is a Call on the object's cap with the method's label
// (abi::Label); its arguments are message registers in the kernel's order
// (src/object/{untyped,cnode,tcb}.hpp and, for virtual memory, petrel/abi.hpp
// document each method) and extra caps.
// Every function returns the reply's label as an abi::Error: Error::None when
// the method succeeded. Errors are values; nothing here throws or stops.
//
// Functions that pass more than four words or any extra cap take the calling
// thread's IPC buffer `ipc` (MR4.. and the extra cap pointers travel there);
// given a null `ipc` they return Error::TruncatedMessage without calling.
// Cap pointers are resolved in the caller's CSpace at depth 32; CNode slot
// arguments are (index, depth) pairs relative to a CNode cap, as in seL4.
// (src/object/irq_handler.hpp documents the interrupt methods.)
// petrel/caps.hpp offers the same methods on typed wrappers (Frame::map takes
// a PageDirectory, ...), which forward here.
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
// Moves the reply cap of the caller's last Call into the empty slot (index,
// depth) under `cnode`; a Send on that slot later replies (and empties it).
// With no caller to answer nothing is saved, and that is no error.
abi::Error cnode_save_caller(u32 cnode, u32 index, u32 depth);

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
// TCB.SetTimerAccess: the thread may program the virtual timer (CNTV_CTL,
// CNTV_CVAL, CNTV_TVAL; petrel/counters.hpp); the authority is `irq_handler`, an
// IrqHandler cap for the virtual timer's line (devices::kVirtualTimerIrq). Any
// other thread's access to those registers is an undefined instruction. The
// grant ends with tcb_clear_timer_access or when the line's last IrqHandler cap
// is deleted. Reading the counter (cntvct(), cntfrq()) needs no grant.
abi::Error tcb_set_timer_access(abi::IpcBuffer *ipc, u32 tcb, u32 irq_handler);
abi::Error tcb_clear_timer_access(u32 tcb);
// TCB.SetAffinity (as seL4's): the thread runs on core `core` from now on (0 to
// the kernel's cores - 1; BootInfo::num_nodes says how many). A running or ready
// thread moves at once; its FPU registers go with it.
abi::Error tcb_set_affinity(u32 tcb, u32 core);

// ---- Virtual memory (abi.hpp, "virtual memory", documents each method)
// `pd` is a PageDirectory cap with an ASID (AsidPool.Assign); vaddr is a user
// address below abi::kUserTop. Where a function takes `detail`, it receives
// the reply's first message registers (on an error: which argument or cap was
// wrong, see abi::Error).

// Maps the PageTable `pt` into `pd` for the 1 MiB around `vaddr` (its low 20
// bits are ignored). A PageTable cap maps once; a second table (or a section)
// for the same megabyte is Error::DeleteFirst.
abi::Error page_table_map(abi::IpcBuffer *ipc, u32 pt, u32 pd, u32 vaddr, MessageRegs *detail = nullptr);
// Unmaps the PageTable and clears its entries; `pt` must be its last cap
// (else Error::RevokeFirst).
abi::Error page_table_unmap(u32 pt);

// Maps the frame of `frame` at `vaddr` (aligned to the frame's size) in `pd`
// with `rights` (abi::kRightRead, optionally abi::kRightWrite; ANDed with the
// cap's) and `attr` (abi::VmAttributes). 4 KiB and 64 KiB frames need a
// PageTable there (else Error::FailedLookup). A mapped cap maps again only at
// the same place (new rights or attributes); map a copy to map it elsewhere.
abi::Error page_map(abi::IpcBuffer *ipc, u32 frame, u32 pd, u32 vaddr, u32 rights, u32 attr,
                    MessageRegs *detail = nullptr);
// Removes the frame cap's mapping (none: success, nothing to do).
abi::Error page_unmap(u32 frame);
// The frame's physical address, in `paddr` on success.
abi::Error page_get_address(u32 frame, u32 &paddr);

// Cache maintenance on [start, end) of a RAM frame, byte offsets in the frame
// (start < end <= frame size). `op` is Label::PageClean, PageInvalidate,
// PageCleanInvalidate or PageUnify (clean to the point of unification and
// invalidate the instruction cache: code written through the data side).
abi::Error page_cache_op(u32 frame, abi::Label op, u32 start, u32 end);
inline abi::Error page_clean(u32 frame, u32 start, u32 end) {
    return page_cache_op(frame, abi::Label::PageClean, start, end);
}
inline abi::Error page_invalidate(u32 frame, u32 start, u32 end) {
    return page_cache_op(frame, abi::Label::PageInvalidate, start, end);
}
inline abi::Error page_clean_invalidate(u32 frame, u32 start, u32 end) {
    return page_cache_op(frame, abi::Label::PageCleanInvalidate, start, end);
}
inline abi::Error page_unify(u32 frame, u32 start, u32 end) {
    return page_cache_op(frame, abi::Label::PageUnify, start, end);
}

// The same on the user virtual range [start, end) of the address space `pd`;
// both ends must lie in one mapped frame. `op` is Label::PageDirectoryClean,
// ...Invalidate, ...CleanInvalidate or ...Unify.
abi::Error page_directory_cache_op(u32 pd, abi::Label op, u32 start, u32 end);
inline abi::Error page_directory_clean(u32 pd, u32 start, u32 end) {
    return page_directory_cache_op(pd, abi::Label::PageDirectoryClean, start, end);
}
inline abi::Error page_directory_invalidate(u32 pd, u32 start, u32 end) {
    return page_directory_cache_op(pd, abi::Label::PageDirectoryInvalidate, start, end);
}
inline abi::Error page_directory_clean_invalidate(u32 pd, u32 start, u32 end) {
    return page_directory_cache_op(pd, abi::Label::PageDirectoryCleanInvalidate, start, end);
}
inline abi::Error page_directory_unify(u32 pd, u32 start, u32 end) {
    return page_directory_cache_op(pd, abi::Label::PageDirectoryUnify, start, end);
}

// ---- ASIDs
// Makes an ASID pool (1024 ASIDs) from `untyped`, an Untyped of exactly 4 KiB
// of RAM with nothing made from it, into slot (index, depth) under `root`.
// Once all abi::kAsidPools pools exist: Error::DeleteFirst.
abi::Error asid_control_make_pool(abi::IpcBuffer *ipc, u32 asid_control, u32 untyped, u32 root, u32 index,
                                  u32 depth);
// Gives the PageDirectory `pd` (without an ASID) a free ASID of `pool`;
// a full pool is Error::DeleteFirst.
abi::Error asid_pool_assign(abi::IpcBuffer *ipc, u32 pool, u32 pd, MessageRegs *detail = nullptr);

// ---- Interrupts (src/object/irq_handler.hpp documents each method)
// Lines are numbered as the board's interrupt controller numbers them (virt:
// GIC IDs; the Pi: platform/drivers/bcm2836_irq.hpp). The kernel keeps its
// timer lines. Where a function takes `detail`, it receives the reply's first
// message registers (on an error: see abi::Error and irq_handler.hpp).

// Makes an IrqHandler cap for line `irq` in the empty slot (index, depth) under
// the CNode `root` and unmasks the line. Errors: RangeError (MR0 0, MR1 the last
// line), IllegalOperation (the kernel's timer line), InvalidArgument MR0 0 (a
// line the controller cannot mask), RevokeFirst (the line is handed out already).
abi::Error irq_control_get(abi::IpcBuffer *ipc, u32 irq_control, u32 irq, u32 root, u32 index, u32 depth,
                           MessageRegs *detail = nullptr);
// The same, first making the line edge-triggered (edge 1) or level-sensitive
// (0) where the controller can (the GIC's lines from 32): elsewhere
// IllegalOperation; edge > 1 is InvalidArgument MR0 1.
abi::Error irq_control_get_trigger(abi::IpcBuffer *ipc, u32 irq_control, u32 irq, u32 edge, u32 root,
                                   u32 index, u32 depth, MessageRegs *detail = nullptr);
// The line's interrupts signal `ntfn` (a Notification cap with Write; its badge
// is OR-ed into the word) from now on; a kernel copy of the cap is kept. Not a
// Notification with Write: InvalidCapability MR0 1.
abi::Error irq_handler_set_notification(abi::IpcBuffer *ipc, u32 handler, u32 ntfn,
                                        MessageRegs *detail = nullptr);
// Unmasks the line after an interrupt (the kernel masked it when it signalled).
// Without a notification set: IllegalOperation.
abi::Error irq_handler_ack(u32 handler);
// Drops the notification: the line's interrupts are then masked unseen.
abi::Error irq_handler_clear(u32 handler);

}  // namespace petrel
