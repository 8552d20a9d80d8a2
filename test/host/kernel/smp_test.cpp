// SPDX-License-Identifier: BSD-2-Clause
// Several cores on the hosted kernel (four: test/host/meson.build): each core's
// idle thread and queues, TCB.SetAffinity and its refusals, wake-ups, IPC,
// suspension, deletion, priority changes and address-space deletion across
// cores, and the inter-processor interrupts that tell a core to choose again
// (kernel/smp.hpp, kernel/scheduler.hpp). The cores take turns as the kernel
// lock makes them (arch/host/machine.hpp): a test enters the kernel as one
// core (host::OnCore) and delivers another core's pending IPI (take_ipi).
// After every step: the invariant checker (every core's queues) and, for each
// core with no IPI pending, a settled scheduler (check_cores).
#include <cstring>
#include <string>
#include <vector>

#include "arch.hpp"
#include "board.hpp"
#include "harness.hpp"
#include "ipc.hpp"
#include "scheduler.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "tcb.hpp"
#include "timer_access.hpp"

using namespace test;
using namespace petrel;

namespace {

using abi::MessageInfo;
using abi::Syscall;
using host::OnCore;

constexpr u32 kBufVaddr = 0x2000'0000;
constexpr u32 kRootTcb = abi::kCapInitTcb;

// Threads in core `core`'s ready queues, highest priority first.
std::vector<Tcb *> ready_on(u32 core) {
    std::vector<Tcb *> v;
    const CoreState &c = ks_cores[core];
    for (int p = kMaxPriority; p >= 0; --p)
        for (Tcb *t = kptr<Tcb>(c.ready_head[p]); t; t = kptr<Tcb>(t->sched_next)) v.push_back(t);
    return v;
}

bool queued_on(const Tcb *t, u32 core) {
    for (Tcb *q : ready_on(core))
        if (q == t) return true;
    return false;
}

int highest_ready(u32 core) {
    const CoreState &c = ks_cores[core];
    for (int p = kMaxPriority; p >= 0; --p)
        if (c.ready_head[p]) return p;
    return -1;
}

// System calls the fastpath completed, on every core.
u32 fastpath_hits() {
    u32 n = 0;
    for (const CoreState &c : ks_cores) n += c.fastpath_hits;
    return n;
}

bool any_ipi() {
    for (u32 c = 0; c < kCores; ++c)
        if (host::g_ipi.pending[c]) return true;
    return false;
}

// A core with no IPI pending has settled: nothing left to decide, and it runs
// its idle thread only with nothing ready, else a runnable thread of its own
// that no ready one outranks. (A core with an IPI pending chooses again when it
// takes it.)
void check_cores() {
    for (u32 core = 0; core < kCores; ++core) {
        if (host::g_ipi.pending[core]) continue;
        const CoreState &c = ks_cores[core];
        INFO("core " << core << " runs '" << c.current->name << "'");
        CHECK(c.action == SchedulerAction::ResumeCurrent);
        if (c.current == c.idle) {
            CHECK(highest_ready(core) == -1);
        } else {
            CHECK(is_runnable(c.current));
            CHECK(c.current->affinity == core);
            CHECK(highest_ready(core) <= static_cast<int>(c.current->priority));
        }
    }
}

#define REQUIRE_SMP_INVARIANTS() \
    do {                         \
        REQUIRE_INVARIANTS();    \
        check_cores();           \
    } while (0)

MessageInfo tag_of(Tcb *t) { return MessageInfo::from_word(t->context.r[arch::kRegInfo]); }
u32 mr(Tcb *t, u32 i) { return get_mr(t, t->ipc_buffer_ptr(), i); }

void expect_ok(Machine &m, const Reply &r) {
    INFO("error " << static_cast<u32>(r.error) << " MR0 " << r.mr[0] << " console: " << m.take_console());
    REQUIRE(r.ok());
    REQUIRE_SMP_INVARIANTS();
}

struct World {
    Machine m;
    unsigned ut = 0, next = 0;
    World() {
        ut = untyped_at_least(m, 20);
        next = first_free(m);
    }
    unsigned make(ObjectType type, unsigned bits = 0) {
        unsigned s = next++;
        REQUIRE(retype(m, ut, type, bits, s).ok());
        if (type == ObjectType::PageDirectory)
            REQUIRE(m.call(abi::kCapInitAsidPool, Label::AsidPoolAssign, {}, {s}).ok());
        return s;
    }
    Tcb *tcb(unsigned slot) const { return m.at<Tcb>(cap_at(m, slot).object()); }
    // A thread of core `core` in the root task's CSpace, with its own IPC
    // buffer, runnable at `prio` (in that core's queue, whose core is told:
    // an IPI when the core idles). `slot` receives its TCB cap.
    Tcb *thread(const char *name, u32 prio, u32 core = 0, unsigned *slot = nullptr) {
        unsigned ts = make(ObjectType::Tcb), fs = make(ObjectType::Frame4K);
        if (slot) *slot = ts;
        Tcb *t = tcb(ts);
        REQUIRE(t->affinity == 0);  // (a new thread's)
        insert_derived(m.root_slot(kRootCNode), t->slot(kTcbCTable), cap_at(m, kRootCNode));
        insert_derived(m.root_slot(fs), t->slot(kTcbIpcBuffer), cap_at(m, fs));
        t->ipc_buffer = kBufVaddr;
        std::strncpy(t->name, name, sizeof(t->name) - 1);
        t->priority = prio;
        t->affinity = static_cast<u8>(core);
        t->state = ThreadState::Running;
        sched_enqueue(t);
        return t;
    }
    // The root thread (core 0, priority 255) steps aside; returns who runs on core 0.
    Tcb *park_root() {
        REQUIRE(m.core() == 0);
        sched_set_state(m.root.tcb, ThreadState::Inactive);
        schedule();
        return m.activate();
    }
    // A system call by `t`, the running thread of the current core.
    Tcb *sys(Tcb *t, Syscall n, u32 cptr, MessageInfo info = {}, std::initializer_list<u32> mrs = {}) {
        t->context.r[arch::kRegCap] = cptr;
        t->context.r[arch::kRegInfo] = info.word();
        u32 i = 0;
        for (u32 v : mrs) set_mr(t, t->ipc_buffer_ptr(), i++, v);
        return m.enter(t, static_cast<u32>(n));
    }
    // An invocation by `t` (running on the current core) through the real
    // entry; returns who runs next there. Its reply: Machine::reply_of(t).
    Tcb *invoke(Tcb *t, u32 cptr, Label label, std::initializer_list<u32> mrs, std::initializer_list<u32> caps = {}) {
        abi::IpcBuffer *b = t->ipc_buffer_ptr();
        u32 e = 0;
        for (u32 c : caps) b->caps_or_badges[e++] = c;
        return sys(t, Syscall::Call, cptr, {static_cast<u32>(label), 0, e, static_cast<u32>(mrs.size())}, mrs);
    }
};

}  // namespace

TEST_CASE("smp: every core boots with its own idle thread; threads start on core 0", "[smp]") {
    World w;
    REQUIRE(kCores == 4);
    CHECK(w.m.core() == 0);
    CHECK(core_id() == 0);
    CHECK(w.m.running(0) == w.m.root.tcb);
    CHECK(w.m.root.tcb->affinity == 0);
    for (u32 c = 0; c < kCores; ++c) {
        INFO("core " << c);
        Tcb *idle = w.m.idle(c);
        CHECK(idle->state == ThreadState::Idle);
        CHECK(idle->affinity == c);
        CHECK_FALSE(w.m.ipi_pending(c));
        for (u32 d = 0; d < c; ++d) CHECK(w.m.idle(d) != idle);
        if (c > 0) CHECK(w.m.running(c) == idle);
    }
    {
        OnCore as(2);
        CHECK(core_id() == 2);
        CHECK(w.m.idle() == w.m.idle(2));
        CHECK(w.m.running() == w.m.idle(2));
        CHECK(w.m.tick() == w.m.idle(2));  // nothing to run there: it idles on
    }
    CHECK(core_id() == 0);
    CHECK_THROWS_AS(w.m.on_core(kCores), std::out_of_range);
    CHECK_THROWS_AS(w.m.take_ipi(1), std::logic_error);  // none pending

    // A new thread is core 0's: no other core hears of it.
    Tcb *t = w.thread("t", 50);
    CHECK(t->affinity == 0);
    CHECK(queued_on(t, 0));
    CHECK_FALSE(any_ipi());
    CHECK(host::g_ipi.sent == 0);
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: TCB.SetAffinity refuses a core beyond the last and a truncated message, changing nothing",
          "[smp][tcb]") {
    World w;
    unsigned ts;
    Tcb *t = w.thread("t", 50, 0, &ts);
    (void)w.m.take_console();
    const std::vector<u8> before = kernel_state_bytes();
    auto unchanged = [&] {
        CHECK(t->affinity == 0);
        CHECK(queued_on(t, 0));
        CHECK_FALSE(any_ipi());
        CHECK(kernel_state_bytes() == before);
        REQUIRE_SMP_INVARIANTS();
    };
    check_refusal(w.m, w.m.call(ts, Label::TcbSetAffinity, {4}), Error::RangeError, {0, 3},
                  {"petrel: root: TCB.SetAffinity: core: expected 0..3, got 4"});
    unchanged();
    check_refusal(w.m, w.m.call(ts, Label::TcbSetAffinity, {0xffff'ffff}), Error::RangeError, {0, 3},
                  {"TCB.SetAffinity: core: expected 0..3, got 4294967295"});
    unchanged();
    check_refusal(w.m, w.m.call(ts, Label::TcbSetAffinity, {}), Error::TruncatedMessage, {},
                  {"TCB.SetAffinity: truncated message: expected 1 words and 0 extra caps, got 0 words"});
    unchanged();
    // Its own core again: accepted, and nothing moves.
    expect_ok(w.m, w.m.call(ts, Label::TcbSetAffinity, {0}));
    unchanged();
}

TEST_CASE("smp: SetAffinity moves a ready thread to another core's queue, and that core runs it", "[smp]") {
    World w;
    unsigned ts;
    Tcb *t = w.thread("t", 50, 0, &ts);
    REQUIRE(queued_on(t, 0));

    expect_ok(w.m, w.m.call(ts, Label::TcbSetAffinity, {1}));
    CHECK(t->affinity == 1);
    CHECK_FALSE(queued_on(t, 0));
    CHECK(queued_on(t, 1));
    CHECK(w.m.ipi_pending(1));  // core 1 idles: told to choose again
    CHECK_FALSE(w.m.ipi_pending(2));
    CHECK(w.m.running(1) == w.m.idle(1));  // until it takes the IPI
    CHECK(w.m.take_ipi(1) == t);
    CHECK(w.m.running(1) == t);
    CHECK_FALSE(t->in_ready_queue);
    CHECK(w.m.core() == 0);  // (take_ipi enters as core 1, then core 0 again)
    REQUIRE_SMP_INVARIANTS();

    // Running on core 1, moved to core 2 from core 0: core 1 lets go of it at
    // once, and both cores choose again.
    expect_ok(w.m, w.m.call(ts, Label::TcbSetAffinity, {2}));
    CHECK(w.m.running(1) == w.m.idle(1));
    CHECK(queued_on(t, 2));
    CHECK_FALSE(queued_on(t, 1));
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.ipi_pending(2));
    CHECK(w.m.take_ipis() == 2);
    CHECK(w.m.running(1) == w.m.idle(1));
    CHECK(w.m.running(2) == t);
    REQUIRE_SMP_INVARIANTS();

    // An inactive thread just changes core; Resume then queues it there.
    expect_ok(w.m, w.m.call(ts, Label::TcbSuspend, {}));
    CHECK(w.m.take_ipi(2) == w.m.idle(2));
    expect_ok(w.m, w.m.call(ts, Label::TcbSetAffinity, {3}));
    CHECK(t->affinity == 3);
    CHECK_FALSE(any_ipi());
    expect_ok(w.m, w.m.call(ts, Label::TcbResume, {}));
    CHECK(queued_on(t, 3));
    CHECK(w.m.take_ipi(3) == t);
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: a thread that moves itself leaves its core when the call ends, and runs on the new one", "[smp]") {
    World w;
    unsigned ts;
    Tcb *t = w.thread("t", 50, 0, &ts);
    Tcb *u = w.thread("u", 40);
    REQUIRE(w.park_root() == t);
    CHECK(w.invoke(t, ts, Label::TcbSetAffinity, {3}) == u);  // core 0 chose again
    CHECK(Machine::reply_of(t).ok());
    CHECK(t->affinity == 3);
    CHECK(queued_on(t, 3));
    CHECK(w.m.running(0) == u);
    CHECK(w.m.ipi_pending(3));
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(3) == t);
    REQUIRE_SMP_INVARIANTS();

    // Now a thread of core 3: its calls are core 3's entries.
    {
        OnCore as(3);
        CHECK(w.sys(t, Syscall::Yield, 0) == t);
        CHECK(w.invoke(t, ts, Label::TcbSetAffinity, {0}) == w.m.idle(3));
    }
    CHECK(queued_on(t, 0));
    CHECK(w.m.running(0) == u);
    CHECK(w.m.ipi_pending(0));  // t (50) outranks u (40), which core 0 runs: core 0 chooses again
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(0) == t);
    CHECK(queued_on(u, 0));
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: a Send from core 0 wakes a receiver of core 1 there, and core 1 runs it after its IPI", "[smp][ipc]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), nt = w.make(ObjectType::Notification);
    Tcb *r = w.thread("r", 50, 1), *s = w.thread("s", 40, 0);
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(1) == r);
    {
        OnCore as(1);
        CHECK(w.sys(r, Syscall::Recv, ep) == w.m.idle(1));
    }
    CHECK(r->state == ThreadState::BlockedOnRecv);
    CHECK_FALSE(any_ipi());
    REQUIRE(w.park_root() == s);
    REQUIRE_SMP_INVARIANTS();

    CHECK(w.sys(s, Syscall::Send, ep, {7, 0, 0, 2}, {11, 22}) == s);  // s goes on: r is another core's
    CHECK(r->state == ThreadState::Running);
    CHECK(queued_on(r, 1));
    CHECK(w.m.running(1) == w.m.idle(1));
    CHECK(w.m.ipi_pending(1));
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(1) == r);
    CHECK(tag_of(r).label == 7);
    CHECK(tag_of(r).length == 2);
    CHECK(mr(r, 0) == 11);
    CHECK(mr(r, 1) == 22);
    REQUIRE_SMP_INVARIANTS();

    // A thread of core 1 waiting on a notification, signalled from core 0: the same.
    {
        OnCore as(1);
        CHECK(w.sys(r, Syscall::Recv, nt) == w.m.idle(1));
    }
    w.m.on_core(0);
    CHECK(w.sys(s, Syscall::Send, nt) == s);
    CHECK(queued_on(r, 1));
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.take_ipi(1) == r);
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: a Call to a server on another core and its ReplyRecv take the slow path both ways",
          "[smp][ipc][fastpath]") {
    World w;
    const bool fast = !ks_cores[1].slowpath_only;
    unsigned ep = w.make(ObjectType::Endpoint);
    Tcb *server = w.thread("server", 60, 1), *client = w.thread("client", 50, 0);
    Tcb *local = w.thread("local", 40, 1);  // a client on the server's own core
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.park_root() == client);
    {
        OnCore as(1);
        CHECK(w.sys(server, Syscall::Recv, ep) == local);
    }
    REQUIRE_SMP_INVARIANTS();

    u32 hits = fastpath_hits();
    CHECK(w.sys(client, Syscall::Call, ep, {5, 0, 0, 2}, {1, 2}) == w.m.idle(0));
    CHECK(fastpath_hits() == hits);  // the fastpath declined: the server is another core's
    CHECK(client->state == ThreadState::BlockedOnReply);
    CHECK(server->state == ThreadState::Running);
    CHECK(server->slot(kTcbCaller)->cap.type() == CapType::Reply);
    CHECK(queued_on(server, 1));
    CHECK(w.m.ipi_pending(1));  // it outranks core 1's running thread
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(1) == server);
    CHECK(tag_of(server).label == 5);
    CHECK(mr(server, 1) == 2);
    CHECK(queued_on(local, 1));

    {
        OnCore as(1);
        CHECK(w.sys(server, Syscall::ReplyRecv, ep, {6, 0, 0, 1}, {42}) == local);
    }
    CHECK(fastpath_hits() == hits);  // declined again: the caller is another core's
    CHECK(server->state == ThreadState::BlockedOnRecv);
    CHECK(server->slot(kTcbCaller)->cap.is_null());
    CHECK(client->state == ThreadState::Running);
    CHECK(queued_on(client, 0));
    CHECK(w.m.ipi_pending(0));
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(0) == client);
    CHECK(tag_of(client).label == 6);
    CHECK(mr(client, 0) == 42);
    REQUIRE_SMP_INVARIANTS();

    // The same round trip within core 1 takes the fastpath (when it is on),
    // so the counts above mean something.
    {
        OnCore as(1);
        CHECK(w.sys(local, Syscall::Call, ep, {8, 0, 0, 1}, {3}) == server);
        CHECK(w.sys(server, Syscall::ReplyRecv, ep, {9, 0, 0, 0}) == local);
    }
    CHECK(tag_of(local).label == 9);
    CHECK(fastpath_hits() - hits == (fast ? 2u : 0u));
    CHECK_FALSE(any_ipi());
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: suspending a thread that runs on another core stops it there at once", "[smp][tcb]") {
    World w;
    unsigned ts, us;
    Tcb *t = w.thread("t", 50, 1, &ts), *u = w.thread("u", 40, 1, &us);
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(1) == t);
    const u32 pc = t->context.pc;

    expect_ok(w.m, w.m.call(ts, Label::TcbSuspend, {}));
    CHECK(t->state == ThreadState::Inactive);
    CHECK(w.m.running(1) == w.m.idle(1));  // core 1 let go of it before the call went on
    CHECK_FALSE(t->in_ready_queue);
    CHECK(t->context.pc == pc);  // it was in user mode: nothing to rewind
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.take_ipi(1) == u);
    REQUIRE_SMP_INVARIANTS();

    // A thread of core 1 blocked in Recv: stopped with its pc back on the svc,
    // with no IPI (it was not running); resumed, it redoes the call on core 1.
    unsigned ep = w.make(ObjectType::Endpoint);
    {
        OnCore as(1);
        CHECK(w.sys(u, Syscall::Recv, ep) == w.m.idle(1));
    }
    const u32 svc = u->context.pc - 4;
    expect_ok(w.m, w.m.call(us, Label::TcbSuspend, {}));
    CHECK(u->state == ThreadState::Inactive);
    CHECK(u->context.pc == svc);
    CHECK_FALSE(any_ipi());
    expect_ok(w.m, w.m.call(us, Label::TcbResume, {}));
    CHECK(u->state == ThreadState::Restart);
    CHECK(queued_on(u, 1));
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.take_ipi(1) == u);
    CHECK(u->context.pc == svc);
    REQUIRE_SMP_INVARIANTS();

    // t resumed outranks u: core 1 chooses again and runs it.
    expect_ok(w.m, w.m.call(ts, Label::TcbResume, {}));
    CHECK(queued_on(t, 1));
    CHECK(w.m.take_ipi(1) == t);
    CHECK(queued_on(u, 1));
    REQUIRE_SMP_INVARIANTS();

    // ReadRegisters makes core 1 let go of t too (its registers come home):
    // it is queued there again, and runs on after the IPI.
    expect_ok(w.m, w.m.call(ts, Label::TcbReadRegisters, {0, 1}));
    CHECK(w.m.running(1) == w.m.idle(1));
    CHECK(queued_on(t, 1));
    CHECK(w.m.take_ipi(1) == t);
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: deleting a TCB that runs on another core, or is queued there", "[smp][tcb]") {
    World w;
    unsigned ts, us, vs;
    Tcb *t = w.thread("t", 50, 2, &ts), *u = w.thread("u", 40, 2, &us);
    Tcb *v = w.thread("v", 30, 2, &vs);
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(2) == t);

    expect_ok(w.m, remove(w.m, ts));
    CHECK(cap_at(w.m, ts).is_null());
    CHECK(w.m.running(2) == w.m.idle(2));
    CHECK(ready_on(2) == std::vector<Tcb *>{u, v});
    CHECK(w.m.ipi_pending(2));
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(2) == u);
    REQUIRE_SMP_INVARIANTS();

    // v, queued on core 2, is deleted: it leaves the queue; core 2 runs on.
    expect_ok(w.m, remove(w.m, vs));
    CHECK(ready_on(2).empty());
    CHECK(w.m.running(2) == u);
    CHECK_FALSE(any_ipi());
    // And u, the last one: core 2 idles.
    expect_ok(w.m, remove(w.m, us));
    CHECK(w.m.take_ipi(2) == w.m.idle(2));
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: priority changes of a thread of another core", "[smp][sched]") {
    World w;
    unsigned ts, us;
    Tcb *t = w.thread("t", 50, 1, &ts), *u = w.thread("u", 40, 1, &us);
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(1) == t);
    auto set_priority = [&](unsigned slot, u32 prio) {
        expect_ok(w.m, w.m.call(slot, Label::TcbSetPriority, {prio}, {kRootTcb}));
    };

    // The running thread lowered below a ready one of its core: that core chooses again.
    set_priority(ts, 30);
    CHECK(t->priority == 30);
    CHECK(w.m.running(1) == t);  // until the IPI
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.take_ipi(1) == u);
    CHECK(ready_on(1) == std::vector<Tcb *>{t});
    REQUIRE_SMP_INVARIANTS();

    // A ready thread raised above the running one: requeued at its new
    // priority, and its core chooses again.
    set_priority(ts, 60);
    CHECK(ready_on(1) == std::vector<Tcb *>{t});
    CHECK(kptr<Tcb>(ks_cores[1].ready_head[60]) == t);
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.take_ipi(1) == t);
    REQUIRE_SMP_INVARIANTS();

    // A ready thread raised, but still below the running one: no IPI.
    set_priority(us, 45);
    CHECK(kptr<Tcb>(ks_cores[1].ready_head[45]) == u);
    CHECK_FALSE(any_ipi());
    // The running thread raised: it runs on (its core may be asked, and keeps it).
    set_priority(ts, 70);
    w.m.take_ipis();
    CHECK(w.m.running(1) == t);
    // Lowered but still above the ready one: its core is asked, and keeps it.
    set_priority(ts, 55);
    CHECK(w.m.ipi_pending(1));
    CHECK(w.m.take_ipi(1) == t);
    // With nothing ready on its core, lowering it asks nothing.
    expect_ok(w.m, w.m.call(us, Label::TcbSuspend, {}));
    set_priority(ts, 1);
    CHECK_FALSE(any_ipi());
    CHECK(w.m.running(1) == t);
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: round robin and faults on a core of their own", "[smp][sched]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint);
    unsigned handler_slot;
    Tcb *a = w.thread("a", 50, 3), *b = w.thread("b", 50, 3);
    Tcb *handler = w.thread("handler", 60, 0, &handler_slot);
    a->fault_ep = ep;
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(3) == a);
    REQUIRE(w.park_root() == handler);
    CHECK(w.sys(handler, Syscall::Recv, ep) == w.m.idle(0));
    {
        OnCore as(3);
        for (u32 i = 1; i < kTimesliceTicks; ++i) CHECK(w.m.tick() == a);
        CHECK(w.m.tick() == b);  // a's timeslice is over: b, of its priority, goes first
        for (u32 i = 0; i < kTimesliceTicks; ++i) w.m.tick();
        CHECK(w.m.running() == a);
        // a faults: its handler, waiting on core 0, gets the message there.
        CHECK(w.m.fault({FaultKind::VmFault, 0x1234, 0x805, false}) == b);
    }
    CHECK(a->state == ThreadState::BlockedOnReply);
    CHECK(queued_on(handler, 0));
    CHECK(w.m.ipi_pending(0));
    CHECK(w.m.take_ipi(0) == handler);
    CHECK(tag_of(handler).label == static_cast<u32>(FaultKind::VmFault));
    // The handler's reply resumes a on core 3: it outranks nothing there (b
    // runs at its priority), so it is queued and core 3 is not disturbed.
    CHECK(w.sys(handler, Syscall::Reply, 0, {0, 0, 0, 0}) == handler);
    CHECK(a->state == ThreadState::Running);
    CHECK(queued_on(a, 3));
    CHECK_FALSE(any_ipi());
    CHECK(w.m.running(3) == b);
    REQUIRE_SMP_INVARIANTS();
    (void)handler_slot;
}

TEST_CASE("smp: deleting the address space a thread runs in on another core makes that core let go of it",
          "[smp][vspace]") {
    World w;
    unsigned pd = w.make(ObjectType::PageDirectory), ts;
    Tcb *t = w.thread("t", 50, 1, &ts);
    expect_ok(w.m, w.m.call(ts, Label::TcbSetSpace, {0, 0, 0}, {kRootCNode, pd}));
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(1) == t);
    const u32 hw = arch::running_hw_asid(1);
    CHECK(hw != 0);  // core 1 runs t in its address space
    CHECK(arch::running_hw_asid(0) == 0);  // (the root task's calls are not CPU entries: no activation)

    // Its VTable cap goes (it runs on in the space, as on the CPU); then the
    // directory's last cap: its ASID and hardware ASID go, so core 1 lets go.
    expect_ok(w.m, revoke(w.m, pd));
    CHECK(w.m.running(1) == t);
    CHECK_FALSE(any_ipi());
    expect_ok(w.m, remove(w.m, pd));
    CHECK(w.m.running(1) == w.m.idle(1));
    CHECK(queued_on(t, 1));
    CHECK(w.m.ipi_pending(1));
    CHECK(ks.hw_asid_owner[hw] == 0);
    REQUIRE_SMP_INVARIANTS();
    CHECK(w.m.take_ipi(1) == t);
    CHECK(arch::running_hw_asid(1) == 0);  // no address space now
    REQUIRE_SMP_INVARIANTS();
}

TEST_CASE("smp: deleting the virtual timer's last IrqHandler stops another core's granted thread", "[smp][timer]") {
    World w;
    unsigned h = w.next++, ts;
    REQUIRE(w.m.call(abi::kCapIrqControl, Label::IrqIssueIrqHandler, {board::kVirtualTimerIrq, h, 32}, {kRootCNode})
                .ok());
    Tcb *t = w.thread("t", 50, 1, &ts);
    expect_ok(w.m, w.m.call(ts, Label::TcbSetTimerAccess, {1}, {h}));
    CHECK(w.m.take_ipis() == 1);
    REQUIRE(w.m.running(1) == t);
    CHECK(host::g_user_timers[1].access);  // core 1 switched to it: access on
    CHECK_FALSE(host::g_user_timers[0].access);

    expect_ok(w.m, remove(w.m, h));  // every grant is void
    CHECK(w.m.running(1) == w.m.idle(1));
    CHECK_FALSE(host::g_user_timers[1].access);
    CHECK(w.m.take_ipi(1) == t);
    CHECK_FALSE(host::g_user_timers[1].access);
    CHECK_FALSE(timer_access_granted(t));
    REQUIRE_SMP_INVARIANTS();
}

// TCB.SetTimerAccess of a thread running on another core: that core lets go
// of it first (smp_stall), so a revoke takes effect there before the call
// returns and a grant applies when the thread runs again. (Found by this test:
// the access used to change only for a thread of the calling core.)
TEST_CASE("smp: TCB.SetTimerAccess of a thread running on another core applies there", "[smp][timer]") {
    World w;
    unsigned h = w.next++, ts, us;
    REQUIRE(w.m.call(abi::kCapIrqControl, Label::IrqIssueIrqHandler, {board::kVirtualTimerIrq, h, 32}, {kRootCNode})
                .ok());
    Tcb *t = w.thread("t", 50, 1, &ts), *u = w.thread("u", 50, 2, &us);
    expect_ok(w.m, w.m.call(ts, Label::TcbSetTimerAccess, {1}, {h}));
    CHECK(w.m.take_ipis() == 2);
    REQUIRE(w.m.running(1) == t);
    REQUIRE(w.m.running(2) == u);
    REQUIRE(host::g_user_timers[1].access);
    REQUIRE_FALSE(host::g_user_timers[2].access);

    expect_ok(w.m, w.m.call(ts, Label::TcbSetTimerAccess, {0}));  // revoked from core 0
    w.m.take_ipis();
    CHECK(w.m.running(1) == t);
    CHECK_FALSE(host::g_user_timers[1].access);  // fails: t can still program the timer
    CHECK(ks_cores[1].timer_access_cpu == 0);

    expect_ok(w.m, w.m.call(us, Label::TcbSetTimerAccess, {1}, {h}));  // granted from core 0
    w.m.take_ipis();
    CHECK(w.m.running(2) == u);
    CHECK(host::g_user_timers[2].access);  // fails: not until core 2 switches threads
}
