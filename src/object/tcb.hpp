// SPDX-License-Identifier: BSD-2-Clause
// Thread control blocks: the kernel object that is a thread.
//
// A TCB is 512 bytes, retyped from Untyped. It begins with five slots that hold
// the thread's own copies of the caps it runs on (CSpace root, VSpace root, IPC
// buffer frame, and the reply/caller caps of IPC), so deleting a user's copy never
// leaves a thread pointing at a destroyed object: the thread's copy keeps it alive
// until the TCB itself goes. Scheduling and IPC state follow.
#pragma once

#include "arch_context.hpp"
#include "cspace.hpp"
#include "petrel/abi.hpp"
#include "slot.hpp"
#include "state.hpp"

namespace petrel {

enum class ThreadState : u32 {
    Inactive = 0,  // the state of a new TCB: zeroed memory
    Running,
    Restart,
    BlockedOnSend,
    BlockedOnRecv,
    BlockedOnReply,
    BlockedOnNotification,
    Idle,
};

enum IpcFlags : u32 { kIpcCall = 1, kIpcGrant = 2, kIpcGrantReply = 4 };

enum TcbSlot : u32 {
    kTcbCTable = 0,
    kTcbVTable = 1,
    kTcbIpcBuffer = 2,
    kTcbReply = 3,
    kTcbCaller = 4,
    kTcbSlots = 5,
};

struct Tcb {
    Slot slots[kTcbSlots];
    arch::UserContext context;
    ThreadState state;
    u32 priority;
    u32 mcp;           // maximum controlled priority
    u32 ipc_buffer;    // user virtual address of the IPC buffer
    u32 fault_ep;      // cap pointer of the fault endpoint, in the thread's CSpace
    u32 bound_ntfn;    // notification object (physical), 0 if none
    u32 sched_prev, sched_next;  // ready queue links (TCB physical addresses)
    u32 ep_prev, ep_next;        // endpoint/notification queue links
    u32 ipc_badge;     // badge of the blocked send; 0 otherwise
    u32 blocked_on;    // endpoint/notification object the thread waits on
    u32 timeslice;     // kernel ticks left before round robin
    u32 ipc_flags;     // of a blocked send: kIpcCall | kIpcGrant | kIpcGrantReply
    u32 reply_holder;  // BlockedOnReply: the slot (physical) holding our reply cap
    u32 fault_kind;    // FaultKind of the fault being delivered (0: none)
    u32 fault_address, fault_status;
    u8 fault_instruction;  // the fault was on an instruction fetch
    u8 in_ready_queue;     // 1 while in a ready queue
    u8 affinity;           // the core it runs on (TCB.SetAffinity; 0 with one core)
    u32 timer_access;  // the virtual timer: ks.timer_grant + 1 when granted, else 0 (timer_access.hpp)
    char name[16];     // debug name
    arch::FpuState fpu;  // VFP/NEON registers while another thread owns the FPU

    Slot *slot(TcbSlot i) { return &slots[i]; }
    // The kernel's pointer to the thread's IPC buffer, or null when the thread
    // has no IPC buffer frame (or the address is outside it).
    abi::IpcBuffer *ipc_buffer_ptr();
};
static_assert(sizeof(Tcb) <= (1u << abi::kTcbBits), "a TCB fits its 512-byte object");

// The thread's debug name for log lines, "(unnamed)" before DebugNameThread.
inline const char *tcb_name(const Tcb *t) { return t->name[0] ? t->name : "(unnamed)"; }

// The slot `cptr` names in the thread's CSpace, all 32 bits resolved (seL4's
// lookupCap).
// A flat CSpace's slot is found inline (flat_lookup), the rest by resolve().
inline Lookup lookup_cap(const Tcb *t, u32 cptr) {
    const Cap &root = t->slots[kTcbCTable].cap;
    if (Slot *s = flat_lookup(root, cptr)) {
        Lookup r;
        r.slot = s;
        r.level = 1;
        return r;
    }
    return resolve(root, cptr, 32);
}

// The thread on whose behalf the kernel runs.
inline Tcb *current_thread() { return here().current; }
inline void set_current_thread(Tcb *t) { here().current = t; }

// The initial state of a newly retyped TCB (its memory is already zero).
void tcb_init(Tcb *t);
// Makes a thread whose blocking operation was cancelled redo it when it next
// runs: back on its svc (or, for a cancelled fault message, on the faulting
// instruction), state Restart, in its ready queue.
void tcb_restart(Tcb *t);
// Called when the last cap to a TCB goes, before its slots are emptied.
void tcb_prepare_destroy(Tcb *t);

// Sets the thread's debug name (DebugNameThread): at most 15 characters of
// `name`, up to its NUL, are copied; the name is always NUL-terminated.
void tcb_set_name(Tcb *t, const char *name);

// ---------------------------------------------------------------- invocations
// TCB invocations, on a Thread cap, with seL4's non-MCS names and argument
// orders (* = an extra cap, in order; the other arguments are message
// registers MR0.. in order):
//
//   ReadRegisters(flags, count)       flags bit 0 = suspend_source: suspend the thread
//                                     first. Replies with the first `count` (1..17)
//                                     registers in the order below (only 4 reach a
//                                     caller without an IPC buffer).
//   WriteRegisters(flags, count, values...)
//                                     flags bit 0 = resume_target: Resume the thread
//                                     afterwards. Writes the first `count` (1..17)
//                                     registers, sanitised (arch::sanitise_register).
//   CopyRegisters(source*, flags)     flags bit 0 suspend_source, bit 1 resume_target,
//                                     bit 2 transfer_frame (pc, sp, cpsr, lr),
//                                     bit 3 transfer_integer (r0-r12): in that order.
//   Configure(fault_ep, cspace_root*, cspace_root_data, vspace_root*, vspace_root_data,
//             buffer, buffer_frame*)  SetSpace and SetIPCBuffer in one.
//   SetSpace(fault_ep, cspace_root*, cspace_root_data, vspace_root*, vspace_root_data)
//                                     fault_ep: a cap pointer in the thread's CSpace,
//                                     looked up when it faults. cspace_root: a CNode
//                                     cap; cspace_root_data, unless 0 (keep the cap's
//                                     guard), is abi::cnode_cap_data(guard, guard_size)
//                                     and sets the copy's guard, as in CNode.Mint.
//                                     vspace_root: a PageDirectory cap, data 0.
//   SetIPCBuffer(buffer, buffer_frame*)
//                                     buffer: the user address of the 512-byte IPC
//                                     buffer, 512-aligned; it lies at buffer mod the
//                                     frame's size inside buffer_frame, a RAM frame cap
//                                     with read and write rights. buffer 0: no IPC
//                                     buffer (the frame cap is not looked at).
//   SetPriority(authority*, priority) priority <= the authority thread's mcp
//   SetMCPriority(authority*, mcp)    mcp <= the authority thread's mcp
//   SetSchedParams(authority*, mcp, priority)   both <= the authority thread's mcp
//   Suspend()                         cancel its IPC, stop it (state Inactive); a
//                                     thread may suspend itself. A thread stopped in
//                                     a blocking system call redoes it when resumed.
//   Resume()                          a stopped thread (Inactive, or waiting for a
//                                     reply, as in seL4) restarts at its pc; a thread
//                                     that is running, ready or blocked: nothing.
//   BindNotification(notification*)  a Notification cap with the Read right, to a
//                                     notification with no bound thread and no waiters
//   UnbindNotification()
//   SetTimerAccess(access, irq_handler*)
//                                     access 1: the thread may program the generic
//                                     timer's virtual timer (CNTV_CTL, CNTV_CVAL,
//                                     CNTV_TVAL) from user mode; irq_handler is the
//                                     authority: an IrqHandler cap for the timer's
//                                     own line (board::kVirtualTimerIrq: virt 27,
//                                     Pi 3). access 0: takes the access away (no cap
//                                     needed, none looked at). Any thread without the
//                                     access that touches those registers takes an
//                                     undefined-instruction fault (UserException).
//                                     A grant lasts until revoked or until the line's
//                                     last IrqHandler cap is deleted; the counter
//                                     (CNTVCT, CNTFRQ) is every thread's to read.
//                                     kernel/timer_access.hpp has the model.
//   SetAffinity(core)                 the thread runs on core `core` (0 ..
//                                     kCores - 1, BootInfo::num_nodes) from now
//                                     on; a running or ready thread moves at once,
//                                     its FPU registers with it (seL4's, non-MCS).
//
// Several cores: a method that reads or changes the registers, state or
// existence of a thread running on another core first makes that core let go
// of it (smp_stall, kernel/smp.hpp), so what the caller sees or writes is the
// thread's, and it takes effect before the call returns.
//
// Space and buffer caps: the TCB keeps its own copies (kTcbCTable, kTcbVTable,
// kTcbIpcBuffer), derived from the caps given. Each old copy is deleted first;
// that can destroy an object (the TCB held the last cap to its old CNode) and be
// preempted, and the call then restarts. The new copy is made only when its
// source slot and the invoked TCB cap still exist after the deletion (seL4's
// rule): giving a thread a CSpace from inside the one being destroyed leaves it
// with none. A VSpace root must be a PageDirectory cap with an ASID (as in seL4);
// a thread whose directory's ASID is later deleted runs on an empty table, so
// its every user access faults.
//
// Errors (abi::Error; MR = detail registers). Each method checks the message
// length, then its arguments in the order it takes them, then the threads' state:
//   TruncatedMessage   fewer message registers or extra caps than the method takes
//                      (WriteRegisters: 2 + count; SetTimerAccess: 1 word, and 1
//                      cap for access 1; SetAffinity: 1 word)
//   InvalidArgument    MR0 = the argument's index: unknown flag bits (ARM has no
//                      arch flags), cspace_root_data whose guard does not fit, a
//                      non-zero vspace_root_data, an access other than 0 or 1
//   RangeError         MR0, MR1 = the valid range: count (1..17); a priority or mcp
//                      above the authority's mcp (0..mcp); a core the kernel does not
//                      run on (0..kCores - 1)
//   InvalidCapability  MR0 = the cap's index (1 = first extra cap): a cap of the
//                      wrong type (TCB, CNode, PageDirectory, Frame, Notification,
//                      IrqHandler), a device frame, missing rights (buffer frame:
//                      read and write; notification: read), or an IrqHandler for
//                      another line than the virtual timer's
//   AlignmentError     buffer not a multiple of 512
//   IllegalOperation   Read/WriteRegisters on the calling thread itself (seL4); binding a
//                      thread that has a bound notification, or a notification
//                      bound to a thread or with waiters; unbinding a thread
//                      without one; an unknown label
struct Invocation;
Status decode_tcb(Invocation &inv);

// Registers by the number of Read/Write/CopyRegisters (arch::kUserRegisters of
// them, arch::get_user_register); tcb_set_register sanitises the value
// (arch::sanitise_register), as every register write for a user does.
u32 tcb_get_register(const Tcb *t, u32 index);
void tcb_set_register(Tcb *t, u32 index, u32 value);

// The invoke half, for the kernel and the tests: validated arguments, cannot
// fail, except by preemption where a Status is returned.
void tcb_suspend(Tcb *t);  // Suspend
void tcb_resume(Tcb *t);   // Resume
struct Notification;
void invoke_tcb_bind_notification(Tcb *t, Notification *n);
void invoke_tcb_unbind_notification(Tcb *t);
void invoke_tcb_set_priority(Tcb *t, u32 priority);
void invoke_tcb_set_mcp(Tcb *t, u32 mcp);
void invoke_tcb_set_affinity(Tcb *t, u32 core);
void invoke_tcb_read_registers(Tcb *t, bool suspend_source, u32 count, u32 *values);
void invoke_tcb_write_registers(Tcb *t, bool resume_target, u32 count, const u32 *values);
void invoke_tcb_copy_registers(Tcb *dest, Tcb *src, bool suspend_source, bool resume_target,
                               bool transfer_frame, bool transfer_integer);
// A cap to copy into a TCB slot, and the slot it is derived from (null: none).
struct TcbCapCopy {
    Slot *src = nullptr;
    Cap cap;
};
// What Configure, SetSpace and SetIPCBuffer set (seL4's ThreadControl), decoded.
struct TcbControl {
    bool set_space = false;     // fault_ep, cspace, vspace
    u32 fault_ep = 0;
    TcbCapCopy cspace, vspace;
    bool set_buffer = false;    // buffer, frame (frame.src null: no IPC buffer)
    u32 buffer = 0;
    TcbCapCopy frame;
};
// Configure, SetSpace, SetIPCBuffer: `tcb_slot` holds the invoked TCB cap.
Status invoke_tcb_control(Tcb *t, Slot *tcb_slot, const TcbControl &c);

}  // namespace petrel
