// SPDX-License-Identifier: BSD-2-Clause
// The IPC fastpath (seL4's): Call and ReplyRecv in straight-line code for the
// common case.
//
// Each function returns the thread to resume, or null, having changed
// nothing, when the slow path must handle the call; the slow path then gives
// the same result. entry_syscall() (entry.hpp) tries them first unless
// here().slowpath_only is set. They are inline, defined here, so that the
// architecture's system-call entry holds them with its own frame, not a call
// frame each (scripts/trace shows every instruction of the path).
//
// The checks, all of them, in the order made (the first that fails sends the
// call to the slow path):
//   both       at most 4 message words (abi::kMsgRegisters), no caps to
//              transfer, no scheduling decision pending (here().action)
//   both       the cap pointer resolves (one flat CNode, guard + radix = 32,
//              checked inline; any other CSpace through the general lookup)
//   Call       to an Endpoint cap with Write and Grant or GrantReply, whose
//              endpoint has a receiver waiting; the receiver's reply slot is
//              empty and its priority at least that of every ready thread
//              (the direct switch: the caller blocks)
//   ReplyRecv  a Reply cap in the caller slot, its caller not waiting for a
//              fault reply; an Endpoint cap with Read, no sender waiting on
//              it, no bound notification active; the caller's priority above
//              every ready thread (the slow path would queue it behind a ready
//              thread of its priority)
//   both       (several cores) the thread to switch to runs on this core
#pragma once

#include "cspace.hpp"
#include "endpoint.hpp"
#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "tcb.hpp"
#include "timer_access.hpp"

namespace petrel {

namespace fastpath_detail {

// Sets the receiver's tag and badge and copies the message registers in r2-r5.
[[gnu::always_inline]] inline void transfer(Tcb *from, Tcb *to, abi::MessageInfo info, u32 badge) {
    set_info(to, {info.label, 0, 0, info.length});
    reg(to, arch::kRegCap) = badge;
    if (info.length == 0) return;  // (the usual message: the tag says it all)
    const u32 *src = &reg(from, arch::kRegMr0);
    u32 *dst = &reg(to, arch::kRegMr0);
    switch (info.length) {  // (at most 4: straight-line copies)
    case 4: dst[3] = src[3]; [[fallthrough]];
    case 3: dst[2] = src[2]; [[fallthrough]];
    case 2: dst[1] = src[1]; [[fallthrough]];
    default: dst[0] = src[0]; break;
    }
}

// The general lookup, out of line (fastpath.cpp): its result then takes no
// stack frame in the fastpath. Null when the lookup fails.
Slot *general_lookup(const Cap &root, u32 cptr);

// The slot `cptr` names: a flat CSpace's inline (flat_lookup), any other
// through the general lookup; null when the lookup fails.
[[gnu::always_inline]] inline Slot *lookup(const Tcb *t, u32 cptr) {
    const Cap &root = t->slots[kTcbCTable].cap;
    if (Slot *s = flat_lookup(root, cptr)) [[likely]]
        return s;
    return general_lookup(root, cptr);
}

// The running thread has blocked (it is in no queue) and `next`, blocked in no
// queue either, runs at once: what sched_set_state, sched_switch_to and
// schedule() come to in this case.
[[gnu::always_inline]] inline Tcb *switch_now(Tcb *next) {
    here().current = next;
    timer_access_switch(next);
    return next;
}

// Whether `t` runs on this core (always, with one core).
[[gnu::always_inline]] inline bool same_core(const Tcb *t) {
    if constexpr (kCores == 1) return true;
    else return t->affinity == core_id();
}

}  // namespace fastpath_detail

[[gnu::always_inline]] inline Tcb *fastpath_call(Tcb *t) {
    using namespace fastpath_detail;
    const auto info = abi::MessageInfo::from_word(reg(t, arch::kRegInfo));
    if (info.extra_caps != 0 || info.length > abi::kMsgRegisters || here().action != SchedulerAction::ResumeCurrent)
        return nullptr;
    const Slot *slot = lookup(t, reg(t, arch::kRegCap));
    if (!slot) return nullptr;
    const Cap ep_cap = slot->cap;
    const u32 rights = ep_cap.w1 & abi::kRightsAll;  // (an Endpoint's rights)
    if (!ep_cap.has_tag(CapType::Endpoint) || !(rights & abi::kRightWrite) ||
        !(rights & (abi::kRightGrant | abi::kRightGrantReply)))
        return nullptr;
    auto *ep = kptr_live<Endpoint>(ep_cap.ipc_object());
    if (ep->state != EndpointState::Receiving) return nullptr;
    Tcb *dest = kptr_live<Tcb>(ep->head);  // (Receiving: not empty)
    Slot *caller_slot = dest->slot(kTcbCaller);
    if (!caller_slot->cap.has_tag(CapType::Null)) return nullptr;
    if (!same_core(dest)) return nullptr;  // (several cores: the slow path wakes it on its own)
    // (No ready thread, the usual case, is one test.)
    if (here().ready_top != 0 && static_cast<int>(dest->priority) < sched_highest_ready()) return nullptr;

    ep->dequeue_first();  // dest
    dest->blocked_on = 0;
    transfer(t, dest, info, ep_cap.badge());
    caller_slot->cap = Cap::reply(kref_live(t), false, rights & abi::kRightGrant);
    t->reply_holder = kref_live(caller_slot);
    t->state = ThreadState::BlockedOnReply;
    dest->state = ThreadState::Running;
    return switch_now(dest);
}

[[gnu::always_inline]] inline Tcb *fastpath_reply_recv(Tcb *t) {
    using namespace fastpath_detail;
    const auto info = abi::MessageInfo::from_word(reg(t, arch::kRegInfo));
    if (info.extra_caps != 0 || info.length > abi::kMsgRegisters || here().action != SchedulerAction::ResumeCurrent)
        return nullptr;
    Slot *reply = t->slot(kTcbCaller);
    if (!reply->cap.has_tag(CapType::Reply)) return nullptr;
    Tcb *caller = kptr_live<Tcb>(reply->cap.ipc_object());
    if (caller->fault_kind != 0 || !same_core(caller)) return nullptr;
    const Slot *slot = lookup(t, reg(t, arch::kRegCap));
    if (!slot) return nullptr;
    const Cap &ep_cap = slot->cap;
    if (!ep_cap.has_tag(CapType::Endpoint) || !(ep_cap.w1 & abi::kRightRead)) return nullptr;
    const paddr_t ep_paddr = ep_cap.ipc_object();
    auto *ep = kptr_live<Endpoint>(ep_paddr);
    if (ep->state == EndpointState::Sending) return nullptr;  // a message waits: receive it the slow way
    if (t->bound_ntfn && kptr_live<Notification>(t->bound_ntfn)->state() == NotificationState::Active)
        return nullptr;
    // The slow path queues the caller behind ready threads of its priority, so
    // only a caller above every ready thread runs at once.
    if (here().ready_top != 0 && static_cast<int>(caller->priority) <= sched_highest_ready()) return nullptr;

    reply->cap = Cap::null();
    caller->reply_holder = 0;
    transfer(t, caller, info, 0);
    caller->state = ThreadState::Running;
    t->blocked_on = ep_paddr;
    t->state = ThreadState::BlockedOnRecv;
    ep->enqueue(t, EndpointState::Receiving);
    return switch_now(caller);
}

}  // namespace petrel
