// SPDX-License-Identifier: BSD-2-Clause
// System-call dispatch and the invocation path (see syscall.hpp); compiled per kernel variant.
#include "syscall.hpp"

#include "arch.hpp"
#include "console.hpp"
#include "debug.hpp"
#include "entry.hpp"
#include "invocation.hpp"
#include "endpoint.hpp"
#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"

namespace petrel {

using abi::Syscall;

namespace {

// Call, Send and NBSend on an object cap: decode and perform the invocation;
// a Call gets the reply (label 0, or the error code with its details).
// A cap pointer that names nothing usable for the call: a cap fault to the
// thread's fault handler (entry.hpp), as seL4 does for IPC.
Status cap_fault(Tcb *t, u32 cptr, const Lookup &l) {
    t->fault_kind = static_cast<u32>(FaultKind::CapFault);
    t->fault_address = cptr;
    t->fault_status = static_cast<u32>(l.ok() ? abi::LookupFailure::MissingCapability : l.failure);
    return Status::Fault;
}

Status handle_recv(Tcb *t, bool blocking) {
    u32 cptr = reg(t, arch::kRegCap);
    Lookup l = lookup_cap(t, cptr);
    if (!l.ok()) return cap_fault(t, cptr, l);
    const Cap &c = l.slot->cap;
    // (Only an Endpoint or Notification cap with Read; anything else is a cap fault.)
    const bool endpoint = c.type() == CapType::Endpoint;
    if (!(endpoint || c.type() == CapType::Notification) || !(c.ipc_rights() & abi::kRightRead))
        return cap_fault(t, cptr, l);
    if (endpoint) receive_ipc(t, c, blocking);
    else receive_signal(t, c, blocking);
    return Status::Ok;
}

Status handle_invocation(Tcb *t, bool is_call, bool blocking = true) {
    const u32 cptr = reg(t, arch::kRegCap);
    const Lookup l = lookup_cap(t, cptr);
    if (l.ok()) {
        const Cap &c = l.slot->cap;
        if (c.type() == CapType::Reply) {  // a reply cap saved with SaveCaller
            reply_through(t, l.slot);
            return Status::Ok;
        }
        if (c.type() == CapType::Endpoint || c.type() == CapType::Notification) {
            // IPC, not an invocation: Send/Call on an endpoint, Signal on a
            // notification. (Before the Invocation is made: IPC needs none.)
            if (!(c.ipc_rights() & abi::kRightWrite)) return cap_fault(t, cptr, l);
            if (c.type() == CapType::Notification) signal_notification(kptr<Notification>(c.ipc_object()), c.badge());
            else send_ipc(t, c, is_call || blocking, is_call);
            return Status::Ok;
        }
    }

    Invocation inv;
    inv.thread = t;
    inv.buffer = t->ipc_buffer_ptr();
    inv.info = abi::MessageInfo::from_word(reg(t, arch::kRegInfo));
    if (inv.info.length > abi::kMsgMaxLength) inv.info.length = abi::kMsgMaxLength;
    if (!inv.buffer && inv.info.length > abi::kMsgRegisters) inv.info.length = abi::kMsgRegisters;
    inv.cptr = cptr;
    Status out = Status::Ok;
    if (!l.ok()) {
        inv.name = "invoke";
        out = reject_lookup(inv, false, "cap", l);
    } else {
        inv.slot = l.slot;
        inv.cap = l.slot->cap;
        u32 extra = inv.info.extra_caps;
        if (extra > 0 && !inv.buffer) {
            inv.name = "invoke";
            out = reject_truncated(inv, inv.info.length, extra);
        }
        for (u32 i = 0; out == Status::Ok && i < extra; ++i) {
            inv.extra_cptr[i] = inv.buffer->caps_or_badges[i];
            Lookup e = lookup_cap(t, inv.extra_cptr[i]);
            if (e.ok() && e.slot->cap.is_null()) e.failure = abi::LookupFailure::MissingCapability;
            if (!e.ok()) {
                inv.name = "invoke";
                out = reject_lookup(inv, true, "extra cap", e);
                break;
            }
            inv.extra[i] = e.slot;
            inv.extra_count = i + 1;
        }
        if (out == Status::Ok) out = decode_invocation(inv);
    }
    if (out == Status::Preempted) return Status::Preempted;
    if (!is_call) return Status::Ok;
    if (out == Status::Ok) {
        reg(t, arch::kRegInfo) = abi::MessageInfo{0, 0, 0, inv.reply_length}.word();
    } else {
        const SyscallError &e = last_error();
        for (u32 i = 0; i < e.detail_count; ++i) set_mr(t, inv.buffer, i, e.detail[i]);
        reg(t, arch::kRegInfo) = abi::MessageInfo{static_cast<u32>(e.code), 0, 0, e.detail_count}.word();
    }
    return Status::Ok;
}

}  // namespace

#ifdef PETREL_DEBUG_SYSCALLS
bool debug_syscalls_built() { return true; }
#else
bool debug_syscalls_built() { return false; }
#endif

Status handle_syscall(u32 number) {
    Tcb *t = current_thread();
    switch (static_cast<Syscall>(number)) {
    case Syscall::Call: return handle_invocation(t, true);
    case Syscall::Send: return handle_invocation(t, false);
    case Syscall::NBSend: return handle_invocation(t, false, false);
    case Syscall::Recv: return handle_recv(t, true);
    case Syscall::NBRecv: return handle_recv(t, false);
    case Syscall::Reply:
        do_reply(t);
        return Status::Ok;
    case Syscall::ReplyRecv:
        do_reply(t);
        return handle_recv(t, true);
    case Syscall::Yield:
        sched_yield();
        return Status::Ok;
#ifdef PETREL_DEBUG_SYSCALLS
    case Syscall::DebugNull: return Status::Ok;  // the null-syscall benchmark: nothing but entry and exit
    case Syscall::DebugPutChar: return debug_put_char(t);
    case Syscall::DebugHalt: return debug_halt(t);
    case Syscall::DebugDumpScheduler: return debug_dump_scheduler(t);
    case Syscall::DebugNameThread: return debug_name_thread(t);
    case Syscall::DebugCapIdentify: return debug_cap_identify(t);
#endif
    default:
        // An unknown number (a Debug* one too, in a kernel built without
        // them) becomes a fault to the thread's fault handler.
        return Status::UnknownSyscall;
    }
}

}  // namespace petrel
