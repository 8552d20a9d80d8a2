// SPDX-License-Identifier: BSD-2-Clause
// CNode invocations through the system-call path: every method's effects, and
// every way each can be refused (error code, detail registers, one log line,
// and nothing changed).
#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "harness.hpp"
#include "endpoint.hpp"
#include "slot.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;

namespace {

constexpr u32 kAll = abi::kRightsAll;
constexpr u32 kRootSlots = 1u << 12;
constexpr u32 kMaxBadge = (1u << 28) - 1;

u32 lf(abi::LookupFailure f) { return static_cast<u32>(f); }

// Machine::call takes initializer lists; this spells out the lengths the tests use.
Reply call_v(Machine &m, u32 cptr, Label l, const std::vector<u32> &mr, const std::vector<u32> &caps) {
    auto c = [&](std::initializer_list<u32> mrs) {
        switch (caps.size()) {
        case 0: return m.call(cptr, l, mrs);
        case 1: return m.call(cptr, l, mrs, {caps[0]});
        case 2: return m.call(cptr, l, mrs, {caps[0], caps[1]});
        default: return m.call(cptr, l, mrs, {caps[0], caps[1], caps[2]});
        }
    };
    switch (mr.size()) {
    case 0: return c({});
    case 1: return c({mr[0]});
    case 2: return c({mr[0], mr[1]});
    case 3: return c({mr[0], mr[1], mr[2]});
    case 4: return c({mr[0], mr[1], mr[2], mr[3]});
    case 5: return c({mr[0], mr[1], mr[2], mr[3], mr[4]});
    case 6: return c({mr[0], mr[1], mr[2], mr[3], mr[4], mr[5]});
    case 7: return c({mr[0], mr[1], mr[2], mr[3], mr[4], mr[5], mr[6]});
    case 8: return c({mr[0], mr[1], mr[2], mr[3], mr[4], mr[5], mr[6], mr[7]});
    default: FAIL("call_v: too many message registers"); return {};
    }
}

// One system-call entry with no restart: leaves a preempted operation half done.
Status enter_once(Machine &m, u32 cptr, Label l, std::initializer_list<u32> mrs) {
    Tcb *t = m.root.tcb;
    u32 i = 0;
    for (u32 v : mrs) t->context.r[arch::kRegMr0 + i++] = v;
    t->context.r[arch::kRegCap] = cptr;
    t->context.r[arch::kRegInfo] = abi::MessageInfo{static_cast<u32>(l), 0, 0, i}.word();
    return m.syscall(t, static_cast<u32>(abi::Syscall::Call));
}

// The whole root CNode, slots and derivation links, byte for byte.
struct Snapshot {
    std::vector<Slot> slots;
    explicit Snapshot(const Machine &m) : slots(m.root.cnode, m.root.cnode + kRootSlots) {}
    bool operator==(const Snapshot &o) const {
        return std::memcmp(slots.data(), o.slots.data(), slots.size() * sizeof(Slot)) == 0;
    }
};

// A refused invocation: the code, exactly these detail registers, one log line
// holding every string of `log`, the root CNode unchanged, the invariants intact.
void expect_refused(Machine &m, const Snapshot &before, const Reply &r, Error code,
                    std::initializer_list<u32> details, std::initializer_list<const char *> log) {
    std::string con = check_refusal(m, r, code, details, log);
    CHECK(con.rfind("petrel: root: ", 0) == 0);
    CHECK(Snapshot(m) == before);
    REQUIRE_INVARIANTS();
}

void expect_ok(Machine &m, const Reply &r) {
    INFO("error " << static_cast<u32>(r.error) << " MR0 " << r.mr[0] << " MR1 " << r.mr[1]
                  << " console: " << m.take_console());
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
}

struct Fix {
    Machine m;
    unsigned ut;
    unsigned next;
    Fix() : ut(untyped_at_least(m, 20)), next(first_free(m)) {}
    unsigned make(ObjectType type, unsigned bits = 0) {
        unsigned s = next++;
        expect_ok(m, retype(m, ut, type, bits, s));
        REQUIRE(!cap_at(m, s).is_null());
        return s;
    }
    unsigned free_slot() { return next++; }
    const Cap &at(unsigned i) const { return cap_at(m, i); }
    Slot *slot(unsigned i) const { return m.root_slot(i); }
};

}  // namespace

// ============================================================== Copy

TEST_CASE("CNode.Copy: an endpoint copy names the same object; rights only shrink", "[cnode]") {
    Fix f;
    unsigned ep = f.make(ObjectType::Endpoint);
    CHECK(f.at(ep).rights() == kAll);
    CHECK(f.slot(ep)->revocable());

    unsigned full = f.free_slot();
    expect_ok(f.m, copy(f.m, full, ep));
    CHECK(f.at(full) == f.at(ep));
    CHECK_FALSE(f.slot(full)->revocable());   // a copy is not an original
    CHECK(f.slot(ep)->next() == f.slot(full)); // placed right after its source

    unsigned rw = f.free_slot();
    expect_ok(f.m, copy(f.m, rw, ep, abi::kRightRead | abi::kRightWrite));
    CHECK(f.at(rw).type() == CapType::Endpoint);
    CHECK(f.at(rw).object() == f.at(ep).object());
    CHECK(f.at(rw).rights() == (abi::kRightRead | abi::kRightWrite));
    CHECK(f.at(rw).badge() == 0);

    // Copying the reduced cap with all rights does not bring rights back.
    unsigned again = f.free_slot();
    expect_ok(f.m, copy(f.m, again, rw, kAll));
    CHECK(f.at(again).rights() == (abi::kRightRead | abi::kRightWrite));
    unsigned w = f.free_slot();
    expect_ok(f.m, copy(f.m, w, again, abi::kRightWrite | abi::kRightGrant));
    CHECK(f.at(w).rights() == abi::kRightWrite);
    unsigned none = f.free_slot();
    expect_ok(f.m, copy(f.m, none, w, 0));
    CHECK(f.at(none).rights() == 0);
    CHECK(f.at(none).object() == f.at(ep).object());
    CHECK(f.m.take_console().empty());
}

TEST_CASE("CNode.Copy: notification, CNode, TCB and frame caps", "[cnode]") {
    Fix f;
    SECTION("notification: rights masked, badge kept") {
        unsigned n = f.make(ObjectType::Notification);
        unsigned b = f.free_slot();
        expect_ok(f.m, mint(f.m, b, n, kAll, 0x77));
        unsigned c = f.free_slot();
        expect_ok(f.m, copy(f.m, c, b, abi::kRightRead));
        CHECK(f.at(c).type() == CapType::Notification);
        CHECK(f.at(c).badge() == 0x77);
        CHECK(f.at(c).rights() == abi::kRightRead);
        CHECK_FALSE(f.slot(c)->revocable());
    }
    SECTION("CNode: guard and radix kept, rights ignored") {
        unsigned c = f.free_slot();
        expect_ok(f.m, copy(f.m, c, kRootCNode, 0));
        CHECK(f.at(c) == f.at(kRootCNode));
    }
    SECTION("the root TCB") {
        unsigned c = f.free_slot();
        expect_ok(f.m, copy(f.m, c, abi::kCapInitTcb));
        CHECK(f.at(c) == f.at(abi::kCapInitTcb));
    }
    SECTION("a frame: rights masked to read/write, and the copy starts unmapped") {
        unsigned fr = f.make(ObjectType::Frame4K);
        CHECK(f.at(fr).rights() == (abi::kRightRead | abi::kRightWrite));
        // Pretend the frame is mapped at 0x1234000 (the virtual-memory layer will do this).
        f.slot(fr)->cap.w0 |= (0x1234000u >> 12) << 4;
        REQUIRE(f.at(fr).frame_mapped_vaddr() == 0x1234000u);
        unsigned c = f.free_slot();
        expect_ok(f.m, copy(f.m, c, fr, abi::kRightRead | abi::kRightGrant));
        CHECK(f.at(c).type() == CapType::Frame4K);
        CHECK(f.at(c).object() == f.at(fr).object());
        CHECK(f.at(c).rights() == abi::kRightRead);
        CHECK(f.at(c).frame_mapped_vaddr() == 0);
        CHECK(f.at(c).frame_mapped_asid() == 0);
        CHECK_FALSE(f.at(c).frame_is_device());
        unsigned c2 = f.free_slot();
        expect_ok(f.m, copy(f.m, c2, c, kAll));
        CHECK(f.at(c2).rights() == abi::kRightRead);
        // Mint with data 0 is a copy for a frame.
        unsigned c3 = f.free_slot();
        expect_ok(f.m, mint(f.m, c3, fr, abi::kRightWrite, 0));
        CHECK(f.at(c3).rights() == abi::kRightWrite);
    }
}

TEST_CASE("CNode.Copy/Mint: caps that cannot be copied", "[cnode]") {
    Fix f;
    unsigned dest = f.free_slot();
    SECTION("Untyped, even with nothing made from it") {
        unsigned ut = f.make(ObjectType::Untyped, 12);
        Snapshot before(f.m);
        expect_refused(f.m, before, copy(f.m, dest, ut), Error::IllegalOperation, {},
                       {"CNode.Copy", "Untyped caps cannot be copied"});
        expect_refused(f.m, before, mint(f.m, dest, ut, kAll, 0), Error::IllegalOperation, {},
                       {"CNode.Mint", "Untyped caps cannot be copied"});
    }
    SECTION("Untyped with children: RevokeFirst") {
        f.make(ObjectType::Endpoint);
        Snapshot before(f.m);
        expect_refused(f.m, before, copy(f.m, dest, f.ut), Error::RevokeFirst, {},
                       {"CNode.Copy", "revoke it first"});
    }
    SECTION("IRQ Control") {
        Snapshot before(f.m);
        expect_refused(f.m, before, copy(f.m, dest, abi::kCapIrqControl), Error::IllegalOperation, {},
                       {"CNode.Copy", "IrqControl caps cannot be copied"});
        expect_refused(f.m, before, mint(f.m, dest, abi::kCapIrqControl, kAll, 0), Error::IllegalOperation, {},
                       {"CNode.Mint", "IrqControl"});
    }
    SECTION("a PageDirectory without an ASID") {
        unsigned pd = f.make(ObjectType::PageDirectory);
        Snapshot before(f.m);
        expect_refused(f.m, before, copy(f.m, dest, pd), Error::IllegalOperation, {},
                       {"CNode.Copy", "PageDirectory"});
    }
    SECTION("a PageTable that is not mapped") {
        unsigned pt = f.make(ObjectType::PageTable);
        Snapshot before(f.m);
        expect_refused(f.m, before, copy(f.m, dest, pt), Error::IllegalOperation, {},
                       {"CNode.Copy", "PageTable"});
    }
    CHECK(f.at(dest).is_null());
}

// ============================================================== Mint

TEST_CASE("CNode.Mint: badges an unbadged endpoint or notification cap", "[cnode]") {
    Fix f;
    auto type = GENERATE(ObjectType::Endpoint, ObjectType::Notification);
    unsigned obj = f.make(type);
    unsigned b = f.free_slot();
    expect_ok(f.m, mint(f.m, b, obj, abi::kRightWrite, 0x123));
    CHECK(f.at(b).type() == f.at(obj).type());
    CHECK(f.at(b).object() == f.at(obj).object());
    CHECK(f.at(b).badge() == 0x123);
    CHECK(f.at(b).rights() == abi::kRightWrite);
    CHECK(f.slot(b)->revocable());        // a newly badged cap is an original of its badge
    CHECK(f.slot(b)->first_badged());

    unsigned maxb = f.free_slot();
    expect_ok(f.m, mint(f.m, maxb, obj, kAll, kMaxBadge));
    CHECK(f.at(maxb).badge() == kMaxBadge);
    CHECK(f.at(maxb).rights() == kAll);

    // Minting with data 0 from a badged cap is a plain copy with the badge.
    unsigned c = f.free_slot();
    expect_ok(f.m, mint(f.m, c, b, kAll, 0));
    CHECK(f.at(c).badge() == 0x123);
    CHECK(f.at(c).rights() == abi::kRightWrite);
    CHECK_FALSE(f.slot(c)->revocable());

    // Minting with data 0 from an unbadged cap: unbadged, not an original.
    unsigned u = f.free_slot();
    expect_ok(f.m, mint(f.m, u, obj, abi::kRightRead, 0));
    CHECK(f.at(u).badge() == 0);
    CHECK_FALSE(f.slot(u)->revocable());

    SECTION("a badged cap cannot be re-badged") {
        unsigned d = f.free_slot();
        Snapshot before(f.m);
        expect_refused(f.m, before, mint(f.m, d, b, kAll, 0x5), Error::IllegalOperation, {},
                       {"CNode.Mint", "expected an unbadged", "badge 0x123"});
        expect_refused(f.m, before, mint(f.m, d, c, kAll, 0x123), Error::IllegalOperation, {},
                       {"CNode.Mint", "unbadged"});
    }
    SECTION("a badge wider than 28 bits") {
        unsigned d = f.free_slot();
        Snapshot before(f.m);
        expect_refused(f.m, before, mint(f.m, d, obj, kAll, kMaxBadge + 1), Error::InvalidArgument, {5},
                       {"CNode.Mint", "badge", "0x10000000"});
        expect_refused(f.m, before, mint(f.m, d, obj, kAll, 0xffffffffu), Error::InvalidArgument, {5},
                       {"CNode.Mint", "badge"});
    }
}

TEST_CASE("CNode.Mint: sets a CNode cap's guard (abi::cnode_cap_data)", "[cnode]") {
    Fix f;
    unsigned cn = f.make(ObjectType::CNode, 4);
    CHECK(f.at(cn).cnode_radix() == 4);
    CHECK(f.at(cn).cnode_guard_size() == 0);

    unsigned g = f.free_slot();
    expect_ok(f.m, mint(f.m, g, cn, kAll, abi::cnode_cap_data(0x5, 3)));
    CHECK(f.at(g).type() == CapType::CNode);
    CHECK(f.at(g).object() == f.at(cn).object());
    CHECK(f.at(g).cnode_radix() == 4);
    CHECK(f.at(g).cnode_guard_size() == 3);
    CHECK(f.at(g).cnode_guard() == 0x5);

    unsigned widest = f.free_slot();
    expect_ok(f.m, mint(f.m, widest, cn, kAll, abi::cnode_cap_data((1u << 18) - 1, 18)));
    CHECK(f.at(widest).cnode_guard_size() == 18);
    CHECK(f.at(widest).cnode_guard() == (1u << 18) - 1);

    unsigned longest = f.free_slot();  // guard size + radix = 32 exactly
    expect_ok(f.m, mint(f.m, longest, cn, kAll, abi::cnode_cap_data(0x3ffff, 28)));
    CHECK(f.at(longest).cnode_guard_size() == 28);
    CHECK(f.at(longest).cnode_guard() == 0x3ffff);

    // The guard can be replaced by minting again (only badges are one-shot).
    unsigned re = f.free_slot();
    expect_ok(f.m, mint(f.m, re, g, kAll, abi::cnode_cap_data(0, 0)));
    CHECK(f.at(re) == f.at(cn));

    unsigned d = f.free_slot();
    Snapshot before(f.m);
    SECTION("guard size + radix > 32") {
        expect_refused(f.m, before, mint(f.m, d, cn, kAll, abi::cnode_cap_data(0, 29)), Error::InvalidArgument, {5},
                       {"CNode.Mint", "guard size", "32 - radix 4", "got 29"});
        expect_refused(f.m, before, mint(f.m, d, kRootCNode, kAll, abi::cnode_cap_data(0, 21)),
                       Error::InvalidArgument, {5}, {"CNode.Mint", "guard size"});
        expect_refused(f.m, before, mint(f.m, d, cn, kAll, 63), Error::InvalidArgument, {5},
                       {"CNode.Mint", "guard size"});
    }
    SECTION("a guard value wider than its guard size") {
        expect_refused(f.m, before, mint(f.m, d, cn, kAll, abi::cnode_cap_data(0x8, 3)), Error::InvalidArgument, {5},
                       {"CNode.Mint", "guard: expected a value of 3 bits", "0x8"});
        expect_refused(f.m, before, mint(f.m, d, cn, kAll, abi::cnode_cap_data(1, 0)), Error::InvalidArgument, {5},
                       {"CNode.Mint", "guard"});
    }
    SECTION("a guard value wider than a cap holds (18 bits)") {
        expect_refused(f.m, before, mint(f.m, d, cn, kAll, abi::cnode_cap_data(1u << 18, 20)),
                       Error::InvalidArgument, {5}, {"CNode.Mint", "guard", "at most 18"});
    }
}

TEST_CASE("CNode.Mint: data must be 0 for caps without a badge or guard", "[cnode]") {
    Fix f;
    unsigned fr = f.make(ObjectType::Frame4K);
    unsigned d = f.free_slot();
    struct Case { unsigned src; const char *type; };
    auto c = GENERATE_COPY(Case{fr, "Frame4K"}, Case{abi::kCapInitTcb, "TCB"});
    Snapshot before(f.m);
    expect_refused(f.m, before, mint(f.m, d, c.src, kAll, 1), Error::InvalidArgument, {5},
                   {"CNode.Mint", "data: expected 0 for a", c.type, "0x1"});
}

// ============================================================== Move and Mutate

TEST_CASE("CNode.Move: the cap and its place in the derivation tree move", "[cnode]") {
    Fix f;
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned cp = f.free_slot();
    expect_ok(f.m, copy(f.m, cp, ep));
    Cap orig = f.at(ep);

    SECTION("moving a copy: revoking the original still deletes it") {
        unsigned mv = f.free_slot();
        expect_ok(f.m, move(f.m, mv, cp));
        CHECK(f.at(cp).is_null());
        CHECK(f.slot(cp)->mdb_next == 0);
        CHECK(f.at(mv) == orig);
        CHECK(f.slot(ep)->next() == f.slot(mv));
        expect_ok(f.m, revoke(f.m, ep));
        CHECK(f.at(mv).is_null());
        CHECK(f.at(ep) == orig);
    }
    SECTION("moving the original: it stays the parent of its copies") {
        unsigned mv = f.free_slot();
        expect_ok(f.m, move(f.m, mv, ep));
        CHECK(f.at(ep).is_null());
        CHECK(f.at(mv) == orig);
        CHECK(f.slot(mv)->revocable());
        expect_ok(f.m, revoke(f.m, mv));
        CHECK(f.at(cp).is_null());
        CHECK(f.at(mv) == orig);
    }
    SECTION("moving an Untyped keeps its children: revoking it at the new slot deletes them") {
        unsigned ut2 = f.make(ObjectType::Untyped, 12);
        unsigned child = f.free_slot();
        expect_ok(f.m, retype(f.m, ut2, ObjectType::Endpoint, 0, child));
        unsigned mv = f.free_slot();
        expect_ok(f.m, move(f.m, mv, ut2));
        CHECK(f.at(ut2).is_null());
        CHECK(f.at(mv).type() == CapType::Untyped);
        expect_ok(f.m, revoke(f.m, mv));
        CHECK(f.at(child).is_null());
        // ... and the boot Untyped above still covers the moved one.
        expect_ok(f.m, revoke(f.m, f.ut));
        CHECK(f.at(mv).is_null());
        CHECK(f.at(ep).is_null());
    }
    SECTION("IRQ Control and Untyped caps may be moved though not copied") {
        unsigned irq = f.free_slot();
        expect_ok(f.m, move(f.m, irq, abi::kCapIrqControl));
        CHECK(f.at(irq).type() == CapType::IrqControl);
        CHECK(f.at(abi::kCapIrqControl).is_null());
    }
    SECTION("moving a cap onto itself: the slot is not empty") {
        Snapshot before(f.m);
        expect_refused(f.m, before, move(f.m, ep, ep), Error::DeleteFirst, {ep}, {"CNode.Move", "dest"});
    }
}

TEST_CASE("CNode.Mutate: moves with a new guard; badges cannot change", "[cnode]") {
    Fix f;
    unsigned cn = f.make(ObjectType::CNode, 3);
    Cap orig = f.at(cn);
    unsigned mv = f.free_slot();
    expect_ok(f.m, mutate(f.m, mv, cn, abi::cnode_cap_data(0x2a, 7)));
    CHECK(f.at(cn).is_null());
    CHECK(f.at(mv).object() == orig.object());
    CHECK(f.at(mv).cnode_radix() == 3);
    CHECK(f.at(mv).cnode_guard_size() == 7);
    CHECK(f.at(mv).cnode_guard() == 0x2a);
    CHECK(f.slot(mv)->revocable());

    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned b = f.free_slot();
    expect_ok(f.m, mint(f.m, b, ep, kAll, 9));
    unsigned b2 = f.free_slot();
    expect_ok(f.m, mutate(f.m, b2, b, 0));
    CHECK(f.at(b2).badge() == 9);
    CHECK(f.at(b).is_null());
    CHECK(f.slot(b2)->first_badged());

    unsigned d = f.free_slot();
    Snapshot before(f.m);
    SECTION("a badge through Mutate") {
        expect_refused(f.m, before, mutate(f.m, d, ep, 5), Error::InvalidArgument, {4},
                       {"CNode.Mutate", "data: expected 0", "0x5"});
        expect_refused(f.m, before, mutate(f.m, d, b2, 5), Error::InvalidArgument, {4}, {"CNode.Mutate", "data"});
    }
    SECTION("data for a frame") {
        expect_refused(f.m, before, mutate(f.m, d, abi::kCapInitIpcBuffer, 1), Error::InvalidArgument, {4},
                       {"CNode.Mutate", "data: expected 0 for a Frame4K"});
    }
    SECTION("a bad guard") {
        expect_refused(f.m, before, mutate(f.m, d, mv, abi::cnode_cap_data(0, 30)), Error::InvalidArgument, {4},
                       {"CNode.Mutate", "guard size"});
        expect_refused(f.m, before, mutate(f.m, d, mv, abi::cnode_cap_data(4, 2)), Error::InvalidArgument, {4},
                       {"CNode.Mutate", "guard"});
    }
}

// ============================================================== Rotate

namespace {
Reply rotate(Machine &m, unsigned dest, unsigned pivot, unsigned src, u32 pivot_data = 0, u32 src_data = 0,
             u32 ddepth = 32, u32 pdepth = 32, u32 sdepth = 32) {
    return m.call(kRootCNode, Label::CNodeRotate, {dest, ddepth, pivot, pdepth, pivot_data, src, sdepth, src_data},
                  {kRootCNode, kRootCNode});
}
}  // namespace

TEST_CASE("CNode.Rotate: src -> pivot -> dest, and the dest == src swap", "[cnode]") {
    Fix f;
    unsigned a = f.make(ObjectType::Endpoint);
    unsigned b = f.make(ObjectType::CNode, 2);
    Cap ca = f.at(a), cb = f.at(b);

    SECTION("three slots") {
        unsigned d = f.free_slot();
        expect_ok(f.m, rotate(f.m, d, b, a, abi::cnode_cap_data(1, 1), 0));
        CHECK(f.at(a).is_null());
        CHECK(f.at(b) == ca);                     // src -> pivot
        CHECK(f.at(d).object() == cb.object());   // pivot -> dest, with the new guard
        CHECK(f.at(d).cnode_guard_size() == 1);
        CHECK(f.at(d).cnode_guard() == 1);
        CHECK(f.slot(d)->revocable());
        CHECK(f.slot(b)->revocable());
        // Still in the tree: revoking the Untyped deletes both where they are now.
        expect_ok(f.m, revoke(f.m, f.ut));
        CHECK(f.at(d).is_null());
        CHECK(f.at(b).is_null());
    }
    SECTION("three slots, with src_data") {
        unsigned d = f.free_slot();
        expect_ok(f.m, rotate(f.m, d, a, b, 0, abi::cnode_cap_data(2, 2)));
        CHECK(f.at(b).is_null());
        CHECK(f.at(d) == ca);
        CHECK(f.at(a).object() == cb.object());
        CHECK(f.at(a).cnode_guard() == 2);
        CHECK(f.at(a).cnode_guard_size() == 2);
        CHECK(f.at(a).cnode_radix() == 2);
    }
    SECTION("dest == src swaps src and pivot") {
        expect_ok(f.m, rotate(f.m, a, b, a));
        CHECK(f.at(a) == cb);
        CHECK(f.at(b) == ca);
        expect_ok(f.m, rotate(f.m, a, b, a, 0, abi::cnode_cap_data(3, 2)));
        CHECK(f.at(a) == ca);
        CHECK(f.at(b).cnode_guard() == 3);
        CHECK(f.at(b).cnode_guard_size() == 2);
        CHECK(f.at(b).object() == cb.object());
    }
    SECTION("refusals") {
        unsigned d = f.free_slot();
        unsigned empty = f.free_slot();
        Snapshot before(f.m);
        expect_refused(f.m, before, rotate(f.m, d, a, a), Error::IllegalOperation, {},
                       {"CNode.Rotate", "pivot: expected a slot other than src and dest"});
        expect_refused(f.m, before, rotate(f.m, a, a, b), Error::IllegalOperation, {}, {"CNode.Rotate", "pivot"});
        expect_refused(f.m, before, rotate(f.m, a, a, a), Error::IllegalOperation, {}, {"CNode.Rotate", "pivot"});
        // dest occupied (and not src)
        unsigned c = f.make(ObjectType::Notification);
        Snapshot before2(f.m);
        expect_refused(f.m, before2, rotate(f.m, c, a, b), Error::DeleteFirst, {c}, {"CNode.Rotate", "dest"});
        // pivot or src empty
        expect_refused(f.m, before2, rotate(f.m, d, empty, a), Error::FailedLookup,
                       {1, lf(abi::LookupFailure::MissingCapability), 0}, {"CNode.Rotate", "pivot: lookup failed"});
        expect_refused(f.m, before2, rotate(f.m, d, a, empty), Error::FailedLookup,
                       {1, lf(abi::LookupFailure::MissingCapability), 0}, {"CNode.Rotate", "src: lookup failed"});
        // depths
        expect_refused(f.m, before2, rotate(f.m, d, a, b, 0, 0, 0), Error::RangeError, {1, 32},
                       {"CNode.Rotate", "dest depth", "got 0"});
        expect_refused(f.m, before2, rotate(f.m, d, a, b, 0, 0, 32, 33), Error::RangeError, {1, 32},
                       {"CNode.Rotate", "pivot depth", "got 33"});
        expect_refused(f.m, before2, rotate(f.m, d, a, b, 0, 0, 32, 32, 0), Error::RangeError, {1, 32},
                       {"CNode.Rotate", "src depth"});
        // data: badges cannot change, guards must fit (MR4 = pivot_data, MR7 = src_data)
        expect_refused(f.m, before2, rotate(f.m, d, a, b, 7, 0), Error::InvalidArgument, {4},
                       {"CNode.Rotate", "data"});
        expect_refused(f.m, before2, rotate(f.m, d, a, b, 0, abi::cnode_cap_data(0, 31)), Error::InvalidArgument,
                       {7}, {"CNode.Rotate", "guard size"});
        // truncated: 7 words, or one extra cap
        expect_refused(f.m, before2,
                       f.m.call(kRootCNode, Label::CNodeRotate, {d, 32, a, 32, 0, b, 32}, {kRootCNode, kRootCNode}),
                       Error::TruncatedMessage, {}, {"CNode.Rotate", "truncated message", "expected 8 words and 2"});
        expect_refused(f.m, before2,
                       f.m.call(kRootCNode, Label::CNodeRotate, {d, 32, a, 32, 0, b, 32, 0}, {kRootCNode}),
                       Error::TruncatedMessage, {}, {"CNode.Rotate", "got 8 words and 1 extra caps"});
        // a bad pivot root
        expect_refused(f.m, before2,
                       f.m.call(kRootCNode, Label::CNodeRotate, {d, 32, a, 32, 0, b, 32, 0}, {a, kRootCNode}),
                       Error::FailedLookup, {1, lf(abi::LookupFailure::InvalidRoot)},
                       {"CNode.Rotate", "pivot: lookup failed", "expected a CNode cap, got Endpoint"});
        expect_refused(f.m, before2,
                       f.m.call(kRootCNode, Label::CNodeRotate, {d, 32, a, 32, 0, b, 32, 0}, {kRootCNode, c}),
                       Error::FailedLookup, {1, lf(abi::LookupFailure::InvalidRoot)},
                       {"CNode.Rotate", "src: lookup failed", "expected a CNode cap, got Notification"});
    }
}

// ============================================================== Delete and Revoke

TEST_CASE("CNode.Delete: deletes one cap; an empty slot is fine", "[cnode]") {
    Fix f;
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned c1 = f.free_slot(), c2 = f.free_slot();
    expect_ok(f.m, copy(f.m, c1, ep));
    expect_ok(f.m, copy(f.m, c2, c1));
    expect_ok(f.m, remove(f.m, c1));
    CHECK(f.at(c1).is_null());
    CHECK(f.slot(c1)->mdb_prev == 0);
    CHECK(f.slot(c1)->mdb_next == 0);
    CHECK(f.at(c2) == f.at(ep));
    CHECK(f.slot(ep)->next() == f.slot(c2));

    Snapshot before(f.m);
    expect_ok(f.m, remove(f.m, c1));  // already empty
    CHECK(Snapshot(f.m) == before);

    expect_ok(f.m, remove(f.m, ep));  // the original: the copy still names the object
    CHECK(f.at(ep).is_null());
    CHECK(f.at(c2).type() == CapType::Endpoint);
    expect_ok(f.m, remove(f.m, c2));  // the last cap: the endpoint is destroyed
    CHECK(f.at(c2).is_null());
    CHECK(f.m.take_console().empty());
}

TEST_CASE("CNode.Delete: a half-deleted CNode is a Zombie nobody can use but Delete", "[cnode]") {
    Fix f;
    unsigned cn = f.make(ObjectType::CNode, 6);
    unsigned d = f.free_slot();
    f.m.irq_after(3);
    REQUIRE(enter_once(f.m, kRootCNode, Label::CNodeDelete, {cn, 32}) == Status::Preempted);
    f.m.irq_after(0);
    REQUIRE(f.at(cn).type() == CapType::Zombie);
    REQUIRE_INVARIANTS();
    Snapshot before(f.m);
    expect_refused(f.m, before, copy(f.m, d, cn), Error::IllegalOperation, {}, {"CNode.Copy", "being deleted"});
    expect_refused(f.m, before, mint(f.m, d, cn, kAll, 0), Error::IllegalOperation, {},
                   {"CNode.Mint", "being deleted"});
    expect_refused(f.m, before, move(f.m, d, cn), Error::IllegalOperation, {}, {"CNode.Move", "being deleted"});
    expect_refused(f.m, before, mutate(f.m, d, cn, 0), Error::IllegalOperation, {}, {"CNode.Mutate", "being deleted"});
    expect_refused(f.m, before, rotate(f.m, d, cn, abi::kCapInitTcb), Error::IllegalOperation, {},
                   {"CNode.Rotate", "being deleted"});
    expect_refused(f.m, before, f.m.call(cn, Label::CNodeCopy, {d, 32, 1, 32, kAll}, {kRootCNode}),
                   Error::InvalidCapability, {0}, {"invoke", "being deleted"});
    expect_ok(f.m, remove(f.m, cn));
    CHECK(f.at(cn).is_null());
}

TEST_CASE("CNode.Revoke: an endpoint original loses its copies and badged copies", "[cnode]") {
    Fix f;
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned other = f.make(ObjectType::Endpoint);
    std::vector<unsigned> derived;
    auto add = [&](Reply r, unsigned s) { expect_ok(f.m, r); derived.push_back(s); };
    unsigned c1 = f.free_slot(), b5 = f.free_slot(), b5c = f.free_slot(), b6 = f.free_slot(), c1c = f.free_slot();
    add(copy(f.m, c1, ep), c1);
    add(mint(f.m, b5, ep, kAll, 5), b5);
    add(copy(f.m, b5c, b5, abi::kRightRead), b5c);
    add(mint(f.m, b6, ep, abi::kRightWrite, 6), b6);
    add(copy(f.m, c1c, c1), c1c);
    unsigned oc = f.free_slot();
    expect_ok(f.m, copy(f.m, oc, other));
    Cap orig = f.at(ep);

    expect_ok(f.m, revoke(f.m, ep));
    for (unsigned s : derived) {
        INFO("slot " << s);
        CHECK(f.at(s).is_null());
    }
    CHECK(f.at(ep) == orig);
    CHECK(f.at(oc) == f.at(other));  // another endpoint's copy is untouched
    CHECK_FALSE(has_children(f.slot(ep)));

    // Revoking with nothing derived is a no-op.
    Snapshot before(f.m);
    expect_ok(f.m, revoke(f.m, ep));
    expect_ok(f.m, revoke(f.m, f.free_slot()));  // an empty slot too
    CHECK(Snapshot(f.m) == before);
}

TEST_CASE("CNode.Revoke: a badged original loses only its own badge's copies", "[cnode]") {
    Fix f;
    auto type = GENERATE(ObjectType::Endpoint, ObjectType::Notification);
    unsigned ep = f.make(type);
    unsigned c = f.free_slot(), b5 = f.free_slot(), b5c = f.free_slot(), b5cc = f.free_slot();
    unsigned b6 = f.free_slot(), b6c = f.free_slot(), b5again = f.free_slot(), b5againc = f.free_slot();
    // Derivation list after these: ep, b5again, b5againc, b5, b5c, b5cc, b6, b6c, c.
    expect_ok(f.m, copy(f.m, c, ep));
    expect_ok(f.m, mint(f.m, b6, ep, kAll, 6));
    expect_ok(f.m, copy(f.m, b6c, b6));
    expect_ok(f.m, mint(f.m, b5, ep, kAll, 5));
    expect_ok(f.m, copy(f.m, b5c, b5));
    expect_ok(f.m, mint(f.m, b5cc, b5c, abi::kRightRead, 0));
    // A second, separately minted badge-5 cap heads its own group, right before b5's.
    expect_ok(f.m, mint(f.m, b5again, ep, kAll, 5));
    expect_ok(f.m, copy(f.m, b5againc, b5again));
    REQUIRE(f.slot(b5againc)->next() == f.slot(b5));

    expect_ok(f.m, revoke(f.m, b5again));
    CHECK(f.at(b5again).badge() == 5);
    CHECK(f.at(b5againc).is_null());
    CHECK(f.at(b5).badge() == 5);  // the next group, same badge: not derived from b5again
    CHECK(f.at(b5c).badge() == 5);
    CHECK(f.at(b5cc).badge() == 5);

    expect_ok(f.m, revoke(f.m, b5));
    CHECK(f.at(b5).badge() == 5);
    CHECK(f.at(b5c).is_null());
    CHECK(f.at(b5cc).is_null());
    CHECK(f.at(ep).badge() == 0);
    CHECK(f.at(c).badge() == 0);
    CHECK(f.at(c).type() == f.at(ep).type());
    CHECK(f.at(b6).badge() == 6);
    CHECK(f.at(b6c).badge() == 6);
    CHECK(f.at(b5again).badge() == 5);

    // Revoking a plain copy (not an original) deletes nothing.
    Snapshot before(f.m);
    expect_ok(f.m, revoke(f.m, b6c));
    CHECK(Snapshot(f.m) == before);

    // Revoking the unbadged original takes every badge.
    expect_ok(f.m, revoke(f.m, ep));
    for (unsigned s : {c, b5, b6, b6c, b5again}) {
        INFO("slot " << s);
        CHECK(f.at(s).is_null());
    }
}

TEST_CASE("CNode.Revoke: an Untyped loses every object made from it", "[cnode]") {
    Fix f;
    unsigned ut = f.make(ObjectType::Untyped, 14);
    unsigned e = f.free_slot();
    expect_ok(f.m, retype(f.m, ut, ObjectType::Endpoint, 0, e, 4));
    f.next += 3;
    unsigned c = f.free_slot();
    expect_ok(f.m, copy(f.m, c, e + 2));
    expect_ok(f.m, revoke(f.m, ut));
    for (unsigned s = e; s < e + 4; ++s) CHECK(f.at(s).is_null());
    CHECK(f.at(c).is_null());
    CHECK(f.at(ut).type() == CapType::Untyped);
    CHECK(f.at(ut).untyped_free_bytes() == 0);  // reset: all of it free again
}

// ============================================================== CancelBadgedSends, SaveCaller

TEST_CASE("CNode.CancelBadgedSends: needs an endpoint cap with all rights", "[cnode]") {
    Fix f;
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned b = f.free_slot(), ro = f.free_slot();
    expect_ok(f.m, mint(f.m, b, ep, kAll, 3));
    expect_ok(f.m, copy(f.m, ro, b, abi::kRightRead | abi::kRightWrite));
    Snapshot before(f.m);
    expect_ok(f.m, f.m.call(kRootCNode, Label::CNodeCancelBadgedSends, {b, 32}));
    expect_ok(f.m, f.m.call(kRootCNode, Label::CNodeCancelBadgedSends, {ep, 32}));
    CHECK(Snapshot(f.m) == before);
    expect_refused(f.m, before, f.m.call(kRootCNode, Label::CNodeCancelBadgedSends, {ro, 32}),
                   Error::IllegalOperation, {}, {"CNode.CancelBadgedSends", "all rights", "0x3"});
    unsigned n = f.make(ObjectType::Notification);
    Snapshot before2(f.m);
    expect_refused(f.m, before2, f.m.call(kRootCNode, Label::CNodeCancelBadgedSends, {n, 32}), Error::IllegalOperation,
                   {}, {"CNode.CancelBadgedSends", "expected an Endpoint cap, got Notification"});
    expect_refused(f.m, before2, f.m.call(kRootCNode, Label::CNodeCancelBadgedSends, {f.free_slot(), 32}),
                   Error::IllegalOperation, {}, {"CNode.CancelBadgedSends", "got null"});
    expect_refused(f.m, before2, f.m.call(kRootCNode, Label::CNodeCancelBadgedSends, {b}), Error::TruncatedMessage,
                   {}, {"CNode.CancelBadgedSends", "truncated"});
}

TEST_CASE("CNode.SaveCaller: refusals; with no caller to save it does nothing", "[cnode]") {
    Fix f;
    unsigned d = f.free_slot();
    Snapshot before(f.m);
    Reply ok = f.m.call(kRootCNode, Label::CNodeSaveCaller, {d, 32});  // (ipc_test.cpp saves real ones)
    CHECK(ok.ok());
    CHECK(Snapshot(f.m) == before);
    expect_refused(f.m, before, f.m.call(kRootCNode, Label::CNodeSaveCaller, {kRootCNode, 32}), Error::DeleteFirst,
                   {kRootCNode}, {"CNode.SaveCaller", "index: expected an empty slot"});
    expect_refused(f.m, before, f.m.call(kRootCNode, Label::CNodeSaveCaller, {d, 0}), Error::RangeError, {1, 32},
                   {"CNode.SaveCaller", "index depth"});
    expect_refused(f.m, before, f.m.call(kRootCNode, Label::CNodeSaveCaller, {}), Error::TruncatedMessage, {},
                   {"CNode.SaveCaller", "truncated"});
}

// ============================================================== refusals common to the methods

namespace {
struct Op {
    Label label;
    const char *name;
    u32 words;
};
constexpr Op kCopyLike[] = {
    {Label::CNodeCopy, "CNode.Copy", 5},
    {Label::CNodeMint, "CNode.Mint", 6},
    {Label::CNodeMove, "CNode.Move", 4},
    {Label::CNodeMutate, "CNode.Mutate", 5},
};
constexpr Op kTargetOps[] = {
    {Label::CNodeRevoke, "CNode.Revoke", 2},
    {Label::CNodeDelete, "CNode.Delete", 2},
    {Label::CNodeCancelBadgedSends, "CNode.CancelBadgedSends", 2},
    {Label::CNodeSaveCaller, "CNode.SaveCaller", 2},
};

// dest, dest_depth, src, src_depth, then rights/data as the method takes them.
std::vector<u32> copy_args(const Op &op, u32 dest, u32 ddepth, u32 src, u32 sdepth) {
    std::vector<u32> a{dest, ddepth, src, sdepth, kAll, 0};
    if (op.label == Label::CNodeMutate) a[4] = 0;
    a.resize(op.words);
    return a;
}
}  // namespace

TEST_CASE("CNode.Copy/Mint/Move/Mutate: every common refusal leaves everything as it was", "[cnode]") {
    Fix f;
    const Op op = GENERATE(from_range(std::begin(kCopyLike), std::end(kCopyLike)));
    INFO(op.name);
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned occupied = f.make(ObjectType::Notification);
    unsigned d = f.free_slot();
    unsigned empty = f.free_slot();
    Snapshot before(f.m);

    SECTION("truncated: one word short") {
        auto a = copy_args(op, d, 32, ep, 32);
        a.pop_back();
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, a, {kRootCNode}), Error::TruncatedMessage, {},
                       {op.name, "truncated message"});
    }
    SECTION("truncated: no words") {
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, {}, {kRootCNode}), Error::TruncatedMessage, {},
                       {op.name, "got 0 words and 1 extra caps"});
    }
    SECTION("truncated: no src_root cap") {
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, d, 32, ep, 32), {}),
                       Error::TruncatedMessage, {}, {op.name, "and 1 extra caps, got", "and 0 extra caps"});
    }
    SECTION("dest depth 0 and 33") {
        auto depth = GENERATE(0u, 33u, 0xffffffffu);
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, d, depth, ep, 32), {kRootCNode}),
                       Error::RangeError, {1, 32}, {op.name, "dest depth: expected 1..32"});
    }
    SECTION("src depth 0 and 33") {
        auto depth = GENERATE(0u, 33u);
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, d, 32, ep, depth), {kRootCNode}),
                       Error::RangeError, {1, 32},
                       {op.name, "src depth: expected 1..32", std::to_string(depth).c_str()});
    }
    SECTION("dest not empty") {
        expect_refused(f.m, before,
                       call_v(f.m, kRootCNode, op.label, copy_args(op, occupied, 32, ep, 32), {kRootCNode}),
                       Error::DeleteFirst, {occupied}, {op.name, "dest: expected an empty slot"});
    }
    SECTION("src empty") {
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, d, 32, empty, 32), {kRootCNode}),
                       Error::FailedLookup, {1, lf(abi::LookupFailure::MissingCapability), 0},
                       {op.name, "src: lookup failed", "empty slot"});
    }
    SECTION("src root is not a CNode") {
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, d, 32, ep, 32), {ep}),
                       Error::FailedLookup, {1, lf(abi::LookupFailure::InvalidRoot)},
                       {op.name, "src: lookup failed", "expected a CNode cap, got Endpoint"});
    }
    SECTION("src root is an empty slot") {
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, d, 32, ep, 32), {empty}),
                       Error::FailedLookup, {1, lf(abi::LookupFailure::MissingCapability), 0},
                       {"invoke", "extra cap: lookup failed"});
    }
    SECTION("dest address with a bad guard") {
        expect_refused(f.m, before,
                       call_v(f.m, kRootCNode, op.label, copy_args(op, d | 0x8000'0000u, 32, ep, 32), {kRootCNode}),
                       Error::FailedLookup, {0, lf(abi::LookupFailure::GuardMismatch), 32, 0x80000, 20},
                       {op.name, "dest: lookup failed", "guard mismatch"});
    }
    SECTION("dest depth that does not reach a slot") {
        expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, copy_args(op, 0, 28, ep, 32), {kRootCNode}),
                       Error::FailedLookup, {0, lf(abi::LookupFailure::DepthMismatch), 28, 32},
                       {op.name, "dest: lookup failed", "depth mismatch"});
    }
    SECTION("rights wider than 0xf (Copy and Mint)") {
        if (op.label == Label::CNodeCopy || op.label == Label::CNodeMint) {
            auto a = copy_args(op, d, 32, ep, 32);
            a[4] = 0x10;
            expect_refused(f.m, before, call_v(f.m, kRootCNode, op.label, a, {kRootCNode}), Error::InvalidArgument, {4},
                           {op.name, "rights", "0x10"});
        }
    }
    CHECK(f.at(d).is_null());
    CHECK(f.at(ep).type() == CapType::Endpoint);
}

TEST_CASE("CNode.Revoke/Delete/CancelBadgedSends/SaveCaller: common refusals", "[cnode]") {
    Fix f;
    const Op op = GENERATE(from_range(std::begin(kTargetOps), std::end(kTargetOps)));
    INFO(op.name);
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned c = f.free_slot();
    expect_ok(f.m, copy(f.m, c, ep));
    Snapshot before(f.m);
    SECTION("truncated") {
        expect_refused(f.m, before, f.m.call(kRootCNode, op.label, {ep}), Error::TruncatedMessage, {},
                       {op.name, "expected 2 words and 0 extra caps, got 1 words"});
    }
    SECTION("depth 0 and 33") {
        auto depth = GENERATE(0u, 33u);
        expect_refused(f.m, before, f.m.call(kRootCNode, op.label, {ep, depth}), Error::RangeError, {1, 32},
                       {op.name, "index depth: expected 1..32"});
    }
    SECTION("a bad guard") {
        expect_refused(f.m, before, f.m.call(kRootCNode, op.label, {ep | 0x1000u, 32}), Error::FailedLookup,
                       {0, lf(abi::LookupFailure::GuardMismatch), 32, 1, 20}, {op.name, "index: lookup failed"});
    }
}

TEST_CASE("CNode: unknown labels, empty slots and non-CNode caps", "[cnode]") {
    Fix f;
    unsigned ep = f.make(ObjectType::Endpoint);
    unsigned d = f.free_slot();
    unsigned empty = f.free_slot();
    Snapshot before(f.m);
    SECTION("a label that is not a CNode method") {
        auto label = GENERATE(Label::InvalidInvocation, Label::UntypedRetype, Label::IrqAckIrq, Label::Count,
                              static_cast<Label>(0xfffff));
        expect_refused(f.m, before, f.m.call(kRootCNode, label, {d, 32, ep, 32, kAll}, {kRootCNode}),
                       Error::IllegalOperation, {}, {"CNode: label: expected a CNode method"});
    }
    SECTION("invoking an empty slot") {
        expect_refused(f.m, before, f.m.call(empty, Label::CNodeCopy, {d, 32, ep, 32, kAll}, {kRootCNode}),
                       Error::InvalidCapability, {0}, {"invoke: cap: expected a cap, got an empty slot"});
        expect_refused(f.m, before, f.m.call(abi::kCapNull, Label::CNodeDelete, {ep, 32}), Error::InvalidCapability,
                       {0}, {"invoke", "empty slot"});
    }
    SECTION("a CNode method on a Frame cap") {
        // (A Call on an Endpoint cap is IPC, not an invocation: see ipc_test.cpp.)
        expect_refused(f.m, before,
                       f.m.call(abi::kCapBootInfoFrame, Label::CNodeCopy, {d, 32, ep, 32, kAll}, {kRootCNode}),
                       Error::IllegalOperation, {}, {"Page: label", "is not a Frame method"});
    }
    SECTION("a CNode method on an Untyped cap") {
        expect_refused(f.m, before, f.m.call(f.ut, Label::CNodeDelete, {ep, 32}), Error::IllegalOperation, {},
                       {"Untyped.Retype", "label: expected"});
    }
    SECTION("a CNode method on a TCB cap") {
        expect_refused(f.m, before, f.m.call(abi::kCapInitTcb, Label::CNodeDelete, {ep, 32}), Error::IllegalOperation,
                       {}, {"TCB"});
    }
    SECTION("an invoked cap pointer with a bad guard") {
        expect_refused(f.m, before, f.m.call(kRootCNode | 0x4000u, Label::CNodeDelete, {ep, 32}),
                       Error::FailedLookup, {0, lf(abi::LookupFailure::GuardMismatch), 32, 4, 20},
                       {"invoke: cap: lookup failed", "found 0x4"});
    }
    CHECK(f.at(ep).type() == CapType::Endpoint);
}

// CancelBadgedSends on a queue of blocked senders. Threads cannot block until
// IPC exists, so the queue is built by hand here: three TCBs blocked sending on
// one endpoint with badges 7, 9, 7. Cancelling badge 7 must dequeue exactly the
// first and third, mark them to restart, and leave the endpoint queue consistent.
TEST_CASE("CancelBadgedSends dequeues only the senders with the badge", "[cnode]") {
    using namespace petrel;
    Machine m;
    unsigned ut = untyped_at_least(m, 16), f = first_free(m);
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, f).ok());
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, f + 1, 3).ok());
    REQUIRE(mint(m, f + 4, f, abi::kRightsAll, 7).ok());
    auto *ep = m.at<Endpoint>(cap_at(m, f).object());
    Tcb *t[3];
    const u32 badges[3] = {7, 9, 7};
    for (int i = 0; i < 3; ++i) {
        t[i] = m.at<Tcb>(cap_at(m, f + 1 + i).object());
        t[i]->state = ThreadState::BlockedOnSend;
        t[i]->ipc_badge = badges[i];
        t[i]->blocked_on = cap_at(m, f).object();
        t[i]->ep_prev = i > 0 ? kref(t[i - 1]) : 0;
    }
    for (int i = 0; i < 3; ++i) t[i]->ep_next = i < 2 ? kref(t[i + 1]) : 0;
    ep->head = kref(t[0]);
    ep->tail = kref(t[2]);
    ep->state = EndpointState::Sending;

    Reply r = m.call(kRootCNode, Label::CNodeCancelBadgedSends, {f + 4, 32});
    REQUIRE(r.ok());
    CHECK(t[0]->state == ThreadState::Restart);
    CHECK(t[2]->state == ThreadState::Restart);
    CHECK(t[1]->state == ThreadState::BlockedOnSend);
    CHECK(ep->head == kref(t[1]));
    CHECK(ep->tail == kref(t[1]));
    CHECK(t[1]->ep_prev == 0);
    CHECK(t[1]->ep_next == 0);
    CHECK(ep->state == EndpointState::Sending);

    // The unbadged original cancels nothing (badge 0 names no sender).
    r = m.call(kRootCNode, Label::CNodeCancelBadgedSends, {f, 32});
    REQUIRE(r.ok());
    CHECK(t[1]->state == ThreadState::BlockedOnSend);

    // Badge 9 empties the queue and the endpoint goes idle.
    REQUIRE(mint(m, f + 5, f, abi::kRightsAll, 9).ok());
    REQUIRE(m.call(kRootCNode, Label::CNodeCancelBadgedSends, {f + 5, 32}).ok());
    CHECK(t[1]->state == ThreadState::Restart);
    CHECK(ep->head == 0);
    CHECK(ep->tail == 0);
    CHECK(ep->state == EndpointState::Idle);
    REQUIRE_INVARIANTS();
}
