// SPDX-License-Identifier: BSD-2-Clause
// The IPC fastpath (see fastpath.hpp).
#include "fastpath.hpp"

#include "cspace.hpp"
#include "endpoint.hpp"
#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "timer_access.hpp"

namespace petrel {

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
    timer_access_switch(next);
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
