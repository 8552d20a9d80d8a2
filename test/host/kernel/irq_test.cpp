// SPDX-License-Identifier: BSD-2-Clause
// IRQ Control and IRQ Handler on the hosted kernel: lines handed to drivers,
// interrupts arriving as notification signals, masking until Ack, and every
// refusal. The simulated controller (host::g_irq) shows which lines are masked.
#include "harness.hpp"
#include "board.hpp"
#include "irq_handler.hpp"
#include "notification.hpp"
#include "state.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;
using abi::Syscall;

namespace {

constexpr unsigned kIrqCtl = abi::kCapIrqControl;
constexpr u32 kUart = 33, kRtc = 34, kVtimer = 27;

struct Irqs {
    Machine m;
    unsigned ut = untyped_at_least(m, 20);
    unsigned next = first_free(m);

    unsigned make(ObjectType type) {
        unsigned s = next++;
        REQUIRE(retype(m, ut, type, 0, s).ok());
        return s;
    }
    Reply get(u32 irq, unsigned dest) {
        return m.call(kIrqCtl, Label::IrqIssueIrqHandler, {irq, dest, 32}, {kRootCNode});
    }
    Reply get_trigger(u32 irq, u32 edge, unsigned dest) {
        return m.call(kIrqCtl, Label::IrqIssueIrqHandlerTrigger, {irq, edge, dest, 32}, {kRootCNode});
    }
    Reply set_ntfn(unsigned handler, unsigned ntfn) { return m.call(handler, Label::IrqSetIrqHandler, {}, {ntfn}); }
    Reply ack(unsigned handler) { return m.call(handler, Label::IrqAckIrq, {}); }
    // A handler for `irq` bound to a new notification minted with `badge`.
    void driver(u32 irq, u32 badge, unsigned &handler, unsigned &ntfn) {
        handler = next++;
        REQUIRE(get(irq, handler).ok());
        unsigned n = make(ObjectType::Notification);
        ntfn = next++;
        REQUIRE(mint(m, ntfn, n, abi::kRightsAll, badge).ok());
        REQUIRE(set_ntfn(handler, ntfn).ok());
    }
    u32 word(unsigned ntfn) const { return m.at<Notification>(cap_at(m, ntfn).object())->word; }
    bool masked(u32 line) const { return host::g_irq.masked.test(line); }
};

void ok(Machine &m, const Reply &r) {
    INFO("error " << static_cast<u32>(r.error) << " MR0 " << r.mr[0] << " console: " << m.take_console());
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
}

void refused(Machine &m, const Reply &r, Error code, std::initializer_list<unsigned> details,
             std::initializer_list<const char *> log) {
    check_refusal(m, r, code, details, log);
    REQUIRE_INVARIANTS();
}

}  // namespace

TEST_CASE("irq: a line is handed out once, unmasked, and freed with its last handler cap", "[irq]") {
    Irqs t;
    const unsigned h = t.next++;
    CHECK(t.masked(kUart));
    ok(t.m, t.get(kUart, h));
    CHECK(cap_at(t.m, h).type() == CapType::IrqHandler);
    CHECK(cap_at(t.m, h).irq() == kUart);
    CHECK(ks.irq_state[kUart] == IrqState::Signal);
    CHECK(!t.masked(kUart));

    // Once at a time.
    refused(t.m, t.get(kUart, t.next), Error::RevokeFirst, {}, {"IrqControl.Get", "already handed out"});
    CHECK(cap_at(t.m, t.next).is_null());

    // A copy does not free the line when deleted; the last cap does.
    const unsigned c = t.next++;
    ok(t.m, copy(t.m, c, h));
    ok(t.m, remove(t.m, h));
    CHECK(ks.irq_state[kUart] == IrqState::Signal);
    ok(t.m, remove(t.m, c));
    CHECK(ks.irq_state[kUart] == IrqState::Inactive);
    CHECK(t.masked(kUart));
    ok(t.m, t.get(kUart, t.next++));  // and it is handed out again
}

TEST_CASE("irq: IrqControl refuses bad lines and triggers, changing nothing", "[irq]") {
    Irqs t;
    const unsigned d = t.next;
    refused(t.m, t.get(board::kIrqLines, d), Error::RangeError, {0, board::kIrqLines - 1}, {"IrqControl.Get", "irq"});
    refused(t.m, t.get(0xffff'ffffu, d), Error::RangeError, {0, board::kIrqLines - 1}, {"irq"});
    refused(t.m, t.get(board::kTimerIrqs[0], d), Error::IllegalOperation, {}, {"irq", "the kernel's timer"});
    refused(t.m, t.get(board::kTimerIrqs[1], d), Error::IllegalOperation, {}, {"kernel's timer"});
    refused(t.m, t.get(3, d), Error::InvalidArgument, {0}, {"irq", "can mask"});  // an SGI
    refused(t.m, t.get(kUart, abi::kCapInitTcb), Error::DeleteFirst, {abi::kCapInitTcb}, {"IrqControl.Get", "dest"});
    refused(t.m, t.get_trigger(kRtc, 2, d), Error::InvalidArgument, {1}, {"IrqControl.GetTrigger", "edge"});
    refused(t.m, t.get_trigger(kVtimer, 1, d), Error::IllegalOperation, {}, {"GetTrigger", "cannot set"});
    refused(t.m, t.m.call(kIrqCtl, Label::IrqIssueIrqHandler, {kUart, d}, {kRootCNode}), Error::TruncatedMessage, {},
            {"IrqControl.Get"});
    refused(t.m, t.m.call(kIrqCtl, Label::IrqAckIrq, {}), Error::IllegalOperation, {}, {"not an IrqControl method"});
    CHECK(cap_at(t.m, d).is_null());
    for (u32 line : {kUart, kRtc, kVtimer, 3u}) {
        CHECK(ks.irq_state[line] == IrqState::Inactive);
        CHECK(t.masked(line));
    }
    // A trigger that can be set is set, level or edge.
    ok(t.m, t.get_trigger(kRtc, 1, d));
    CHECK(host::g_irq.edge.test(kRtc));
    ok(t.m, t.get_trigger(40, 0, t.next + 1));
    CHECK(!host::g_irq.edge.test(40));
    // A PPI without a trigger is fine.
    ok(t.m, t.get(kVtimer, t.next + 2));
}

TEST_CASE("irq: an interrupt masks its line and signals the driver's notification until Ack", "[irq]") {
    Irqs t;
    unsigned h, n;
    t.driver(kUart, 0x10, h, n);
    REQUIRE_INVARIANTS();

    // The root task waits on the notification; the interrupt wakes it with the badge.
    Tcb *root = t.m.root.tcb;
    root->context.r[arch::kRegCap] = n;
    Tcb *next = t.m.enter(root, static_cast<u32>(Syscall::Recv));
    CHECK(next == t.m.idle());
    CHECK(root->state == ThreadState::BlockedOnNotification);
    next = t.m.interrupt(kUart);
    CHECK(next == root);
    CHECK(root->context.r[arch::kRegCap] == 0x10);  // the badge
    CHECK(t.masked(kUart));
    REQUIRE_INVARIANTS();

    // Masked until Ack; a second interrupt while nobody waits accumulates in the word.
    ok(t.m, t.ack(h));
    CHECK(!t.masked(kUart));
    t.m.interrupt(kUart);
    CHECK(t.word(n) == 0x10);
    CHECK(t.masked(kUart));
    ok(t.m, t.ack(h));

    // Two drivers on two lines are told apart by their badges.
    unsigned h2, n2;
    t.driver(kRtc, 0x200, h2, n2);
    t.m.interrupt(kRtc);
    CHECK(t.word(n2) == 0x200);
    CHECK(t.masked(kRtc));
    CHECK(!t.masked(kUart));

    // Clear drops the notification: interrupts are then masked unseen, and Ack is refused.
    ok(t.m, t.m.call(h2, Label::IrqClearIrqHandler, {}));
    CHECK(cap_at(t.m, h2).type() == CapType::IrqHandler);
    refused(t.m, t.ack(h2), Error::IllegalOperation, {}, {"IrqHandler.Ack", "SetNotification"});
    CHECK(t.masked(kRtc));
    REQUIRE_INVARIANTS();
}

TEST_CASE("irq: SetNotification checks its cap; the kernel's copy outlives the driver's", "[irq]") {
    Irqs t;
    const unsigned h = t.next++;
    ok(t.m, t.get(kUart, h));
    const unsigned ep = t.make(ObjectType::Endpoint), n0 = t.make(ObjectType::Notification), ntfn = t.next++;
    ok(t.m, mint(t.m, ntfn, n0, abi::kRightsAll, 4));
    refused(t.m, t.set_ntfn(h, ep), Error::InvalidCapability, {1}, {"IrqHandler.SetNotification", "Endpoint"});
    const unsigned ro = t.next++;
    ok(t.m, copy(t.m, ro, ntfn, abi::kRightRead));
    refused(t.m, t.set_ntfn(h, ro), Error::InvalidCapability, {1}, {"Write"});
    refused(t.m, t.m.call(h, Label::IrqSetIrqHandler, {}), Error::TruncatedMessage, {}, {"SetNotification"});
    refused(t.m, t.ack(h), Error::IllegalOperation, {}, {"IrqHandler.Ack"});
    CHECK(irq_slot(kUart)->cap.is_null());

    ok(t.m, t.set_ntfn(h, ntfn));
    CHECK(irq_slot(kUart)->cap.type() == CapType::Notification);
    // The driver deletes its own notification caps: the kernel's copy keeps it alive.
    ok(t.m, remove(t.m, ro));
    ok(t.m, remove(t.m, ntfn));
    ok(t.m, remove(t.m, n0));
    CHECK(irq_slot(kUart)->cap.type() == CapType::Notification);
    ok(t.m, t.ack(h));
    t.m.interrupt(kUart);
    CHECK(t.m.at<Notification>(irq_slot(kUart)->cap.object())->word == 4);
    // Deleting the handler drops that last copy and frees the line.
    ok(t.m, remove(t.m, h));
    CHECK(irq_slot(kUart)->cap.is_null());
    CHECK(ks.irq_state[kUart] == IrqState::Inactive);
}

TEST_CASE("irq: revoking IRQ Control frees every line it handed out", "[irq]") {
    Irqs t;
    unsigned h1, n1, h2, n2;
    t.driver(kUart, 1, h1, n1);
    t.driver(kRtc, 2, h2, n2);
    ok(t.m, revoke(t.m, kIrqCtl));
    CHECK(cap_at(t.m, h1).is_null());
    CHECK(cap_at(t.m, h2).is_null());
    CHECK(ks.irq_state[kUart] == IrqState::Inactive);
    CHECK(ks.irq_state[kRtc] == IrqState::Inactive);
    CHECK(t.masked(kUart));
    CHECK(t.masked(kRtc));
    CHECK(irq_slot(kUart)->cap.is_null());
    ok(t.m, t.get(kUart, h1));
}
