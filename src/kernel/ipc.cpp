// SPDX-License-Identifier: BSD-2-Clause
// Synchronous IPC, replies, notifications and cancellation (see ipc.hpp).
#include "ipc.hpp"

#include "console.hpp"
#include "cspace.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "state.hpp"

namespace petrel {

namespace {

u32 &reg(Tcb *t, u32 r) { return t->context.r[r]; }

void set_info(Tcb *t, abi::MessageInfo info) { reg(t, arch::kRegInfo) = info.word(); }

// The receiver's slot for a transferred cap, from its IPC buffer, or null.
Slot *receive_slot(Tcb *t, abi::IpcBuffer *buf) {
    if (!buf) return nullptr;
    Lookup root = resolve(t->slots[kTcbCTable].cap, buf->receive_cnode, 32);
    if (!root.ok() || root.slot->cap.type() != CapType::CNode) return nullptr;
    Lookup l = lookup_exact(root.slot->cap, buf->receive_index, buf->receive_depth);
    if (!l.ok() || !l.slot->cap.is_null()) return nullptr;
    return l.slot;
}

bool transferable(const Cap &c) {
    switch (c.type()) {
    case CapType::Null:
    case CapType::Zombie:
    case CapType::Reply:
    case CapType::IrqControl:
    case CapType::Untyped: return false;
    default: return true;
    }
}

// Copies the message (and caps, with `grant`) from sender to receiver and sets
// the receiver's tag and badge registers.
void transfer(Tcb *sender, Tcb *receiver, u32 badge, bool grant, const Cap *ep_cap) {
    abi::IpcBuffer *sbuf = sender->ipc_buffer_ptr();
    abi::IpcBuffer *rbuf = receiver->ipc_buffer_ptr();
    abi::MessageInfo info = abi::MessageInfo::from_word(reg(sender, arch::kRegInfo));
    u32 len = info.length > abi::kMsgMaxLength ? abi::kMsgMaxLength : info.length;
#ifndef NDEBUG
    const char *who = sender->name[0] ? sender->name : "thread";
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
            Lookup l = resolve(sender->slots[kTcbCTable].cap, sbuf->caps_or_badges[i], 32);
            if (!l.ok() || !transferable(l.slot->cap)) break;
            const Cap &c = l.slot->cap;
            if (ep_cap && c.type() == CapType::Endpoint && c.object() == ep_cap->object()) {
                rbuf->caps_or_badges[i] = c.badge();  // a cap to this endpoint unwraps to its badge
                unwrapped |= 1u << i;
            } else {
                if (!dest) break;
                Cap copy = c;
                if (copy.is_frame()) copy = Cap::frame(c.type(), c.object(), c.rights(), c.frame_is_device());
                insert_derived(l.slot, dest, copy);
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
    Tcb *caller = kptr<Tcb>(slot->cap.object());
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
    if (dest->cap.type() == CapType::Reply) kptr<Tcb>(dest->cap.object())->reply_holder = kref(dest);
}

namespace {

// Drops the reply cap in `holder`'s caller slot (an unanswered caller).
void drop_caller(Tcb *holder) { reply_cap_lost(holder->slot(kTcbCaller)); }

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
    case abi::FaultLabel::CapFault: put(c.pc); put(sender->fault_address); put(sender->fault_status); put(0); break;
    case abi::FaultLabel::UnknownSyscall:
        put(c.pc); put(c.sp); put(sender->fault_address);
        for (u32 r = 0; r < 8; ++r) put(c.r[r]);
        break;
    case abi::FaultLabel::UserException: put(c.pc); put(c.sp); put(c.cpsr); put(sender->fault_address); break;
    case abi::FaultLabel::VmFault: put(c.pc); put(sender->fault_address); put(sender->fault_instruction); put(sender->fault_status); break;
    }
    if (!rbuf && n > abi::kMsgRegisters) n = abi::kMsgRegisters;
    set_info(receiver, {sender->fault_kind, 0, 0, n});
    reg(receiver, arch::kRegCap) = badge;
}

// Delivers `sender`'s message (normal or fault) to a receiver that takes it now.
void deliver(Tcb *sender, Tcb *receiver, u32 badge, u32 flags, const Cap *ep_cap) {
    if (sender->fault_kind) transfer_fault(sender, receiver, badge);
    else transfer(sender, receiver, badge, flags & kIpcGrant, ep_cap);
    if (flags & kIpcCall) {
        if (flags & (kIpcGrant | kIpcGrantReply)) setup_caller(sender, receiver, flags & kIpcGrant);
        else sched_set_state(sender, ThreadState::Inactive);  // seL4: a Call without grant rights gets no reply
    }
}

// A bound notification with signals pending completes the receive at once.
bool take_bound_signal(Tcb *t) {
    Notification *n = kptr<Notification>(t->bound_ntfn);
    if (!n || n->state() != NotificationState::Active) return false;
    reg(t, arch::kRegCap) = n->word;
    set_info(t, {abi::kNotificationLabel, 0, 0, 0});
    n->word = 0;
    n->set_state(NotificationState::Idle);
    return true;
}

}  // namespace

u32 get_mr(Tcb *t, abi::IpcBuffer *buf, u32 i) {
    if (i < abi::kMsgRegisters) return reg(t, arch::kRegMr0 + i);
    return buf ? buf->msg[i] : 0;
}

void set_mr(Tcb *t, abi::IpcBuffer *buf, u32 i, u32 v) {
    if (i < abi::kMsgRegisters) reg(t, arch::kRegMr0 + i) = v;
    else if (buf) buf->msg[i] = v;
}

void send_ipc(Tcb *sender, const Cap &ep_cap, bool blocking, bool is_call) {
    auto *ep = kptr<Endpoint>(ep_cap.object());
    u32 flags = (is_call ? u32{kIpcCall} : 0u) | (ep_cap.rights() & abi::kRightGrant ? u32{kIpcGrant} : 0u) |
                (ep_cap.rights() & abi::kRightGrantReply ? u32{kIpcGrantReply} : 0u);
    if (ep->state == EndpointState::Receiving) {
        Tcb *receiver = ep->first();
        ep->dequeue(receiver);
        receiver->blocked_on = 0;
        deliver(sender, receiver, ep_cap.badge(), flags, &ep_cap);
        receiver->state = ThreadState::Running;
        if (is_call || !is_runnable(sender)) sched_direct_switch(receiver);
        else sched_wake(receiver);
        return;
    }
    if (!blocking) return;  // NBSend with no receiver waiting: the message is dropped
    sender->ipc_badge = ep_cap.badge();
    sender->ipc_flags = flags;
    sender->blocked_on = ep_cap.object();
    sched_set_state(sender, ThreadState::BlockedOnSend);
    ep->enqueue(sender, EndpointState::Sending);
}

void receive_ipc(Tcb *receiver, const Cap &ep_cap, bool blocking) {
    // A receiver that has not replied to its last caller never will (seL4 deletes
    // the caller cap on every Recv): that caller gets its error reply now, not a
    // later Reply meant for someone else, and does not wait forever.
    drop_caller(receiver);
    if (take_bound_signal(receiver)) return;
    auto *ep = kptr<Endpoint>(ep_cap.object());
    if (ep->state == EndpointState::Sending) {
        Tcb *sender = ep->first();
        ep->dequeue(sender);
        sender->blocked_on = 0;
        u32 flags = sender->ipc_flags;
        deliver(sender, receiver, sender->ipc_badge, flags, &ep_cap);
        if (!(flags & kIpcCall)) {
            sender->state = ThreadState::Running;
            sched_wake(sender);
        }
        return;
    }
    if (!blocking) {  // NBRecv with no sender: badge 0, empty tag
        reg(receiver, arch::kRegCap) = 0;
        set_info(receiver, {0, 0, 0, 0});
        return;
    }
    receiver->blocked_on = ep_cap.object();
    sched_set_state(receiver, ThreadState::BlockedOnRecv);
    ep->enqueue(receiver, EndpointState::Receiving);
}

void do_reply(Tcb *replier) { reply_through(replier, replier->slot(kTcbCaller)); }

void reply_through(Tcb *replier, Slot *slot) {
    if (slot->cap.type() != CapType::Reply) return;
    Tcb *caller = kptr<Tcb>(slot->cap.object());
    bool grant = slot->cap.rights() & abi::kRightGrant;
    slot->cap = Cap::null();
    caller->reply_holder = 0;
    kassert(caller->state == ThreadState::BlockedOnReply);
    if (caller->fault_kind) {
        // A reply to a fault resumes the thread, optionally at a new pc and sp.
        abi::MessageInfo info = abi::MessageInfo::from_word(reg(replier, arch::kRegInfo));
        abi::IpcBuffer *buf = replier->ipc_buffer_ptr();
        if (info.length >= 1) caller->context.pc = get_mr(replier, buf, 0);
        if (info.length >= 2) caller->context.sp = get_mr(replier, buf, 1);
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

void cancel_all_ipc(Endpoint *ep) {
    while (Tcb *t = ep->first()) {
        ep->dequeue(t);
        t->blocked_on = 0;
        tcb_restart(t);
    }
    sched_reschedule();
}

void cancel_all_signals(Notification *n) {
    while (Tcb *t = n->first()) {
        n->dequeue(t);
        t->blocked_on = 0;
        tcb_restart(t);
    }
    n->set_state(NotificationState::Idle);  // an Active one too: its badges go with it
    sched_reschedule();
}

void signal_notification(Notification *n, u32 badge) {
    switch (n->state()) {
    case NotificationState::Idle: {
        Tcb *bound = kptr<Tcb>(n->bound_tcb);
        if (bound && bound->state == ThreadState::BlockedOnRecv) {
            // The bound thread waits on an endpoint: the signal ends that wait.
            cancel_ipc(bound);
            reg(bound, arch::kRegCap) = badge;
            set_info(bound, {abi::kNotificationLabel, 0, 0, 0});
            bound->state = ThreadState::Running;
            sched_wake(bound);
            return;
        }
        n->word = badge;
        n->set_state(NotificationState::Active);
        return;
    }
    case NotificationState::Waiting: {
        Tcb *t = n->first();
        n->dequeue(t);
        t->blocked_on = 0;
        reg(t, arch::kRegCap) = badge;
        set_info(t, {0, 0, 0, 0});
        t->state = ThreadState::Running;
        sched_wake(t);
        return;
    }
    case NotificationState::Active: n->word |= badge; return;
    }
}

void receive_signal(Tcb *t, const Cap &ntfn_cap, bool blocking) {
    auto *n = kptr<Notification>(ntfn_cap.object());
    if (n->state() == NotificationState::Active) {
        reg(t, arch::kRegCap) = n->word;
        set_info(t, {0, 0, 0, 0});
        n->word = 0;
        n->set_state(NotificationState::Idle);
        return;
    }
    if (!blocking) {  // Poll with nothing pending
        reg(t, arch::kRegCap) = 0;
        set_info(t, {0, 0, 0, 0});
        return;
    }
    t->blocked_on = ntfn_cap.object();
    sched_set_state(t, ThreadState::BlockedOnNotification);
    n->enqueue(t);
}

void bind_notification(Tcb *t, Notification *n) {
    t->bound_ntfn = kref(n);
    n->bound_tcb = kref(t);
}

void unbind_notification(Tcb *t) {
    if (auto *n = kptr<Notification>(t->bound_ntfn)) n->bound_tcb = 0;
    t->bound_ntfn = 0;
}

// ---------------------------------------------------------------- the fastpath
//
// Straight-line versions of the two calls a client/server pair makes on every
// round trip, for the common case only; every check that fails returns null
// before anything changed, and the system call then takes the slow path,
// which gives the same result. Conditions (both): at most 4 message words, no
// caps to transfer, no fault being delivered or replied to, and the thread to
// switch to is the one the scheduler would choose next (the running one blocks):
// for Call a receiver at least as urgent as every ready thread (the direct
// switch), for ReplyRecv a caller more urgent than every ready thread.

namespace {

// Copies the message registers in r2-r5 and sets the receiver's tag and badge.
inline void fast_transfer(Tcb *from, Tcb *to, abi::MessageInfo info, u32 badge) {
    for (u32 i = 0; i < info.length; ++i) reg(to, arch::kRegMr0 + i) = reg(from, arch::kRegMr0 + i);
    set_info(to, {info.label, 0, 0, info.length});
    reg(to, arch::kRegCap) = badge;
}

// The slot `cptr` names when the thread's CSpace is one CNode translating all
// 32 bits at once (guard + radix = 32, the usual flat CSpace), else the
// general lookup's answer; null when the lookup fails.
// (The general lookup is out of line: its result does not then take a stack
// frame in the fastpath.)
[[gnu::noinline]] Slot *general_lookup(const Cap &root, u32 cptr) {
    Lookup l = resolve(root, cptr, 32);
    return l.ok() ? l.slot : nullptr;
}

inline Slot *fast_lookup(const Tcb *t, u32 cptr) {
    const Cap &root = t->slots[kTcbCTable].cap;
    if (root.has_tag(CapType::CNode)) {
        const u32 radix = root.cnode_radix();
        if (radix != 0 && radix + root.cnode_guard_size() == 32) {
            if ((cptr >> radix) != root.cnode_guard()) return nullptr;
            return kptr<Slot>(root.cnode_object()) + (cptr & ((1u << radix) - 1));
        }
    }
    return general_lookup(root, cptr);
}

// The running thread has blocked (it is in no queue) and `next`, blocked in no
// queue either, runs at once: what sched_set_state, sched_switch_to and
// schedule() come to in this case.
inline Tcb *switch_now(Tcb *next) {
    ks.current = next;
    if (next->timeslice == 0) next->timeslice = kTimesliceTicks;
    return next;
}

}  // namespace

Tcb *fastpath_call(Tcb *t) {
    const auto info = abi::MessageInfo::from_word(reg(t, arch::kRegInfo));
    if (info.extra_caps != 0 || info.length > abi::kMsgRegisters || ks.action != SchedulerAction::ResumeCurrent)
        return nullptr;
    const Slot *slot = fast_lookup(t, reg(t, arch::kRegCap));
    if (!slot) return nullptr;
    const Cap ep_cap = slot->cap;
    const u32 rights = ep_cap.w1 & abi::kRightsAll;  // (an Endpoint's rights)
    if (!ep_cap.has_tag(CapType::Endpoint) || !(rights & abi::kRightWrite) ||
        !(rights & (abi::kRightGrant | abi::kRightGrantReply)))
        return nullptr;
    auto *ep = kptr<Endpoint>(ep_cap.ipc_object());
    if (ep->state != EndpointState::Receiving) return nullptr;
    Tcb *dest = ep->first();
    Slot *caller_slot = dest->slot(kTcbCaller);
    if (!caller_slot->cap.has_tag(CapType::Null) || static_cast<int>(dest->priority) < sched_highest_ready())
        return nullptr;

    ep->dequeue_first();  // dest
    dest->blocked_on = 0;
    fast_transfer(t, dest, info, ep_cap.badge());
    caller_slot->cap = Cap::reply(kref(t), false, rights & abi::kRightGrant);
    t->reply_holder = kref(caller_slot);
    t->state = ThreadState::BlockedOnReply;
    dest->state = ThreadState::Running;
    return switch_now(dest);
}

Tcb *fastpath_reply_recv(Tcb *t) {
    const auto info = abi::MessageInfo::from_word(reg(t, arch::kRegInfo));
    if (info.extra_caps != 0 || info.length > abi::kMsgRegisters || ks.action != SchedulerAction::ResumeCurrent)
        return nullptr;
    Slot *reply = t->slot(kTcbCaller);
    if (!reply->cap.has_tag(CapType::Reply)) return nullptr;
    Tcb *caller = kptr<Tcb>(reply->cap.ipc_object());
    if (caller->fault_kind != 0) return nullptr;
    const Slot *slot = fast_lookup(t, reg(t, arch::kRegCap));
    if (!slot) return nullptr;
    const Cap &ep_cap = slot->cap;
    if (!ep_cap.has_tag(CapType::Endpoint) || !(ep_cap.w1 & abi::kRightRead)) return nullptr;
    const paddr_t ep_paddr = ep_cap.ipc_object();
    auto *ep = kptr<Endpoint>(ep_paddr);
    if (ep->state == EndpointState::Sending) return nullptr;  // a message waits: receive it the slow way
    if (t->bound_ntfn && kptr<Notification>(t->bound_ntfn)->state() == NotificationState::Active) return nullptr;
    // The slow path queues the caller behind ready threads of its priority, so
    // only a caller above every ready thread runs at once.
    if (static_cast<int>(caller->priority) <= sched_highest_ready()) return nullptr;

    reply->cap = Cap::null();
    caller->reply_holder = 0;
    fast_transfer(t, caller, info, 0);
    caller->state = ThreadState::Running;
    t->blocked_on = ep_paddr;
    t->state = ThreadState::BlockedOnRecv;
    ep->enqueue(t, EndpointState::Receiving);
    return switch_now(caller);
}

}  // namespace petrel
