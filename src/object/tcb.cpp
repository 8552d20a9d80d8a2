// SPDX-License-Identifier: BSD-2-Clause
// Thread control blocks and their invocations: decode (validate everything,
// change nothing), then invoke (change state, check nothing); see tcb.hpp.
#include "tcb.hpp"

#include "invocation.hpp"
#include "arch.hpp"
#include "board.hpp"
#include "cnode.hpp"
#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "timer_access.hpp"

namespace petrel {

using abi::Label;


void tcb_init(Tcb *t) {
    arch::init_user_context(t->context);
    t->state = ThreadState::Inactive;
    t->timeslice = kTimesliceTicks;  // never 0 from here on (sched_tick refills at 1): no switch checks it
}

void tcb_restart(Tcb *t) {
    // Back onto its svc to redo the call (which fails if the object is gone); a
    // cancelled fault message is dropped, and the faulting instruction faults again.
    if (!t->fault_kind) arch::rewind_syscall(t->context);
    t->fault_kind = 0;
    t->state = ThreadState::Restart;
    sched_enqueue(t);
}

void tcb_prepare_destroy(Tcb *t) {
    smp_stall(t);  // (another core running it, or holding its FPU registers, lets go)
    ipc_prepare_destroy(t);
    arch::forget_thread(t);
}

abi::IpcBuffer *Tcb::ipc_buffer_ptr() {
    const Cap &frame = slots[kTcbIpcBuffer].cap;
    if (!frame.is_frame()) return nullptr;
    // (Every slow-path system call asks: the frame's size and address decoded
    // here, not through the general object_size_bits() and object().)
    static_assert(static_cast<u32>(CapType::Frame64K) == static_cast<u32>(CapType::Frame4K) + 1 &&
                  static_cast<u32>(CapType::Frame16M) == static_cast<u32>(CapType::Frame4K) + 3);
    const u32 bits = 12 + 4 * (static_cast<u32>(frame.type()) - static_cast<u32>(CapType::Frame4K));
    const u32 offset = ipc_buffer & mask_bits(bits) & ~mask_bits(abi::kIpcBufferSizeBits);
    return kptr_live<abi::IpcBuffer>((frame.w1 & ~0xfffu) + offset);
}

void tcb_set_name(Tcb *t, const char *name) {
    u32 i = 0;
    for (; i + 1 < sizeof(t->name) && name[i] != '\0'; ++i) t->name[i] = name[i];
    for (; i < sizeof(t->name); ++i) t->name[i] = '\0';
}

// ---------------------------------------------------------------- registers

u32 tcb_get_register(const Tcb *t, u32 index) { return arch::get_user_register(t->context, index); }

void tcb_set_register(Tcb *t, u32 index, u32 value) { arch::set_user_register(t->context, index, value); }

// ---------------------------------------------------------------- invoke

void tcb_suspend(Tcb *t) {
    // Stopped inside a blocking system call, a thread redoes the call when it is
    // resumed (seL4 restarts it at the svc); stopped waiting on a fault, it
    // retries the faulting instruction (its pc already).
    bool in_syscall = false;
    switch (t->state) {
    case ThreadState::BlockedOnSend:
    case ThreadState::BlockedOnRecv:
    case ThreadState::BlockedOnReply:
    case ThreadState::BlockedOnNotification: in_syscall = t->fault_kind == 0; break;
    default: break;
    }
    cancel_ipc(t);
    if (in_syscall) arch::rewind_syscall(t->context);
    sched_set_state(t, ThreadState::Inactive);
}

void tcb_resume(Tcb *t) {
    if (t->state == ThreadState::BlockedOnReply) tcb_suspend(t);  // seL4: waiting for a reply counts as stopped
    if (t->state != ThreadState::Inactive) return;
    sched_set_state(t, ThreadState::Restart);
    sched_wake(t);
}

void invoke_tcb_read_registers(Tcb *t, bool suspend_source, u32 count, u32 *values) {
    smp_stall(t);
    if (suspend_source) tcb_suspend(t);
    for (u32 i = 0; i < count; ++i) values[i] = tcb_get_register(t, i);
}

void invoke_tcb_write_registers(Tcb *t, bool resume_target, u32 count, const u32 *values) {
    smp_stall(t);
    // Resuming a thread that waits for a reply stops it first (tcb_resume would,
    // rewinding its pc): done before the write, so the new values are what runs.
    if (resume_target && t->state == ThreadState::BlockedOnReply) tcb_suspend(t);
    for (u32 i = 0; i < count; ++i) tcb_set_register(t, i, values[i]);
    if (resume_target) tcb_resume(t);
}

void invoke_tcb_copy_registers(Tcb *dest, Tcb *src, bool suspend_source, bool resume_target,
                               bool transfer_frame, bool transfer_integer) {
    smp_stall(src);
    smp_stall(dest);
    if (suspend_source) tcb_suspend(src);
    if (resume_target) tcb_resume(dest);
    if (transfer_frame)
        for (u32 i = 0; i < arch::kFrameRegisters; ++i) tcb_set_register(dest, i, tcb_get_register(src, i));
    if (transfer_integer)
        for (u32 i = arch::kFrameRegisters; i < arch::kUserRegisters; ++i)
            tcb_set_register(dest, i, tcb_get_register(src, i));
}

namespace {

// Replaces the TCB's copy in `which` with `copy` (copy.src null: leaves it
// empty). The old cap goes first, preemptibly; the copy is made only if its
// source and the invoked TCB cap (in `tcb_slot`) survived that deletion.
Status replace_tcb_cap(Tcb *t, Slot *tcb_slot, TcbSlot which, const TcbCapCopy &copy) {
    Slot *slot = t->slot(which);
    if (delete_cap(slot) == Status::Preempted) return Status::Preempted;
    bool tcb_alive = tcb_slot->cap.type() == CapType::Thread && tcb_slot->cap.object() == kref(t);
    if (copy.src && tcb_alive && same_object(copy.cap, copy.src->cap)) insert_derived(copy.src, slot, copy.cap);
    return Status::Ok;
}

}  // namespace

Status invoke_tcb_control(Tcb *t, Slot *tcb_slot, const TcbControl &c) {
    // A restarted call redoes every step: deleting a copy made by an earlier
    // attempt is quick (its source still exists), and the copy is made again.
    if (c.set_space) {
        t->fault_ep = c.fault_ep;
        if (replace_tcb_cap(t, tcb_slot, kTcbCTable, c.cspace) == Status::Preempted) return Status::Preempted;
        if (replace_tcb_cap(t, tcb_slot, kTcbVTable, c.vspace) == Status::Preempted) return Status::Preempted;
    }
    if (c.set_buffer) {
        if (replace_tcb_cap(t, tcb_slot, kTcbIpcBuffer, c.frame) == Status::Preempted) return Status::Preempted;
        t->ipc_buffer = c.buffer;
    }
    return Status::Ok;
}

// ---------------------------------------------------------------- decode

namespace {

constexpr u32 kFlagSuspendSource = 1u << 0;  // ReadRegisters, CopyRegisters
constexpr u32 kFlagResumeTarget = 1u << 0;   // WriteRegisters
constexpr u32 kCopyResumeTarget = 1u << 1;   // CopyRegisters
constexpr u32 kCopyFrame = 1u << 2;
constexpr u32 kCopyInteger = 1u << 3;
constexpr u32 kCopyFlags = kFlagSuspendSource | kCopyResumeTarget | kCopyFrame | kCopyInteger;

Tcb *target(const Invocation &inv) { return kptr<Tcb>(inv.cap.object()); }

// The thread named by extra cap `index`, or rejects.
Result<Tcb *> tcb_arg(Invocation &inv, u32 index, const char *arg) {
    const Cap &c = inv.extra[index]->cap;
    if (c.type() != CapType::Thread)
        return reject_cap(inv, index + 1, arg, "expected a TCB cap, got %s", cap_type_name(c.type()));
    return kptr<Tcb>(c.object());
}

Status decode_read_registers(Invocation &inv) {
    if (inv.length() < 2) return reject_truncated(inv, 2, 0);
    u32 flags = inv.mr(0), count = inv.mr(1);
    if (flags & ~kFlagSuspendSource)
        return reject_argument(inv, 0, "flags", "expected bit 0 (suspend_source) only, got 0x%x", flags);
    if (count < 1 || count > arch::kUserRegisters) return reject_range(inv, "count", count, 1, arch::kUserRegisters);
    Tcb *t = target(inv);
    if (t == inv.thread) return reject_illegal(inv, "a thread cannot read its own registers");
    u32 values[arch::kUserRegisters];
    invoke_tcb_read_registers(t, (flags & kFlagSuspendSource) != 0, count, values);
    // Without an IPC buffer only the message registers held in registers reach the caller.
    u32 n = inv.buffer || count < abi::kMsgRegisters ? count : abi::kMsgRegisters;
    for (u32 i = 0; i < n; ++i) inv.reply_mr(i, values[i]);
    return Status::Ok;
}

Status decode_write_registers(Invocation &inv) {
    if (inv.length() < 2) return reject_truncated(inv, 2, 0);
    u32 flags = inv.mr(0), count = inv.mr(1);
    if (flags & ~kFlagResumeTarget)
        return reject_argument(inv, 0, "flags", "expected bit 0 (resume_target) only, got 0x%x", flags);
    if (count < 1 || count > arch::kUserRegisters) return reject_range(inv, "count", count, 1, arch::kUserRegisters);
    if (inv.length() < 2 + count) return reject_truncated(inv, 2 + count, 0);
    Tcb *t = target(inv);
    if (t == inv.thread) return reject_illegal(inv, "a thread cannot write its own registers");
    u32 values[arch::kUserRegisters];
    for (u32 i = 0; i < count; ++i) values[i] = inv.mr(2 + i);
    invoke_tcb_write_registers(t, (flags & kFlagResumeTarget) != 0, count, values);
    return Status::Ok;
}

Status decode_copy_registers(Invocation &inv) {
    if (inv.length() < 1 || inv.extra_count < 1) return reject_truncated(inv, 1, 1);
    u32 flags = inv.mr(0);
    if (flags & ~kCopyFlags)
        return reject_argument(inv, 0, "flags",
                               "expected bits 0-3 (suspend_source, resume_target, transfer_frame, "
                               "transfer_integer) only, got 0x%x",
                               flags);
    Result<Tcb *> src = tcb_arg(inv, 0, "source");
    if (!src.ok()) return src.status();
    invoke_tcb_copy_registers(target(inv), src.value(), flags & kFlagSuspendSource, flags & kCopyResumeTarget,
                              flags & kCopyFrame, flags & kCopyInteger);
    return Status::Ok;
}

// cspace_root (extra cap `cap_index`) with its data word (message register `data_mr`).
Result<TcbCapCopy> decode_cspace(Invocation &inv, u32 cap_index, u32 data_mr) {
    Slot *src = inv.extra[cap_index];
    Cap cap = src->cap;
    if (cap.type() != CapType::CNode)
        return reject_cap(inv, cap_index + 1, "cspace_root", "expected a CNode cap, got %s", cap_type_name(cap.type()));
    const u32 data = inv.mr(data_mr);
    if (data != 0) {  // 0 keeps the cap's guard (seL4)
        Result<Cap> guarded = decode_cnode_guard(inv, data_mr, "cspace_root_data", data, cap);
        if (!guarded.ok()) return guarded.status();
        cap = guarded.value();
    }
    return TcbCapCopy{src, cap};
}

Result<TcbCapCopy> decode_vspace(Invocation &inv, u32 cap_index, u32 data_mr) {
    Slot *src = inv.extra[cap_index];
    const Cap &cap = src->cap;
    if (cap.type() != CapType::PageDirectory)
        return reject_cap(inv, cap_index + 1, "vspace_root", "expected a PageDirectory cap, got %s",
                          cap_type_name(cap.type()));
    if (!cap.pd_has_asid())
        return reject_cap(inv, cap_index + 1, "vspace_root",
                          "expected a PageDirectory with an ASID (AsidPool.Assign), got one without");
    if (inv.mr(data_mr) != 0)
        return reject_argument(inv, data_mr, "vspace_root_data", "expected 0 for a PageDirectory cap, got 0x%x",
                               inv.mr(data_mr));
    return TcbCapCopy{src, cap};
}

// buffer_frame (extra cap `cap_index`) for the buffer address `buffer`: the copy
// to make (none for buffer 0: no IPC buffer).
Result<TcbCapCopy> decode_buffer(Invocation &inv, u32 cap_index, u32 buffer) {
    if (buffer == 0) return TcbCapCopy{};  // no IPC buffer
    Slot *src = inv.extra[cap_index];
    const Cap &cap = src->cap;
    if (!cap.is_frame())
        return reject_cap(inv, cap_index + 1, "buffer_frame", "expected a Frame cap, got %s",
                          cap_type_name(cap.type()));
    if (cap.frame_is_device())
        return reject_cap(inv, cap_index + 1, "buffer_frame", "expected a RAM frame, got a device frame");
    const u32 rw = abi::kRightRead | abi::kRightWrite;
    if ((cap.rights() & rw) != rw)
        return reject_cap(inv, cap_index + 1, "buffer_frame", "expected read and write rights (0x%x), got rights 0x%x",
                          rw, cap.rights());
    if (buffer & mask_bits(abi::kIpcBufferSizeBits))
        return reject_alignment(inv, "buffer", buffer, abi::kIpcBufferSizeBits);
    return TcbCapCopy{src, cap.frame_unmapped()};
}

// Configure (MR0 fault_ep, MR1 cspace_root_data, MR2 vspace_root_data, MR3 buffer;
// caps cspace_root, vspace_root, buffer_frame), SetSpace (the first three MRs
// and two caps), SetIPCBuffer (MR0 buffer; cap buffer_frame).
Status decode_control(Invocation &inv, Label label) {
    const bool space = label != Label::TcbSetIpcBuffer, buffer = label != Label::TcbSetSpace;
    const u32 words = label == Label::TcbConfigure ? 4 : space ? 3 : 1;
    const u32 caps = label == Label::TcbConfigure ? 3 : space ? 2 : 1;
    if (inv.length() < words || inv.extra_count < caps) return reject_truncated(inv, words, caps);
    TcbControl c;
    if (space) {
        c.set_space = true;
        c.fault_ep = inv.mr(0);
        Result<TcbCapCopy> cspace = decode_cspace(inv, 0, 1);
        if (!cspace.ok()) return cspace.status();
        c.cspace = cspace.value();
        Result<TcbCapCopy> vspace = decode_vspace(inv, 1, 2);
        if (!vspace.ok()) return vspace.status();
        c.vspace = vspace.value();
    }
    if (buffer) {
        c.set_buffer = true;
        c.buffer = inv.mr(space ? 3 : 0);
        Result<TcbCapCopy> frame = decode_buffer(inv, space ? 2 : 0, c.buffer);
        if (!frame.ok()) return frame.status();
        c.frame = frame.value();
    }
    return invoke_tcb_control(target(inv), inv.slot, c);
}

// SetPriority (MR0 priority), SetMCPriority (MR0 mcp), SetSchedParams (MR0 mcp,
// MR1 priority); the authority TCB is the extra cap.
Status decode_priority(Invocation &inv, Label label) {
    const u32 words = label == Label::TcbSetSchedParams ? 2 : 1;
    if (inv.length() < words || inv.extra_count < 1) return reject_truncated(inv, words, 1);
    Result<Tcb *> auth = tcb_arg(inv, 0, "authority");
    if (!auth.ok()) return auth.status();
    const u32 max = auth.value()->mcp < kMaxPriority ? auth.value()->mcp : kMaxPriority;
    const bool sets_mcp = label != Label::TcbSetPriority;
    const u32 first = inv.mr(0);
    const char *const priority_arg = "priority (at most the authority's mcp)";
    if (first > max)
        return reject_range(inv, sets_mcp ? "mcp (at most the authority's mcp)" : priority_arg, first, 0, max);
    const u32 second = words == 2 ? inv.mr(1) : 0;
    if (words == 2 && second > max) return reject_range(inv, priority_arg, second, 0, max);
    Tcb *t = target(inv);
    if (sets_mcp) invoke_tcb_set_mcp(t, first);
    if (label != Label::TcbSetMCPriority) invoke_tcb_set_priority(t, words == 2 ? second : first);
    return Status::Ok;
}

Status decode_bind(Invocation &inv) {
    if (inv.extra_count < 1) return reject_truncated(inv, 0, 1);
    Tcb *t = target(inv);
    if (t->bound_ntfn)
        return reject_illegal(inv, "expected a thread without a bound notification, got one bound to 0x%x",
                              t->bound_ntfn);
    const Cap &cap = inv.extra[0]->cap;
    if (cap.type() != CapType::Notification)
        return reject_cap(inv, 1, "notification", "expected a Notification cap, got %s", cap_type_name(cap.type()));
    if (!(cap.rights() & abi::kRightRead))
        return reject_cap(inv, 1, "notification", "expected the read right (0x%x), got rights 0x%x",
                          u32{abi::kRightRead}, cap.rights());
    auto *n = kptr<Notification>(cap.object());
    if (n->bound_tcb)
        return reject_illegal(inv, "notification: expected one bound to no thread, got one bound to 0x%x",
                              n->bound_tcb);
    if (n->first())
        return reject_illegal(inv, "notification: expected one with no waiting threads, got one with waiters");
    invoke_tcb_bind_notification(t, n);
    return Status::Ok;
}

// SetTimerAccess (MR0 access; cap irq_handler when access is 1).
Status decode_set_timer_access(Invocation &inv) {
    if (inv.length() < 1) return reject_truncated(inv, 1, 0);
    const u32 access = inv.mr(0);
    if (access > 1) return reject_argument(inv, 0, "access", "expected 0 (revoke) or 1 (grant), got %u", access);
    if (access == 1) {
        if (inv.extra_count < 1) return reject_truncated(inv, 1, 1);
        const Cap &cap = inv.extra[0]->cap;
        if (cap.type() != CapType::IrqHandler)
            return reject_cap(inv, 1, "irq_handler", "expected the virtual timer's IrqHandler cap, got %s",
                              cap_type_name(cap.type()));
        if (cap.irq() != board::kVirtualTimerIrq)
            return reject_cap(inv, 1, "irq_handler", "expected the IrqHandler for line %u (the virtual timer), "
                              "got one for line %u", board::kVirtualTimerIrq, cap.irq());
    }
    invoke_tcb_set_timer_access(target(inv), access == 1);
    return Status::Ok;
}

// SetAffinity (MR0 core).
Status decode_set_affinity(Invocation &inv) {
    if (inv.length() < 1) return reject_truncated(inv, 1, 0);
    const u32 core = inv.mr(0);
    if (core >= kCores) return reject_range(inv, "core", core, 0, kCores - 1);
    invoke_tcb_set_affinity(target(inv), core);
    return Status::Ok;
}

Status decode_unbind(Invocation &inv) {
    Tcb *t = target(inv);
    if (!t->bound_ntfn) return reject_illegal(inv, "expected a thread with a bound notification, got one without");
    invoke_tcb_unbind_notification(t);
    return Status::Ok;
}

}  // namespace

void invoke_tcb_set_priority(Tcb *t, u32 priority) { sched_set_priority(t, priority); }
void invoke_tcb_set_mcp(Tcb *t, u32 mcp) { t->mcp = mcp; }
void invoke_tcb_set_affinity(Tcb *t, u32 core) { sched_set_affinity(t, core); }
void invoke_tcb_bind_notification(Tcb *t, Notification *n) { bind_notification(t, n); }
void invoke_tcb_unbind_notification(Tcb *t) { unbind_notification(t); }

Status decode_tcb(Invocation &inv) {
    Label label = static_cast<Label>(inv.label());
    switch (label) {
    case Label::TcbReadRegisters: inv.name = "TCB.ReadRegisters"; return decode_read_registers(inv);
    case Label::TcbWriteRegisters: inv.name = "TCB.WriteRegisters"; return decode_write_registers(inv);
    case Label::TcbCopyRegisters: inv.name = "TCB.CopyRegisters"; return decode_copy_registers(inv);
    case Label::TcbConfigure: inv.name = "TCB.Configure"; return decode_control(inv, label);
    case Label::TcbSetSpace: inv.name = "TCB.SetSpace"; return decode_control(inv, label);
    case Label::TcbSetIpcBuffer: inv.name = "TCB.SetIPCBuffer"; return decode_control(inv, label);
    case Label::TcbSetPriority: inv.name = "TCB.SetPriority"; return decode_priority(inv, label);
    case Label::TcbSetMCPriority: inv.name = "TCB.SetMCPriority"; return decode_priority(inv, label);
    case Label::TcbSetSchedParams: inv.name = "TCB.SetSchedParams"; return decode_priority(inv, label);
    case Label::TcbSuspend:  // nothing to check
        inv.name = "TCB.Suspend";
        tcb_suspend(target(inv));
        return Status::Ok;
    case Label::TcbResume:  // nothing to check
        inv.name = "TCB.Resume";
        tcb_resume(target(inv));
        return Status::Ok;
    case Label::TcbBindNotification: inv.name = "TCB.BindNotification"; return decode_bind(inv);
    case Label::TcbUnbindNotification: inv.name = "TCB.UnbindNotification"; return decode_unbind(inv);
    case Label::TcbSetTimerAccess: inv.name = "TCB.SetTimerAccess"; return decode_set_timer_access(inv);
    case Label::TcbSetAffinity: inv.name = "TCB.SetAffinity"; return decode_set_affinity(inv);
    default:
        inv.name = "TCB";
        return reject_illegal(inv, "label: expected a TCB method (%u..%u, %u or %u), got %u",
                              static_cast<u32>(Label::TcbReadRegisters),
                              static_cast<u32>(Label::TcbUnbindNotification),
                              static_cast<u32>(Label::TcbSetTimerAccess), static_cast<u32>(Label::TcbSetAffinity),
                              inv.label());
    }
}

}  // namespace petrel
