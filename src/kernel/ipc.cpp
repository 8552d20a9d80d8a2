// SPDX-License-Identifier: BSD-2-Clause
// Message, reply and fault transfer, and cancelling a thread's IPC (see ipc.hpp).
#include "ipc.hpp"

#include "cnode.hpp"
#include "console.hpp"
#include "cspace.hpp"
#include "endpoint.hpp"
#include "notification.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "state.hpp"

namespace petrel {

namespace {

// The receiver's slot for a transferred cap, from its IPC buffer, or null.
Slot *receive_slot(Tcb *t, abi::IpcBuffer *buf) {
    if (!buf) return nullptr;
    Lookup root = lookup_cap(t, buf->receive_cnode);
    if (!root.ok() || root.slot->cap.type() != CapType::CNode) return nullptr;
    Lookup l = lookup_exact(root.slot->cap, buf->receive_index, buf->receive_depth);
    if (!l.ok() || !l.slot->cap.is_null()) return nullptr;
    return l.slot;
}

// Copies the message (and caps, with `grant`) from sender to receiver and sets
// the receiver's tag and badge registers.
void transfer(Tcb *sender, Tcb *receiver, u32 badge, bool grant, const Cap *ep_cap) {
    abi::IpcBuffer *sbuf = sender->ipc_buffer_ptr();
    abi::IpcBuffer *rbuf = receiver->ipc_buffer_ptr();
    abi::MessageInfo info = abi::MessageInfo::from_word(reg(sender, arch::kRegInfo));
    u32 len = info.length > abi::kMsgMaxLength ? abi::kMsgMaxLength : info.length;
#ifndef NDEBUG
    const char *who = tcb_name(sender);
    if (info.length > abi::kMsgMaxLength)
        kprintf("petrel: %s: IPC: length: expected at most %u words, got %u; sent %u\n", who, abi::kMsgMaxLength,
                info.length, abi::kMsgMaxLength);
    if (info.extra_caps > 0 && !grant)
        kprintf("petrel: %s: IPC: extra caps: expected an endpoint cap with Grant to send %u caps; none sent\n",
                who, info.extra_caps);
#endif
    if (!sbuf || !rbuf) len = len > abi::kMsgRegisters ? abi::kMsgRegisters : len;
    // The first words in registers, the rest from buffer to buffer: two plain
    // loops, which every GCC compiles to a few instructions a word (one loop
    // through get_mr/set_mr tested i < kMsgRegisters on every word, and GCC 14
    // made 14 instructions a word of it).
    const u32 in_regs = len < abi::kMsgRegisters ? len : abi::kMsgRegisters;
    for (u32 i = 0; i < in_regs; ++i) reg(receiver, arch::kRegMr0 + i) = reg(sender, arch::kRegMr0 + i);
    for (u32 i = abi::kMsgRegisters; i < len; ++i) rbuf->msg[i] = sbuf->msg[i];

    u32 sent = 0, unwrapped = 0;
    if (grant && sbuf && info.extra_caps > 0) {
        Slot *dest = receive_slot(receiver, rbuf);
        for (u32 i = 0; i < info.extra_caps; ++i) {
            Lookup l = lookup_cap(sender, sbuf->caps_or_badges[i]);
            if (!l.ok()) break;
            const Cap &c = l.slot->cap;
            if (ep_cap && c.type() == CapType::Endpoint && c.object() == ep_cap->object()) {
                rbuf->caps_or_badges[i] = c.badge();  // a cap to this endpoint unwraps to its badge
                unwrapped |= 1u << i;
            } else {
                // The rule CNode.Copy applies (seL4's transferCaps derives each
                // cap): a cap that cannot be copied is not transferred, nor
                // anything after it.
                Derived d = derive_cap(l.slot, c);
                if (!dest || d.failure != DeriveFailure::None) break;
                insert_derived(l.slot, dest, d.cap);
                dest = nullptr;  // one receive slot per message
            }
            ++sent;
        }
    }
    set_info(receiver, {info.label, unwrapped, sent, len});
    reg(receiver, arch::kRegCap) = badge;
}

}  // namespace

void reply_cap_lost(Slot *slot) {
    if (slot->cap.type() != CapType::Reply) return;
    Tcb *caller = kptr<Tcb>(slot->cap.ipc_object());
    slot->cap = Cap::null();
    caller->reply_holder = 0;
    if (caller->state != ThreadState::BlockedOnReply) return;
    if (caller->fault_kind) {  // a faulted thread with no handler left stops
        caller->fault_kind = 0;
        caller->state = ThreadState::Inactive;
        return;
    }
    reg(caller, arch::kRegMr0) = 0;
    set_info(caller, {static_cast<u32>(abi::Error::InvalidCapability), 0, 0, 1});
    caller->state = ThreadState::Running;
    sched_wake(caller);
}

void reply_cap_moved(Slot *dest) {
    if (dest->cap.type() == CapType::Reply) kptr<Tcb>(dest->cap.ipc_object())->reply_holder = kref(dest);
}

namespace {

// Gives the receiver a reply cap to the caller, who then waits for the reply.
void setup_caller(Tcb *caller, Tcb *receiver, bool grant) {
    Slot *slot = receiver->slot(kTcbCaller);
    drop_caller(receiver);  // an unanswered earlier caller
    slot->cap = Cap::reply(kref(caller), false, grant ? u32{abi::kRightGrant} : 0u);
    caller->reply_holder = kref(slot);
    sched_set_state(caller, ThreadState::BlockedOnReply);
}

// The fault message of a faulted sender, written into the receiver.
void transfer_fault(Tcb *sender, Tcb *receiver, u32 badge) {
    abi::IpcBuffer *rbuf = receiver->ipc_buffer_ptr();
    const auto &c = sender->context;
    u32 n = 0;
    auto put = [&](u32 v) { set_mr(receiver, rbuf, n++, v); };
    switch (static_cast<abi::FaultLabel>(sender->fault_kind)) {
    case abi::FaultLabel::CapFault:
        put(arch::user_pc(c));
        put(sender->fault_address);
        put(sender->fault_status);
        put(0);
        break;
    case abi::FaultLabel::UnknownSyscall:
        put(arch::user_pc(c));
        put(arch::user_sp(c));
        put(sender->fault_address);
        for (u32 r = 0; r < 8; ++r) put(arch::gp_register(c, r));
        break;
    case abi::FaultLabel::UserException:
        put(arch::user_pc(c));
        put(arch::user_sp(c));
        put(arch::user_status(c));
        put(sender->fault_address);
        break;
    case abi::FaultLabel::VmFault:
        put(arch::user_pc(c));
        put(sender->fault_address);
        put(sender->fault_instruction);
        put(sender->fault_status);
        break;
    }
    if (!rbuf && n > abi::kMsgRegisters) n = abi::kMsgRegisters;
    set_info(receiver, {sender->fault_kind, 0, 0, n});
    reg(receiver, arch::kRegCap) = badge;
}

}  // namespace

void deliver(Tcb *sender, Tcb *receiver, u32 badge, u32 flags, const Cap *ep_cap) {
    if (sender->fault_kind) transfer_fault(sender, receiver, badge);
    else transfer(sender, receiver, badge, flags & kIpcGrant, ep_cap);
    if (flags & kIpcCall) {
        if (flags & (kIpcGrant | kIpcGrantReply)) setup_caller(sender, receiver, flags & kIpcGrant);
        else sched_set_state(sender, ThreadState::Inactive);  // seL4: a Call without grant rights gets no reply
    }
}

u32 get_mr(Tcb *t, abi::IpcBuffer *buf, u32 i) {
    if (i < abi::kMsgRegisters) return reg(t, arch::kRegMr0 + i);
    return buf ? buf->msg[i] : 0;
}

void set_mr(Tcb *t, abi::IpcBuffer *buf, u32 i, u32 v) {
    if (i < abi::kMsgRegisters) reg(t, arch::kRegMr0 + i) = v;
    else if (buf) buf->msg[i] = v;
}

void do_reply(Tcb *replier) { reply_through(replier, replier->slot(kTcbCaller)); }

void reply_through(Tcb *replier, Slot *slot) {
    if (slot->cap.type() != CapType::Reply) return;
    Tcb *caller = kptr<Tcb>(slot->cap.ipc_object());
    bool grant = slot->cap.ipc_rights() & abi::kRightGrant;
    slot->cap = Cap::null();
    caller->reply_holder = 0;
    kassert(caller->state == ThreadState::BlockedOnReply);
    if (caller->fault_kind) {
        // A reply to a fault resumes the thread, optionally at a new pc and sp.
        abi::MessageInfo info = abi::MessageInfo::from_word(reg(replier, arch::kRegInfo));
        abi::IpcBuffer *buf = replier->ipc_buffer_ptr();
        if (info.length >= 1) arch::set_user_pc(caller->context, get_mr(replier, buf, 0));
        if (info.length >= 2) arch::set_user_sp(caller->context, get_mr(replier, buf, 1));
        caller->fault_kind = 0;
    } else {
        transfer(replier, caller, 0, grant, nullptr);
    }
    caller->state = ThreadState::Running;
    if (is_runnable(replier)) sched_wake(caller);
    else sched_direct_switch(caller);
}

void cancel_ipc(Tcb *t) {
    switch (t->state) {
    case ThreadState::BlockedOnSend:
    case ThreadState::BlockedOnRecv: kptr<Endpoint>(t->blocked_on)->dequeue(t); break;
    case ThreadState::BlockedOnNotification: kptr<Notification>(t->blocked_on)->dequeue(t); break;
    case ThreadState::BlockedOnReply: {
        Slot *holder = kptr<Slot>(t->reply_holder);
        if (holder && holder->cap.type() == CapType::Reply && holder->cap.object() == kref(t))
            holder->cap = Cap::null();
        t->reply_holder = 0;
        break;
    }
    default: break;
    }
    t->blocked_on = 0;
    t->fault_kind = 0;
}

void ipc_prepare_destroy(Tcb *t) {
    cancel_ipc(t);
    drop_caller(t);
    unbind_notification(t);
    sched_set_state(t, ThreadState::Inactive);
}

}  // namespace petrel
