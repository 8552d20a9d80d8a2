// SPDX-License-Identifier: BSD-2-Clause
// Threads, the scheduler and IPC on the hosted kernel: threads make system calls
// through the real entry (Machine::enter), and the kernel says who runs next.
#include <cstring>

#include "endpoint.hpp"
#include "harness.hpp"
#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;

namespace {

using abi::MessageInfo;
using abi::Syscall;

constexpr u32 kBufVaddr = 0x2000'0000;

// Scheduler invariants: queued threads are runnable and not running; the
// bitmap matches the queues; the running thread is runnable (or idle).
void check_scheduler() {
    for (u32 p = 0; p < kNumPriorities; ++p) {
        bool has = here().ready_head[p] != 0;
        INFO("priority " << p);
        REQUIRE(has == bool(here().ready_bits[p / 32] & (1u << (p % 32))));
        for (Tcb *t = kptr<Tcb>(here().ready_head[p]); t; t = kptr<Tcb>(t->sched_next)) {
            REQUIRE(is_runnable(t));
            REQUIRE(t->priority == p);
            REQUIRE(t != here().current);
            REQUIRE(t->in_ready_queue);
        }
    }
    REQUIRE((here().current == here().idle || is_runnable(here().current)));
}

struct World {
    Machine m;
    unsigned ut = 0, next = 0, last_tcb_slot = 0;
    World() {
        ut = untyped_at_least(m, 20);
        next = first_free(m);
    }
    unsigned make(ObjectType type, unsigned bits = 0) {
        unsigned s = next++;
        REQUIRE(retype(m, ut, type, bits, s).ok());
        return s;
    }
    // A thread in the root task's CSpace with its own IPC buffer, started at `prio`.
    Tcb *thread(const char *name, u32 prio) {
        unsigned ts = make(ObjectType::Tcb), fs = make(ObjectType::Frame4K);
        last_tcb_slot = ts;
        Tcb *t = m.at<Tcb>(cap_at(m, ts).object());
        insert_derived(m.root_slot(kRootCNode), t->slot(kTcbCTable), cap_at(m, kRootCNode));
        insert_derived(m.root_slot(fs), t->slot(kTcbIpcBuffer), cap_at(m, fs));
        t->ipc_buffer = kBufVaddr;
        std::strncpy(t->name, name, sizeof(t->name) - 1);
        t->priority = prio;
        t->state = ThreadState::Running;
        sched_enqueue(t);
        return t;
    }
    // Takes the root thread out of the way (it outranks everyone) and returns who runs.
    Tcb *park_root() {
        sched_set_state(m.root.tcb, ThreadState::Inactive);
        return schedule();
    }
    Tcb *sys(Tcb *t, Syscall n, u32 cptr, MessageInfo info = {}, std::initializer_list<u32> mrs = {}) {
        t->context.r[arch::kRegCap] = cptr;
        t->context.r[arch::kRegInfo] = info.word();
        u32 i = 0;
        for (u32 v : mrs) set_mr(t, t->ipc_buffer_ptr(), i++, v);
        Tcb *next_thread = m.enter(t, static_cast<u32>(n));
        check_scheduler();
        return next_thread;
    }
};

MessageInfo tag_of(Tcb *t) { return MessageInfo::from_word(t->context.r[arch::kRegInfo]); }
u32 badge_of(Tcb *t) { return t->context.r[arch::kRegCap]; }
u32 mr(Tcb *t, u32 i) { return get_mr(t, t->ipc_buffer_ptr(), i); }

}  // namespace

TEST_CASE("ipc: Call and ReplyRecv between a client and a server, with a direct switch", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);  // the server waits; the client runs
    CHECK(server->state == ThreadState::BlockedOnRecv);

    Tcb *next = w.sys(client, Syscall::Call, ep, {7, 0, 0, 6}, {1, 2, 3, 4, 5, 6});
    CHECK(next == server);                        // straight to the receiver
    CHECK_FALSE(sched_queued(server));
    CHECK(client->state == ThreadState::BlockedOnReply);
    CHECK(tag_of(server).label == 7);
    CHECK(tag_of(server).length == 6);
    for (u32 i = 0; i < 6; ++i) CHECK(mr(server, i) == i + 1);  // 4 in registers, 2 in the buffer
    CHECK(server->slot(kTcbCaller)->cap.type() == CapType::Reply);

    next = w.sys(server, Syscall::ReplyRecv, ep, {9, 0, 0, 1}, {42});
    CHECK(next == client);
    CHECK(client->state == ThreadState::Running);
    CHECK(tag_of(client).label == 9);
    CHECK(mr(client, 0) == 42);
    CHECK(server->state == ThreadState::BlockedOnRecv);
    CHECK(server->slot(kTcbCaller)->cap.is_null());
    REQUIRE_INVARIANTS();
}

TEST_CASE("fastpath: Call and ReplyRecv take it only in the common case; the result is the slow path's", "[fastpath]") {
    // Run in both modes (host-kernel and host-kernel-slowpath): the same checks
    // hold either way; only the count of fastpath hits differs.
    World w;
    const bool fast = !here().slowpath_only;
    unsigned ep = w.make(ObjectType::Endpoint), ep2 = w.make(ObjectType::Endpoint);
    unsigned badged = w.next++;
    REQUIRE(mint(w.m, badged, ep, abi::kRightsAll, 0x77).ok());
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    Tcb *peer = w.thread("peer", 50), *rcv = w.thread("rcv", 55);
    for (Tcb *t : {peer, rcv}) sched_set_state(t, ThreadState::Inactive);  // until needed
    auto start = [](Tcb *t) {
        t->state = ThreadState::Running;
        sched_enqueue(t);
    };
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);

    // The common case: both halves of a round trip with 4 words.
    u32 hits = here().fastpath_hits;
    REQUIRE(w.sys(client, Syscall::Call, badged, {5, 0, 0, 4}, {10, 11, 12, 13}) == server);
    CHECK(badge_of(server) == 0x77);
    CHECK(tag_of(server).label == 5);
    CHECK(tag_of(server).length == 4);
    for (u32 i = 0; i < 4; ++i) CHECK(mr(server, i) == 10 + i);
    CHECK(client->state == ThreadState::BlockedOnReply);
    CHECK(server->slot(kTcbCaller)->cap.type() == CapType::Reply);
    REQUIRE(w.sys(server, Syscall::ReplyRecv, ep, {6, 0, 0, 2}, {20, 21}) == client);
    CHECK(tag_of(client).label == 6);
    CHECK(tag_of(client).length == 2);
    CHECK(mr(client, 0) == 20);
    CHECK(mr(client, 1) == 21);
    CHECK(server->state == ThreadState::BlockedOnRecv);
    CHECK(here().fastpath_hits - hits == (fast ? 2u : 0u));
    REQUIRE_INVARIANTS();

    // Not the common case: the slow path, same results.
    hits = here().fastpath_hits;
    REQUIRE(w.sys(client, Syscall::Call, ep, {5, 0, 0, 5}, {1, 2, 3, 4, 5}) == server);  // 5 words
    CHECK(mr(server, 4) == 5);
    // The reply's caller has a ready peer of its priority: it queues behind it.
    start(peer);
    REQUIRE(w.sys(server, Syscall::ReplyRecv, ep, {0, 0, 0, 0}) == peer);
    CHECK(sched_queued(client));
    CHECK(here().fastpath_hits == hits);
    // A receiver below a ready thread: given the message and queued, not switched to.
    start(rcv);
    REQUIRE(w.sys(peer, Syscall::Yield, 0) == rcv);
    Tcb *after = w.sys(rcv, Syscall::Recv, ep2);
    REQUIRE((after == peer || after == client));
    rcv->priority = 40;  // (blocked, so in no queue)
    Tcb *other = after == peer ? client : peer;
    CHECK(w.sys(after, Syscall::Call, ep2, {3, 0, 0, 1}, {99}) == other);
    CHECK(rcv->state == ThreadState::Running);
    CHECK(sched_queued(rcv));
    CHECK(mr(rcv, 0) == 99);
    CHECK(here().fastpath_hits == hits);
    REQUIRE_INVARIANTS();
}

TEST_CASE("ipc: a server that receives again without replying wakes its caller with an error", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);
    REQUIRE(w.sys(client, Syscall::Call, ep, {7, 0, 0, 1}, {1}) == server);
    CHECK(client->state == ThreadState::BlockedOnReply);
    // No other caller comes: the Recv itself gives up the reply (seL4 deletes the caller cap).
    CHECK(w.sys(server, Syscall::Recv, ep) == client);
    CHECK(server->slot(kTcbCaller)->cap.is_null());
    CHECK(client->state == ThreadState::Running);
    CHECK(tag_of(client).label == static_cast<u32>(Error::InvalidCapability));
    CHECK(tag_of(client).length == 1);
    CHECK(mr(client, 0) == 0);
    REQUIRE_INVARIANTS();
}

TEST_CASE("ipc: a server tells clients apart by badge, and senders queue", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    unsigned b1 = w.next++, b2 = w.next++;
    REQUIRE(mint(w.m, b1, ep, abi::kRightsAll, 0x11).ok());
    REQUIRE(mint(w.m, b2, ep, abi::kRightsAll, 0x22).ok());
    Tcb *a = w.thread("a", 50), *b = w.thread("b", 50), *server = w.thread("server", 40);
    REQUIRE(w.park_root() == a);
    CHECK(w.sys(a, Syscall::Send, b1, {1, 0, 0, 0}) == b);   // no receiver: a blocks in the queue
    CHECK(a->state == ThreadState::BlockedOnSend);
    CHECK(w.sys(b, Syscall::Send, b2, {2, 0, 0, 0}) == server);
    CHECK(w.m.at<Endpoint>(cap_at(w.m, ep).object())->state == EndpointState::Sending);
    CHECK(w.sys(server, Syscall::Recv, ep) == a);            // a's send completes; a outranks the server
    CHECK(badge_of(server) == 0x11);
    CHECK(tag_of(server).label == 1);
    CHECK(a->state == ThreadState::Running);
    CHECK(b->state == ThreadState::BlockedOnSend);
    // a stops; the server receives again and gets b's message, in queue order.
    sched_set_state(a, ThreadState::Inactive);
    REQUIRE(schedule() == server);
    CHECK(w.sys(server, Syscall::Recv, ep) == b);
    CHECK(badge_of(server) == 0x22);
    CHECK(tag_of(server).label == 2);
    CHECK(w.m.at<Endpoint>(cap_at(w.m, ep).object())->state == EndpointState::Idle);
    REQUIRE_INVARIANTS();
}

TEST_CASE("ipc: NBSend without a receiver drops the message; NBRecv without a sender returns badge 0", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *t = w.thread("t", 50);
    REQUIRE(w.park_root() == t);
    CHECK(w.sys(t, Syscall::NBSend, ep, {1, 0, 0, 0}) == t);
    CHECK(t->state == ThreadState::Running);
    t->context.r[arch::kRegCap] = 0x1234;
    CHECK(w.sys(t, Syscall::NBRecv, ep) == t);
    CHECK(badge_of(t) == 0);
    CHECK(w.m.at<Endpoint>(cap_at(w.m, ep).object())->state == EndpointState::Idle);
}

TEST_CASE("ipc: caps move only with Grant, and a cap to the same endpoint unwraps to its badge", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), ntfn = w.make(ObjectType::Notification);
    unsigned nogrant = w.next++, badged = w.next++, recv_slot = w.next++;
    REQUIRE(copy(w.m, nogrant, ep, abi::kRightRead | abi::kRightWrite).ok());
    REQUIRE(mint(w.m, badged, ep, abi::kRightsAll, 0x77).ok());
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    abi::IpcBuffer *sb = server->ipc_buffer_ptr(), *cb = client->ipc_buffer_ptr();
    sb->receive_cnode = kRootCNode;
    sb->receive_index = recv_slot;
    sb->receive_depth = 32;

    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);
    SECTION("without Grant the cap stays behind") {
        cb->caps_or_badges[0] = ntfn;
        w.sys(client, Syscall::Send, nogrant, {5, 0, 1, 0});
        CHECK(tag_of(server).extra_caps == 0);
        CHECK(cap_at(w.m, recv_slot).is_null());
    }
    SECTION("with Grant it is copied into the receive slot") {
        cb->caps_or_badges[0] = ntfn;
        w.sys(client, Syscall::Send, ep, {5, 0, 1, 0});
        CHECK(tag_of(server).extra_caps == 1);
        CHECK(tag_of(server).caps_unwrapped == 0);
        CHECK(cap_at(w.m, recv_slot).type() == CapType::Notification);
        CHECK(cap_at(w.m, recv_slot).object() == cap_at(w.m, ntfn).object());
    }
    SECTION("a badged cap to the receiving endpoint unwraps") {
        cb->caps_or_badges[0] = badged;
        w.sys(client, Syscall::Send, ep, {5, 0, 1, 0});
        CHECK(tag_of(server).extra_caps == 1);
        CHECK(tag_of(server).caps_unwrapped == 1);
        CHECK(sb->caps_or_badges[0] == 0x77);
        CHECK(cap_at(w.m, recv_slot).is_null());
    }
    REQUIRE_INVARIANTS();
}

TEST_CASE("notifications: Signal ORs badges, Wait and Poll take the word", "[ipc]") {
    World w;
    unsigned n = w.make(ObjectType::Notification);
    unsigned s1 = w.next++, s2 = w.next++;
    REQUIRE(mint(w.m, s1, n, abi::kRightsAll, 0x1).ok());
    REQUIRE(mint(w.m, s2, n, abi::kRightsAll, 0x4).ok());
    Tcb *waiter = w.thread("waiter", 60), *sig = w.thread("signaller", 50);
    REQUIRE(w.park_root() == waiter);
    CHECK(w.sys(waiter, Syscall::Recv, n) == sig);  // Wait blocks
    CHECK(waiter->state == ThreadState::BlockedOnNotification);
    CHECK(w.sys(sig, Syscall::Send, s1) == waiter);  // the signal wakes the higher-priority waiter
    CHECK(badge_of(waiter) == 0x1);
    sched_set_state(waiter, ThreadState::Inactive);
    REQUIRE(schedule() == sig);
    w.sys(sig, Syscall::Send, s1);
    w.sys(sig, Syscall::NBSend, s2);
    CHECK(w.m.at<Notification>(cap_at(w.m, n).object())->word == 0x5);
    w.sys(sig, Syscall::NBRecv, n);  // Poll
    CHECK(badge_of(sig) == 0x5);
    w.sys(sig, Syscall::NBRecv, n);
    CHECK(badge_of(sig) == 0);
    REQUIRE_INVARIANTS();
}

TEST_CASE("notifications: a bound notification wakes a thread waiting on an endpoint", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), n = w.make(ObjectType::Notification);
    unsigned sig = w.next++;
    REQUIRE(mint(w.m, sig, n, abi::kRightsAll, 0x8).ok());
    Tcb *server = w.thread("server", 60), *other = w.thread("other", 50);
    bind_notification(server, w.m.at<Notification>(cap_at(w.m, n).object()));
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == other);
    CHECK(w.sys(other, Syscall::Send, sig) == server);
    CHECK(server->state == ThreadState::Running);
    CHECK(tag_of(server).label == abi::kNotificationLabel);
    CHECK(badge_of(server) == 0x8);
    CHECK(w.m.at<Endpoint>(cap_at(w.m, ep).object())->head == 0);  // no longer queued on the endpoint
    // Pending signals complete the next Recv at once.
    sched_set_state(server, ThreadState::Inactive);
    REQUIRE(schedule() == other);
    w.sys(other, Syscall::Send, sig);
    server->state = ThreadState::Running;
    sched_enqueue(server);
    sched_set_state(other, ThreadState::Inactive);
    REQUIRE(schedule() == server);
    CHECK(w.sys(server, Syscall::Recv, ep) == server);
    CHECK(tag_of(server).label == abi::kNotificationLabel);
    CHECK(badge_of(server) == 0x8);
}

TEST_CASE("faults: a page fault reaches the handler, whose reply resumes the thread at a new pc", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *handler = w.thread("handler", 60), *t = w.thread("faulty", 50);
    t->fault_ep = ep;
    REQUIRE(w.park_root() == handler);
    REQUIRE(w.sys(handler, Syscall::Recv, ep) == t);
    t->context.pc = 0x1000;
    Tcb *next = w.m.fault({FaultKind::VmFault, 0xdead0, 0x805, false});
    CHECK(next == handler);
    CHECK(t->state == ThreadState::BlockedOnReply);
    CHECK(tag_of(handler).label == static_cast<u32>(abi::FaultLabel::VmFault));
    CHECK(mr(handler, 0) == 0x1000);
    CHECK(mr(handler, 1) == 0xdead0);
    CHECK(mr(handler, 2) == 0);
    CHECK(mr(handler, 3) == 0x805);
    next = w.sys(handler, Syscall::ReplyRecv, ep, {0, 0, 0, 1}, {0x2000});
    CHECK(next == t);
    CHECK(t->state == ThreadState::Running);
    CHECK(t->context.pc == 0x2000);
    CHECK(t->fault_kind == 0);
}

TEST_CASE("faults: without a handler the thread stops with a report and the rest runs on", "[ipc]") {
    World w;
    Tcb *t = w.thread("faulty", 50), *other = w.thread("other", 40);
    (void)w.m.take_console();
    REQUIRE(w.park_root() == t);
    CHECK(w.m.fault({FaultKind::UserException, 0x1234, 0, false}) == other);
    CHECK(t->state == ThreadState::Inactive);
    std::string log = w.m.take_console();
    CHECK(log.find("thread 'faulty' stopped: undefined instruction") != std::string::npos);
    CHECK(log.find("pc ") != std::string::npos);
    // An unknown system call is a fault too.
    CHECK(w.sys(other, static_cast<Syscall>(99), 0) == w.m.idle());
    CHECK(other->state == ThreadState::Inactive);
    CHECK(w.m.take_console().find("unknown system call at address 00000063") != std::string::npos);
}

TEST_CASE("deletion: deleting an endpoint restarts its blocked senders; deleting a server fails its caller", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    unsigned ep2 = w.make(ObjectType::Endpoint);
    Tcb *server = w.thread("server", 70);
    unsigned server_slot = w.last_tcb_slot;
    Tcb *client = w.thread("client", 60), *a = w.thread("a", 50), *b = w.thread("b", 40);
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep2) == client);
    REQUIRE(w.sys(client, Syscall::Call, ep2, {3, 0, 0, 0}) == server);
    CHECK(client->state == ThreadState::BlockedOnReply);
    sched_set_state(server, ThreadState::Inactive);  // the server stops before replying
    REQUIRE(schedule() == a);
    a->context.pc = 0x100;
    REQUIRE(w.sys(a, Syscall::Send, ep) == b);
    CHECK(a->state == ThreadState::BlockedOnSend);
    REQUIRE_INVARIANTS();

    // b deletes the last cap to the endpoint: a is sent back to redo its Send.
    REQUIRE(w.m.call(b, kRootCNode, static_cast<u32>(Label::CNodeDelete), {ep, 32}).ok());
    CHECK(a->state == ThreadState::Restart);
    CHECK(sched_queued(a));
    CHECK(a->context.pc == 0x100);  // on its svc again (enter() left it at 0x104): the Send now faults
    CHECK(w.m.at<Endpoint>(cap_at(w.m, ep2).object())->head == 0);
    REQUIRE_INVARIANTS();

    // b deletes the server's TCB: the client waiting for its reply gets an error.
    REQUIRE(w.m.call(b, kRootCNode, static_cast<u32>(Label::CNodeDelete), {server_slot, 32}).ok());
    CHECK(client->state == ThreadState::Running);
    CHECK(sched_queued(client));
    CHECK(tag_of(client).label == static_cast<u32>(Error::InvalidCapability));
    CHECK(server->state == ThreadState::Inactive);
    check_scheduler();
    REQUIRE_INVARIANTS();
}

TEST_CASE("scheduler: strict priority, round robin among equals on the tick, Yield", "[sched]") {
    World w;
    Tcb *hi = w.thread("hi", 90), *x = w.thread("x", 50), *y = w.thread("y", 50);
    REQUIRE(w.park_root() == hi);
    sched_set_state(hi, ThreadState::Inactive);
    REQUIRE(schedule() == x);
    for (u32 i = 1; i < kTimesliceTicks; ++i) CHECK(w.m.tick() == x);
    CHECK(w.m.tick() == y);   // x's timeslice ran out
    CHECK(w.sys(y, Syscall::Yield, 0) == x);
    // The higher-priority thread made runnable preempts on the next decision.
    hi->state = ThreadState::Running;
    sched_wake(hi);
    CHECK(schedule() == hi);
    check_scheduler();
    CHECK(sched_highest_ready() == 50);
}

TEST_CASE("ipc: bad input to a send is clamped or refused with a log line, never a crash", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), ro = w.next++, nogrant = w.next++;
    REQUIRE(copy(w.m, ro, ep, abi::kRightRead).ok());
    REQUIRE(copy(w.m, nogrant, ep, abi::kRightRead | abi::kRightWrite).ok());
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);
    (void)w.m.take_console();
    SECTION("a length over 120 is cut to 120") {
        w.sys(client, Syscall::Send, ep, {1, 0, 0, 127});
        CHECK(tag_of(server).length == 120);
        CHECK(w.m.take_console().find("client: IPC: length: expected at most 120 words, got 127") != std::string::npos);
    }
    SECTION("caps without Grant stay behind, and the log says so") {
        client->ipc_buffer_ptr()->caps_or_badges[0] = ep;
        w.sys(client, Syscall::Send, nogrant, {1, 0, 1, 0});
        CHECK(tag_of(server).extra_caps == 0);
        CHECK(w.m.take_console().find("extra caps: expected an endpoint cap with Grant") != std::string::npos);
    }
    SECTION("sending on a cap without Write is a cap fault; with no handler the sender stops") {
        CHECK(w.sys(client, Syscall::Send, ro, {1, 0, 0, 0}) == w.m.idle());
        CHECK(client->state == ThreadState::Inactive);
        CHECK(server->state == ThreadState::BlockedOnRecv);
        CHECK(w.m.take_console().find("thread 'client' stopped: cap fault") != std::string::npos);
    }
    SECTION("receiving on a bad cap pointer is a cap fault") {
        CHECK(w.sys(client, Syscall::Recv, 0xdead) == w.m.idle());
        CHECK(client->state == ThreadState::Inactive);
    }
    REQUIRE_INVARIANTS();
}

TEST_CASE("debug: DebugNameThread names a thread through its cap; a bad cap is logged", "[ipc]") {
    World w;
    Tcb *t = w.thread("old", 50);
    unsigned slot = w.last_tcb_slot;
    Tcb *root = w.m.root.tcb;
    std::strcpy(reinterpret_cast<char *>(root->ipc_buffer_ptr()->msg), "a-very-long-thread-name");
    root->context.r[arch::kRegCap] = slot;
    REQUIRE(w.m.syscall(root, static_cast<u32>(Syscall::DebugNameThread)) == Status::Ok);
    CHECK(std::string(t->name) == "a-very-long-thr");  // 15 characters and the NUL
    root->context.r[arch::kRegCap] = kRootCNode;
    (void)w.m.take_console();
    REQUIRE(w.m.syscall(root, static_cast<u32>(Syscall::DebugNameThread)) == Status::Ok);
    CHECK(w.m.take_console().find("DebugNameThread: cap: expected a TCB cap") != std::string::npos);
    CHECK(std::string(t->name) == "a-very-long-thr");
}

TEST_CASE("debug: DebugDumpScheduler prints the running thread and the ready queues", "[sched]") {
    World w;
    w.thread("alpha", 50);
    w.thread("beta", 50);
    w.thread("gamma", 70);
    (void)w.m.take_console();
    w.m.root.tcb->context.r[arch::kRegCap] = abi::kCapDebug;
    REQUIRE(w.m.syscall(w.m.root.tcb, static_cast<u32>(Syscall::DebugDumpScheduler)) == Status::Ok);
    std::string log = w.m.take_console();
    CHECK(log.find(" running 'root' (priority 255)") != std::string::npos);
    CHECK(log.find("ready  70: 'gamma'") != std::string::npos);
    CHECK(log.find("ready  50: 'alpha' 'beta'") != std::string::npos);
    CHECK(log.find("gamma") < log.find("alpha"));  // highest priority first
}

TEST_CASE("ipc: SaveCaller keeps a reply cap in a CNode slot; a Send on it replies later", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), saved = w.next++, moved = w.next++;
    Tcb *server = w.thread("server", 60), *c1 = w.thread("client-1", 50), *c2 = w.thread("client-2", 50);
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == c1);
    REQUIRE(w.sys(c1, Syscall::Call, ep, {11, 0, 0, 0}) == server);
    // The server parks client-1's reply cap and serves someone else first.
    server->context.r[arch::kRegMr0] = saved;
    server->context.r[arch::kRegMr0 + 1] = 32;
    CHECK(w.m.call(server, kRootCNode, static_cast<u32>(Label::CNodeSaveCaller), {saved, 32}).ok());
    CHECK(cap_at(w.m, saved).type() == CapType::Reply);
    CHECK(server->slot(kTcbCaller)->cap.is_null());
    REQUIRE_INVARIANTS();
    REQUIRE(w.sys(server, Syscall::Recv, ep) == c2);
    CHECK(c1->state == ThreadState::BlockedOnReply);  // a saved reply is not dropped by the Recv
    REQUIRE(w.sys(c2, Syscall::Call, ep, {22, 0, 0, 0}) == server);
    REQUIRE(w.sys(server, Syscall::Reply, 0, {5, 0, 0, 1}, {222}) == server);
    CHECK(tag_of(c2).label == 5);
    CHECK(mr(c2, 0) == 222);
    // Moving the saved cap keeps it working; a Send on it answers client-1.
    REQUIRE(
        w.m.call(server, kRootCNode, static_cast<u32>(Label::CNodeMove), {moved, 32, saved, 32}, {kRootCNode}).ok());
    REQUIRE_INVARIANTS();
    w.sys(server, Syscall::Send, moved, {6, 0, 0, 1}, {111});
    CHECK(c1->state == ThreadState::Running);
    CHECK(tag_of(c1).label == 6);
    CHECK(mr(c1, 0) == 111);
    CHECK(cap_at(w.m, moved).is_null());
    REQUIRE_INVARIANTS();
}

TEST_CASE("ipc: deleting a saved reply cap wakes its caller with an error", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), saved = w.next++;
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);
    REQUIRE(w.sys(client, Syscall::Call, ep, {11, 0, 0, 0}) == server);
    CHECK(w.m.call(server, kRootCNode, static_cast<u32>(Label::CNodeSaveCaller), {saved, 32}).ok());
    CHECK(w.m.call(server, kRootCNode, static_cast<u32>(Label::CNodeDelete), {saved, 32}).ok());
    CHECK(client->state == ThreadState::Running);
    CHECK(tag_of(client).label == static_cast<u32>(Error::InvalidCapability));
    CHECK(cap_at(w.m, saved).is_null());
    check_scheduler();
    REQUIRE_INVARIANTS();
}

// Found by [ipc-random]: a ReplyRecv whose reply wakes a caller that outranks the
// server (a pending direct switch) and whose Recv then wakes a higher-priority
// sender (sched_wake) must not drop the caller: it goes back to its ready queue.
TEST_CASE("scheduler: a wake during a pending direct switch keeps the switch target runnable", "[sched][ipc]") {
    World w;
    unsigned ep1 = w.make(ObjectType::Endpoint), ep2 = w.make(ObjectType::Endpoint);
    Tcb *server = w.thread("server", 40), *client = w.thread("client", 50), *sender = w.thread("sender", 60);
    REQUIRE(w.park_root() == sender);
    REQUIRE(w.sys(sender, Syscall::Send, ep2, {1, 0, 0, 0}) == client);  // the sender waits on ep2
    REQUIRE(w.sys(client, Syscall::Call, ep1, {2, 0, 0, 0}) == server);  // the client waits on ep1
    REQUIRE(w.sys(server, Syscall::Recv, ep1) == server);                // takes the Call at once
    CHECK(client->state == ThreadState::BlockedOnReply);
    // The reply wakes the client (switch to it), the Recv takes the sender's message and wakes the sender.
    CHECK(w.sys(server, Syscall::ReplyRecv, ep2, {3, 0, 0, 0}) == sender);
    CHECK(client->state == ThreadState::Running);
    CHECK(sched_queued(client));  // not lost
    CHECK(sched_queued(server));
    REQUIRE_INVARIANTS();
    sched_set_state(sender, ThreadState::Inactive);
    CHECK(schedule() == client);
    CHECK(tag_of(client).label == 3);
}

// Found by [ipc-random]: a send cancelled by CNode.CancelBadgedSends is redone
// (the thread is back on its svc, as after an endpoint's deletion), so a Call
// does not return its own message as if it were the reply.
TEST_CASE("ipc: CancelBadgedSends sends a blocked caller back to its svc", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), badged = w.next++;
    REQUIRE(mint(w.m, badged, ep, abi::kRightsAll, 0x5).ok());
    Tcb *client = w.thread("client", 50), *other = w.thread("other", 40);
    REQUIRE(w.park_root() == client);
    client->context.pc = 0x100;
    REQUIRE(w.sys(client, Syscall::Call, badged, {7, 0, 0, 0}) == other);
    CHECK(client->state == ThreadState::BlockedOnSend);
    CHECK(w.m.call(other, kRootCNode, static_cast<u32>(Label::CNodeCancelBadgedSends), {badged, 32}).ok());
    CHECK(client->state == ThreadState::Restart);
    CHECK(sched_queued(client));
    CHECK(client->context.pc == 0x100);  // on its svc again: the Call is made anew
    CHECK(w.m.at<Endpoint>(cap_at(w.m, ep).object())->head == 0);
    REQUIRE_INVARIANTS();
}

// Found by [ipc-random]: a thread whose fault message was waiting on an endpoint
// that is deleted runs on without the fault: its next Send carries its own message.
TEST_CASE("faults: deleting the fault endpoint a fault waits on leaves no stale fault behind", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *t = w.thread("faulty", 50), *other = w.thread("other", 40);
    t->fault_ep = ep;
    REQUIRE(w.park_root() == t);
    REQUIRE(w.sys(t, Syscall::Recv, 0xdead) == other);  // a cap fault, queued on ep: no handler waits
    CHECK(t->state == ThreadState::BlockedOnSend);
    CHECK(t->fault_kind == static_cast<u32>(FaultKind::CapFault));
    REQUIRE(w.m.call(other, kRootCNode, static_cast<u32>(Label::CNodeDelete), {ep, 32}).ok());
    CHECK(t->state == ThreadState::Restart);
    CHECK(t->fault_kind == 0);
    REQUIRE_INVARIANTS();
}

TEST_CASE("tcb: WriteRegisters with resume on a thread waiting for a reply runs it at the new pc", "[ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *server = w.thread("server", 60);
    Tcb *client = w.thread("client", 50);
    unsigned client_slot = w.last_tcb_slot;
    REQUIRE(w.park_root() == server);
    REQUIRE(w.sys(server, Syscall::Recv, ep) == client);
    REQUIRE(w.sys(client, Syscall::Call, ep, {1, 0, 0, 0}) == server);
    REQUIRE(client->state == ThreadState::BlockedOnReply);
    // The server (running) rewrites the client's pc and resumes it.
    Reply r = w.m.call(server, client_slot, static_cast<u32>(Label::TcbWriteRegisters), {1, 1, 0x4000});
    REQUIRE(r.ok());
    CHECK(client->context.pc == 0x4000);
    CHECK(is_runnable(client));
    CHECK(server->slot(kTcbCaller)->cap.is_null());  // the reply it owed is gone with the wait
    check_scheduler();
    REQUIRE_INVARIANTS();
}

TEST_CASE("faults: a cap fault reaches the handler with the svc's pc, and the reply retries the call", "[ipc]") {
    World w;
    unsigned fep = w.make(ObjectType::Endpoint), ep = w.make(ObjectType::Endpoint), ro = w.next++;
    REQUIRE(copy(w.m, ro, ep, abi::kRightRead).ok());
    Tcb *handler = w.thread("handler", 60), *t = w.thread("t", 50);
    t->fault_ep = fep;
    REQUIRE(w.park_root() == handler);
    REQUIRE(w.sys(handler, Syscall::Recv, fep) == t);
    t->context.pc = 0x200;
    CHECK(w.sys(t, Syscall::Send, ro, {1, 0, 0, 0}) == handler);  // no Write right: a cap fault
    CHECK(tag_of(handler).label == static_cast<u32>(abi::FaultLabel::CapFault));
    CHECK(mr(handler, 0) == 0x200);  // the svc itself
    CHECK(mr(handler, 1) == ro);
    CHECK(w.sys(handler, Syscall::ReplyRecv, fep, {0, 0, 0, 0}) == t);
    CHECK(t->context.pc == 0x200);  // re-executes the Send
    REQUIRE_INVARIANTS();
}

TEST_CASE("ipc: cap transfer applies CNode.Copy's derive rule; a cap it refuses is not transferred", "[ipc]") {
    World w;
    const unsigned ep = w.make(ObjectType::Endpoint), recv_slot = w.next++, copy_slot = w.next++;
    const unsigned pt = w.make(ObjectType::PageTable), pd = w.make(ObjectType::PageDirectory);
    const unsigned f = w.make(ObjectType::Frame4K), ntfn = w.make(ObjectType::Notification);
    // CNode.Copy refuses an unmapped PageTable cap and a PageDirectory cap without an ASID.
    check_refusal(w.m, copy(w.m, copy_slot, pt), Error::IllegalOperation, {}, {"CNode.Copy", "mapped"});
    check_refusal(w.m, copy(w.m, copy_slot, pd), Error::IllegalOperation, {}, {"CNode.Copy", "ASID"});
    Tcb *server = w.thread("server", 60), *client = w.thread("client", 50);
    abi::IpcBuffer *sb = server->ipc_buffer_ptr(), *cb = client->ipc_buffer_ptr();
    sb->receive_cnode = kRootCNode;
    sb->receive_index = recv_slot;
    sb->receive_depth = 32;
    REQUIRE(w.park_root() == server);
    server->context.r[arch::kRegCap] = ep;
    REQUIRE(w.m.enter(server, static_cast<u32>(Syscall::Recv)) == client);

    // Sends `caps` over the endpoint with Grant; returns how many arrived.
    auto send = [&](std::initializer_list<u32> caps) {
        u32 i = 0;
        for (u32 c : caps) cb->caps_or_badges[i++] = c;
        client->context.r[arch::kRegCap] = ep;
        client->context.r[arch::kRegInfo] = MessageInfo{5, 0, i, 0}.word();
        REQUIRE(w.m.enter(client, static_cast<u32>(Syscall::Send)) == server);
        return MessageInfo::from_word(server->context.r[arch::kRegInfo]).extra_caps;
    };
    SECTION("an unmapped PageTable cap: IPC does not hand it over either") {
        CHECK(send({pt}) == 0);
        CHECK(cap_at(w.m, recv_slot).is_null());
    }
    SECTION("a PageDirectory cap without an ASID: the same") {
        CHECK(send({pd}) == 0);
        CHECK(cap_at(w.m, recv_slot).is_null());
    }
    SECTION("nothing after a refused cap is transferred either (seL4's transferCaps)") {
        CHECK(send({pd, ntfn}) == 0);
        CHECK(cap_at(w.m, recv_slot).is_null());
    }
    SECTION("a notification arrives") {
        CHECK(send({ntfn}) == 1);
        CHECK(cap_at(w.m, recv_slot).type() == CapType::Notification);
    }
    SECTION("a frame arrives unmapped") {
        CHECK(send({f}) == 1);
        CHECK(cap_at(w.m, recv_slot).type() == CapType::Frame4K);
        CHECK_FALSE(cap_at(w.m, recv_slot).frame_mapped());
    }
    SECTION("the Debug cap arrives") {
        CHECK(send({abi::kCapDebug}) == 1);
        CHECK(cap_at(w.m, recv_slot).type() == CapType::Debug);  // an ordinary cap (debug_test.cpp)
    }
    REQUIRE_INVARIANTS();
}
