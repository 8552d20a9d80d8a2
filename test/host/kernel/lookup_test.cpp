// SPDX-License-Identifier: BSD-2-Clause
// CSpace lookup through guarded multi-level CNodes: resolve()/lookup_exact()
// called directly, and the same addresses used by CNode invocations and by the
// system-call path, with every failure's details and log line.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cspace.hpp"
#include "harness.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;
using abi::LookupFailure;

namespace {

constexpr u32 kAll = abi::kRightsAll;
constexpr u32 kRootSlots = 1u << 12;

u32 lf(LookupFailure f) { return static_cast<u32>(f); }

std::string describe(const Lookup &l) {
    char buf[160];
    std::memset(buf, 'x', sizeof(buf));
    describe_lookup(l, buf, sizeof(buf));
    REQUIRE(std::memchr(buf, 0, sizeof(buf)) != nullptr);
    return buf;
}

void expect_ok(Machine &m, const Reply &r) {
    INFO("error " << static_cast<u32>(r.error) << " MR0 " << r.mr[0] << " MR1 " << r.mr[1] << " MR2 " << r.mr[2]
                  << " console: " << m.take_console());
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
}

// The root CNode's slots and links, byte for byte.
std::vector<Slot> snapshot(const Machine &m) { return {m.root.cnode, m.root.cnode + kRootSlots}; }
bool same(const std::vector<Slot> &a, const std::vector<Slot> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Slot)) == 0;
}

void expect_lookup_failure(Machine &m, const std::vector<Slot> &before, const Reply &r,
                           std::initializer_list<u32> details, std::initializer_list<const char *> log) {
    check_refusal(m, r, Error::FailedLookup, details, log);
    CHECK(same(snapshot(m), before));
    REQUIRE_INVARIANTS();
}

// A CSpace three levels deep, reached through root slot `ra`:
//   ra:  CNode A, radix 4, guard 0b10 (2 bits)        6 bits
//   A[5]: CNode B, radix 3, guard 0b11 (2 bits)       5 bits
//   B[1]: CNode C, radix 2, no guard                   2 bits
//   B[6]: an Endpoint copy      (address 0x4BE, depth 11)
//   C[3]: a Notification copy   (depth 13)
//   A[2]: an Endpoint copy (a non-CNode one level up)
struct Tree {
    Machine m;
    unsigned ut, next;
    unsigned ep, ntfn, a, b, c, ra;
    Slot *A, *B, *C;

    unsigned make(ObjectType type, unsigned bits = 0) {
        unsigned s = next++;
        expect_ok(m, retype(m, ut, type, bits, s));
        return s;
    }
    static constexpr u32 addr_a(u32 a_index, u32 guard = 2) { return guard << 4 | a_index; }
    static constexpr u32 addr_b(u32 a_index, u32 b_guard, u32 b_index, u32 a_guard = 2) {
        return (addr_a(a_index, a_guard) << 2 | b_guard) << 3 | b_index;
    }
    static constexpr u32 addr_c(u32 c_index) { return addr_b(5, 3, 1) << 2 | c_index; }

    Tree() : ut(untyped_at_least(m, 20)), next(first_free(m)) {
        ep = make(ObjectType::Endpoint);
        ntfn = make(ObjectType::Notification);
        a = make(ObjectType::CNode, 4);
        b = make(ObjectType::CNode, 3);
        c = make(ObjectType::CNode, 2);
        ra = next++;
        expect_ok(m, mint(m, ra, a, kAll, abi::cnode_cap_data(2, 2)));
        // Invoking the unguarded caps in the root CNode to fill the lower levels.
        expect_ok(m, m.call(a, Label::CNodeMint, {5, 4, b, 32, kAll, abi::cnode_cap_data(3, 2)}, {kRootCNode}));
        expect_ok(m, m.call(a, Label::CNodeCopy, {2, 4, ep, 32, kAll}, {kRootCNode}));
        expect_ok(m, m.call(b, Label::CNodeCopy, {6, 3, ep, 32, kAll}, {kRootCNode}));
        expect_ok(m, m.call(b, Label::CNodeCopy, {1, 3, c, 32, kAll}, {kRootCNode}));
        expect_ok(m, m.call(c, Label::CNodeCopy, {3, 2, ntfn, 32, kAll}, {kRootCNode}));
        A = m.at<Slot>(cap_at(m, a).object());
        B = m.at<Slot>(cap_at(m, b).object());
        C = m.at<Slot>(cap_at(m, c).object());
        REQUIRE(A[5].cap.type() == CapType::CNode);
        REQUIRE(A[5].cap.cnode_guard() == 3);
        REQUIRE(B[6].cap == cap_at(m, ep));
        REQUIRE(C[3].cap == cap_at(m, ntfn));
        REQUIRE(m.take_console().empty());
    }
    const Cap &root() const { return cap_at(m, ra); }
    // CNode.Copy into root slot `dest` from (src_root = ra, index, depth).
    Reply copy_from(unsigned dest, u32 index, u32 depth) {
        return m.call(kRootCNode, Label::CNodeCopy, {dest, 32, index, depth, kAll}, {ra});
    }
    // CNode.Copy of root slot `src` into (ra, index, depth), invoking ra.
    Reply copy_into(u32 index, u32 depth, unsigned src) {
        return m.call(ra, Label::CNodeCopy, {index, depth, src, 32, kAll}, {kRootCNode});
    }
};

static_assert(Tree::addr_b(5, 3, 6) == 0x4BE);

}  // namespace

// ============================================================== resolve() / lookup_exact() directly

TEST_CASE("resolve: walks guarded levels and reports the level reached", "[lookup]") {
    Tree t;
    SECTION("two levels") {
        Lookup l = resolve(t.root(), Tree::addr_b(5, 3, 6), 11);
        REQUIRE(l.ok());
        CHECK(l.slot == &t.B[6]);
        CHECK(l.level == 2);
        CHECK(l.bits_left == 0);
        Lookup e = lookup_exact(t.root(), Tree::addr_b(5, 3, 6), 11);
        REQUIRE(e.ok());
        CHECK(e.slot == &t.B[6]);
        CHECK(describe(l) == "level 2: resolved with 0 bits left");
    }
    SECTION("three levels") {
        Lookup l = lookup_exact(t.root(), Tree::addr_c(3), 13);
        REQUIRE(l.ok());
        CHECK(l.slot == &t.C[3]);
        CHECK(l.level == 3);
        // Only the low `depth` bits count: higher bits are ignored.
        Lookup hi = lookup_exact(t.root(), Tree::addr_c(3) | 0xffff'e000u, 13);
        REQUIRE(hi.ok());
        CHECK(hi.slot == &t.C[3]);
    }
    SECTION("depth ending at a slot that holds a CNode cap stops there") {
        Lookup l = lookup_exact(t.root(), Tree::addr_a(5), 6);
        REQUIRE(l.ok());
        CHECK(l.slot == &t.A[5]);
        CHECK(l.level == 1);
        Lookup l2 = lookup_exact(t.root(), Tree::addr_b(5, 3, 1), 11);
        REQUIRE(l2.ok());
        CHECK(l2.slot == &t.B[1]);
        CHECK(l2.level == 2);
    }
    SECTION("the root CNode: slot index = cap pointer at depth 32") {
        Lookup l = lookup_exact(cap_at(t.m, kRootCNode), t.ep, 32);
        REQUIRE(l.ok());
        CHECK(l.slot == t.m.root_slot(t.ep));
        CHECK(l.level == 1);
        // At depth 32 the root CNode (guard 20 + radix 12) uses every bit: no descent into ra.
        CHECK(lookup_exact(cap_at(t.m, kRootCNode), t.ra, 32).slot == t.m.root_slot(t.ra));
    }
    SECTION("a non-CNode cap with bits left: resolve() stops, lookup_exact() refuses") {
        Lookup l = resolve(t.root(), Tree::addr_b(2, 3, 6), 11);
        REQUIRE(l.ok());
        CHECK(l.slot == &t.A[2]);
        CHECK(l.bits_left == 5);
        CHECK(l.level == 1);
        Lookup e = lookup_exact(t.root(), Tree::addr_b(2, 3, 6), 11);
        CHECK(e.failure == LookupFailure::DepthMismatch);
        CHECK(e.slot == nullptr);
        CHECK(e.bits_left == 5);
        CHECK(e.bits_needed == 0);
        CHECK(e.level == 1);
        CHECK(describe(e) == "level 1: depth mismatch: 5 bits left at a non-CNode cap");
    }
    SECTION("an empty slot with bits left: resolve() stops there") {
        Lookup l = resolve(t.root(), Tree::addr_b(3, 3, 6), 11);
        REQUIRE(l.ok());
        CHECK(l.slot == &t.A[3]);
        CHECK(l.slot->cap.is_null());
        CHECK(l.bits_left == 5);
        CHECK(lookup_exact(t.root(), Tree::addr_b(3, 3, 6), 11).failure == LookupFailure::DepthMismatch);
    }
    SECTION("guard mismatch at level 1") {
        Lookup l = resolve(t.root(), Tree::addr_b(5, 3, 6, 1), 11);
        CHECK(l.failure == LookupFailure::GuardMismatch);
        CHECK(l.slot == nullptr);
        CHECK(l.level == 1);
        CHECK(l.bits_left == 11);
        CHECK(l.guard_found == 1);
        CHECK(l.guard_expected == 2);
        CHECK(l.guard_size == 2);
        CHECK(describe(l) == "level 1: guard mismatch: expected 0x2 (2 bits), found 0x1 (11 bits left)");
    }
    SECTION("guard mismatch at level 2") {
        Lookup l = lookup_exact(t.root(), Tree::addr_b(5, 0, 6), 11);
        CHECK(l.failure == LookupFailure::GuardMismatch);
        CHECK(l.level == 2);
        CHECK(l.bits_left == 5);
        CHECK(l.guard_found == 0);
        CHECK(l.guard_expected == 3);
        CHECK(l.guard_size == 2);
        CHECK(describe(l) == "level 2: guard mismatch: expected 0x3 (2 bits), found 0x0 (5 bits left)");
    }
    SECTION("fewer bits left than the guard") {
        Lookup l = resolve(t.root(), Tree::addr_b(5, 3, 6) >> 4, 7);
        CHECK(l.failure == LookupFailure::GuardMismatch);
        CHECK(l.level == 2);
        CHECK(l.bits_left == 1);
        CHECK(l.guard_found == 0);
        CHECK(l.guard_size == 2);
    }
    SECTION("depth mismatch: the guard fits but the radix does not") {
        Lookup l = resolve(t.root(), Tree::addr_b(5, 3, 6) >> 3, 8);
        CHECK(l.failure == LookupFailure::DepthMismatch);
        CHECK(l.slot == nullptr);
        CHECK(l.level == 2);
        CHECK(l.bits_left == 2);
        CHECK(l.bits_needed == 5);
        CHECK(describe(l) == "level 2: depth mismatch: 2 bits left, the CNode needs 5");
        Lookup l1 = resolve(t.root(), 0x4, 3);  // level 1: guard matches, radix 4 needs 6 bits
        CHECK(l1.failure == LookupFailure::DepthMismatch);
        CHECK(l1.level == 1);
        CHECK(l1.bits_left == 3);
        CHECK(l1.bits_needed == 6);
        Lookup c0 = resolve(cap_at(t.m, t.c), 0, 0);  // unguarded, depth 0
        CHECK(c0.failure == LookupFailure::DepthMismatch);
        CHECK(c0.bits_needed == 2);
    }
    SECTION("a root that is not a CNode") {
        Lookup l = resolve(cap_at(t.m, t.ep), 0, 32);
        CHECK(l.failure == LookupFailure::InvalidRoot);
        CHECK(l.root_type == CapType::Endpoint);
        CHECK(l.slot == nullptr);
        CHECK(describe(l) == "root: expected a CNode cap, got Endpoint");
        Lookup n = lookup_exact(Cap::null(), 0, 32);
        CHECK(n.failure == LookupFailure::InvalidRoot);
        CHECK(n.root_type == CapType::Null);
        CHECK(describe(n) == "root: expected a CNode cap, got null");
    }
}

TEST_CASE("describe_lookup: each failure, and a short buffer", "[lookup]") {
    Lookup l;
    l.failure = LookupFailure::MissingCapability;
    l.level = 3;
    l.bits_left = 4;
    CHECK(describe(l) == "level 3: empty slot (4 bits left)");
    l.failure = LookupFailure::None;
    CHECK(describe(l) == "level 3: resolved with 4 bits left");
    l.failure = LookupFailure::GuardMismatch;
    l.guard_expected = 0x3ffff;
    l.guard_found = 0x12;
    l.guard_size = 18;
    l.bits_left = 32;
    l.level = 1;
    CHECK(describe(l) == "level 1: guard mismatch: expected 0x3ffff (18 bits), found 0x12 (32 bits left)");
    l.failure = LookupFailure::InvalidRoot;
    l.root_type = CapType::Untyped;
    CHECK(describe(l) == "root: expected a CNode cap, got Untyped");

    char small[8];
    std::memset(small, 'x', sizeof(small));
    describe_lookup(l, small, sizeof(small));
    CHECK(small[7] == '\0');
    CHECK(std::string(small) == "root: e");
}

// ============================================================== CNode invocations through the tree

TEST_CASE("lookup: CNode.Copy reads and writes slots two and three levels down", "[lookup]") {
    Tree t;
    unsigned d = t.next++;
    SECTION("source two levels down") {
        expect_ok(t.m, t.copy_from(d, Tree::addr_b(5, 3, 6), 11));
        CHECK(cap_at(t.m, d) == cap_at(t.m, t.ep));
        CHECK(t.m.root_slot(d)->prev() == &t.B[6]);  // derived from the slot it was copied from
    }
    SECTION("source three levels down") {
        expect_ok(t.m, t.copy_from(d, Tree::addr_c(3), 13));
        CHECK(cap_at(t.m, d) == cap_at(t.m, t.ntfn));
        CHECK(t.m.root_slot(d)->prev() == &t.C[3]);
    }
    SECTION("a CNode cap part way down, with its guard") {
        expect_ok(t.m, t.copy_from(d, Tree::addr_a(5), 6));
        CHECK(cap_at(t.m, d) == t.A[5].cap);
        CHECK(cap_at(t.m, d).cnode_guard_size() == 2);
    }
    SECTION("destinations down the tree, then Move, Delete and Revoke there") {
        expect_ok(t.m, t.copy_into(Tree::addr_b(5, 3, 7), 11, t.ep));
        CHECK(t.B[7].cap == cap_at(t.m, t.ep));
        expect_ok(t.m, t.copy_into(Tree::addr_c(0), 13, t.ntfn));
        CHECK(t.C[0].cap == cap_at(t.m, t.ntfn));
        expect_ok(t.m, t.m.call(t.ra, Label::CNodeMove, {Tree::addr_c(1), 13, Tree::addr_b(5, 3, 7), 11}, {t.ra}));
        CHECK(t.B[7].cap.is_null());
        CHECK(t.C[1].cap == cap_at(t.m, t.ep));
        REQUIRE_INVARIANTS();
        expect_ok(t.m, t.m.call(t.ra, Label::CNodeDelete, {Tree::addr_c(0), 13}));
        CHECK(t.C[0].cap.is_null());
        CHECK(t.C[3].cap == cap_at(t.m, t.ntfn));
        // Revoking the original endpoint reaches its copies at every level.
        expect_ok(t.m, revoke(t.m, t.ep));
        CHECK(t.C[1].cap.is_null());
        CHECK(t.B[6].cap.is_null());
        CHECK(t.A[2].cap.is_null());
        CHECK(t.C[3].cap.type() == CapType::Notification);
    }
}

TEST_CASE("lookup: failures through the tree report their details", "[lookup]") {
    Tree t;
    unsigned d = t.next++;
    auto before = snapshot(t.m);
    SECTION("guard mismatch at level 1 (source)") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(5, 3, 6, 3), 11),
                              {1, lf(LookupFailure::GuardMismatch), 11, 3, 2},
                              {"CNode.Copy: src: lookup failed: level 1: guard mismatch: expected 0x2 (2 bits), "
                               "found 0x3 (11 bits left)"});
    }
    SECTION("guard mismatch at level 2 (source)") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(5, 1, 6), 11),
                              {1, lf(LookupFailure::GuardMismatch), 5, 1, 2},
                              {"src: lookup failed: level 2: guard mismatch: expected 0x3 (2 bits), found 0x1"});
    }
    SECTION("guard mismatch at level 2 (destination)") {
        std::vector<Slot> a_before(t.A, t.A + 16), b_before(t.B, t.B + 8);
        expect_lookup_failure(t.m, before, t.copy_into(Tree::addr_b(5, 2, 7), 11, t.ep),
                              {0, lf(LookupFailure::GuardMismatch), 5, 2, 2},
                              {"CNode.Copy: dest: lookup failed: level 2: guard mismatch"});
        CHECK(same(std::vector<Slot>(t.A, t.A + 16), a_before));
        CHECK(same(std::vector<Slot>(t.B, t.B + 8), b_before));
    }
    SECTION("fewer bits than the level-2 guard") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(5, 3, 6) >> 4, 7),
                              {1, lf(LookupFailure::GuardMismatch), 1, 0, 2}, {"level 2: guard mismatch"});
    }
    SECTION("depth mismatch at level 2") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(5, 3, 6) >> 3, 8),
                              {1, lf(LookupFailure::DepthMismatch), 2, 5},
                              {"src: lookup failed: level 2: depth mismatch: 2 bits left, the CNode needs 5"});
    }
    SECTION("depth mismatch at level 3 (destination)") {
        expect_lookup_failure(t.m, before, t.copy_into(Tree::addr_c(3) >> 1, 12, t.ep),
                              {0, lf(LookupFailure::DepthMismatch), 1, 2},
                              {"dest: lookup failed: level 3: depth mismatch: 1 bits left, the CNode needs 2"});
    }
    SECTION("a non-CNode cap with bits left") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(2, 3, 6), 11),
                              {1, lf(LookupFailure::DepthMismatch), 5, 0},
                              {"src: lookup failed: level 1: depth mismatch: 5 bits left at a non-CNode cap"});
    }
    SECTION("an empty slot with bits left") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(3, 3, 6), 11),
                              {1, lf(LookupFailure::DepthMismatch), 5, 0}, {"level 1: depth mismatch: 5 bits left"});
    }
    SECTION("an empty slot at the end") {
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_b(5, 3, 0), 11),
                              {1, lf(LookupFailure::MissingCapability), 0},
                              {"src: lookup failed: level 2: empty slot (0 bits left)"});
        expect_lookup_failure(t.m, before, t.copy_from(d, Tree::addr_c(2), 13),
                              {1, lf(LookupFailure::MissingCapability), 0}, {"level 3: empty slot"});
    }
    SECTION("a destination that is occupied, two levels down") {
        auto r = t.copy_into(Tree::addr_b(5, 3, 6), 11, t.ntfn);
        CHECK(r.error == Error::DeleteFirst);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == Tree::addr_b(5, 3, 6));
        CHECK(t.m.take_console().find("dest: expected an empty slot") != std::string::npos);
        CHECK(same(snapshot(t.m), before));
        REQUIRE_INVARIANTS();
    }
    CHECK(cap_at(t.m, d).is_null());
}

TEST_CASE("lookup: the invoked and extra cap pointers resolve through a two-level CSpace", "[lookup]") {
    Tree t;
    // D: radix 4 with a 12-bit guard 0xabc, reached from a thread CSpace whose
    // root uses 16 bits (guard 4 + radix 12): cptr = slot << 16 | 0xabc << 4 | index.
    unsigned dn = t.make(ObjectType::CNode, 4);
    unsigned rd = t.next++;
    expect_ok(t.m, mint(t.m, rd, dn, kAll, abi::cnode_cap_data(0xabc, 12)));
    expect_ok(t.m, t.m.call(dn, Label::CNodeCopy, {7, 4, t.c, 32, kAll}, {kRootCNode}));
    expect_ok(t.m, t.m.call(dn, Label::CNodeCopy, {8, 4, kRootCNode, 32, kAll}, {kRootCNode}));
    Slot *D = t.m.at<Slot>(cap_at(t.m, dn).object());
    auto cptr = [&](u32 index, u32 guard = 0xabc) { return rd << 16 | guard << 4 | index; };

    Slot &ctable = *t.m.root.tcb->slot(kTcbCTable);
    const Cap saved = ctable.cap;
    REQUIRE(saved.object() == cap_at(t.m, kRootCNode).object());
    ctable.cap = Cap::cnode(saved.object(), 12, 4, 0);  // what a Mutate with cnode_cap_data(0, 4) would give
    REQUIRE_INVARIANTS();

    SECTION("invoke C (in D[7]) with src_root = the root CNode (in D[8])") {
        Lookup l = resolve(ctable.cap, cptr(7), 32);
        REQUIRE(l.ok());
        CHECK(l.slot == &D[7]);
        CHECK(l.level == 2);
        expect_ok(t.m, t.m.call(cptr(7), Label::CNodeCopy, {0, 2, t.ep, 32, kAll}, {cptr(8)}));
        CHECK(t.C[0].cap == cap_at(t.m, t.ep));
    }
    SECTION("a guard mismatch in the invoked cap pointer") {
        auto before = snapshot(t.m);
        expect_lookup_failure(t.m, before, t.m.call(cptr(7, 0xabd), Label::CNodeDelete, {0, 2}),
                              {0, lf(LookupFailure::GuardMismatch), 16, 0xabd, 12},
                              {"invoke: cap: lookup failed: level 2: guard mismatch: expected 0xabc (12 bits)"});
    }
    SECTION("a guard mismatch in the extra cap pointer") {
        auto before = snapshot(t.m);
        expect_lookup_failure(t.m, before,
                              t.m.call(cptr(7), Label::CNodeCopy, {0, 2, t.ep, 32, kAll}, {cptr(8, 0)}),
                              {1, lf(LookupFailure::GuardMismatch), 16, 0, 12},
                              {"invoke: extra cap: lookup failed: level 2: guard mismatch"});
    }
    SECTION("an empty slot at level 2 as the invoked cap") {
        auto before = snapshot(t.m);
        auto r = t.m.call(cptr(9), Label::CNodeDelete, {0, 2});
        CHECK(r.error == Error::InvalidCapability);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == 0);
        CHECK(t.m.take_console().find("invoke: cap: expected a cap, got an empty slot") != std::string::npos);
        CHECK(same(snapshot(t.m), before));
    }
    SECTION("an empty slot at level 2 as an extra cap") {
        auto before = snapshot(t.m);
        expect_lookup_failure(t.m, before, t.m.call(cptr(7), Label::CNodeCopy, {0, 2, t.ep, 32, kAll}, {cptr(9)}),
                              {1, lf(LookupFailure::MissingCapability), 0},
                              {"extra cap: lookup failed: level 2: empty slot"});
    }
    ctable.cap = saved;
    REQUIRE_INVARIANTS();
}

// ============================================================== 32 levels

TEST_CASE("lookup: a chain of 32 radix-1 CNodes resolves at depth 32", "[lookup]") {
    Machine m;
    unsigned ut = untyped_at_least(m, 20);
    unsigned first = first_free(m);
    constexpr u32 kPath = 0xa5c3'0f69u;  // level i takes bit 32 - i
    auto bit = [](u32 level) { return (kPath >> (32 - level)) & 1u; };
    expect_ok(m, retype(m, ut, ObjectType::CNode, 1, first, 32));
    unsigned ep = first + 32;
    expect_ok(m, retype(m, ut, ObjectType::Endpoint, 0, ep));
    std::vector<Slot *> node(33);
    for (u32 level = 1; level <= 32; ++level) {
        const Cap &cn = cap_at(m, first + level - 1);
        REQUIRE(cn.cnode_radix() == 1);
        REQUIRE(cn.cnode_guard_size() == 0);
        node[level] = m.at<Slot>(cn.object());
    }
    // Level i's slot bit(i) holds the cap to level i + 1; level 32's holds the endpoint.
    for (u32 level = 1; level < 32; ++level)
        expect_ok(m,
                  m.call(first + level - 1, Label::CNodeCopy, {bit(level), 1, first + level, 32, kAll}, {kRootCNode}));
    expect_ok(m, m.call(first + 31, Label::CNodeCopy, {bit(32), 1, ep, 32, kAll}, {kRootCNode}));
    const Cap &top = cap_at(m, first);

    SECTION("resolve and lookup_exact") {
        Lookup l = resolve(top, kPath, 32);
        REQUIRE(l.ok());
        CHECK(l.level == 32);
        CHECK(l.bits_left == 0);
        CHECK(l.slot == &node[32][bit(32)]);
        CHECK(l.slot->cap == cap_at(m, ep));
        Lookup e = lookup_exact(top, kPath, 32);
        REQUIRE(e.ok());
        CHECK(e.slot == l.slot);
        // Any depth d < 32 stops at level d, on the slot holding level d + 1.
        for (u32 d = 1; d < 32; ++d) {
            INFO("depth " << d);
            Lookup p = lookup_exact(top, kPath >> (32 - d), d);
            REQUIRE(p.ok());
            CHECK(p.level == d);
            CHECK(p.slot == &node[d][bit(d)]);
            CHECK(p.slot->cap.object() == cap_at(m, first + d).object());
        }
        // Leaving the path at level 20 reaches an empty slot with 12 bits left.
        u32 off = kPath ^ (1u << 12);
        Lookup miss = resolve(top, off, 32);
        REQUIRE(miss.ok());
        CHECK(miss.level == 20);
        CHECK(miss.bits_left == 12);
        CHECK(miss.slot == &node[20][bit(20) ^ 1]);
        Lookup missx = lookup_exact(top, off, 32);
        CHECK(missx.failure == LookupFailure::DepthMismatch);
        CHECK(missx.bits_left == 12);
        CHECK(missx.level == 20);
    }
    SECTION("CNode invocations through all 32 levels") {
        unsigned d = ep + 1;
        expect_ok(m, m.call(kRootCNode, Label::CNodeCopy, {d, 32, kPath, 32, abi::kRightRead}, {first}));
        CHECK(cap_at(m, d).object() == cap_at(m, ep).object());
        CHECK(cap_at(m, d).rights() == abi::kRightRead);
        // Write the other slot of level 32 through the whole chain, then delete it.
        u32 other = kPath ^ 1u;
        expect_ok(m, m.call(first, Label::CNodeCopy, {other, 32, ep, 32, kAll}, {kRootCNode}));
        CHECK(node[32][bit(32) ^ 1].cap == cap_at(m, ep));
        expect_ok(m, m.call(first, Label::CNodeDelete, {other, 32}));
        CHECK(node[32][bit(32) ^ 1].cap.is_null());
        // The empty slot at level 32, through the chain: MissingCapability.
        auto before = snapshot(m);
        expect_lookup_failure(m, before, m.call(kRootCNode, Label::CNodeCopy, {d + 1, 32, other, 32, kAll}, {first}),
                              {1, lf(LookupFailure::MissingCapability), 0}, {"level 32: empty slot (0 bits left)"});
        // Deleting the top CNode's only cap to level 2 does not destroy the chain: root slots still hold them.
        expect_ok(m, m.call(first, Label::CNodeDelete, {bit(1), 1}));
        CHECK(node[1][bit(1)].cap.is_null());
        expect_lookup_failure(m, snapshot(m),
                              m.call(kRootCNode, Label::CNodeCopy, {d + 1, 32, kPath, 32, kAll}, {first}),
                              {1, lf(LookupFailure::DepthMismatch), 31, 0}, {"level 1: depth mismatch: 31 bits left"});
        // Revoking the Untyped deletes every CNode, and the copies inside them.
        expect_ok(m, revoke(m, ut));
        for (u32 i = 0; i <= 33; ++i) CHECK(cap_at(m, first + i).is_null());
    }
}
