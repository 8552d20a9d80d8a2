// SPDX-License-Identifier: BSD-2-Clause
// The invariant checker itself: each invariant, broken on purpose, is reported.
// (Every other hosted-kernel test trusts the checker; this shows it can fail.)
#include "harness.hpp"

#include "slot.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;

namespace {

// A booted machine with a few objects: endpoints in slots f..f+3, a copy of f
// in f+4, a CNode of radix 4 in f+5, and a 4 KiB frame in f+6.
struct World {
    Machine m;
    unsigned ut, f;
    World() {
        ut = untyped_at_least(m, 16);
        f = first_free(m);
        REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, f, 4).ok());
        REQUIRE(copy(m, f + 4, f).ok());
        REQUIRE(retype(m, ut, ObjectType::CNode, 4, f + 5).ok());
        REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, f + 6).ok());
        REQUIRE(invariant_violation().empty());
    }
    Slot *slot(unsigned i) { return m.root_slot(i); }
};

void require_reported(const std::string &fragment) {
    std::string why = invariant_violation();
    INFO("checker said: " << why);
    REQUIRE(why.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("invariants: an unmirrored link is reported", "[invariants]") {
    World w;
    Slot *a = w.slot(w.f + 1);
    REQUIRE(a->next());
    REQUIRE(a->next()->next());
    a->set_next(a->next()->next());  // skips one: that slot's prev does not point back
    require_reported("not mirrored");
}

TEST_CASE("invariants: a cycle in the derivation list is reported", "[invariants]") {
    World w;
    Slot *a = w.slot(w.f);
    Slot *b = a->next();
    REQUIRE(b);
    b->set_next(a);
    require_reported("cycle");
}

TEST_CASE("invariants: an empty slot in the list is reported", "[invariants]") {
    World w;
    w.slot(w.f + 2)->cap = Cap::null();
    require_reported("empty slot");
}

TEST_CASE("invariants: a cap outside the list is reported", "[invariants]") {
    World w;
    Slot *node = w.m.at<Slot>(cap_at(w.m, w.f + 5).object());
    node[3].cap = Cap::endpoint(cap_at(w.m, w.f).object(), 0, abi::kRightsAll);  // forged, unlinked
    require_reported("outside the derivation list");
}

TEST_CASE("invariants: an object above its Untyped's watermark is reported", "[invariants]") {
    World w;
    Slot *u = w.slot(w.ut);
    u->cap.set_untyped_free_bytes(u->cap.untyped_free_bytes() - 4096);  // the frame is now above it
    require_reported("above the watermark");
}

TEST_CASE("invariants: overlapping objects are reported", "[invariants]") {
    World w;
    // Turn the second endpoint into a 4 KiB frame at the first endpoint's address.
    Slot *s = w.slot(w.f + 1);
    s->cap = Cap::frame(CapType::Frame4K, cap_at(w.m, w.f).object() & ~0xfffu, abi::kRightsAll, false);
    std::string why = invariant_violation();
    INFO(why);
    REQUIRE_FALSE(why.empty());
}

TEST_CASE("invariants: copies of one object that are not neighbours are reported", "[invariants]") {
    World w;
    // Retype puts children right after their Untyped, so the list reads
    // ..., f+3, f+2, f+1, f, f+4 (the copy). Move the copy between f+3 and f+2:
    // still under the same Untyped, but no longer next to f.
    Slot *c = w.slot(w.f + 4);
    REQUIRE(c->prev() == w.slot(w.f));
    Slot *prev = c->prev(), *next = c->next();
    prev->set_next(next);
    if (next) next->set_prev(prev);
    Slot *a = w.slot(w.f + 3), *b = w.slot(w.f + 2);
    REQUIRE(a->next() == b);
    a->set_next(c);
    c->set_prev(a);
    c->set_next(b);
    b->set_prev(c);
    require_reported("not neighbours");
}

TEST_CASE("invariants: a watermark beyond the Untyped is reported", "[invariants]") {
    World w;
    Slot *u = w.slot(w.ut);
    u->cap.w0 |= 0xffffffe0u;  // free index field all ones
    std::string why = invariant_violation();
    INFO(why);
    REQUIRE_FALSE(why.empty());
}

TEST_CASE("invariants: a TCB's CSpace slot holding a non-CNode cap is reported", "[invariants]") {
    Machine m;
    Tcb *t = m.root.tcb;
    Slot *ep_slot = t->slot(kTcbCTable);
    Cap saved = ep_slot->cap;
    ep_slot->cap = Cap::irq_control();
    require_reported("CSpace root slot");
    ep_slot->cap = saved;
    REQUIRE_INVARIANTS();
}
