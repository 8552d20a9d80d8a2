// SPDX-License-Identifier: BSD-2-Clause
// threads: a root task that tests threads and IPC from user space.
//
// It makes threads from its own Untyped and runs one test after another, each
// ending in one line "threads: <what>: ok" (or FAILED), then prints
// "threads: done, N check(s) failed" and ends the run with DebugHalt(N):
//   ping-pong     the root Calls a server that answers with ReplyRecv, N round
//                 trips of 6 words (4 in registers, 2 in the IPC buffer), checked;
//   badges        one server tells two clients apart by the badges of their
//                 Minted endpoint caps;
//   cap transfer  a client sends a notification cap; through an endpoint cap
//                 without Grant nothing arrives, through one with Grant the server
//                 gets it in its receive slot and signals through it;
//   notifications Signal/Wait/Poll, a waiter woken by Signal, and a bound
//                 notification waking a server blocked in Recv (label
//                 abi::kNotificationLabel), also when signalled while suspended;
//   faults        an undefined instruction goes to the thread's fault endpoint; the
//                 handler checks the pc and replies with pc + 4; the thread goes on;
//   preemption    two spinners of equal priority both advance and see each other
//                 run (the kernel's round robin: 5 ticks of 10 ms) while the root,
//                 at a lower priority, waits;
//   priorities    of threads made runnable, the highest runs first;
//   suspend       a suspended spinner's counter stops; after Resume it moves again;
//   deletion      a thread deleted while blocked in Recv leaves its endpoint usable;
//                 a caller whose server is deleted (or receives again without
//                 replying) gets Error::InvalidCapability as its reply.
//
// Every thread runs in the root task's own address space (kCapInitVSpace) with
// the root CNode as its CSpace (guard 20: a slot index is a cap pointer), a
// stack from a static array and one 512-byte slice k = 1..7 of the root's IPC
// buffer frame (BootInfo.ipc_buffer + 512 * k; slice 0 is the root's own), so at
// most 7 threads exist at a time. Threads in address spaces of their own need
// the virtual-memory layer (page directories with ASIDs, Frame mapping) of the
// next issue. The root runs at priority 50, below the test threads, so a thread
// it starts runs at once, until it blocks or ends.
#include "petrel/bootinfo.hpp"
#include "petrel/checks.hpp"
#include "petrel/errors.hpp"
#include "petrel/invocations.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using abi::Error;
using abi::MessageInfo;

// Executes an undefined instruction at `fault_insn`, then returns: the fault
// handler's reply moves the pc past it.
extern "C" void undefined_instruction();
extern "C" char fault_insn[];
asm(R"(
    .text
    .arm
    .global undefined_instruction
    .type undefined_instruction, %function
    .global fault_insn
undefined_instruction:
fault_insn:
    .word   0xe7f000f0          @ UDF #0
    bx      lr
)");

namespace {

constexpr u32 kMaxThreads = 7;  // IPC buffer slices 1..7 of the root's 4 KiB frame
constexpr u32 kStackSize = 8192;
constexpr u32 kRootPriority = 50;

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;  // the root's IPC buffer
u32 g_untyped;          // the Untyped every object comes from
u32 g_next_slot;
u32 g_done;                        // notification: thread k signals bit k when it ends
u32 g_done_caps[kMaxThreads + 1];  // badged caps to it (badge 1 << k)
u32 g_done_pending;
u32 g_freq;
Checks g_checks{"threads", Checks::ErrorText::Number};

alignas(8) u8 g_stacks[kMaxThreads + 1][kStackSize];

struct Thread {
    const char *name;
    u32 tcb;    // slot of its TCB cap, the only cap to it
    u32 index;  // 1..7: its IPC buffer slice and stack
    abi::IpcBuffer *ipc;
    void (*fn)(Thread *);
    u32 arg[4];
};
Thread g_threads[kMaxThreads + 1];
bool g_in_use[kMaxThreads + 1];

u64 counter() {
    u32 lo, hi;
    asm volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return u64{hi} << 32 | lo;
}

u64 ms(u32 n) { return u64{g_freq} * n / 1000; }

u32 alloc_slot() {
    if (g_next_slot >= g_bi->empty.end) {
        printf("threads: out of CNode slots: FAILED\n");
        debug_halt(abi::kCapDebug, 1);
    }
    return g_next_slot++;
}

u32 make(abi::ObjectType type) {
    u32 slot = alloc_slot();
    g_checks.expect_ok(untyped_retype(g_ipc, g_untyped, type, 0, abi::kCapInitCNode, 0, 0, slot, 1),
                       "Untyped.Retype");
    return slot;
}

u32 mint(u32 src, u32 rights, u32 badge) {
    u32 slot = alloc_slot();
    g_checks.expect_ok(
        cnode_mint(g_ipc, abi::kCapInitCNode, slot, 32, abi::kCapInitCNode, src, 32, rights, badge),
        "CNode.Mint");
    return slot;
}

u32 copy(u32 src, u32 rights) {
    u32 slot = alloc_slot();
    g_checks.expect_ok(cnode_copy(g_ipc, abi::kCapInitCNode, slot, 32, abi::kCapInitCNode, src, 32, rights),
                       "CNode.Copy");
    return slot;
}

void set_root_priority(u32 p) {
    g_checks.expect_ok(tcb_set_priority(g_ipc, abi::kCapInitTcb, abi::kCapInitTcb, p),
                       "TCB.SetPriority (root)");
}

// Every thread starts here with r0 = its Thread: it runs its function, tells
// the root it ended (bit k of g_done) and suspends itself.
[[noreturn]] void thread_start(Thread *t) {
    t->fn(t);
    signal(g_done_caps[t->index]);
    tcb_suspend(t->tcb);
    for (;;) {}  // a suspended thread never comes back
}

// A new thread, configured but not started.
Thread *spawn(const char *name, void (*fn)(Thread *), u32 priority, u32 a0 = 0, u32 a1 = 0, u32 a2 = 0,
              u32 a3 = 0, u32 fault_ep = 0) {
    u32 k = 1;
    while (k <= kMaxThreads && g_in_use[k]) ++k;
    if (k > kMaxThreads) {
        printf("threads: more than %u threads at once: FAILED\n", kMaxThreads);
        debug_halt(abi::kCapDebug, 1);
    }
    g_in_use[k] = true;
    const u32 buffer = g_bi->ipc_buffer + (k << abi::kIpcBufferSizeBits);
    auto *ipc = reinterpret_cast<abi::IpcBuffer *>(buffer);
    __builtin_memset(ipc, 0, sizeof(*ipc));
    Thread *t = &g_threads[k];
    *t = {name, make(abi::ObjectType::Tcb), k, ipc, fn, {a0, a1, a2, a3}};
    g_checks.expect_ok(tcb_configure(g_ipc, t->tcb, fault_ep, abi::kCapInitCNode,
                                     abi::cnode_cap_data(0, 32 - g_bi->root_cnode_radix), abi::kCapInitVSpace,
                                     0, buffer, abi::kCapInitIpcBuffer),
                       "TCB.Configure");
    g_checks.expect_ok(tcb_set_priority(g_ipc, t->tcb, abi::kCapInitTcb, priority), "TCB.SetPriority");
    debug_name_thread(g_ipc, t->tcb, name);
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(&thread_start);
    r.sp = reinterpret_cast<u32>(g_stacks[k] + kStackSize);
    r.cpsr = kCpsrUserArm;
    r.r[0] = reinterpret_cast<u32>(t);
    // pc sp cpsr lr r0
    g_checks.expect_ok(tcb_write_registers(g_ipc, t->tcb, false, 5, r), "TCB.WriteRegisters");
    return t;
}

void start(Thread *t) { g_checks.expect_ok(tcb_resume(t->tcb), "TCB.Resume"); }

// Deletes the thread's TCB cap, the last one: the thread is destroyed wherever it is.
void destroy(Thread *t) {
    g_checks.expect_ok(cnode_delete(abi::kCapInitCNode, t->tcb, 32), "CNode.Delete (TCB)");
    g_in_use[t->index] = false;
}

// Counters shared between threads: volatile, as other threads change them.
void bump(volatile u32 &v) { v = v + 1; }

u32 bit(const Thread *t) { return 1u << t->index; }

// Waits until every thread in `bits` has ended (see thread_start).
void wait_done(u32 bits) {
    while ((g_done_pending & bits) != bits) g_done_pending |= wait(g_done);
    g_done_pending &= ~bits;
}

// ---------------------------------------------------------------- ping-pong
constexpr u32 kPing = 1, kPong = 2, kPingWords = 6, kRoundTrips = 1000;
volatile u32 g_pp_bad, g_pp_served;

u32 pong_word(u32 w, u32 i) { return w * 3 + i; }

void pingpong_server(Thread *t) {
    const u32 ep = t->arg[0];
    Message m(t->ipc);
    RecvResult r = recv(ep, m.regs);
    for (;;) {
        if (r.info.label != kPing || r.info.length != kPingWords) bump(g_pp_bad);
        for (u32 i = 0; i < kPingWords; ++i) m.set(i, pong_word(m.get(i), i));
        bump(g_pp_served);
        r = reply_recv(ep, {kPong, 0, 0, kPingWords}, m.regs);
    }
}

// kRoundTrips Calls to the ping-pong server on `ep`, each answer checked;
// returns how many words or tags were wrong.
u32 ping_pong_calls(u32 ep) {
    u32 bad = 0;
    for (u32 n = 0; n < kRoundTrips; ++n) {
        Message m(g_ipc);
        for (u32 i = 0; i < kPingWords; ++i) m.set(i, n * 16 + i);
        MessageInfo r = call(ep, {kPing, 0, 0, kPingWords}, m.regs);
        if (r.label != kPong || r.length != kPingWords) ++bad;
        for (u32 i = 0; i < kPingWords; ++i)
            if (m.get(i) != pong_word(n * 16 + i, i)) ++bad;
    }
    return bad;
}

void test_ping_pong() {
    const u32 ep = make(abi::ObjectType::Endpoint);
    Thread *server = spawn("pp-server", pingpong_server, 100, ep);
    start(server);  // runs at once and blocks in Recv
    const u64 t0 = counter();
    const u32 bad = ping_pong_calls(ep);
    const u64 us = (counter() - t0) * 1000000 / g_freq;
    printf("threads: ping-pong: %u Call/ReplyRecv round trips of %u words (4 in registers, %u in the IPC "
           "buffer), %u served, %u bad, %llu us in all\n",
           kRoundTrips, kPingWords, kPingWords - 4, g_pp_served, bad + g_pp_bad, us);
    g_checks.check(bad == 0 && g_pp_bad == 0 && g_pp_served == kRoundTrips,
                   "ping-pong Call/ReplyRecv, data checked");
    destroy(server);
}

// ---------------------------------------------------------------- badges
constexpr u32 kBadgeA = 0x11, kBadgeB = 0x22, kCallsEach = 50;
volatile u32 g_badge_count[2], g_badge_bad, g_badge_client_bad;

void badge_server(Thread *t) {
    const u32 ep = t->arg[0], total = t->arg[1];
    MessageRegs mr{};
    RecvResult r = recv(ep, mr);
    for (u32 n = 1;; ++n) {
        const u32 who = r.badge == kBadgeA ? 0 : r.badge == kBadgeB ? 1 : 2;
        if (who == 2 || mr[0] != who + 1) bump(g_badge_bad);
        else bump(g_badge_count[who]);
        mr[0] = r.badge;  // the answer: the badge seen, and MR1 back
        if (n == total) {
            reply({0, 0, 0, 2}, mr);
            return;
        }
        r = reply_recv(ep, {0, 0, 0, 2}, mr);
    }
}

void badge_client(Thread *t) {
    const u32 cap = t->arg[0], id = t->arg[1], badge = t->arg[2];
    for (u32 i = 0; i < kCallsEach; ++i) {
        MessageRegs mr{id, i, 0, 0};
        MessageInfo r = call(cap, {5, 0, 0, 2}, mr);
        if (r.label != 0 || r.length != 2 || mr[0] != badge || mr[1] != i) bump(g_badge_client_bad);
    }
}

void test_badges() {
    const u32 ep = make(abi::ObjectType::Endpoint);
    const u32 rights = abi::kRightWrite | abi::kRightGrantReply;
    const u32 cap_a = mint(ep, rights, kBadgeA), cap_b = mint(ep, rights, kBadgeB);
    set_root_priority(255);  // start all three before any runs
    Thread *server = spawn("badge-server", badge_server, 100, ep, 2 * kCallsEach);
    Thread *a = spawn("client-a", badge_client, 90, cap_a, 1, kBadgeA);
    Thread *b = spawn("client-b", badge_client, 90, cap_b, 2, kBadgeB);
    start(server);
    start(a);
    start(b);
    set_root_priority(kRootPriority);
    wait_done(bit(server) | bit(a) | bit(b));
    printf("threads: badges: server took %u calls with badge %x and %u with badge %x, %u bad, clients saw %u bad "
           "replies\n",
           g_badge_count[0], kBadgeA, g_badge_count[1], kBadgeB, g_badge_bad, g_badge_client_bad);
    g_checks.check(g_badge_count[0] == kCallsEach && g_badge_count[1] == kCallsEach && g_badge_bad == 0 &&
                       g_badge_client_bad == 0,
                   "a server tells two clients apart by badge");
    destroy(server);
    destroy(a);
    destroy(b);
}

// ---------------------------------------------------------------- cap transfer
constexpr u32 kXferBadge = 0x5;
volatile u32 g_xfer_caps[2], g_xfer_reply[2], g_xfer_signalled;

void xfer_server(Thread *t) {
    const u32 ep = t->arg[0], slot = t->arg[1], ntfn_type = t->arg[2];
    t->ipc->receive_cnode = abi::kCapInitCNode;
    t->ipc->receive_index = slot;
    t->ipc->receive_depth = 32;
    for (u32 n = 0; n < 2; ++n) {
        MessageRegs mr{};
        RecvResult r = recv(ep, mr);
        g_xfer_caps[n] = r.info.extra_caps;
        if (r.info.extra_caps == 1 && r.info.caps_unwrapped == 0 && debug_cap_identify(slot) == ntfn_type) {
            signal(slot);  // use the cap received
            g_xfer_signalled = 1;
        }
        mr[0] = r.info.extra_caps;
        reply({0, 0, 0, 1}, mr);
    }
}

void xfer_client(Thread *t) {
    const u32 no_grant = t->arg[0], grant = t->arg[1], cap = t->arg[2];
    const u32 via[2] = {no_grant, grant};
    for (u32 n = 0; n < 2; ++n) {
        Message m(t->ipc);
        m.set(0, n);
        m.set_cap(0, cap);
        call(via[n], {6, 0, 1, 1}, m.regs);
        g_xfer_reply[n] = m.get(0);
    }
}

void test_cap_transfer() {
    const u32 ep = make(abi::ObjectType::Endpoint), ntfn = make(abi::ObjectType::Notification);
    const u32 badged = mint(ntfn, abi::kRightsAll, kXferBadge);
    const u32 no_grant = copy(ep, abi::kRightWrite | abi::kRightGrantReply);
    const u32 grant = copy(ep, abi::kRightWrite | abi::kRightGrant);
    const u32 slot = alloc_slot();
    Thread *server = spawn("xfer-server", xfer_server, 100, ep, slot, debug_cap_identify(ntfn));
    Thread *client = spawn("xfer-client", xfer_client, 90, no_grant, grant, badged);
    start(server);
    start(client);
    wait_done(bit(server) | bit(client));
    const u32 got = poll(ntfn);
    printf("threads: cap transfer: caps received without Grant %u, with Grant %u; slot %u holds cap type %u; the "
           "server's signal through it arrived with badge %x\n",
           g_xfer_caps[0], g_xfer_caps[1], slot, debug_cap_identify(slot), got);
    g_checks.check(g_xfer_caps[0] == 0 && g_xfer_reply[0] == 0 && g_xfer_caps[1] == 1 &&
                       g_xfer_reply[1] == 1 && g_xfer_signalled &&
                       debug_cap_identify(slot) == debug_cap_identify(ntfn) && got == kXferBadge,
                   "cap transfer through a Grant endpoint cap into the receive slot");
    destroy(server);
    destroy(client);
}

// ---------------------------------------------------------------- notifications
volatile u32 g_ntfn_got[2];

void waiter(Thread *t) {
    g_ntfn_got[0] = wait(t->arg[0]);
    g_ntfn_got[1] = wait(t->arg[0]);
}

constexpr u32 kBoundEvents = 3;
volatile u32 g_bound_label[kBoundEvents], g_bound_badge[kBoundEvents], g_bound_mr0[kBoundEvents];

void bound_server(Thread *t) {
    const u32 ep = t->arg[0];
    for (u32 n = 0; n < kBoundEvents; ++n) {
        MessageRegs mr{};
        RecvResult r = recv(ep, mr);
        g_bound_label[n] = r.info.label;
        g_bound_badge[n] = r.badge;
        g_bound_mr0[n] = mr[0];
        if (r.info.label != abi::kNotificationLabel) {
            mr[0] += 1;
            reply({0, 0, 0, 1}, mr);
        }
    }
}

void test_notifications() {
    const u32 n = make(abi::ObjectType::Notification);
    const u32 b1 = mint(n, abi::kRightWrite, 1), b2 = mint(n, abi::kRightWrite, 2);
    const u32 b4 = mint(n, abi::kRightWrite, 4), b8 = mint(n, abi::kRightWrite, 8);
    const u32 p0 = poll(n);
    signal(b1);
    signal(b2);
    const u32 w = wait(n), p1 = poll(n);
    printf("threads: notification: Poll %u, Signal 1 and 2 then Wait %u, Poll %u\n", p0, w, p1);
    g_checks.check(p0 == 0 && w == 3 && p1 == 0,
                   "Signal ORs badges, Wait takes them, Poll finds none pending");

    Thread *t = spawn("waiter", waiter, 100, n);
    start(t);   // blocks in Wait
    signal(b4); // wakes it: it records 4 and waits again
    signal(b8);
    wait_done(bit(t));
    printf("threads: notification: a waiter blocked in Wait got %x, then %x\n", g_ntfn_got[0], g_ntfn_got[1]);
    g_checks.check(g_ntfn_got[0] == 4 && g_ntfn_got[1] == 8, "Signal wakes a thread blocked in Wait");
    destroy(t);

    // Bound notification: signals reach a server blocked in Recv on an endpoint.
    const u32 ep = make(abi::ObjectType::Endpoint), bn = make(abi::ObjectType::Notification);
    const u32 s40 = mint(bn, abi::kRightWrite, 0x40), s80 = mint(bn, abi::kRightWrite, 0x80);
    Thread *s = spawn("bound-server", bound_server, 100, ep);
    g_checks.expect_ok(tcb_bind_notification(g_ipc, s->tcb, bn), "TCB.BindNotification");
    start(s);    // blocks in Recv(ep)
    signal(s40); // ends that Recv: label kNotificationLabel, badge 0x40
    MessageRegs mr{123, 0, 0, 0};
    MessageInfo r = call(ep, {7, 0, 0, 1}, mr);  // an ordinary message in between
    g_checks.expect_ok(tcb_suspend(s->tcb), "TCB.Suspend");
    signal(s80);  // pending while it is suspended: its restarted Recv takes it
    start(s);
    wait_done(bit(s));
    printf("threads: bound notification: server got (label %x, badge %x), (label %u, mr0 %u), (label %x, badge %x); "
           "the call's reply %u\n",
           g_bound_label[0], g_bound_badge[0], g_bound_label[1], g_bound_mr0[1], g_bound_label[2], g_bound_badge[2],
           mr[0]);
    g_checks.check(g_bound_label[0] == abi::kNotificationLabel && g_bound_badge[0] == 0x40 &&
                       g_bound_label[1] == 7 && g_bound_mr0[1] == 123 && r.label == 0 && mr[0] == 124 &&
                       g_bound_label[2] == abi::kNotificationLabel && g_bound_badge[2] == 0x80,
                   "a bound notification wakes a server blocked in Recv");
    destroy(s);
}

// ---------------------------------------------------------------- faults
volatile u32 g_fault_label, g_fault_len, g_fault_pc, g_fault_insn, g_faulter_continued;

void faulter(Thread *) {
    undefined_instruction();
    g_faulter_continued = 1;
}

void fault_handler(Thread *t) {
    MessageRegs mr{};
    RecvResult r = recv(t->arg[0], mr);
    g_fault_label = r.info.label;
    g_fault_len = r.info.length;
    g_fault_pc = mr[0];
    g_fault_insn = mr[3];
    mr[0] += 4;  // continue after the undefined instruction
    reply({0, 0, 0, 1}, mr);
}

void test_fault() {
    const u32 fep = make(abi::ObjectType::Endpoint);
    const u32 fault_cap = copy(fep, abi::kRightWrite | abi::kRightGrantReply);
    Thread *h = spawn("fault-handler", fault_handler, 150, fep);
    Thread *f = spawn("faulter", faulter, 100, 0, 0, 0, 0, fault_cap);
    start(h);
    start(f);
    wait_done(bit(h) | bit(f));
    const u32 expected = reinterpret_cast<u32>(fault_insn);
    printf("threads: fault: handler got label %u (UserException is %u), length %u, pc %08x (the UDF is at %08x), "
           "MR3 %08x; the thread %s\n",
           g_fault_label, static_cast<u32>(abi::FaultLabel::UserException), g_fault_len, g_fault_pc, expected,
           g_fault_insn, g_faulter_continued ? "continued after the reply" : "did not continue");
    g_checks.check(g_fault_label == static_cast<u32>(abi::FaultLabel::UserException) && g_fault_len == 4 &&
                       g_fault_pc == expected && g_fault_insn == expected && g_faulter_continued,
                   "an undefined instruction goes to the fault handler, whose reply continues the thread");
    destroy(h);
    destroy(f);
}

// ---------------------------------------------------------------- preemption
constexpr u32 kSeenEnough = 3, kSpinLimitMs = 5000;
volatile u32 g_spin[2], g_seen[2];
u64 g_spin_start;

// Counts, and counts how often the other spinner ran in between, until both
// have seen the other run kSeenEnough times (about 8 time slices of 50 ms) or
// kSpinLimitMs passed: a generous limit, for a loaded host.
void spinner(Thread *t) {
    const u32 me = t->arg[0], other = 1 - me;
    u32 last = g_spin[other];
    while ((g_seen[0] < kSeenEnough || g_seen[1] < kSeenEnough) && counter() - g_spin_start < ms(kSpinLimitMs)) {
        bump(g_spin[me]);
        const u32 o = g_spin[other];
        if (o != last) {
            bump(g_seen[me]);
            last = o;
        }
    }
}

void test_preemption() {
    set_root_priority(255);
    Thread *a = spawn("spin-a", spinner, 100, 0);
    Thread *b = spawn("spin-b", spinner, 100, 1);
    start(a);
    start(b);
    g_spin_start = counter();
    set_root_priority(kRootPriority);  // both run now; the root waits below them
    wait_done(bit(a) | bit(b));
    const u64 took = (counter() - g_spin_start) * 1000 / g_freq;
    printf("threads: preemption: in %llu ms spinner a counted %u and saw b run %u times, b counted %u and saw a run "
           "%u times\n",
           took, g_spin[0], g_seen[0], g_spin[1], g_seen[1]);
    g_checks.check(g_spin[0] > 0 && g_spin[1] > 0 && g_seen[0] >= kSeenEnough && g_seen[1] >= kSeenEnough,
                   "round robin preempts spinning threads of equal priority");
    destroy(a);
    destroy(b);
}

// ---------------------------------------------------------------- FPU switching
// Two equal-priority spinners each keep their own values in d0, d16 and d31 and
// check them on every round while round robin switches between them: the
// kernel must save one thread's VFP/NEON registers and load the other's. (This
// app is soft-float: the compiler never uses d0-d31 itself.)
volatile u32 g_fpu_rounds[2], g_fpu_bad[2];

void fpu_set(u32 p) {
    asm volatile(".fpu neon-vfpv4\n vmov d0, %0, %1\n vmov d16, %1, %0\n vmov d31, %0, %0" : : "r"(p), "r"(~p));
}

bool fpu_holds(u32 p) {
    u32 a, b, c, d, e, f;
    asm volatile(".fpu neon-vfpv4\n vmov %0, %1, d0\n vmov %2, %3, d16\n vmov %4, %5, d31"
                 : "=r"(a), "=r"(b), "=r"(c), "=r"(d), "=r"(e), "=r"(f));
    return a == p && b == ~p && c == ~p && d == p && e == p && f == p;
}

void fpu_spinner(Thread *t) {
    const u32 me = t->arg[0], other = 1 - me, pattern = 0x5a000000u + me * 0x01010101u;
    fpu_set(pattern);
    u32 last = g_spin[other];
    while ((g_seen[0] < kSeenEnough || g_seen[1] < kSeenEnough) && counter() - g_spin_start < ms(kSpinLimitMs)) {
        bump(g_spin[me]);
        bump(g_fpu_rounds[me]);
        if (!fpu_holds(pattern)) {
            bump(g_fpu_bad[me]);
            fpu_set(pattern);
        }
        const u32 o = g_spin[other];
        if (o != last) {
            bump(g_seen[me]);
            last = o;
        }
    }
}

void test_fpu_switching() {
    for (u32 i = 0; i < 2; ++i) {
        g_spin[i] = 0;
        g_seen[i] = 0;
    }
    set_root_priority(255);
    Thread *a = spawn("fpu-a", fpu_spinner, 100, 0);
    Thread *b = spawn("fpu-b", fpu_spinner, 100, 1);
    start(a);
    start(b);
    g_spin_start = counter();
    set_root_priority(kRootPriority);
    wait_done(bit(a) | bit(b));
    printf("threads: fpu: a checked its d0/d16/d31 %u times (%u wrong) and saw b run %u times; b %u times (%u wrong), "
           "saw a %u times\n",
           g_fpu_rounds[0], g_fpu_bad[0], g_seen[0], g_fpu_rounds[1], g_fpu_bad[1], g_seen[1]);
    g_checks.check(
        g_fpu_bad[0] == 0 && g_fpu_bad[1] == 0 && g_seen[0] >= kSeenEnough && g_seen[1] >= kSeenEnough,
        "VFP/NEON registers are per thread across preemption");
    destroy(a);
    destroy(b);
}

// ---------------------------------------------------------------- priorities
volatile char g_order[8];
volatile u32 g_order_len;

void log_order(char c) {
    if (g_order_len < sizeof(g_order) - 1) g_order[g_order_len] = c;
    g_order_len = g_order_len + 1;
}

void prio_low(Thread *t) {
    log_order('l');
    tcb_resume(t->arg[0]);  // the high one runs before this call returns
    log_order('z');
}
void prio_mid(Thread *) { log_order('m'); }
void prio_high(Thread *) { log_order('h'); }

void test_priorities() {
    set_root_priority(255);
    Thread *h = spawn("prio-high", prio_high, 200);
    Thread *l = spawn("prio-low", prio_low, 100, h->tcb);
    Thread *m = spawn("prio-mid", prio_mid, 150);
    start(l);  // made runnable first,
    start(m);  // but the middle one runs first
    set_root_priority(kRootPriority);
    wait_done(bit(h) | bit(l) | bit(m));
    char order[sizeof(g_order)] = {};
    for (u32 i = 0; i < g_order_len && i + 1 < sizeof(order); ++i) order[i] = g_order[i];
    printf("threads: priorities: order of runs \"%s\" (m = 150, l = 100 resuming h = 200, z = l after that)\n",
           order);
    g_checks.check(
        order[0] == 'm' && order[1] == 'l' && order[2] == 'h' && order[3] == 'z' && g_order_len == 4,
        "the highest-priority runnable thread runs first");
    destroy(h);
    destroy(l);
    destroy(m);
}

// ---------------------------------------------------------------- suspend and resume
volatile u32 g_sr_count;

void counting_spinner(Thread *) {
    for (;;) g_sr_count = g_sr_count + 1;
}

// The root shares its priority with the spinner and yields for `n` ms.
void yield_for(u32 n) {
    const u64 start_time = counter();
    while (counter() - start_time < ms(n)) yield();
}

void test_suspend_resume() {
    Thread *t = spawn("counter", counting_spinner, kRootPriority);
    start(t);
    yield_for(100);
    const u32 c1 = g_sr_count;
    g_checks.expect_ok(tcb_suspend(t->tcb), "TCB.Suspend");
    const u32 c2 = g_sr_count;
    yield_for(100);
    const u32 c3 = g_sr_count;
    start(t);
    yield_for(100);
    const u32 c4 = g_sr_count;
    printf("threads: suspend: counter %u after 100 ms, %u at Suspend, %u 100 ms later, %u 100 ms after Resume\n", c1,
           c2, c3, c4);
    g_checks.check(c1 > 0 && c3 == c2 && c4 > c3, "a suspended thread stops and goes on after Resume");
    destroy(t);  // deleted while runnable
}

// ---------------------------------------------------------------- deletion
volatile u32 g_kill_reached, g_silent_got;
volatile u32 g_orphan_label[2], g_orphan_len[2], g_orphan_mr0[2];

void blocked_receiver(Thread *t) {
    MessageRegs mr{};
    recv(t->arg[0], mr);
    g_kill_reached = 1;  // must never happen: deleted while blocked
}

void echo_once(Thread *t) {
    MessageRegs mr{};
    recv(t->arg[0], mr);
    mr[0] += 1;
    reply({0, 0, 0, 1}, mr);
}

// Receives one call and never replies: waits on a notification nobody signals
// (arg 1), or with arg 1 = 0 receives again.
void silent_server(Thread *t) {
    MessageRegs mr{};
    recv(t->arg[0], mr);
    g_silent_got = mr[0];
    if (t->arg[1]) wait(t->arg[1]);
    else recv(t->arg[0], mr);
}

void orphan_client(Thread *t) {
    const u32 i = t->arg[1];
    MessageRegs mr{77, 0, 0, 0};
    MessageInfo r = call(t->arg[0], {9, 0, 0, 1}, mr);
    g_orphan_label[i] = r.label;
    g_orphan_len[i] = r.length;
    g_orphan_mr0[i] = mr[0];
}

void test_deletion() {
    const u32 ep = make(abi::ObjectType::Endpoint);
    Thread *victim = spawn("victim", blocked_receiver, 100, ep);
    start(victim);  // blocks in Recv
    const u32 slot = victim->tcb;
    destroy(victim);
    Thread *echo = spawn("echo", echo_once, 100, ep);
    start(echo);
    MessageRegs mr{41, 0, 0, 0};
    MessageInfo r = call(ep, {8, 0, 0, 1}, mr);
    wait_done(bit(echo));
    destroy(echo);
    nb_send(ep, {8, 0, 0, 0}, mr);  // no receiver: dropped, returns
    printf("threads: deletion: thread deleted in Recv (slot now cap type %u, went on: %s); the endpoint then "
           "answered %u with %u\n",
           debug_cap_identify(slot), g_kill_reached ? "yes" : "no", 41u, mr[0]);
    g_checks.check(debug_cap_identify(slot) == 0 && !g_kill_reached && r.label == 0 && mr[0] == 42,
                   "a thread deleted while blocked in Recv leaves the endpoint usable");

    // A caller whose server goes away: deleted (i = 0), or receiving again without replying (i = 1).
    const u32 never = make(abi::ObjectType::Notification);
    for (u32 i = 0; i < 2; ++i) {
        const u32 ep2 = make(abi::ObjectType::Endpoint);
        g_silent_got = 0;
        Thread *s = spawn("silent-server", silent_server, 100, ep2, i == 0 ? never : 0);
        Thread *c = spawn("orphan-client", orphan_client, 90, ep2, i);
        start(s);  // blocks in Recv
        start(c);  // calls; the server takes the message and waits elsewhere (or Recv again)
        const u32 got = g_silent_got;
        if (i == 0) destroy(s);
        wait_done(bit(c));
        printf("threads: deletion: caller of a server that %s (it got %u): reply label %u (InvalidCapability is "
               "%u), length %u, MR0 %u\n",
               i == 0 ? "was deleted" : "received again without replying", got, g_orphan_label[i],
               static_cast<u32>(Error::InvalidCapability), g_orphan_len[i],
               g_orphan_mr0[i]);
        g_checks.check(got == 77 && g_orphan_label[i] == static_cast<u32>(Error::InvalidCapability) &&
                           g_orphan_len[i] == 1 && g_orphan_mr0[i] == 0,
                       i == 0
                           ? "a caller whose server is deleted gets InvalidCapability"
                           : "a caller whose server receives again without replying gets InvalidCapability");
        destroy(c);
        if (i == 1) destroy(s);
    }
}

// Picks the smallest RAM Untyped of at least 64 KiB: its first Retype clears it.
// ---------------------------------------------------------------- cores
// TCB.SetAffinity and the kernel on several cores (BootInfo::num_nodes). With
// one core only the refusal is checked; with more, each check says what would
// break it:
//   affinity   SetAffinity to a core the kernel does not run on is refused
//              (RangeError, the range 0..n-1); to core 0 it succeeds;
//   cross-core the ping-pong server on the last core: Call and ReplyRecv cross
//              cores both ways (no fastpath), data checked;
//   parallel   a spinner at priority 200 on core 1 never blocks, yet the root
//              (priority 50, core 0) watches it count: they run at once;
//   wakeups    a waiter on each other core, blocked on its own notification, is
//              woken from core 0 50 times and answers every time (an IPI each);
//   migration  spinners count in NEON register d16 and in memory while the
//              root moves them between cores 120 times: the counts agree at the
//              end (the FPU registers travel with the thread);
//   suspend    a spinner running on another core has stopped when Suspend
//              returns (its count stands still), and runs again after Resume;
//   unmap      a reader on another core reads a page until the root unmaps it:
//              every read before saw the page's value, and the reader faults
//              right after (VmFault at the page, to the root's endpoint).
u32 g_cores;
volatile u32 g_stop, g_par_count;

// A new thread on `core`, configured, not started.
Thread *spawn_on(u32 core, const char *name, void (*fn)(Thread *), u32 priority, u32 a0 = 0, u32 a1 = 0,
                 u32 fault_ep = 0) {
    Thread *t = spawn(name, fn, priority, a0, a1, 0, 0, fault_ep);
    g_checks.expect_ok(tcb_set_affinity(t->tcb, core), "TCB.SetAffinity");
    return t;
}

void wait_until(volatile u32 &v, u32 at_least, u32 limit_ms) {
    const u64 t0 = counter();
    while (v < at_least && counter() - t0 < ms(limit_ms)) {}
}

void spin_ms(u32 n) {
    const u64 t0 = counter();
    while (counter() - t0 < ms(n)) {}
}

void test_affinity_refusal() {
    Thread *t = spawn("affinity", prio_mid, 100);
    const Error beyond = tcb_set_affinity(t->tcb, g_cores);
    const Error home = tcb_set_affinity(t->tcb, 0);
    printf("threads: SetAffinity(%u) with %u core(s): %s; SetAffinity(0): %s\n", g_cores, g_cores,
           error_name(beyond), error_name(home));
    g_checks.check(beyond == Error::RangeError && home == Error::None,
                   "SetAffinity to a core the kernel does not run on is refused");
    destroy(t);
}

void test_cross_core_ping_pong() {
    g_pp_bad = 0;
    g_pp_served = 0;
    const u32 ep = make(abi::ObjectType::Endpoint);
    Thread *server = spawn_on(g_cores - 1, "pp-far", pingpong_server, 100, ep);
    start(server);
    spin_ms(5);  // it reaches its Recv on its own core
    const u32 bad = ping_pong_calls(ep);
    printf("threads: cross-core ping-pong: %u round trips with the server on core %u, %u served, %u bad\n",
           kRoundTrips, g_cores - 1, g_pp_served, bad + g_pp_bad);
    g_checks.check(bad == 0 && g_pp_bad == 0 && g_pp_served == kRoundTrips,
                   "Call/ReplyRecv between cores, data checked");
    destroy(server);
}

void par_spinner(Thread *) {
    while (!g_stop) bump(g_par_count);
}

void test_parallel() {
    g_stop = 0;
    g_par_count = 0;
    Thread *s = spawn_on(1, "par-spin", par_spinner, 200);
    start(s);
    wait_until(g_par_count, 1, 2000);
    const u32 c0 = g_par_count;
    wait_until(g_par_count, c0 + 1000, 2000);  // (the root runs all the while: it could not, were they on one core)
    const u32 c1 = g_par_count;
    g_stop = 1;
    wait_done(bit(s));
    printf("threads: parallel: a priority-200 spinner on core 1 counted %u more while the root watched\n", c1 - c0);
    g_checks.check(c0 > 0 && c1 >= c0 + 1000, "a higher-priority thread on another core runs while the root runs");
    destroy(s);
}

constexpr u32 kWakeRounds = 50;
volatile u32 g_woken[4];

void core_waiter(Thread *t) {
    const u32 in = t->arg[0], back = t->arg[1];
    for (;;) {
        wait(in);
        if (g_stop) return;
        bump(g_woken[t->arg[2]]);
        signal(back);
    }
}

void test_wakeups() {
    g_stop = 0;
    const u32 back = make(abi::ObjectType::Notification);
    Thread *w[4] = {};
    u32 in[4] = {};
    u32 all = 0;
    for (u32 c = 1; c < g_cores; ++c) {
        g_woken[c] = 0;
        in[c] = make(abi::ObjectType::Notification);
        w[c] = spawn(c == 1 ? "wait-1" : c == 2 ? "wait-2" : "wait-3", core_waiter, 100, in[c],
                     mint(back, abi::kRightWrite, 1u << c));
        w[c]->arg[2] = c;
        g_checks.expect_ok(tcb_set_affinity(w[c]->tcb, c), "TCB.SetAffinity");
        start(w[c]);
        all |= 1u << c;
    }
    u32 rounds = 0;
    for (; rounds < kWakeRounds; ++rounds) {
        for (u32 c = 1; c < g_cores; ++c) signal(in[c]);
        u32 got = 0;
        while (got != all) got |= wait(back);
    }
    g_stop = 1;
    u32 bits = 0, woken = 0;
    for (u32 c = 1; c < g_cores; ++c) {
        signal(in[c]);
        bits |= bit(w[c]);
        woken += g_woken[c];
    }
    wait_done(bits);
    printf("threads: wakeups: %u rounds, %u waiters on cores 1..%u woken %u times in all\n", rounds, g_cores - 1,
           g_cores - 1, woken);
    g_checks.check(woken == kWakeRounds * (g_cores - 1), "a Signal from core 0 wakes a waiter on every other core");
    for (u32 c = 1; c < g_cores; ++c) destroy(w[c]);
}

constexpr u32 kMigrations = 120;
volatile u32 g_mig_count[3], g_mig_bad[3];

void migrant(Thread *t) {
    const u32 me = t->arg[0];
    u32 n = 0;
    asm volatile(".fpu neon-vfpv4\n vmov.i64 d16, #0\n vmov d17, %0, %1" : : "r"(1), "r"(0));
    while (!g_stop) {
        asm volatile(".fpu neon-vfpv4\n vadd.i64 d16, d16, d17" ::: "memory");
        ++n;
        g_mig_count[me] = n;
    }
    u32 lo, hi;
    asm volatile(".fpu neon-vfpv4\n vmov %0, %1, d16" : "=r"(lo), "=r"(hi));
    if (lo != n || hi != 0) g_mig_bad[me] = 1;
}

void test_migration() {
    g_stop = 0;
    const u32 far = g_cores - 1;  // cores 1..far take the migrants
    Thread *m[3];
    u32 bits = 0;
    for (u32 i = 0; i < 3; ++i) {
        g_mig_count[i] = 0;
        g_mig_bad[i] = 0;
        m[i] = spawn_on(1 + i % far, i == 0 ? "migrant-a" : i == 1 ? "migrant-b" : "migrant-c", migrant, 40, i);
        start(m[i]);
        bits |= bit(m[i]);
    }
    u32 moved = 0;
    for (u32 k = 0; k < kMigrations; ++k) {
        if (g_checks.expect_ok(tcb_set_affinity(m[k % 3]->tcb, 1 + (k / 3 + k % 3) % far), "TCB.SetAffinity"))
            ++moved;
        spin_ms(1);
    }
    g_stop = 1;
    wait_done(bits);
    printf("threads: migration: %u moves; counts %u, %u, %u; d16 disagreed in %u thread(s)\n", moved,
           g_mig_count[0], g_mig_count[1], g_mig_count[2], g_mig_bad[0] + g_mig_bad[1] + g_mig_bad[2]);
    g_checks.check(moved == kMigrations && g_mig_count[0] && g_mig_count[1] && g_mig_count[2] &&
                       g_mig_bad[0] + g_mig_bad[1] + g_mig_bad[2] == 0,
                   "threads moved between cores under load keep their NEON registers");
    for (Thread *t : m) destroy(t);
}

void test_remote_suspend() {
    g_stop = 0;
    g_par_count = 0;
    Thread *s = spawn_on(g_cores - 1, "far-spin", par_spinner, 100);
    start(s);
    wait_until(g_par_count, 1, 2000);
    g_checks.expect_ok(tcb_suspend(s->tcb), "TCB.Suspend");
    const u32 at_suspend = g_par_count;
    spin_ms(10);
    const u32 later = g_par_count;
    g_checks.expect_ok(tcb_resume(s->tcb), "TCB.Resume");
    wait_until(g_par_count, later + 1, 2000);
    const u32 resumed = g_par_count;
    g_stop = 1;
    wait_done(bit(s));
    printf("threads: remote suspend: count %u at Suspend, %u 10 ms later, %u after Resume\n", at_suspend, later,
           resumed);
    g_checks.check(at_suspend == later && resumed > later,
                   "a thread running on another core has stopped when Suspend returns");
    destroy(s);
}

constexpr u32 kPage = 0x000f'e000, kMagic = 0x5eed'0001;
volatile u32 g_reads, g_bad_reads;

void reader(Thread *) {
    for (;;) {
        if (*reinterpret_cast<volatile u32 *>(kPage) != kMagic) bump(g_bad_reads);
        bump(g_reads);
    }
}

void test_remote_unmap() {
    g_reads = 0;
    g_bad_reads = 0;
    const u32 frame = make(abi::ObjectType::Frame4K);
    const u32 fault_ep = make(abi::ObjectType::Endpoint);
    g_checks.expect_ok(page_map(g_ipc, frame, abi::kCapInitVSpace, kPage, abi::kRightRead | abi::kRightWrite,
                                abi::kVmDefault),
                       "Page.Map");
    *reinterpret_cast<volatile u32 *>(kPage) = kMagic;
    Thread *r = spawn_on(1, "reader", reader, 100, 0, 0, fault_ep);
    start(r);
    wait_until(g_reads, 10000, 2000);
    const u32 before = g_reads;
    g_checks.expect_ok(page_unmap(frame), "Page.Unmap");
    const u32 at_unmap = g_reads;
    MessageRegs mr{};
    RecvResult f{};
    const u64 t0 = counter();
    do f = nb_recv(fault_ep, mr);
    while (f.info.label == 0 && counter() - t0 < ms(2000));
    const u32 after = g_reads;
    printf("threads: remote unmap: %u reads before Unmap (%u wrong), %u during it; then label %u at %08x, "
           "%u reads after\n",
           before, g_bad_reads, at_unmap - before, f.info.label, mr[1], after - at_unmap);
    g_checks.check(before >= 10000 && g_bad_reads == 0 && f.info.label == static_cast<u32>(abi::FaultLabel::VmFault) &&
                       mr[1] == kPage && after <= at_unmap + 1,
                   "a page unmapped while another core reads it faults there at once, never before");
    destroy(r);
}

void test_cores() {
    test_affinity_refusal();
    if (g_cores < 2) return;
    test_cross_core_ping_pong();
    test_parallel();
    test_wakeups();
    test_migration();
    test_remote_suspend();
    test_remote_unmap();
}

bool choose_untyped(const abi::BootInfo *bi) {
    g_untyped = smallest_ram_untyped(bi, 16);
    if (!g_untyped) return false;
    const abi::UntypedDesc &u = untyped_desc(bi, g_untyped);
    printf("threads: objects from Untyped slot %u: %08x, 2^%u bytes\n", g_untyped, u.paddr, u.size_bits);
    return true;
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    g_ipc = root_ipc_buffer(bi);
    g_next_slot = bi->empty.start;
    asm volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(g_freq));  // CNTFRQ
    printf("threads: root task making threads in its own address space (IPC buffer %08x, slots %u-%u free)\n",
           bi->ipc_buffer, bi->empty.start, bi->empty.end - 1);
    if (!choose_untyped(bi)) {
        printf("threads: no RAM Untyped of 64 KiB: FAILED\n");
        return 1;
    }
    g_done = make(abi::ObjectType::Notification);
    for (u32 k = 1; k <= kMaxThreads; ++k) g_done_caps[k] = mint(g_done, abi::kRightWrite, 1u << k);
    set_root_priority(kRootPriority);

    test_ping_pong();
    test_badges();
    test_cap_transfer();
    test_notifications();
    test_fault();
    test_preemption();
    test_fpu_switching();
    test_priorities();
    test_suspend_resume();
    test_deletion();
    g_cores = bi->num_nodes;
    test_cores();

    return g_checks.done();
}
