// SPDX-License-Identifier: BSD-2-Clause
// Deleting caps: non-final and final caps, CNodes holding caps, nested and cyclic
// CNodes, TCBs, preempted deletion (Zombies) and preempted Revoke of an Untyped.
#include "harness.hpp"

#include <cstring>

#include "slot.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;

namespace {

constexpr u32 kRadix = 4;  // child CNodes: 16 slots, addressed with depth 4 when invoked directly

u32 t(ObjectType type) { return static_cast<u32>(type); }

unsigned ram_untyped(const Machine &m, unsigned bits) {
    const abi::BootInfo *bi = m.root.boot_info;
    for (unsigned i = 0; i < bi->untyped_count; ++i)
        if (!bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits == bits) return bi->untyped.start + i;
    FAIL("no boot RAM Untyped of exactly 2^" << bits << " bytes");
    return 0;
}

Slot *node_of(const Machine &m, unsigned root_slot) { return m.at<Slot>(cap_at(m, root_slot).object()); }

// Retype `count` objects into slots offset.. of the CNode whose cap is in root slot `node`.
Reply retype_into(Machine &m, unsigned ut, ObjectType type, u32 bits, unsigned node, u32 offset, u32 count = 1) {
    return m.call(ut, Label::UntypedRetype, {t(type), bits, node, 32, offset, count}, {kRootCNode});
}
// Moves / copies the cap in root slot `src` into slot `index` of the CNode in root slot `node` (radix r).
Reply move_into(Machine &m, unsigned node, u32 index, unsigned src, u32 radix = kRadix) {
    return m.call(node, Label::CNodeMove, {index, radix, src, 32}, {kRootCNode});
}
Reply copy_into(Machine &m, unsigned node, u32 index, unsigned src, u32 radix = kRadix) {
    return m.call(node, Label::CNodeCopy, {index, radix, src, 32, abi::kRightsAll}, {kRootCNode});
}

bool node_empty(const Machine &m, paddr_t node, u32 radix) {
    return memory_is(m, node, (1u << radix) * 16, 0);  // empty slots are all-zero: cap and links
}

// Everything a test can compare between a preempted and an unpreempted run.
struct Snapshot {
    std::vector<Cap> root;     // every root CNode slot
    std::vector<u32> list;     // the derivation list: slot addresses in order
    unsigned caps;
    bool operator==(const Snapshot &) const = default;
};
Snapshot snapshot(const Machine &m) {
    Snapshot s;
    for (u32 i = 0; i < 4096; ++i) s.root.push_back(cap_at(m, i));
    for (Slot *x = mdb_first(); x; x = x->next()) s.list.push_back(kref(x));
    s.caps = count_caps();
    return s;
}

}  // namespace

TEST_CASE("delete: non-final caps go alone; the final cap destroys the object", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, 300).ok());
    REQUIRE(copy(m, 301, 300).ok());
    REQUIRE(mint(m, 302, 300, abi::kRightsAll, 5).ok());  // badged: a child of the original
    REQUIRE(copy(m, 303, 302).ok());
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == base_caps + 4);

    REQUIRE(remove(m, 301).ok());
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, 301).is_null());
    CHECK(m.root_slot(301)->mdb_prev == 0);
    CHECK(m.root_slot(301)->mdb_next == 0);
    CHECK(cap_at(m, 300).type() == CapType::Endpoint);
    CHECK(count_caps() == base_caps + 3);

    // The original goes; the badged caps stay (they name the same endpoint).
    REQUIRE(remove(m, 300).ok());
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, 302).badge() == 5);
    CHECK(count_caps() == base_caps + 2);
    // An empty slot is not an error and changes nothing.
    REQUIRE(remove(m, 300).ok());
    CHECK(count_caps() == base_caps + 2);
    REQUIRE(remove(m, 302).ok());
    REQUIRE(remove(m, 303).ok());  // final
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == base_caps);
    // The Untyped has no children left: the next Retype starts at the bottom again.
    REQUIRE(retype(m, ut, ObjectType::Notification, 0, 300).ok());
    CHECK(cap_at(m, 300).object() == cap_at(m, ut).untyped_base());

    // Frames, TCBs, page tables, child Untyped: final deletes, invariants after each.
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, 310).ok());
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, 311).ok());
    REQUIRE(retype(m, ut, ObjectType::PageTable, 0, 312).ok());
    REQUIRE(retype(m, ut, ObjectType::Untyped, 12, 313).ok());
    REQUIRE(retype(m, 313, ObjectType::Endpoint, 0, 314).ok());
    REQUIRE(copy(m, 315, 310).ok());
    REQUIRE_INVARIANTS();
    for (u32 s : {310u, 311u, 312u, 313u, 315u, 314u, 300u}) {
        INFO("slot " << s);
        REQUIRE(remove(m, s).ok());
        CHECK(cap_at(m, s).is_null());
        REQUIRE_INVARIANTS();
    }
    CHECK(count_caps() == base_caps);
}

TEST_CASE("delete: a copy of a CNode cap leaves the CNode and its contents alone", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 300).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 300, 0, 6).ok());
    REQUIRE(copy(m, 301, 300).ok());
    REQUIRE(mint(m, 302, 300, abi::kRightsAll, abi::cnode_cap_data(0, 3)).ok());  // another guard
    const unsigned caps = count_caps();
    REQUIRE(remove(m, 300).ok());
    REQUIRE(remove(m, 302).ok());
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == caps - 2);
    const Slot *node = node_of(m, 301);
    for (u32 i = 0; i < 6; ++i) CHECK(node[i].cap.type() == CapType::Endpoint);
    // Revoke on the last cap has nothing to do either.
    REQUIRE(revoke(m, 301).ok());
    CHECK(count_caps() == caps - 2);
}

TEST_CASE("delete: the last cap to a CNode takes its contents out of the tree", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned other = ram_untyped(m, 17);
    const unsigned base_caps = count_caps();
    REQUIRE(retype(m, other, ObjectType::Endpoint, 0, 400).ok());   // lives on, from another Untyped
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, 401).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 300).ok());
    const paddr_t node = cap_at(m, 300).object();
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 300, 0, 5).ok());
    REQUIRE(copy_into(m, 300, 7, 400).ok());
    REQUIRE(move_into(m, 300, 9, 401).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Tcb, 0, 300, 15).ok());
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, 401).is_null());
    CHECK(count_caps() == base_caps + 1 + 1 + 5 + 1 + 1 + 1);
    const paddr_t frame = node_of(m, 300)[9].cap.object();

    REQUIRE(remove(m, 300).ok());
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, 300).is_null());
    CHECK(node_empty(m, node, kRadix));
    CHECK(count_caps() == base_caps + 1);
    CHECK(cap_at(m, 400).type() == CapType::Endpoint);  // the copy went, the original stays
    for (Slot *s = mdb_first(); s; s = s->next()) {
        if (s->cap.is_frame()) CHECK(s->cap.object() != frame);
        CHECK((kref(s) < node || kref(s) >= node + (16u << kRadix)));
    }
    // Retype resets the Untyped (nothing made from it is left) and hands out the same memory, zeroed.
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, 300).ok());
    CHECK(cap_at(m, 300).object() == cap_at(m, ut).untyped_base());
}

TEST_CASE("delete: nested CNodes four deep", "[delete]") {
    for (u32 every : {0u, 1u, 3u}) {
        INFO("interrupt every " << every);
        Machine m;
        const unsigned ut = ram_untyped(m, 18);
        const unsigned base_caps = count_caps();
        const unsigned a = 300, b = 301, c = 302, d = 303;
        paddr_t nodes[4];
        for (u32 i = 0; i < 4; ++i) {
            REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, a + i).ok());
            nodes[i] = cap_at(m, a + i).object();
            REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, a + i, 0, 3).ok());
            REQUIRE(retype_into(m, ut, ObjectType::Notification, 0, a + i, 12, 4).ok());
        }
        REQUIRE(move_into(m, c, 5, d).ok());
        REQUIRE(move_into(m, b, 5, c).ok());
        REQUIRE(move_into(m, a, 5, b).ok());
        REQUIRE_INVARIANTS();
        CHECK(count_caps() == base_caps + 4 + 4 * 7);
        // Reachable through the path a -> b -> c -> d: D's slot 1, 16 bits deep from A.
        REQUIRE(m.call(a, Label::CNodeDelete, {0x5551, 16}).ok());
        CHECK(m.at<Slot>(nodes[3])[1].cap.is_null());
        CHECK(count_caps() == base_caps + 4 + 4 * 7 - 1);
        REQUIRE_INVARIANTS();

        unsigned zombies_seen = 0;
        Reply r = call_checked(m, kRootCNode, Label::CNodeDelete, {a, 32}, {}, every, [&] {
            REQUIRE_INVARIANTS();
            if (cap_at(m, a).type() == CapType::Zombie) ++zombies_seen;
        });
        REQUIRE(r.ok());
        REQUIRE_INVARIANTS();
        if (every) {
            CHECK(r.restarts > 0);
            CHECK(zombies_seen == r.restarts);
        }
        CHECK(cap_at(m, a).is_null());
        CHECK(count_caps() == base_caps);
        for (paddr_t n : nodes) CHECK(node_empty(m, n, kRadix));
    }
}

TEST_CASE("delete: a CNode holding the only cap to itself is reclaimed by revoking its Untyped", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 300).ok());
    const paddr_t node = cap_at(m, 300).object();
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 300, 0, 4).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Frame4K, 0, 300, 14).ok());
    REQUIRE(copy_into(m, 300, 6, 300).ok());  // the CNode holds a cap to itself
    REQUIRE_INVARIANTS();

    REQUIRE(remove(m, 300).ok());  // not final: the copy inside keeps it alive
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, 300).is_null());
    const Slot *n = m.at<Slot>(node);
    CHECK(n[6].cap.type() == CapType::CNode);
    CHECK(n[0].cap.type() == CapType::Endpoint);
    CHECK(count_caps() == base_caps + 1 + 4 + 1);

    SECTION("revoking the Untyped reclaims it") {
        Reply r = revoke(m, ut);
        REQUIRE(r.ok());
        REQUIRE_INVARIANTS();
        CHECK(count_caps() == base_caps);
        CHECK(cap_at(m, ut).untyped_free_bytes() == 0);
        CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 18, 0));
    }
    SECTION("deleting the slot inside the CNode it destroys (white box)") {
        REQUIRE(delete_cap(m.at<Slot>(node) + 6) == Status::Ok);
        REQUIRE_INVARIANTS();
        CHECK(count_caps() == base_caps);
        CHECK(node_empty(m, node, kRadix));
    }
    SECTION("the same, preempted at every preemption point") {
        m.irq_after(1, true);
        u32 restarts = 0;
        while (delete_cap(m.at<Slot>(node) + 6) == Status::Preempted) {
            ++restarts;
            REQUIRE(restarts < 100);
            REQUIRE_INVARIANTS();
            CHECK(m.at<Slot>(node)[6].cap.type() == CapType::Zombie);
            m.irq_after(1, true);
        }
        m.irq_after(0);
        CHECK(restarts > 0);
        REQUIRE_INVARIANTS();
        CHECK(count_caps() == base_caps);
        CHECK(node_empty(m, node, kRadix));
    }
}

TEST_CASE("delete: two CNodes holding each other's only caps", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    const unsigned x = 300, y = 301, x2 = 302;
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, x).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, y).ok());
    const paddr_t xn = cap_at(m, x).object(), yn = cap_at(m, y).object();
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, x, 3, 5).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Notification, 0, y, 9, 5).ok());
    REQUIRE(copy(m, x2, x).ok());
    REQUIRE(move_into(m, y, 0, x).ok());   // Y[0] = X
    REQUIRE(move_into(m, x2, 0, y).ok());  // X[0] = Y
    REQUIRE(remove(m, x2).ok());           // not final: Y[0] still names X
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, x).is_null());
    CHECK(cap_at(m, y).is_null());
    CHECK(m.at<Slot>(xn)[0].cap.type() == CapType::CNode);
    CHECK(m.at<Slot>(yn)[0].cap.type() == CapType::CNode);
    CHECK(count_caps() == base_caps + 2 + 10);

    SECTION("revoking the Untyped reclaims both") {
        for (u32 every : {0u, 1u}) {
            if (every == 1) {
                // Rebuild after the first round, then revoke with an interrupt at every point.
                REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, x).ok());
                REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, y).ok());
                REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, x, 3, 5).ok());
                REQUIRE(copy(m, x2, x).ok());
                REQUIRE(move_into(m, y, 0, x).ok());
                REQUIRE(move_into(m, x2, 0, y).ok());
                REQUIRE(remove(m, x2).ok());
            }
            Reply r = call_checked(m, kRootCNode, Label::CNodeRevoke, {ut, 32}, {}, every,
                                   [&] { REQUIRE_INVARIANTS(); });
            REQUIRE(r.ok());
            CHECK((every == 0 || r.restarts > 0));
            REQUIRE_INVARIANTS();
            CHECK(count_caps() == base_caps);
            CHECK(cap_at(m, ut).untyped_free_bytes() == 0);
            CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 18, 0));
        }
    }
    SECTION("deleting one inside the cycle (white box) leaves a self-contained Zombie") {
        REQUIRE(delete_cap(m.at<Slot>(xn)) == Status::Ok);
        REQUIRE_INVARIANTS();
        // X[0] is empty; what remains is unreachable and reclaimed by revoking the Untyped.
        CHECK(m.at<Slot>(xn)[0].cap.is_null());
        REQUIRE(revoke(m, ut).ok());
        REQUIRE_INVARIANTS();
        CHECK(count_caps() == base_caps);
        CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 18, 0));
    }
}

TEST_CASE("delete: a cycle through the top of the deletion", "[delete]") {
    // Root slot s holds the last cap to X; X[0] holds the last cap to Y; Y[1] holds the
    // last cap to Z, and Z[2] holds ... the slot s itself cannot be inside Z unless Z is the
    // root CNode, so build the cycle in CNodes: delete X[0] (white box) where Y's chain comes
    // back to X[0] through Z.
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    const unsigned x = 300, y = 301, z = 302, x2 = 303;
    for (unsigned s : {x, y, z}) {
        REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, s).ok());
        REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, s, 8, 4).ok());
    }
    const paddr_t xn = cap_at(m, x).object();
    REQUIRE(copy(m, x2, x).ok());
    REQUIRE(move_into(m, z, 2, x).ok());   // Z[2] = X
    REQUIRE(move_into(m, y, 1, z).ok());   // Y[1] = Z
    REQUIRE(move_into(m, x2, 0, y).ok());  // X[0] = Y
    REQUIRE(remove(m, x2).ok());
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == base_caps + 3 + 12);
    for (u32 every : {0u, 1u}) {
        DYNAMIC_SECTION("interrupt every " << every) {
            m.irq_after(every, true);
            u32 restarts = 0;
            while (delete_cap(m.at<Slot>(xn)) == Status::Preempted) {
                ++restarts;
                REQUIRE(restarts < 1000);
                REQUIRE_INVARIANTS();
                m.irq_after(every, true);
            }
            m.irq_after(0);
            REQUIRE_INVARIANTS();
            CHECK(m.at<Slot>(xn)[0].cap.is_null());
            REQUIRE(revoke(m, ut).ok());
            REQUIRE_INVARIANTS();
            CHECK(count_caps() == base_caps);
            CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 18, 0));
        }
    }
}

TEST_CASE("delete: a TCB whose CSpace root holds the last cap to a CNode", "[delete]") {
    for (u32 every : {0u, 1u, 4u}) {
        INFO("interrupt every " << every);
        Machine m;
        const unsigned ut = ram_untyped(m, 18);
        const unsigned other = ram_untyped(m, 17);
        const unsigned base_caps = count_caps();
        REQUIRE(retype(m, other, ObjectType::Endpoint, 0, 400).ok());
        REQUIRE(retype(m, ut, ObjectType::Tcb, 0, 300).ok());
        REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 301).ok());
        REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 302).ok());
        const paddr_t node = cap_at(m, 301).object(), inner = cap_at(m, 302).object();
        REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 301, 0, 6).ok());
        REQUIRE(copy_into(m, 301, 10, 400).ok());
        REQUIRE(retype_into(m, ut, ObjectType::Notification, 0, 302, 0, 3).ok());
        REQUIRE(move_into(m, 301, 11, 302).ok());  // a CNode inside the CNode
        Tcb *tcb = m.at<Tcb>(cap_at(m, 300).object());
        insert_derived(m.root_slot(301), tcb->slot(kTcbCTable), cap_at(m, 301));
        REQUIRE_INVARIANTS();
        REQUIRE(remove(m, 301).ok());  // not final: the TCB's copy remains
        REQUIRE_INVARIANTS();
        CHECK(tcb->slots[kTcbCTable].cap.type() == CapType::CNode);
        CHECK(m.at<Slot>(node)[0].cap.type() == CapType::Endpoint);
        CHECK(count_caps() == base_caps + 1 + 1 + 1 + 6 + 1 + 3 + 1);

        bool tcb_zombie = false;
        Reply r = call_checked(m, kRootCNode, Label::CNodeDelete, {300, 32}, {}, every, [&] {
            REQUIRE_INVARIANTS();
            const Cap &z = cap_at(m, 300);
            CHECK(z.type() == CapType::Zombie);
            if (z.zombie_is_tcb()) tcb_zombie = true;
        });
        REQUIRE(r.ok());
        REQUIRE_INVARIANTS();
        if (every) {
            CHECK(r.restarts > 0);
            CHECK(tcb_zombie);
        }
        CHECK(cap_at(m, 300).is_null());
        CHECK(count_caps() == base_caps + 1);
        CHECK(cap_at(m, 400).type() == CapType::Endpoint);
        CHECK(node_empty(m, node, kRadix));
        CHECK(node_empty(m, inner, kRadix));
        for (u32 s = 0; s < kTcbSlots; ++s) CHECK(tcb->slots[s].cap.is_null());
    }
}

TEST_CASE("delete: a TCB and a CNode holding each other's only caps", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, 300).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 301).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 301, 4, 4).ok());
    Tcb *tcb = m.at<Tcb>(cap_at(m, 300).object());
    const paddr_t node = cap_at(m, 301).object();
    insert_derived(m.root_slot(301), tcb->slot(kTcbCTable), cap_at(m, 301));
    REQUIRE(move_into(m, 301, 0, 300).ok());  // X[0] = the TCB
    REQUIRE(remove(m, 301).ok());
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == base_caps + 2 + 4);

    SECTION("revoke the Untyped") {
        Reply r = call_checked(m, kRootCNode, Label::CNodeRevoke, {ut, 32}, {}, 2, [&] { REQUIRE_INVARIANTS(); });
        REQUIRE(r.ok());
        CHECK(r.restarts > 0);
    }
    SECTION("delete the TCB's CSpace root slot (white box), then revoke") {
        m.irq_after(1, true);
        while (delete_cap(tcb->slot(kTcbCTable)) == Status::Preempted) {
            REQUIRE_INVARIANTS();
            m.irq_after(1, true);
        }
        m.irq_after(0);
        REQUIRE_INVARIANTS();
        CHECK(tcb->slots[kTcbCTable].cap.is_null());
        REQUIRE(revoke(m, ut).ok());
    }
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == base_caps);
    CHECK(node_empty(m, node, kRadix));
    CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 18, 0));
}

TEST_CASE("delete: revoking an Untyped whose cap lies inside a CNode made from it", "[delete]") {
    for (u32 every : {0u, 2u}) {
        INFO("interrupt every " << every);
        Machine m;
        const unsigned ut = ram_untyped(m, 18);
        const unsigned base_caps = count_caps();
        REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 300).ok());
        REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, 301, 3).ok());
        REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 300, 12, 4).ok());
        REQUIRE(move_into(m, 300, 7, ut).ok());
        REQUIRE_INVARIANTS();
        // Revoke through the CNode: deleting the CNode deletes the Untyped's own cap too.
        Reply r = call_checked(m, 300, Label::CNodeRevoke, {7, kRadix}, {}, every, [&] { REQUIRE_INVARIANTS(); });
        REQUIRE_INVARIANTS();
        if (every == 0) {
            REQUIRE(r.ok());
        } else {
            // Once the CNode is a Zombie the restarted call cannot be decoded any more:
            // it fails (the invoked cap is being deleted) and the Zombie is left to Delete.
            CHECK(r.restarts > 0);
            CHECK(r.error == Error::InvalidCapability);
            CHECK(cap_at(m, 300).type() == CapType::Zombie);
            REQUIRE(remove(m, 300).ok());
            REQUIRE_INVARIANTS();
        }
        CHECK(cap_at(m, 300).is_null());
        CHECK(cap_at(m, ut).is_null());
        for (u32 i = 0; i < 3; ++i) CHECK(cap_at(m, 301 + i).is_null());
        CHECK(count_caps() == base_caps - 1);
    }
}

TEST_CASE("delete: revoking an Untyped whose cap goes with its first child", "[delete]") {
    // The CNode holding the Untyped's cap is the newest child, so it is deleted first and
    // takes the Untyped's cap with it: Revoke ends there (its slot is empty) and the older
    // children stay, now without a parent Untyped. Current behaviour, kept consistent.
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, 301, 3).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 300).ok());
    REQUIRE(move_into(m, 300, 7, ut).ok());
    Reply r = m.call(300, Label::CNodeRevoke, {7, kRadix});
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, 300).is_null());
    CHECK(cap_at(m, ut).is_null());
    CHECK(count_caps() == base_caps - 1 + 3);
    for (u32 i = 0; i < 3; ++i) {
        CHECK(cap_at(m, 301 + i).type() == CapType::Endpoint);
        REQUIRE(remove(m, 301 + i).ok());
        REQUIRE_INVARIANTS();
    }
}

namespace {
// Hundreds of objects from one 4 MiB Untyped: endpoints, frames (dirtied), nested
// CNodes with contents, a self-cycle, a mutual cycle, a TCB holding a CNode, copies,
// and a cap from another Untyped inside a child CNode.
void build_big(Machine &m, unsigned ut, unsigned other) {
    REQUIRE(retype(m, other, ObjectType::Endpoint, 0, 2000).ok());
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, 300, 200).ok());
    REQUIRE(retype(m, ut, ObjectType::Notification, 0, 500, 100).ok());
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, 600, 16).ok());
    for (u32 i = 0; i < 16; ++i) std::memset(m.at<u8>(cap_at(m, 600 + i).object()), 0xc3, 0x1000);
    for (u32 i = 0; i < 50; ++i) REQUIRE(copy(m, 700 + i, 300 + i).ok());
    // Three chains of CNodes, three deep, radix 6, each CNode holding 20 objects.
    for (u32 chain = 0; chain < 3; ++chain) {
        const unsigned first = 800 + 10 * chain;
        for (u32 level = 0; level < 3; ++level) {
            REQUIRE(retype(m, ut, ObjectType::CNode, 6, first + level).ok());
            REQUIRE(retype_into(m, ut, ObjectType::Notification, 0, first + level, 10, 20).ok());
        }
        REQUIRE(copy_into(m, first, 40, 2000, 6).ok());
        REQUIRE(copy_into(m, first + 1, 41, 300 + chain, 6).ok());
        REQUIRE(move_into(m, first + 1, 63, first + 2, 6).ok());
        REQUIRE(move_into(m, first, 63, first + 1, 6).ok());
    }
    // A self-cycle.
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 900).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 900, 1, 10).ok());
    REQUIRE(copy_into(m, 900, 0, 900).ok());
    REQUIRE(remove(m, 900).ok());
    // A mutual cycle.
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 901).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 902).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Frame4K, 0, 902, 5, 2).ok());
    REQUIRE(copy(m, 903, 901).ok());
    REQUIRE(move_into(m, 902, 0, 901).ok());
    REQUIRE(move_into(m, 903, 0, 902).ok());
    REQUIRE(remove(m, 903).ok());
    // A TCB whose CSpace root is the last cap to a CNode.
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, 910).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, kRadix, 911).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 911, 0, 16).ok());
    insert_derived(m.root_slot(911), m.at<Tcb>(cap_at(m, 910).object())->slot(kTcbCTable), cap_at(m, 911));
    REQUIRE(remove(m, 911).ok());
    // A child Untyped with children of its own.
    REQUIRE(retype(m, ut, ObjectType::Untyped, 16, 920).ok());
    REQUIRE(retype(m, 920, ObjectType::Endpoint, 0, 921, 30).ok());
    REQUIRE_INVARIANTS();
}
}  // namespace

TEST_CASE("delete: Revoke of an Untyped with hundreds of children, preempted anywhere", "[delete]") {
    Snapshot reference;
    unsigned base_caps = 0;
    {
        Machine m;
        const unsigned ut = ram_untyped(m, 22), other = ram_untyped(m, 17);
        base_caps = count_caps();
        build_big(m, ut, other);
        CHECK(count_caps() > base_caps + 600);
        Reply r = revoke(m, ut);
        REQUIRE(r.ok());
        CHECK(r.restarts == 0);
        REQUIRE_INVARIANTS();
        reference = snapshot(m);
        CHECK(reference.caps == base_caps + 1);  // the endpoint from the other Untyped
        CHECK(cap_at(m, ut).untyped_free_bytes() == 0);
        CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 22, 0));
        CHECK(cap_at(m, 2000).type() == CapType::Endpoint);
    }
    for (u32 every : {1u, 2u, 7u, 50u}) {
        INFO("interrupt every " << every << " preemption points");
        Machine m;
        const unsigned ut = ram_untyped(m, 22), other = ram_untyped(m, 17);
        build_big(m, ut, other);
        unsigned last_caps = count_caps(), checks = 0;
        Reply r = call_checked(m, kRootCNode, Label::CNodeRevoke, {ut, 32}, {}, every, [&] {
            REQUIRE_INVARIANTS();
            const unsigned now = count_caps();
            CHECK(now <= last_caps);  // never more caps than before
            last_caps = now;
            ++checks;
        });
        REQUIRE(r.ok());
        CHECK(r.restarts > 0);
        CHECK(checks == r.restarts);
        REQUIRE_INVARIANTS();
        CHECK(snapshot(m) == reference);
        CHECK(cap_at(m, ut).untyped_free_bytes() == 0);
        CHECK(memory_is(m, cap_at(m, ut).untyped_base(), 1u << 22, 0));
        // Usable again from the bottom.
        REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, 300).ok());
        CHECK(cap_at(m, 300).object() == cap_at(m, ut).untyped_base());
        REQUIRE_INVARIANTS();
    }
}

TEST_CASE("delete: a preempted Delete leaves a Zombie that only Delete finishes", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    const unsigned x = 300;
    REQUIRE(retype(m, ut, ObjectType::CNode, 8, x).ok());
    const paddr_t node = cap_at(m, x).object();
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, x, 0, 200).ok());
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, 301).ok());
    REQUIRE(copy(m, 302, 301).ok());
    const u32 mark = cap_at(m, ut).untyped_free_bytes();

    m.irq_after(10);
    REQUIRE(call_once(m, kRootCNode, Label::CNodeDelete, {x, 32}) == Status::Preempted);
    m.irq_after(0);  // the interrupt is taken; the thread does not retry
    REQUIRE_INVARIANTS();
    const Cap z = cap_at(m, x);
    REQUIRE(z.type() == CapType::Zombie);
    CHECK_FALSE(z.zombie_is_tcb());
    CHECK(z.object() == node);
    CHECK(z.object_size_bits() == 8 + 4);
    CHECK(z.zombie_remaining() > 0);
    CHECK(z.zombie_remaining() < 256);
    const Slot *n = m.at<Slot>(node);
    for (u32 i = z.zombie_remaining(); i < 256; ++i) CHECK(n[i].cap.is_null());
    CHECK(n[0].cap.type() == CapType::Endpoint);
    const unsigned zombie_caps = count_caps();
    m.take_console();

    auto expect_log = [&](const char *what) {
        std::string log = m.take_console();
        INFO(log);
        CHECK(log.find(what) != std::string::npos);
        CHECK(cap_at(m, x) == z);
        CHECK(count_caps() == zombie_caps);
        REQUIRE_INVARIANTS();
    };
    // Invoking it fails: it is not a usable cap.
    for (Label l : {Label::CNodeCopy, Label::CNodeDelete, Label::CNodeRevoke, Label::UntypedRetype}) {
        Reply r = m.call(x, l, {0, 8, 301, 32, abi::kRightsAll, 0}, {kRootCNode});
        CHECK(r.error == Error::InvalidCapability);
        CHECK(r.mr[0] == 0);
        expect_log("being deleted");
    }
    // Copying, minting, moving, mutating or rotating it fails.
    Reply r = copy(m, 400, x);
    CHECK(r.error == Error::IllegalOperation);
    expect_log("being deleted");
    r = mint(m, 400, x, abi::kRightsAll, 0);
    CHECK(r.error == Error::IllegalOperation);
    expect_log("being deleted");
    r = move(m, 400, x);
    CHECK(r.error == Error::IllegalOperation);
    expect_log("being deleted");
    r = mutate(m, 400, x, 0);
    CHECK(r.error == Error::IllegalOperation);
    expect_log("being deleted");
    r = m.call(kRootCNode, Label::CNodeRotate, {400, 32, x, 32, 0, 301, 32, 0}, {kRootCNode, kRootCNode});
    CHECK(r.error == Error::IllegalOperation);
    expect_log("being deleted");
    CHECK(cap_at(m, 400).is_null());
    // It is no CNode for lookups or as a Retype destination.
    r = m.call(ut, Label::UntypedRetype, {t(ObjectType::Endpoint), 0, 0, 0, 0, 1}, {x});
    CHECK(r.error == Error::InvalidCapability);
    CHECK(r.mr[0] == 1);
    expect_log("root");
    r = m.call(kRootCNode, Label::CNodeCopy, {400, 32, 0, 8, abi::kRightsAll}, {x});
    CHECK(r.error == Error::FailedLookup);
    CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::InvalidRoot));
    expect_log("src");
    // Revoke on the Zombie's slot has nothing to revoke and leaves it as it is.
    REQUIRE(revoke(m, x).ok());
    CHECK(cap_at(m, x) == z);
    // Its memory is still in use: Retype from the Untyped does not reset over it.
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, 303).ok());
    CHECK(cap_at(m, 303).object() >= cap_at(m, ut).untyped_base() + mark);
    REQUIRE_INVARIANTS();

    SECTION("deleting it again finishes") {
        r = remove(m, x);
        REQUIRE(r.ok());
        CHECK(r.restarts == 0);
    }
    SECTION("deleting it again, preempted, finishes") {
        m.irq_after(3, true);
        r = remove(m, x);
        m.irq_after(0);
        REQUIRE(r.ok());
        CHECK(r.restarts > 0);
    }
    SECTION("revoking its Untyped finishes it") {
        REQUIRE(revoke(m, ut).ok());
        CHECK(count_caps() == base_caps);
    }
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, x).is_null());
    CHECK(node_empty(m, node, 8));
    CHECK(cap_at(m, 301).type() == (count_caps() == base_caps ? CapType::Null : CapType::Endpoint));
}

TEST_CASE("delete: a preempted Delete of a TCB leaves a TCB Zombie", "[delete]") {
    Machine m;
    const unsigned ut = ram_untyped(m, 18);
    const unsigned base_caps = count_caps();
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, 300).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, 8, 301).ok());
    REQUIRE(retype_into(m, ut, ObjectType::Endpoint, 0, 301, 0, 100).ok());
    Tcb *tcb = m.at<Tcb>(cap_at(m, 300).object());
    insert_derived(m.root_slot(301), tcb->slot(kTcbCTable), cap_at(m, 301));
    REQUIRE(remove(m, 301).ok());
    m.irq_after(5);
    REQUIRE(call_once(m, kRootCNode, Label::CNodeDelete, {300, 32}) == Status::Preempted);
    m.irq_after(0);
    REQUIRE_INVARIANTS();
    const Cap z = cap_at(m, 300);
    REQUIRE(z.type() == CapType::Zombie);
    CHECK(z.zombie_is_tcb());
    CHECK(z.object() == kref(tcb));
    CHECK(z.zombie_remaining() == 1);  // working on the CSpace root slot, a Zombie itself now
    CHECK(tcb->slots[kTcbCTable].cap.type() == CapType::Zombie);
    CHECK(copy(m, 400, 300).error == Error::IllegalOperation);
    CHECK(m.call(300, Label::CNodeCopy, {}).error == Error::InvalidCapability);
    REQUIRE(remove(m, 300).ok());
    REQUIRE_INVARIANTS();
    CHECK(count_caps() == base_caps);
    CHECK(cap_at(m, 300).is_null());
}
