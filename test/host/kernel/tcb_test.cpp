// SPDX-License-Identifier: BSD-2-Clause
// TCB invocations through the system-call path: every method's effects on the
// thread, its slots and the scheduler's queues, and every way each can be
// refused (error code, detail registers, one log line, nothing changed).
#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

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

constexpr u32 kAll = abi::kRightsAll;
constexpr u32 kRootSlots = 1u << 12;
constexpr u32 kRootTcb = abi::kCapInitTcb;
constexpr u32 kRootVSpace = abi::kCapInitVSpace;
constexpr u32 kBuf = 0x2000'0200;  // an IPC buffer address: 512-aligned, offset 0x200 in a 4 KiB frame

// The scheduler's queues agree with the threads: queued threads are runnable,
// at their priority, not running; the bitmap matches the queues.
void check_scheduler() {
    for (u32 p = 0; p < kNumPriorities; ++p) {
        INFO("priority " << p);
        REQUIRE((here().ready_head[p] != 0) == bool(here().ready_bits[p / 32] & (1u << (p % 32))));
        Tcb *prev = nullptr;
        for (Tcb *t = kptr<Tcb>(here().ready_head[p]); t; t = kptr<Tcb>(t->sched_next)) {
            REQUIRE(is_runnable(t));
            REQUIRE(t->priority == p);
            REQUIRE(t != here().current);
            REQUIRE(t->in_ready_queue);
            REQUIRE(kptr<Tcb>(t->sched_prev) == prev);
            prev = t;
        }
        REQUIRE(kptr<Tcb>(here().ready_tail[p]) == prev);
    }
}

#define REQUIRE_ALL_INVARIANTS() \
    do {                         \
        REQUIRE_INVARIANTS();    \
        check_scheduler();       \
    } while (0)

// Threads queued at priority p, in order.
std::vector<Tcb *> queue_at(u32 p) {
    std::vector<Tcb *> q;
    for (Tcb *t = kptr<Tcb>(here().ready_head[p]); t; t = kptr<Tcb>(t->sched_next)) q.push_back(t);
    return q;
}

// A Call with any number of message registers, as the root thread (never preempted).
Reply callv(Machine &m, u32 cptr, Label l, const std::vector<u32> &mrs, const std::vector<u32> &caps = {}) {
    REQUIRE(call_once(m, cptr, l, mrs, caps) == Status::Ok);
    return read_reply(m);
}

// What a refused invocation must leave alone: the root CNode, the given
// objects (TCBs: all but the root thread's registers, which carry the reply),
// and the scheduler's state.
struct Snapshot {
    std::vector<Slot> slots;
    std::vector<std::vector<u8>> objects;
    std::vector<u8> sched;
    Snapshot(const Machine &m, std::initializer_list<std::pair<const void *, usize>> objs)
        : slots(m.root.cnode, m.root.cnode + kRootSlots) {
        for (auto [p, size] : objs) {
            const u8 *b = static_cast<const u8 *>(p);
            std::vector<u8> v(b, b + size);
            if (p == m.root.tcb) std::fill_n(v.begin() + offsetof(Tcb, context), sizeof(arch::UserContext), 0);
            objects.push_back(v);
        }
        sched = kernel_state_bytes();
    }
    bool operator==(const Snapshot &o) const {
        return std::memcmp(slots.data(), o.slots.data(), slots.size() * sizeof(Slot)) == 0 &&
               objects == o.objects && sched == o.sched;
    }
};

void expect_refused(Machine &m, const Snapshot &before, const Snapshot &after, const Reply &r, Error code,
                    std::initializer_list<u32> details, std::initializer_list<const char *> log) {
    std::string con = check_refusal(m, r, code, details, log);
    CHECK(con.rfind("petrel: root: ", 0) == 0);
    CHECK(after == before);
    REQUIRE_ALL_INVARIANTS();
}

void expect_ok(Machine &m, const Reply &r) {
    INFO("error " << static_cast<u32>(r.error) << " MR0 " << r.mr[0] << " MR1 " << r.mr[1]
                  << " console: " << m.take_console());
    REQUIRE(r.ok());
    REQUIRE_ALL_INVARIANTS();
}

struct Fix {
    Machine m;
    unsigned ut;
    unsigned next;
    Fix() : ut(untyped_at_least(m, 20)), next(first_free(m)) {}
    // A new object in the next free slot; a PageDirectory also gets an ASID
    // from the initial pool, as a VSpace root needs one.
    unsigned make(ObjectType type, unsigned bits = 0) {
        unsigned s = next++;
        expect_ok(m, retype(m, ut, type, bits, s));
        if (type == ObjectType::PageDirectory)
            expect_ok(m, m.call(abi::kCapInitAsidPool, Label::AsidPoolAssign, {}, {s}));
        return s;
    }
    unsigned free_slot() { return next++; }
    const Cap &at(unsigned i) const { return cap_at(m, i); }
    Tcb *tcb(unsigned slot) const { return m.at<Tcb>(at(slot).object()); }
    Tcb *root() const { return m.root.tcb; }
    Notification *ntfn(unsigned slot) const { return m.at<Notification>(at(slot).object()); }

    // Snapshot of the root CNode, these TCBs (by slot) and notifications.
    Snapshot snap(std::initializer_list<unsigned> tcbs, std::initializer_list<unsigned> ntfns = {}) const {
        std::vector<std::pair<const void *, usize>> v;
        for (unsigned s : tcbs) v.push_back({tcb(s), sizeof(Tcb)});
        for (unsigned s : ntfns) v.push_back({ntfn(s), sizeof(Notification)});
        v.push_back({root(), sizeof(Tcb)});
        switch (v.size()) {  // Snapshot takes an initializer list
        case 1: return Snapshot(m, {v[0]});
        case 2: return Snapshot(m, {v[0], v[1]});
        case 3: return Snapshot(m, {v[0], v[1], v[2]});
        case 4: return Snapshot(m, {v[0], v[1], v[2], v[3]});
        default: return Snapshot(m, {v[0], v[1], v[2], v[3], v[4]});
        }
    }
    void refused(const Snapshot &before, const Reply &r, Error code, std::initializer_list<u32> details,
                 std::initializer_list<const char *> log, std::initializer_list<unsigned> tcbs,
                 std::initializer_list<unsigned> ntfns = {}) {
        expect_refused(m, before, snap(tcbs, ntfns), r, code, details, log);
    }

    // Thread-cap invocations with the root thread as caller.
    Reply set_priority(unsigned t, unsigned auth, u32 prio) {
        return m.call(t, Label::TcbSetPriority, {prio}, {auth});
    }
    Reply set_mcp(unsigned t, unsigned auth, u32 mcp) { return m.call(t, Label::TcbSetMCPriority, {mcp}, {auth}); }
    Reply resume(unsigned t) { return m.call(t, Label::TcbResume, {}); }
    Reply suspend(unsigned t) { return m.call(t, Label::TcbSuspend, {}); }
    Reply configure(unsigned t, u32 fault_ep, unsigned cspace, u32 cdata, unsigned vspace, u32 vdata, u32 buffer,
                    unsigned frame) {
        return m.call(t, Label::TcbConfigure, {fault_ep, cdata, vdata, buffer}, {cspace, vspace, frame});
    }
    Reply bind(unsigned t, unsigned n) { return m.call(t, Label::TcbBindNotification, {}, {n}); }
};

// The slot of a boot device Untyped (for a device frame).
unsigned device_untyped(const Machine &m) {
    const abi::BootInfo *bi = m.root.boot_info;
    for (unsigned i = 0; i < bi->untyped_count; ++i)
        if (bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= 12) return bi->untyped.start + i;
    FAIL("no device Untyped");
    return 0;
}

// Distinct values for all 17 registers, in the documented order (pc, sp, cpsr, lr, r0..r12).
std::vector<u32> sample_registers() {
    std::vector<u32> v;
    for (u32 i = 0; i < arch::kUserRegisters; ++i) v.push_back(0x1000 + i * 0x11);
    v[2] = 0x6000'0010;  // cpsr: user mode, Z and C set
    return v;
}

void load_registers(Tcb *t, const std::vector<u32> &v) {
    auto &c = t->context;
    c.pc = v[0];
    c.sp = v[1];
    c.cpsr = v[2];
    c.lr = v[3];
    for (u32 i = 0; i < 13; ++i) c.r[i] = v[4 + i];
}

}  // namespace

// ============================================================== ReadRegisters

TEST_CASE("tcb: ReadRegisters replies with the registers in the documented order", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    std::vector<u32> regs = sample_registers();
    load_registers(f.tcb(ts), regs);

    Reply r = f.m.call(ts, Label::TcbReadRegisters, {0, arch::kUserRegisters});
    expect_ok(f.m, r);
    REQUIRE(r.length == arch::kUserRegisters);
    for (u32 i = 0; i < arch::kUserRegisters; ++i) {
        INFO("register " << i);
        CHECK(r.mr[i] == regs[i]);
    }
    r = f.m.call(ts, Label::TcbReadRegisters, {0, 3});
    expect_ok(f.m, r);
    CHECK(r.length == 3);
    CHECK(r.mr[2] == regs[2]);
    CHECK(f.tcb(ts)->state == ThreadState::Inactive);  // no flag: the thread is left as it was
}

TEST_CASE("tcb: ReadRegisters with suspend_source stops the thread first", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts);
    expect_ok(f.m, f.resume(ts));
    REQUIRE(sched_queued(t));
    Reply r = f.m.call(ts, Label::TcbReadRegisters, {1, 1});
    expect_ok(f.m, r);
    CHECK(r.mr[0] == t->context.pc);
    CHECK(t->state == ThreadState::Inactive);
    CHECK_FALSE(sched_queued(t));
    CHECK(sched_highest_ready() == -1);
}

TEST_CASE("tcb: ReadRegisters refusals", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    f.m.take_console();
    Snapshot before = f.snap({ts});
    SECTION("truncated") {
        f.refused(before, f.m.call(ts, Label::TcbReadRegisters, {0}), Error::TruncatedMessage, {},
                  {"TCB.ReadRegisters", "truncated message: expected 2 words"}, {ts});
    }
    SECTION("unknown flag bits (ARM has no arch flags)") {
        f.refused(before, f.m.call(ts, Label::TcbReadRegisters, {2, 1}), Error::InvalidArgument, {0},
                  {"flags: expected bit 0 (suspend_source) only, got 0x2"}, {ts});
        f.refused(before, f.m.call(ts, Label::TcbReadRegisters, {0x101, 1}), Error::InvalidArgument, {0},
                  {"got 0x101"}, {ts});
    }
    SECTION("count out of range") {
        f.refused(before, f.m.call(ts, Label::TcbReadRegisters, {0, 0}), Error::RangeError, {1, 17},
                  {"count: expected 1..17, got 0"}, {ts});
        f.refused(before, f.m.call(ts, Label::TcbReadRegisters, {0, 18}), Error::RangeError, {1, 17},
                  {"count: expected 1..17, got 18"}, {ts});
    }
    SECTION("the calling thread itself") {
        f.refused(before, f.m.call(kRootTcb, Label::TcbReadRegisters, {1, 4}), Error::IllegalOperation, {},
                  {"a thread cannot read its own registers"}, {ts});
        CHECK(f.root()->state == ThreadState::Running);
    }
}

// ============================================================== WriteRegisters

TEST_CASE("tcb: WriteRegisters writes the registers in order, and may resume the thread", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts);
    std::vector<u32> regs = sample_registers();

    SECTION("all of them") {
        std::vector<u32> mrs = {0, arch::kUserRegisters};
        mrs.insert(mrs.end(), regs.begin(), regs.end());
        expect_ok(f.m, callv(f.m, ts, Label::TcbWriteRegisters, mrs));
        CHECK(t->context.pc == regs[0]);
        CHECK(t->context.sp == regs[1]);
        CHECK(t->context.cpsr == regs[2]);
        CHECK(t->context.lr == regs[3]);
        for (u32 i = 0; i < 13; ++i) CHECK(t->context.r[i] == regs[4 + i]);
        CHECK(t->state == ThreadState::Inactive);
        CHECK_FALSE(sched_queued(t));
    }
    SECTION("the first count only") {
        t->context.lr = 0xabc;
        expect_ok(f.m, f.m.call(ts, Label::TcbWriteRegisters, {0, 2, 0x8000, 0x9000}));
        CHECK(t->context.pc == 0x8000);
        CHECK(t->context.sp == 0x9000);
        CHECK(t->context.cpsr == arch::kCpsrUser);
        CHECK(t->context.lr == 0xabc);
    }
    SECTION("cpsr: user mode always, only the user flags kept") {
        expect_ok(f.m, f.m.call(ts, Label::TcbWriteRegisters, {0, 3, 0x8000, 0x9000, 0xffff'ffff}));
        CHECK(t->context.cpsr == (arch::kCpsrUserWritable | arch::kCpsrUser));
        CHECK(t->context.cpsr == 0xf80f'0230u);
        // System mode with IRQs and FIQs masked becomes plain user mode.
        expect_ok(f.m, f.m.call(ts, Label::TcbWriteRegisters, {0, 3, 0x8000, 0x9000, 0x1df}));
        CHECK(t->context.cpsr == arch::kCpsrUser);
        // Thumb and big-endian data survive.
        expect_ok(f.m, f.m.call(ts, Label::TcbWriteRegisters, {0, 3, 0x8000, 0x9000, 0x8000'0230}));
        CHECK(t->context.cpsr == 0x8000'0230u);
    }
    SECTION("resume_target") {
        expect_ok(f.m, f.m.call(ts, Label::TcbWriteRegisters, {1, 2, 0x8000, 0x9000}));
        CHECK(t->context.pc == 0x8000);
        CHECK(t->state == ThreadState::Restart);
        CHECK(sched_queued(t));
        CHECK(queue_at(0) == std::vector<Tcb *>{t});
    }
}

TEST_CASE("tcb: WriteRegisters refusals", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    f.m.take_console();
    Snapshot before = f.snap({ts});
    SECTION("truncated: no count") {
        f.refused(before, f.m.call(ts, Label::TcbWriteRegisters, {0}), Error::TruncatedMessage, {},
                  {"TCB.WriteRegisters", "expected 2 words"}, {ts});
    }
    SECTION("truncated: fewer values than count") {
        f.refused(before, f.m.call(ts, Label::TcbWriteRegisters, {0, 5, 1, 2, 3}), Error::TruncatedMessage, {},
                  {"expected 7 words", "got 5 words"}, {ts});
    }
    SECTION("unknown flag bits") {
        f.refused(before, f.m.call(ts, Label::TcbWriteRegisters, {2, 1, 0}), Error::InvalidArgument, {0},
                  {"flags: expected bit 0 (resume_target) only, got 0x2"}, {ts});
    }
    SECTION("count out of range") {
        f.refused(before, f.m.call(ts, Label::TcbWriteRegisters, {0, 0}), Error::RangeError, {1, 17},
                  {"count: expected 1..17, got 0"}, {ts});
        std::vector<u32> mrs(2 + 18, 0);
        mrs[1] = 18;
        f.refused(before, callv(f.m, ts, Label::TcbWriteRegisters, mrs), Error::RangeError, {1, 17},
                  {"count: expected 1..17, got 18"}, {ts});
    }
    SECTION("the calling thread itself") {
        f.refused(before, f.m.call(kRootTcb, Label::TcbWriteRegisters, {0, 1, 0x8000}), Error::IllegalOperation, {},
                  {"a thread cannot write its own registers"}, {ts});
    }
}

// ============================================================== CopyRegisters

TEST_CASE("tcb: CopyRegisters copies the frame and the integer registers separately", "[tcb]") {
    Fix f;
    unsigned ds = f.make(ObjectType::Tcb), ss = f.make(ObjectType::Tcb);
    Tcb *dest = f.tcb(ds), *src = f.tcb(ss);
    std::vector<u32> regs = sample_registers();
    load_registers(src, regs);
    std::vector<u32> old(arch::kUserRegisters, 0x5555);
    old[2] = arch::kCpsrUser;
    load_registers(dest, old);
    auto reg = [&](u32 i) { return tcb_get_register(dest, i); };

    SECTION("frame: pc, sp, cpsr, lr") {
        expect_ok(f.m, f.m.call(ds, Label::TcbCopyRegisters, {4}, {ss}));
        for (u32 i = 0; i < arch::kUserRegisters; ++i) {
            INFO("register " << i);
            CHECK(reg(i) == (i < arch::kFrameRegisters ? regs[i] : old[i]));
        }
    }
    SECTION("integer: r0-r12") {
        expect_ok(f.m, f.m.call(ds, Label::TcbCopyRegisters, {8}, {ss}));
        for (u32 i = 0; i < arch::kUserRegisters; ++i) {
            INFO("register " << i);
            CHECK(reg(i) == (i < arch::kFrameRegisters ? old[i] : regs[i]));
        }
    }
    SECTION("both, with the cpsr sanitised") {
        src->context.cpsr = 0xfeff'fe30u;  // a user-mode status (USR; A, I, F, J clear), every other bit set
        expect_ok(f.m, f.m.call(ds, Label::TcbCopyRegisters, {12}, {ss}));
        CHECK(dest->context.pc == regs[0]);
        CHECK(dest->context.r[12] == regs[16]);
        CHECK(dest->context.cpsr == 0xf80f'0230u);
    }
    SECTION("suspend_source and resume_target") {
        expect_ok(f.m, f.resume(ss));
        REQUIRE(sched_queued(src));
        expect_ok(f.m, f.m.call(ds, Label::TcbCopyRegisters, {1 | 2}, {ss}));
        CHECK(src->state == ThreadState::Inactive);
        CHECK_FALSE(sched_queued(src));
        CHECK(dest->state == ThreadState::Restart);
        CHECK(queue_at(0) == std::vector<Tcb *>{dest});
        CHECK(dest->context.pc == old[0]);  // no transfer flags: no registers
    }
}

TEST_CASE("tcb: CopyRegisters refusals", "[tcb]") {
    Fix f;
    unsigned ds = f.make(ObjectType::Tcb), ss = f.make(ObjectType::Tcb);
    f.m.take_console();
    Snapshot before = f.snap({ds, ss});
    SECTION("truncated") {
        f.refused(before, f.m.call(ds, Label::TcbCopyRegisters, {4}), Error::TruncatedMessage, {},
                  {"TCB.CopyRegisters", "expected 1 words and 1 extra caps"}, {ds, ss});
        f.refused(before, f.m.call(ds, Label::TcbCopyRegisters, {}, {ss}), Error::TruncatedMessage, {}, {}, {ds, ss});
    }
    SECTION("unknown flag bits") {
        f.refused(before, f.m.call(ds, Label::TcbCopyRegisters, {0x10}, {ss}), Error::InvalidArgument, {0},
                  {"flags: expected bits 0-3", "got 0x10"}, {ds, ss});
    }
    SECTION("source is not a TCB") {
        f.refused(before, f.m.call(ds, Label::TcbCopyRegisters, {4}, {kRootCNode}), Error::InvalidCapability, {1},
                  {"source: expected a TCB cap, got CNode"}, {ds, ss});
    }
}

// ============================================================== Configure, SetSpace, SetIPCBuffer

TEST_CASE("tcb: Configure gives the thread its own copies of its CSpace, VSpace and IPC buffer caps", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), fs = f.make(ObjectType::Frame4K);
    Tcb *t = f.tcb(ts);
    unsigned caps = count_caps();

    expect_ok(f.m, f.configure(ts, 0x42, kRootCNode, 0, kRootVSpace, 0, kBuf, fs));
    CHECK(t->fault_ep == 0x42);
    CHECK(t->slots[kTcbCTable].cap == f.at(kRootCNode));
    CHECK(t->slots[kTcbVTable].cap == f.at(kRootVSpace));
    CHECK(t->slots[kTcbIpcBuffer].cap == f.at(fs));
    CHECK(t->ipc_buffer == kBuf);
    CHECK(reinterpret_cast<u8 *>(t->ipc_buffer_ptr()) == f.m.at<u8>(f.at(fs).object()) + 0x200);
    CHECK(count_caps() == caps + 3);
    CHECK(t->state == ThreadState::Inactive);  // configuring does not start it

    SECTION("configuring again replaces the copies") {
        unsigned cn = f.make(ObjectType::CNode, 4), pd = f.make(ObjectType::PageDirectory);
        unsigned f2 = f.make(ObjectType::Frame64K);
        caps = count_caps();
        expect_ok(f.m, f.configure(ts, 7, cn, abi::cnode_cap_data(5, 3), pd, 0, 0x1'0400, f2));
        CHECK(t->fault_ep == 7);
        const Cap &c = t->slots[kTcbCTable].cap;
        CHECK(c.type() == CapType::CNode);
        CHECK(c.object() == f.at(cn).object());
        CHECK(c.cnode_radix() == 4);
        CHECK(c.cnode_guard_size() == 3);
        CHECK(c.cnode_guard() == 5);
        CHECK(f.at(cn).cnode_guard_size() == 0);  // the source keeps its guard
        CHECK(t->slots[kTcbVTable].cap == f.at(pd));
        CHECK(t->slots[kTcbIpcBuffer].cap == f.at(f2));
        CHECK(t->ipc_buffer_ptr() == f.m.at<abi::IpcBuffer>(f.at(f2).object() + 0x400));
        CHECK(count_caps() == caps);  // three copies went, three came
    }
    SECTION("buffer 0: no IPC buffer, and the frame cap is not looked at") {
        expect_ok(f.m, f.configure(ts, 0, kRootCNode, 0, kRootVSpace, 0, 0, kRootCNode));
        CHECK(t->slots[kTcbIpcBuffer].cap.is_null());
        CHECK(t->ipc_buffer == 0);
        CHECK(t->ipc_buffer_ptr() == nullptr);
        CHECK(count_caps() == caps + 2);
    }
    SECTION("SetSpace changes the fault endpoint, CSpace and VSpace only") {
        unsigned cn = f.make(ObjectType::CNode, 2);
        expect_ok(f.m, f.m.call(ts, Label::TcbSetSpace, {9, 0, 0}, {cn, kRootVSpace}));
        CHECK(t->fault_ep == 9);
        CHECK(t->slots[kTcbCTable].cap == f.at(cn));
        CHECK(t->slots[kTcbVTable].cap == f.at(kRootVSpace));
        CHECK(t->slots[kTcbIpcBuffer].cap == f.at(fs));
        CHECK(t->ipc_buffer == kBuf);
    }
    SECTION("SetIPCBuffer changes the buffer only") {
        unsigned f2 = f.make(ObjectType::Frame4K);
        expect_ok(f.m, f.m.call(ts, Label::TcbSetIpcBuffer, {0x3000'0e00}, {f2}));
        CHECK(t->slots[kTcbIpcBuffer].cap == f.at(f2));
        CHECK(t->ipc_buffer == 0x3000'0e00u);
        CHECK(t->fault_ep == 0x42);
        CHECK(t->slots[kTcbCTable].cap == f.at(kRootCNode));
        expect_ok(f.m, f.m.call(ts, Label::TcbSetIpcBuffer, {0}, {f2}));
        CHECK(t->slots[kTcbIpcBuffer].cap.is_null());
        CHECK(t->ipc_buffer == 0);
    }
    SECTION("the thread's copies keep objects alive after the user's caps go") {
        expect_ok(f.m, remove(f.m, fs));
        CHECK(t->slots[kTcbIpcBuffer].cap.is_frame());
        CHECK(t->ipc_buffer_ptr() != nullptr);
    }
    SECTION("deleting the TCB deletes its copies") {
        expect_ok(f.m, remove(f.m, ts));
        CHECK(count_caps() == caps - 1);
    }
}

TEST_CASE("tcb: Configure, SetSpace and SetIPCBuffer refusals", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), fs = f.make(ObjectType::Frame4K), ep = f.make(ObjectType::Endpoint);
    unsigned ro = f.free_slot();
    expect_ok(f.m, copy(f.m, ro, fs, abi::kRightRead));
    unsigned dev = f.free_slot();
    expect_ok(f.m, retype(f.m, device_untyped(f.m), ObjectType::Frame4K, 0, dev));
    f.m.take_console();
    Snapshot before = f.snap({ts});
    auto refused = [&](const Reply &r, Error code, std::initializer_list<u32> details,
                       std::initializer_list<const char *> log) { f.refused(before, r, code, details, log, {ts}); };

    SECTION("truncated") {
        refused(f.m.call(ts, Label::TcbConfigure, {0, 0, 0}, {kRootCNode, kRootVSpace, fs}), Error::TruncatedMessage,
                {}, {"TCB.Configure", "expected 4 words and 3 extra caps"});
        refused(f.m.call(ts, Label::TcbConfigure, {0, 0, 0, kBuf}, {kRootCNode, kRootVSpace}),
                Error::TruncatedMessage, {}, {});
        refused(f.m.call(ts, Label::TcbSetSpace, {0, 0}, {kRootCNode, kRootVSpace}), Error::TruncatedMessage, {},
                {"TCB.SetSpace", "expected 3 words and 2 extra caps"});
        refused(f.m.call(ts, Label::TcbSetIpcBuffer, {kBuf}), Error::TruncatedMessage, {},
                {"TCB.SetIPCBuffer", "expected 1 words and 1 extra caps"});
    }
    SECTION("cspace_root: not a CNode cap") {
        refused(f.configure(ts, 0, ep, 0, kRootVSpace, 0, kBuf, fs), Error::InvalidCapability, {1},
                {"cspace_root: expected a CNode cap, got Endpoint"});
        refused(f.m.call(ts, Label::TcbSetSpace, {0, 0, 0}, {kRootTcb, kRootVSpace}), Error::InvalidCapability, {1},
                {"cspace_root: expected a CNode cap, got TCB"});
    }
    SECTION("cspace_root_data: a guard that does not fit") {
        refused(f.configure(ts, 0, kRootCNode, abi::cnode_cap_data(0, 21), kRootVSpace, 0, kBuf, fs),
                Error::InvalidArgument, {1},
                {"cspace_root_data: guard size: expected at most 20 (32 - radix 12), got 21"});
        refused(f.configure(ts, 0, kRootCNode, abi::cnode_cap_data(8, 3), kRootVSpace, 0, kBuf, fs),
                Error::InvalidArgument, {1}, {"cspace_root_data: guard: expected a value of 3 bits", "got 0x8"});
        refused(f.configure(ts, 0, kRootCNode, abi::cnode_cap_data(1u << 18, 20), kRootVSpace, 0, kBuf, fs),
                Error::InvalidArgument, {1}, {"got 0x40000"});
        refused(f.m.call(ts, Label::TcbSetSpace, {0, abi::cnode_cap_data(0, 21), 0}, {kRootCNode, kRootVSpace}),
                Error::InvalidArgument, {1}, {"cspace_root_data"});
    }
    SECTION("vspace_root: not a PageDirectory cap, or with data") {
        refused(f.configure(ts, 0, kRootCNode, 0, fs, 0, kBuf, fs), Error::InvalidCapability, {2},
                {"vspace_root: expected a PageDirectory cap, got Frame4K"});
        refused(f.configure(ts, 0, kRootCNode, 0, kRootVSpace, 1, kBuf, fs), Error::InvalidArgument, {2},
                {"vspace_root_data: expected 0 for a PageDirectory cap, got 0x1"});
        refused(f.m.call(ts, Label::TcbSetSpace, {0, 0, 0}, {kRootCNode, ep}), Error::InvalidCapability, {2},
                {"vspace_root"});
    }
    SECTION("buffer_frame: not a frame, a device frame, or without write") {
        refused(f.configure(ts, 0, kRootCNode, 0, kRootVSpace, 0, kBuf, ep), Error::InvalidCapability, {3},
                {"buffer_frame: expected a Frame cap, got Endpoint"});
        refused(f.configure(ts, 0, kRootCNode, 0, kRootVSpace, 0, kBuf, dev), Error::InvalidCapability, {3},
                {"buffer_frame: expected a RAM frame, got a device frame"});
        refused(f.configure(ts, 0, kRootCNode, 0, kRootVSpace, 0, kBuf, ro), Error::InvalidCapability, {3},
                {"buffer_frame: expected read and write rights (0x3), got rights 0x1"});
        refused(f.m.call(ts, Label::TcbSetIpcBuffer, {kBuf}, {kRootCNode}), Error::InvalidCapability, {1},
                {"TCB.SetIPCBuffer: buffer_frame: expected a Frame cap, got CNode"});
        refused(f.m.call(ts, Label::TcbSetIpcBuffer, {kBuf}, {ro}), Error::InvalidCapability, {1}, {"rights"});
    }
    SECTION("buffer: not 512-aligned") {
        refused(f.configure(ts, 0, kRootCNode, 0, kRootVSpace, 0, kBuf + 4, fs), Error::AlignmentError, {},
                {"buffer: expected a multiple of 512, got 0x20000204"});
        refused(f.m.call(ts, Label::TcbSetIpcBuffer, {0x100}, {fs}), Error::AlignmentError, {},
                {"TCB.SetIPCBuffer: buffer: expected a multiple of 512, got 0x100"});
    }
}

TEST_CASE("tcb: replacing the thread's last cap to its CNode destroys the CNode, preemptibly", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), cn = f.make(ObjectType::CNode, 4);
    Tcb *t = f.tcb(ts);
    // 16 endpoints in the CNode, then the thread's copy becomes the only cap to it.
    expect_ok(f.m, f.m.call(f.ut, Label::UntypedRetype, {static_cast<u32>(ObjectType::Endpoint), 0, cn, 32, 0, 16},
                            {kRootCNode}));
    expect_ok(f.m, f.m.call(ts, Label::TcbSetSpace, {0, 0, 0}, {cn, kRootVSpace}));
    expect_ok(f.m, remove(f.m, cn));
    unsigned caps = count_caps();

    unsigned irq_every = GENERATE(0u, 1u, 3u);
    INFO("an interrupt every " << irq_every << " preemption points");
    Reply r = call_checked(f.m, ts, Label::TcbSetSpace, {0x77, 0, 0}, {kRootCNode, kRootVSpace}, irq_every,
                           [&] { REQUIRE_ALL_INVARIANTS(); });
    expect_ok(f.m, r);
    if (irq_every) CHECK(r.restarts > 0);
    CHECK(t->slots[kTcbCTable].cap == f.at(kRootCNode));
    CHECK(t->slots[kTcbVTable].cap == f.at(kRootVSpace));
    CHECK(t->fault_ep == 0x77);
    CHECK(count_caps() == caps - 16);  // the CNode's copy and its 16 endpoints went; the new copy came
}

TEST_CASE("tcb: a cap whose source the deletion destroys is not copied", "[tcb]") {
    // The thread configures itself with caps that live in its own CSpace, whose
    // last cap is the thread's copy: deleting that copy first destroys the
    // sources, so the thread ends with no CSpace and no VSpace (seL4's rule).
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), fs = f.make(ObjectType::Frame4K);
    unsigned xs = f.make(ObjectType::CNode, 4), ys = f.make(ObjectType::CNode, 4);
    Tcb *t = f.tcb(ts);
    expect_ok(f.m, f.m.call(xs, Label::CNodeCopy, {1, 4, ts, 32, kAll}, {kRootCNode}));   // X[1]: the thread
    expect_ok(f.m, f.m.call(xs, Label::CNodeCopy, {2, 4, ys, 32, kAll}, {kRootCNode}));   // X[2]: a CNode
    unsigned pd = f.make(ObjectType::PageDirectory);
    expect_ok(f.m, f.m.call(xs, Label::CNodeCopy, {3, 4, pd, 32, kAll}, {kRootCNode}));   // X[3]: a PD
    expect_ok(f.m, f.configure(ts, 0, xs, abi::cnode_cap_data(0, 28), kRootVSpace, 0, 0x2000'0000, fs));
    expect_ok(f.m, remove(f.m, xs));
    REQUIRE(t->slots[kTcbCTable].cap.type() == CapType::CNode);

    Reply r = f.m.call(t, 1, static_cast<u32>(Label::TcbSetSpace), {0, 0, 0}, {2, 3});
    set_current_thread(f.root());
    CHECK(r.ok());
    CHECK(t->slots[kTcbCTable].cap.is_null());
    CHECK(t->slots[kTcbVTable].cap.is_null());
    CHECK(t->slots[kTcbIpcBuffer].cap == f.at(fs));
    CHECK(f.at(ys).type() == CapType::CNode);  // Y itself lives on: only X's copy went
    CHECK(f.at(ts).type() == CapType::Thread);
    REQUIRE_ALL_INVARIANTS();
}

// ============================================================== priorities

TEST_CASE("tcb: SetPriority, SetMCPriority and SetSchedParams within the authority's mcp", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), as = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts), *a = f.tcb(as);
    expect_ok(f.m, f.set_mcp(as, kRootTcb, 100));
    CHECK(a->mcp == 100);
    CHECK(a->priority == 0);

    expect_ok(f.m, f.set_priority(ts, as, 100));
    CHECK(t->priority == 100);
    CHECK(t->mcp == 0);
    expect_ok(f.m, f.set_priority(ts, kRootTcb, 255));
    CHECK(t->priority == 255);
    expect_ok(f.m, f.set_mcp(ts, as, 100));
    CHECK(t->mcp == 100);
    expect_ok(f.m, f.m.call(ts, Label::TcbSetSchedParams, {40, 60}, {as}));
    CHECK(t->mcp == 40);
    CHECK(t->priority == 60);
    // A thread may lower its own priority and mcp (its authority is itself).
    expect_ok(f.m, f.set_priority(as, as, 7));
    CHECK(a->priority == 7);
    expect_ok(f.m, f.set_mcp(as, as, 50));
    CHECK(a->mcp == 50);
}

TEST_CASE("tcb: priority refusals; nothing rises above the authority's mcp", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), as = f.make(ObjectType::Tcb);
    expect_ok(f.m, f.set_mcp(as, kRootTcb, 100));
    expect_ok(f.m, f.set_priority(as, kRootTcb, 90));
    f.m.take_console();
    Snapshot before = f.snap({ts, as});
    auto refused = [&](const Reply &r, Error code, std::initializer_list<u32> details,
                       std::initializer_list<const char *> log) { f.refused(before, r, code, details, log, {ts, as}); };

    SECTION("truncated") {
        refused(f.m.call(ts, Label::TcbSetPriority, {1}), Error::TruncatedMessage, {},
                {"TCB.SetPriority", "expected 1 words and 1 extra caps"});
        refused(f.m.call(ts, Label::TcbSetMCPriority, {}, {as}), Error::TruncatedMessage, {}, {"TCB.SetMCPriority"});
        refused(f.m.call(ts, Label::TcbSetSchedParams, {1}, {as}), Error::TruncatedMessage, {},
                {"TCB.SetSchedParams", "expected 2 words"});
    }
    SECTION("authority: not a TCB") {
        refused(f.set_priority(ts, kRootCNode, 1), Error::InvalidCapability, {1},
                {"authority: expected a TCB cap, got CNode"});
        refused(f.set_mcp(ts, kRootVSpace, 1), Error::InvalidCapability, {1}, {"got PageDirectory"});
        refused(f.m.call(ts, Label::TcbSetSchedParams, {1, 1}, {kRootCNode}), Error::InvalidCapability, {1}, {});
    }
    SECTION("above the authority's mcp") {
        refused(f.set_priority(ts, as, 101), Error::RangeError, {0, 100},
                {"priority (at most the authority's mcp): expected 0..100, got 101"});
        refused(f.set_mcp(ts, as, 101), Error::RangeError, {0, 100},
                {"mcp (at most the authority's mcp): expected 0..100, got 101"});
        refused(f.m.call(ts, Label::TcbSetSchedParams, {101, 50}, {as}), Error::RangeError, {0, 100}, {"mcp"});
        refused(f.m.call(ts, Label::TcbSetSchedParams, {50, 101}, {as}), Error::RangeError, {0, 100},
                {"priority (at most the authority's mcp): expected 0..100, got 101"});
    }
    SECTION("a thread cannot raise itself above its own mcp") {
        refused(f.set_mcp(as, as, 200), Error::RangeError, {0, 100}, {"got 200"});
        refused(f.set_priority(as, as, 101), Error::RangeError, {0, 100}, {"got 101"});
    }
    SECTION("priorities end at 255") {
        refused(f.set_priority(ts, kRootTcb, 256), Error::RangeError, {0, 255}, {"expected 0..255, got 256"});
        refused(f.set_mcp(ts, kRootTcb, 0xffff'ffff), Error::RangeError, {0, 255}, {"got 4294967295"});
    }
    SECTION("a TCB with mcp 0 (a new one) allows priority 0 only") {
        unsigned zs = f.make(ObjectType::Tcb);
        f.m.take_console();
        Snapshot b2 = f.snap({ts, as});
        f.refused(b2, f.set_priority(ts, zs, 1), Error::RangeError, {0, 0}, {"expected 0..0, got 1"}, {ts, as});
        expect_ok(f.m, f.set_priority(ts, zs, 0));
    }
}

TEST_CASE("tcb: a new priority moves a ready thread between queues; the current thread gives way", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), us = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts), *u = f.tcb(us);
    expect_ok(f.m, f.resume(ts));
    expect_ok(f.m, f.resume(us));
    CHECK(queue_at(0) == std::vector<Tcb *>{t, u});
    expect_ok(f.m, f.set_priority(ts, kRootTcb, 50));
    CHECK(queue_at(0) == std::vector<Tcb *>{u});
    CHECK(queue_at(50) == std::vector<Tcb *>{t});
    CHECK(sched_highest_ready() == 50);
    CHECK(here().action == SchedulerAction::ResumeCurrent);  // the root thread (255) still outranks it

    // The running thread lowers itself below a ready one: the scheduler chooses anew.
    expect_ok(f.m, f.set_priority(kRootTcb, kRootTcb, 10));
    CHECK(f.root()->priority == 10);
    CHECK(here().action == SchedulerAction::ChooseNew);
    CHECK_FALSE(sched_queued(f.root()));
}

// ============================================================== Suspend, Resume

TEST_CASE("tcb: Resume starts a stopped thread, Suspend stops it; both are idempotent", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts);
    t->context.pc = 0x8000;
    REQUIRE(t->state == ThreadState::Inactive);

    expect_ok(f.m, f.resume(ts));
    CHECK(t->state == ThreadState::Restart);
    CHECK(queue_at(0) == std::vector<Tcb *>{t});
    CHECK(t->context.pc == 0x8000);  // it starts where its registers say
    expect_ok(f.m, f.resume(ts));   // already runnable: nothing happens
    CHECK(t->state == ThreadState::Restart);
    CHECK(queue_at(0) == std::vector<Tcb *>{t});

    expect_ok(f.m, f.suspend(ts));
    CHECK(t->state == ThreadState::Inactive);
    CHECK_FALSE(sched_queued(t));
    CHECK(sched_highest_ready() == -1);
    expect_ok(f.m, f.suspend(ts));
    CHECK(t->state == ThreadState::Inactive);
    CHECK(t->context.pc == 0x8000);
}

TEST_CASE("tcb: Resume of a thread that outranks the current one switches to it", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts);
    expect_ok(f.m, f.set_priority(ts, kRootTcb, 200));
    expect_ok(f.m, f.set_priority(kRootTcb, kRootTcb, 100));
    REQUIRE(here().action == SchedulerAction::ResumeCurrent);
    expect_ok(f.m, f.resume(ts));
    CHECK(here().action == SchedulerAction::SwitchTo);
    CHECK(here().switch_to == t);
    CHECK_FALSE(sched_queued(t));  // a direct switch does not queue it
    // Suspending the thread about to run cancels the switch.
    expect_ok(f.m, f.suspend(ts));
    CHECK(here().switch_to == nullptr);
    CHECK(here().action == SchedulerAction::ChooseNew);
}

TEST_CASE("tcb: Suspend cancels a blocking call, which the thread redoes when resumed", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), ns = f.make(ObjectType::Notification);
    Tcb *t = f.tcb(ts);
    Notification *n = f.ntfn(ns);
    t->context.pc = 0x8004;  // after its svc
    expect_ok(f.m, f.resume(ts));
    receive_signal(t, f.at(ns), true);  // it waits on the notification
    REQUIRE(t->state == ThreadState::BlockedOnNotification);
    REQUIRE(n->head_and_state != 0);

    expect_ok(f.m, f.suspend(ts));
    CHECK(t->state == ThreadState::Inactive);
    CHECK(n->head_and_state == 0);  // no waiters, idle
    CHECK(t->blocked_on == 0);
    CHECK(t->context.pc == 0x8000);  // back on its svc
    expect_ok(f.m, f.resume(ts));
    CHECK(t->state == ThreadState::Restart);
    CHECK(t->context.pc == 0x8000);
    CHECK(queue_at(0) == std::vector<Tcb *>{t});
}

TEST_CASE("tcb: Resume restarts a thread waiting for a reply (seL4)", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    Tcb *t = f.tcb(ts);
    t->context.pc = 0x8004;
    t->state = ThreadState::BlockedOnReply;  // its Call went to a server that has not answered
    expect_ok(f.m, f.resume(ts));
    CHECK(t->state == ThreadState::Restart);
    CHECK(t->context.pc == 0x8000);  // it redoes the Call
    CHECK(sched_queued(t));
}

TEST_CASE("tcb: a thread may suspend itself", "[tcb]") {
    Fix f;
    Reply r = f.suspend(kRootTcb);
    CHECK(r.ok());
    CHECK(f.root()->state == ThreadState::Inactive);
    CHECK(here().action == SchedulerAction::ChooseNew);
    REQUIRE_INVARIANTS();
}

// ============================================================== notifications

TEST_CASE("tcb: BindNotification and UnbindNotification", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), ns = f.make(ObjectType::Notification);
    Tcb *t = f.tcb(ts);
    Notification *n = f.ntfn(ns);
    unsigned ro = f.free_slot();
    expect_ok(f.m, copy(f.m, ro, ns, abi::kRightRead));  // Read is all binding needs
    expect_ok(f.m, f.bind(ts, ro));
    CHECK(t->bound_ntfn == f.at(ns).object());
    CHECK(n->bound_tcb == f.at(ts).object());
    expect_ok(f.m, f.m.call(ts, Label::TcbUnbindNotification, {}));
    CHECK(t->bound_ntfn == 0);
    CHECK(n->bound_tcb == 0);
    expect_ok(f.m, f.bind(ts, ns));  // and again
    CHECK(t->bound_ntfn == f.at(ns).object());
}

TEST_CASE("tcb: BindNotification and UnbindNotification refusals", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb), us = f.make(ObjectType::Tcb);
    unsigned ns = f.make(ObjectType::Notification), n2 = f.make(ObjectType::Notification);
    unsigned ep = f.make(ObjectType::Endpoint), wo = f.free_slot();
    expect_ok(f.m, copy(f.m, wo, ns, abi::kRightWrite | abi::kRightGrant));
    f.m.take_console();
    auto refused = [&](const Reply &r, Error code, std::initializer_list<u32> details,
                       std::initializer_list<const char *> log, const Snapshot &before) {
        f.refused(before, r, code, details, log, {ts, us}, {ns, n2});
    };
    SECTION("truncated") {
        Snapshot b = f.snap({ts, us}, {ns, n2});
        refused(f.m.call(ts, Label::TcbBindNotification, {}), Error::TruncatedMessage, {},
                {"TCB.BindNotification", "expected 0 words and 1 extra caps"}, b);
    }
    SECTION("not a Notification cap, or without Read") {
        Snapshot b = f.snap({ts, us}, {ns, n2});
        refused(f.bind(ts, ep), Error::InvalidCapability, {1},
                {"notification: expected a Notification cap, got Endpoint"}, b);
        refused(f.bind(ts, wo), Error::InvalidCapability, {1},
                {"notification: expected the read right (0x1), got rights 0x6"}, b);
    }
    SECTION("the thread is bound already") {
        expect_ok(f.m, f.bind(ts, ns));
        Snapshot b = f.snap({ts, us}, {ns, n2});
        refused(f.bind(ts, n2), Error::IllegalOperation, {}, {"expected a thread without a bound notification"}, b);
        refused(f.bind(ts, ns), Error::IllegalOperation, {}, {"without a bound notification"}, b);
    }
    SECTION("the notification is bound to another thread") {
        expect_ok(f.m, f.bind(us, ns));
        Snapshot b = f.snap({ts, us}, {ns, n2});
        refused(f.bind(ts, ns), Error::IllegalOperation, {}, {"notification: expected one bound to no thread"}, b);
    }
    SECTION("threads wait on the notification") {
        expect_ok(f.m, f.resume(us));
        receive_signal(f.tcb(us), f.at(ns), true);
        REQUIRE(f.tcb(us)->state == ThreadState::BlockedOnNotification);
        Snapshot b = f.snap({ts, us}, {ns, n2});
        refused(f.bind(ts, ns), Error::IllegalOperation, {}, {"notification: expected one with no waiting threads"}, b);
    }
    SECTION("unbinding a thread with nothing bound") {
        Snapshot b = f.snap({ts, us}, {ns, n2});
        refused(f.m.call(ts, Label::TcbUnbindNotification, {}), Error::IllegalOperation, {},
                {"TCB.UnbindNotification: expected a thread with a bound notification, got one without"}, b);
    }
}

// ============================================================== labels, names

TEST_CASE("tcb: a label that is no TCB method is refused", "[tcb]") {
    Fix f;
    unsigned ts = f.make(ObjectType::Tcb);
    f.m.take_console();
    Snapshot before = f.snap({ts});
    f.refused(before, f.m.call(ts, Label::UntypedRetype, {0, 0, 0, 0, 0, 0}, {kRootCNode}), Error::IllegalOperation, {},
              {"TCB: label: expected a TCB method (2..14, 44 or 45), got 1"}, {ts});
    f.refused(before, f.m.call(ts, Label::CNodeDelete, {5, 32}), Error::IllegalOperation, {}, {"got 16"}, {ts});
}

TEST_CASE("tcb: tcb_set_name keeps 15 characters and always terminates", "[tcb]") {
    Fix f;
    Tcb *t = f.tcb(f.make(ObjectType::Tcb));
    tcb_set_name(t, "a-rather-long-thread-name");
    CHECK(std::string(t->name) == "a-rather-long-t");
    tcb_set_name(t, "srv");
    CHECK(std::string(t->name) == "srv");
    CHECK(t->name[4] == '\0');
    CHECK(t->name[15] == '\0');
    tcb_set_name(t, "");
    CHECK(t->name[0] == '\0');
}
