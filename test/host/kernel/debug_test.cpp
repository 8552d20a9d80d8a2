// SPDX-License-Identifier: BSD-2-Clause
// Debug authority: DebugHalt and DebugDumpScheduler need a Debug cap (kernel/debug.hpp),
// which the root task gets at boot and passes on like any cap; and IPC cap
// transfer applies CNode.Copy's derive rule.
#include <cstring>

#include "harness.hpp"
#include "ipc.hpp"
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
constexpr u32 kHalt = static_cast<u32>(Syscall::DebugHalt);
constexpr u32 kDump = static_cast<u32>(Syscall::DebugDumpScheduler);

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
        return s;
    }
    // A runnable thread with its own IPC buffer whose CSpace root is the cap in
    // root slot `cspace` (0: no CSpace at all).
    Tcb *thread(const char *name, u32 prio, unsigned cspace) {
        unsigned ts = make(ObjectType::Tcb), fs = make(ObjectType::Frame4K);
        Tcb *t = m.at<Tcb>(cap_at(m, ts).object());
        if (cspace) insert_derived(m.root_slot(cspace), t->slot(kTcbCTable), cap_at(m, cspace));
        insert_derived(m.root_slot(fs), t->slot(kTcbIpcBuffer), cap_at(m, fs));
        t->ipc_buffer = kBufVaddr;
        std::strncpy(t->name, name, sizeof(t->name) - 1);
        t->priority = prio;
        t->state = ThreadState::Running;
        sched_enqueue(t);
        return t;
    }
    // A CNode of 16 slots and, in the next root slot, a copy of its cap whose
    // guard makes a slot index a 32-bit cap pointer. Returns that copy's slot.
    unsigned cspace() {
        unsigned cn = make(ObjectType::CNode, 4), guarded = next++;
        REQUIRE(mint(m, guarded, cn, abi::kRightsAll, abi::cnode_cap_data(0, 28)).ok());
        return guarded;
    }
};

// A debug call by `t` with r0 = cptr and MR0 = status, made as the CPU would;
// returns what the kernel said and leaves r0 for the caller to read.
Status debug_call(Machine &m, Tcb *t, u32 number, u32 cptr, u32 status = 0) {
    t->context.r[arch::kRegCap] = cptr;
    t->context.r[arch::kRegMr0] = status;
    Tcb *was = here().current;
    struct Restore {  // `t` stays where it was (ready, say), whoever ran runs on, even after a halt
        Tcb *was;
        ~Restore() { set_current_thread(was); }
    } restore{was};
    return m.syscall(t, number);
}

u32 r0(Tcb *t) { return t->context.r[arch::kRegCap]; }

// `t` calls DebugHalt and DebugDumpScheduler on `cptr`: both refused with
// InvalidCapability and one log line naming the call and `got`; nothing halts.
void expect_refused(Machine &m, Tcb *t, u32 cptr, const char *got) {
    (void)m.take_console();
    REQUIRE_NOTHROW(debug_call(m, t, kHalt, cptr, 3) == Status::Ok);
    CHECK(r0(t) == static_cast<u32>(Error::InvalidCapability));
    std::string log = m.take_console();
    CHECK(log.find("DebugHalt: cap: expected a Debug cap, got ") != std::string::npos);
    CHECK(log.find(got) != std::string::npos);
    CHECK(log.find("halted") == std::string::npos);
    CHECK(std::count(log.begin(), log.end(), '\n') == 1);
    REQUIRE(debug_call(m, t, kDump, cptr) == Status::Ok);
    CHECK(r0(t) == static_cast<u32>(Error::InvalidCapability));
    log = m.take_console();
    CHECK(log.find("DebugDumpScheduler: cap: expected a Debug cap, got ") != std::string::npos);
    CHECK(log.find("scheduler: core") == std::string::npos);
}

// `t` halts the system through the Debug cap at `cptr` with status 7.
void expect_halt(Machine &m, Tcb *t, u32 cptr) {
    (void)m.take_console();
    CHECK_THROWS_WITH(debug_call(m, t, kHalt, cptr, 7), "halt(7)");
    CHECK(m.take_console().find("halted the system with status 7") != std::string::npos);
}

}  // namespace

TEST_CASE("debug: the root task gets a Debug cap at boot; BootInfo says the debug calls exist", "[debug]") {
    Machine m;
    CHECK(cap_at(m, abi::kCapDebug).type() == CapType::Debug);
    CHECK(cap_at(m, abi::kCapDebug).object() == 0);
    CHECK(m.root.boot_info->user_image_frames.start >= abi::kNumInitialCaps);
    CHECK(m.root.boot_info->untyped.start >= abi::kNumInitialCaps);
    CHECK((m.root.boot_info->flags & abi::kBootInfoDebugSyscalls) != 0);
    REQUIRE_INVARIANTS();
}

TEST_CASE("debug: DebugHalt and DebugDumpScheduler without a Debug cap are refused, never halt", "[debug]") {
    World w;
    Tcb *root = w.m.root.tcb;
    SECTION("a thread with no caps at all, naming the root's Debug cap pointer") {
        Tcb *t = w.thread("nocaps", 50, 0);
        expect_refused(w.m, t, abi::kCapDebug, "a failed lookup of cptr 0x9");
        expect_refused(w.m, t, 0, "a failed lookup");
    }
    SECTION("a cap of another type") {
        expect_refused(w.m, root, abi::kCapInitTcb, "got TCB (cptr 0x1)");
        expect_refused(w.m, root, abi::kCapIrqControl, "got IrqControl");
    }
    SECTION("an empty slot") { expect_refused(w.m, root, w.next, "got an empty slot"); }
    SECTION("a deleted Debug cap") {
        REQUIRE(remove(w.m, abi::kCapDebug).ok());
        CHECK(cap_at(w.m, abi::kCapDebug).is_null());
        expect_refused(w.m, root, abi::kCapDebug, "got an empty slot (cptr 0x9)");
    }
    SECTION("a thread in the root's CSpace holds the root's Debug cap: it may halt") {
        Tcb *t = w.thread("sharer", 50, kRootCNode);
        expect_halt(w.m, t, abi::kCapDebug);
    }
    CHECK(root->state == ThreadState::Running);
    REQUIRE_INVARIANTS();
}

TEST_CASE("debug: with the Debug cap DebugDumpScheduler prints and DebugHalt halts with MR0", "[debug]") {
    Machine m;
    (void)m.take_console();
    REQUIRE(debug_call(m, m.root.tcb, kDump, abi::kCapDebug) == Status::Ok);
    CHECK(r0(m.root.tcb) == static_cast<u32>(Error::None));
    CHECK(m.take_console().find(" running 'root'") != std::string::npos);
    expect_halt(m, m.root.tcb, abi::kCapDebug);
}

TEST_CASE("debug: the Debug cap is copied, minted, moved, revoked and passed on like any cap", "[debug]") {
    World w;
    Tcb *root = w.m.root.tcb;
    const unsigned a = w.next++, b = w.next++, c = w.next++;
    REQUIRE(copy(w.m, a, abi::kCapDebug).ok());
    REQUIRE(mint(w.m, b, a, abi::kRightsAll, 0).ok());
    CHECK(cap_at(w.m, a).type() == CapType::Debug);
    CHECK(cap_at(w.m, b).type() == CapType::Debug);
    check_refusal(w.m, mint(w.m, c, a, abi::kRightsAll, 5), Error::InvalidArgument, {5},
                  {"CNode.Mint", "expected 0 for a Debug cap"});
    check_refusal(w.m, w.m.call(abi::kCapDebug, Label::CNodeCopy, {}), Error::IllegalOperation, {},
                  {"Debug caps have no methods"});
    REQUIRE_INVARIANTS();

    SECTION("a moved cap works from its new slot, not from the old one") {
        REQUIRE(move(w.m, c, b).ok());
        expect_refused(w.m, root, b, "got an empty slot");
        expect_halt(w.m, root, c);
    }
    SECTION("revoking the root's cap deletes every copy") {
        REQUIRE(revoke(w.m, abi::kCapDebug).ok());
        CHECK(cap_at(w.m, a).is_null());
        CHECK(cap_at(w.m, b).is_null());
        CHECK(cap_at(w.m, abi::kCapDebug).type() == CapType::Debug);
        REQUIRE_INVARIANTS();
        expect_refused(w.m, root, a, "got an empty slot");
        expect_halt(w.m, root, abi::kCapDebug);
    }
    SECTION("a copy in another thread's own CSpace lets it halt; deleting that copy takes it back") {
        const unsigned cs = w.cspace();
        Tcb *t = w.thread("other", 50, cs);
        expect_refused(w.m, t, 3, "got an empty slot (cptr 0x3)");
        REQUIRE(w.m.call(cs, Label::CNodeCopy, {3, 32, abi::kCapDebug, 32, abi::kRightsAll}, {kRootCNode}).ok());
        REQUIRE_INVARIANTS();
        (void)w.m.take_console();
        REQUIRE(debug_call(w.m, t, kDump, 3) == Status::Ok);
        CHECK(r0(t) == static_cast<u32>(Error::None));
        REQUIRE(w.m.call(cs, Label::CNodeDelete, {3, 32}).ok());
        expect_refused(w.m, t, 3, "got an empty slot (cptr 0x3)");
        REQUIRE(w.m.call(cs, Label::CNodeCopy, {4, 32, abi::kCapDebug, 32, abi::kRightsAll}, {kRootCNode}).ok());
        expect_halt(w.m, t, 4);
    }
    SECTION("it travels in IPC with Grant, into the receiver's own CSpace") {
        const unsigned ep = w.make(ObjectType::Endpoint), cs = w.cspace();
        Tcb *server = w.thread("server", 60, cs);
        Tcb *client = w.thread("client", 50, kRootCNode);
        REQUIRE(w.m.call(cs, Label::CNodeCopy, {1, 32, ep, 32, abi::kRightsAll}, {kRootCNode}).ok());
        abi::IpcBuffer *sb = server->ipc_buffer_ptr();
        // The receive slot: slot 5 of its CNode, named through the CNode's own cap (copied into slot 2).
        REQUIRE(w.m.call(cs, Label::CNodeCopy, {2, 32, cs, 32, abi::kRightsAll}, {kRootCNode}).ok());
        sb->receive_cnode = 2;
        sb->receive_index = 5;
        sb->receive_depth = 32;
        sched_set_state(root, ThreadState::Inactive);
        REQUIRE(schedule() == server);
        server->context.r[arch::kRegCap] = 1;
        REQUIRE(w.m.enter(server, static_cast<u32>(Syscall::Recv)) == client);
        client->ipc_buffer_ptr()->caps_or_badges[0] = abi::kCapDebug;
        client->context.r[arch::kRegCap] = ep;
        client->context.r[arch::kRegInfo] = MessageInfo{9, 0, 1, 0}.word();
        REQUIRE(w.m.enter(client, static_cast<u32>(Syscall::Send)) == server);
        CHECK(MessageInfo::from_word(server->context.r[arch::kRegInfo]).extra_caps == 1);
        REQUIRE_INVARIANTS();
        expect_halt(w.m, server, 5);
    }
}
