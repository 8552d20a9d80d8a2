// SPDX-License-Identifier: BSD-2-Clause
// TCB.SetTimerAccess and the switch of CNTKCTL.PL0VTEN (kernel/timer_access.hpp):
// a grant needs the virtual timer's IrqHandler, every refusal leaves nothing
// changed, the simulated CPU's access follows the running thread through the
// slow path and the fastpath, and deleting the line's last handler voids grants.
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "board.hpp"
#include "ipc.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "tcb.hpp"
#include "timer_access.hpp"

using namespace test;
using namespace petrel;
using abi::MessageInfo;
using abi::Syscall;

namespace {

constexpr u32 kVtimer = board::kVirtualTimerIrq;
constexpr u32 kOtherLine = 33;  // virt's UART line
constexpr u32 kBufVaddr = 0x2000'0000;
constexpr unsigned kIrqCtl = abi::kCapIrqControl;

bool cpu_access() { return host::g_user_timer.access; }

struct World {
    Machine m;
    unsigned ut = untyped_at_least(m, 20);
    unsigned next = first_free(m);

    unsigned make(ObjectType type) {
        unsigned s = next++;
        REQUIRE(retype(m, ut, type, 0, s).ok());
        return s;
    }
    // An IrqHandler for `line` in a new slot.
    unsigned handler(u32 line) {
        unsigned s = next++;
        Reply r = m.call(kIrqCtl, Label::IrqIssueIrqHandler, {line, s, 32}, {kRootCNode});
        INFO("console: " << m.take_console());
        REQUIRE(r.ok());
        return s;
    }
    Tcb *tcb(unsigned slot) const { return m.at<Tcb>(cap_at(m, slot).object()); }
    // A thread in the root task's CSpace with an IPC buffer, runnable at `prio`;
    // `slot` receives its TCB cap.
    Tcb *thread(const char *name, u32 prio, unsigned *slot = nullptr) {
        unsigned ts = make(ObjectType::Tcb), fs = make(ObjectType::Frame4K);
        if (slot) *slot = ts;
        Tcb *t = tcb(ts);
        insert_derived(m.root_slot(kRootCNode), t->slot(kTcbCTable), cap_at(m, kRootCNode));
        insert_derived(m.root_slot(fs), t->slot(kTcbIpcBuffer), cap_at(m, fs));
        t->ipc_buffer = kBufVaddr;
        std::strncpy(t->name, name, sizeof(t->name) - 1);
        t->priority = prio;
        t->state = ThreadState::Running;
        sched_enqueue(t);
        return t;
    }
    Reply set_access(unsigned t, u32 access, std::initializer_list<u32> caps) {
        return m.call(t, Label::TcbSetTimerAccess, {access}, caps);
    }
    void grant(unsigned t, unsigned handler_slot) {
        Reply r = set_access(t, 1, {handler_slot});
        INFO("error " << static_cast<u32>(r.error) << " console: " << m.take_console());
        REQUIRE(r.ok());
        REQUIRE_INVARIANTS();
    }
    Tcb *park_root() {
        sched_set_state(m.root.tcb, ThreadState::Inactive);
        return schedule();
    }
    Tcb *sys(Tcb *t, Syscall n, u32 cptr, MessageInfo info = {}) {
        t->context.r[arch::kRegCap] = cptr;
        t->context.r[arch::kRegInfo] = info.word();
        return m.enter(t, static_cast<u32>(n));
    }
};

}  // namespace

TEST_CASE("timer access: nobody has it at boot; a grant to the running thread applies at once", "[timer]") {
    World w;
    CHECK_FALSE(cpu_access());
    CHECK_FALSE(timer_access_granted(w.m.root.tcb));
    unsigned h = w.handler(kVtimer);
    w.grant(abi::kCapInitTcb, h);
    CHECK(timer_access_granted(w.m.root.tcb));
    CHECK(cpu_access());
    const u32 writes = host::g_user_timer.writes;
    w.grant(abi::kCapInitTcb, h);  // granted again: nothing to write
    CHECK(host::g_user_timer.writes == writes);
    REQUIRE(w.set_access(abi::kCapInitTcb, 0, {}).ok());  // revoke: no cap needed
    CHECK_FALSE(timer_access_granted(w.m.root.tcb));
    CHECK_FALSE(cpu_access());
    REQUIRE(w.set_access(abi::kCapInitTcb, 0, {}).ok());  // revoking twice is no error
    CHECK_FALSE(cpu_access());
    REQUIRE_INVARIANTS();
}

TEST_CASE("timer access: the CPU's access follows the running thread, slow path and fastpath", "[timer]") {
    World w;
    unsigned ep = w.make(ObjectType::Endpoint), h = w.handler(kVtimer), ts = 0;
    Tcb *timer = w.thread("timer", 60, &ts), *app = w.thread("app", 50), *other = w.thread("other", 50);
    sched_set_state(other, ThreadState::Inactive);  // until the Yield below
    w.grant(ts, h);
    CHECK(timer_access_granted(timer));
    CHECK_FALSE(cpu_access());  // granted, but the root still runs

    REQUIRE(w.park_root() == timer);
    CHECK(cpu_access());
    // The timer service waits; the app, without access, runs: switched off.
    REQUIRE(w.sys(timer, Syscall::Recv, ep) == app);
    CHECK_FALSE(cpu_access());
    // A Call to it (the fastpath unless it is off) switches it back on, ...
    const u32 hits = here().fastpath_hits;
    REQUIRE(w.sys(app, Syscall::Call, ep, {1, 0, 0, 0}) == timer);
    CHECK(here().fastpath_hits == hits + (here().slowpath_only ? 0 : 1));
    CHECK(cpu_access());
    // ... its ReplyRecv to the app off, ...
    REQUIRE(w.sys(timer, Syscall::ReplyRecv, ep, {2, 0, 0, 0}) == app);
    CHECK_FALSE(cpu_access());
    // ... and a slow-path Call (5 words) on again: never sticky either way.
    REQUIRE(w.sys(app, Syscall::Call, ep, {1, 0, 0, 5}) == timer);
    CHECK(cpu_access());
    REQUIRE(w.sys(timer, Syscall::ReplyRecv, ep, {2, 0, 0, 5}) == app);
    CHECK_FALSE(cpu_access());
    // Yield between two threads without access changes nothing.
    other->state = ThreadState::Running;
    sched_enqueue(other);
    const u32 writes = host::g_user_timer.writes;
    REQUIRE(w.sys(app, Syscall::Yield, 0) == other);
    CHECK_FALSE(cpu_access());
    CHECK(host::g_user_timer.writes == writes);
    REQUIRE_INVARIANTS();
}

TEST_CASE("timer access: revoked from a thread that is not running, it is off when that thread runs", "[timer]") {
    World w;
    unsigned h = w.handler(kVtimer), ts = 0;
    Tcb *t = w.thread("t", 60, &ts);
    w.grant(ts, h);
    REQUIRE(w.set_access(ts, 0, {}).ok());
    CHECK(t->timer_access == 0);
    REQUIRE(w.park_root() == t);
    CHECK_FALSE(cpu_access());
}

TEST_CASE("timer access: deleting the line's last IrqHandler voids every grant", "[timer]") {
    World w;
    unsigned h = w.handler(kVtimer), ts = 0, copy_slot = w.next++;
    Tcb *t = w.thread("t", 60, &ts);
    REQUIRE(copy(w.m, copy_slot, h).ok());
    w.grant(ts, h);
    w.grant(abi::kCapInitTcb, copy_slot);  // the root too, through the copy
    CHECK(cpu_access());
    REQUIRE(remove(w.m, h).ok());  // a copy remains: the line is still handed out
    CHECK(timer_access_granted(t));
    CHECK(cpu_access());
    REQUIRE(remove(w.m, copy_slot).ok());  // the last one: the line is free again
    CHECK_FALSE(timer_access_granted(t));
    CHECK_FALSE(timer_access_granted(w.m.root.tcb));
    CHECK_FALSE(cpu_access());  // the running root's at once
    // The next holder of the line gets the timer; the old grant stays void.
    unsigned h2 = w.handler(kVtimer);
    CHECK_FALSE(timer_access_granted(t));
    REQUIRE(w.park_root() == t);
    CHECK_FALSE(cpu_access());
    CHECK(t->timer_access == 0);  // the void grant was forgotten on the switch
    (void)h2;
    REQUIRE_INVARIANTS();
}

TEST_CASE("timer access: SetTimerAccess refusals change nothing", "[timer]") {
    World w;
    unsigned ts = 0;
    Tcb *t = w.thread("t", 60, &ts);
    unsigned other = w.handler(kOtherLine), ep = w.make(ObjectType::Endpoint);
    unsigned vt = w.handler(kVtimer);
    w.m.take_console();
    std::vector<u8> tcb_before(reinterpret_cast<u8 *>(t), reinterpret_cast<u8 *>(t) + sizeof(Tcb));
    const std::vector<u8> ks_before = kernel_state_bytes();
    const host::UserTimer cpu_before = host::g_user_timer;
    auto unchanged = [&] {
        CHECK(std::memcmp(tcb_before.data(), t, sizeof(Tcb)) == 0);
        CHECK(kernel_state_bytes() == ks_before);
        CHECK(host::g_user_timer.access == cpu_before.access);
        CHECK(host::g_user_timer.writes == cpu_before.writes);
        CHECK_FALSE(timer_access_granted(t));
        REQUIRE_INVARIANTS();
    };
    SECTION("no access word") {
        check_refusal(w.m, w.m.call(ts, Label::TcbSetTimerAccess, {}, {vt}), Error::TruncatedMessage, {},
                      {"TCB.SetTimerAccess", "truncated message: expected 1 words and 0 extra caps, got 0 words"});
        unchanged();
    }
    SECTION("a grant without the cap") {
        check_refusal(w.m, w.set_access(ts, 1, {}), Error::TruncatedMessage, {},
                      {"TCB.SetTimerAccess", "expected 1 words and 1 extra caps, got 1 words and 0 extra caps"});
        unchanged();
    }
    SECTION("access neither 0 nor 1") {
        check_refusal(w.m, w.set_access(ts, 2, {vt}), Error::InvalidArgument, {0},
                      {"TCB.SetTimerAccess: access: expected 0 (revoke) or 1 (grant), got 2"});
        unchanged();
    }
    SECTION("a cap of another type") {
        check_refusal(w.m, w.set_access(ts, 1, {ep}), Error::InvalidCapability, {1},
                      {"TCB.SetTimerAccess: irq_handler: expected the virtual timer's IrqHandler cap, got Endpoint"});
        unchanged();
    }
    SECTION("IRQ Control is not the timer's handler") {
        check_refusal(w.m, w.set_access(ts, 1, {kIrqCtl}), Error::InvalidCapability, {1},
                      {"irq_handler: expected the virtual timer's IrqHandler cap, got IrqControl"});
        unchanged();
    }
    SECTION("the IrqHandler of another line") {
        check_refusal(w.m, w.set_access(ts, 1, {other}), Error::InvalidCapability, {1},
                      {"TCB.SetTimerAccess: irq_handler: expected the IrqHandler for line 27 (the virtual timer), "
                       "got one for line 33"});
        unchanged();
    }
    SECTION("an empty slot") {
        check_refusal(w.m, w.set_access(ts, 1, {w.next + 5}), Error::FailedLookup, {1, 2, 0}, {"extra cap"});
        unchanged();
    }
}
