// SPDX-License-Identifier: BSD-2-Clause
// Untyped.Retype: every object type, placement and alignment, the watermark,
// zeroing and reset, device memory, every rejection, and preemption.
#include "harness.hpp"

#include <algorithm>
#include <cstring>

using namespace test;
using namespace petrel;

namespace {

constexpr u32 kDestA = 300;  // free root CNode slots used as destinations
constexpr u32 kDestB = 600;

u32 t(ObjectType type) { return static_cast<u32>(type); }

// Retype with every argument explicit; the root is the root CNode unless `root` says otherwise.
Reply retype_full(Machine &m, unsigned ut, u32 type, u32 size_bits, u32 node_index, u32 node_depth, u32 offset,
                  u32 count, unsigned root = kRootCNode) {
    return m.call(ut, Label::UntypedRetype, {type, size_bits, node_index, node_depth, offset, count}, {root});
}

// The boot Untyped slot with exactly 2^bits bytes of RAM.
unsigned untyped_exactly(const Machine &m, unsigned bits) {
    const abi::BootInfo *bi = m.root.boot_info;
    for (unsigned i = 0; i < bi->untyped_count; ++i)
        if (!bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits == bits) return bi->untyped.start + i;
    FAIL("no boot RAM Untyped of exactly 2^" << bits << " bytes");
    return 0;
}

unsigned device_untyped(const Machine &m, unsigned bits) {
    const abi::BootInfo *bi = m.root.boot_info;
    for (unsigned i = 0; i < bi->untyped_count; ++i)
        if (bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits == bits) return bi->untyped.start + i;
    FAIL("no device Untyped of 2^" << bits << " bytes");
    return 0;
}

u32 watermark(const Machine &m, unsigned ut) { return cap_at(m, ut).untyped_free_bytes(); }

bool slots_empty(const Machine &m, u32 first, u32 count) {
    for (u32 i = 0; i < count; ++i)
        if (!cap_at(m, first + i).is_null()) return false;
    return true;
}

CapType expected_cap_type(ObjectType type) {
    switch (type) {
    case ObjectType::Untyped: return CapType::Untyped;
    case ObjectType::Tcb: return CapType::Thread;
    case ObjectType::Endpoint: return CapType::Endpoint;
    case ObjectType::Notification: return CapType::Notification;
    case ObjectType::CNode: return CapType::CNode;
    case ObjectType::PageDirectory: return CapType::PageDirectory;
    case ObjectType::PageTable: return CapType::PageTable;
    case ObjectType::Frame4K: return CapType::Frame4K;
    case ObjectType::Frame64K: return CapType::Frame64K;
    case ObjectType::Frame1M: return CapType::Frame1M;
    case ObjectType::Frame16M: return CapType::Frame16M;
    default: return CapType::Null;
    }
}

// Object size in bytes (log2) for a type and its size_bits argument.
u32 expected_bits(ObjectType type, u32 size_bits) {
    switch (type) {
    case ObjectType::Untyped: return size_bits;
    case ObjectType::Tcb: return 9;
    case ObjectType::Endpoint:
    case ObjectType::Notification: return 4;
    case ObjectType::CNode: return size_bits + 4;
    case ObjectType::PageDirectory: return 13;
    case ObjectType::PageTable: return 10;
    case ObjectType::Frame4K: return 12;
    case ObjectType::Frame64K: return 16;
    case ObjectType::Frame1M: return 20;
    case ObjectType::Frame16M: return 24;
    default: return 0;
    }
}

// A rejected Retype left the Untyped, its destination slots and the tree as they were,
// and logged one line naming the method and the argument.
struct Unchanged {
    Machine &m;
    unsigned ut;
    u32 dest, count;
    Cap ut_cap;
    unsigned caps;
    Unchanged(Machine &mm, unsigned u, u32 d, u32 c)
        : m(mm), ut(u), dest(d), count(c), ut_cap(cap_at(mm, u)), caps(count_caps()) {
        m.take_console();
    }
    void check(const char *arg) {
        CHECK(cap_at(m, ut) == ut_cap);
        CHECK(count_caps() == caps);
        std::string log = m.take_console();
        INFO(log);
        CHECK(log.find("Untyped.Retype") != std::string::npos);
        CHECK(log.find(arg) != std::string::npos);
        CHECK(std::count(log.begin(), log.end(), '\n') == 1);
        REQUIRE_INVARIANTS();
    }
};

}  // namespace

TEST_CASE("untyped: Retype makes every object type, zeroed and naturally aligned", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 25);
    const Cap ut0 = cap_at(m, ut);
    const paddr_t base = ut0.untyped_base();
    REQUIRE(ut0.untyped_free_bytes() == 1u << 25);  // boot hands RAM Untyped out full
    REQUIRE(m.at<u8>(base)[0] == 0xa5);            // and RAM starts as garbage
    REQUIRE(m.at<u8>(base + (1u << 25) - 1)[0] == 0xa5);

    u32 dest = kDestA;
    u32 prev_mark = 0;
    for (u32 ti = 0; ti < t(ObjectType::Count); ++ti) {
        const auto type = static_cast<ObjectType>(ti);
        const u32 size_bits = type == ObjectType::Untyped ? 10 : type == ObjectType::CNode ? 6 : 0;
        INFO("object type " << ti);
        Reply r = retype(m, ut, type, size_bits, dest);
        REQUIRE(r.ok());
        CHECK(r.length == 0);
        REQUIRE_INVARIANTS();
        const Cap c = cap_at(m, dest);
        const u32 bits = expected_bits(type, size_bits);
        CHECK(c.type() == expected_cap_type(type));
        CHECK(c.object_size_bits() == bits);
        const paddr_t obj = c.object();
        CHECK((obj & mask_bits(bits)) == 0);
        CHECK(obj >= base);
        CHECK(u64{obj} + (u64{1} << bits) <= u64{base} + (1u << 25));
        // Placed at the first naturally aligned address at or above the previous watermark.
        const u32 expect_obj = (prev_mark + mask_bits(bits)) & ~mask_bits(bits);
        CHECK(obj - base == expect_obj);
        CHECK(watermark(m, ut) == expect_obj + (1u << bits));
        prev_mark = watermark(m, ut);
        // Memory of the new object is zero (the TCB: all but what tcb_init sets).
        if (type == ObjectType::Tcb) {
            const Tcb *tcb = m.at<Tcb>(obj);
            for (u32 s = 0; s < kTcbSlots; ++s) CHECK(tcb->slots[s].cap.is_null());
            CHECK(tcb->state == ThreadState::Inactive);
            CHECK(tcb->ipc_buffer == 0);
            CHECK(tcb->name[0] == 0);
        } else {
            CHECK(memory_is(m, obj, 1u << bits, 0));
        }
        switch (type) {
        case ObjectType::Untyped:
            CHECK(c.untyped_base() == obj);
            CHECK(c.untyped_size_bits() == 10);
            CHECK(c.untyped_free_bytes() == 0);
            CHECK_FALSE(c.untyped_is_device());
            break;
        case ObjectType::Endpoint:
        case ObjectType::Notification:
            CHECK(c.badge() == 0);
            CHECK(c.rights() == abi::kRightsAll);
            break;
        case ObjectType::CNode:
            CHECK(c.cnode_radix() == 6);
            CHECK(c.cnode_guard_size() == 0);
            CHECK(c.cnode_guard() == 0);
            break;
        case ObjectType::Frame4K:
        case ObjectType::Frame64K:
        case ObjectType::Frame1M:
        case ObjectType::Frame16M:
            CHECK_FALSE(c.frame_is_device());
            CHECK(c.rights() == (abi::kRightRead | abi::kRightWrite));
            CHECK(c.frame_mapped_vaddr() == 0);
            break;
        default: break;
        }
        ++dest;
    }
    CHECK(prev_mark == 1u << 25);
    // The whole Untyped was cleared by the first Retype: the gaps hold no 0xa5 either.
    CHECK(memory_is(m, base + 0x200000, 0xe00000, 0));
    CHECK(memory_is(m, base + 0xc00, 0x1400, 0));
}

TEST_CASE("untyped: natural alignment after small objects, and the watermark", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 18);
    const paddr_t base = cap_at(m, ut).untyped_base();

    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA).ok());
    CHECK(cap_at(m, kDestA).object() == base);
    CHECK(watermark(m, ut) == 16);
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, kDestA + 1).ok());
    CHECK(cap_at(m, kDestA + 1).object() == base + 0x1000);  // skips to 4 KiB alignment
    CHECK(watermark(m, ut) == 0x2000);
    REQUIRE(retype(m, ut, ObjectType::Notification, 0, kDestA + 2).ok());
    CHECK(cap_at(m, kDestA + 2).object() == base + 0x2000);
    CHECK(watermark(m, ut) == 0x2010);
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, kDestA + 3).ok());
    CHECK(cap_at(m, kDestA + 3).object() == base + 0x2200);
    CHECK(watermark(m, ut) == 0x2400);
    REQUIRE(retype(m, ut, ObjectType::PageDirectory, 0, kDestA + 4).ok());  // 8 KiB
    CHECK(cap_at(m, kDestA + 4).object() == base + 0x4000);
    CHECK(watermark(m, ut) == 0x6000);
    REQUIRE(retype(m, ut, ObjectType::Frame64K, 0, kDestA + 5).ok());
    CHECK(cap_at(m, kDestA + 5).object() == base + 0x10000);
    CHECK(watermark(m, ut) == 0x20000);
    REQUIRE(retype(m, ut, ObjectType::CNode, 3, kDestA + 6).ok());  // 128 bytes
    CHECK(cap_at(m, kDestA + 6).object() == base + 0x20000);
    CHECK(watermark(m, ut) == 0x20080);
    REQUIRE_INVARIANTS();
    // The gaps left by alignment are zero too.
    CHECK(memory_is(m, base + 0x10, 0x1000 - 0x10, 0));
    CHECK(memory_is(m, base + 0x6000, 0xa000, 0));
}

TEST_CASE("untyped: several objects at once fill consecutive slots", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 17);
    const paddr_t base = cap_at(m, ut).untyped_base();
    REQUIRE(slots_empty(m, kDestA, 256));
    const unsigned caps = count_caps();

    Reply r = retype(m, ut, ObjectType::Endpoint, 0, kDestA, 10);
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
    for (u32 i = 0; i < 10; ++i) {
        CHECK(cap_at(m, kDestA + i).type() == CapType::Endpoint);
        CHECK(cap_at(m, kDestA + i).object() == base + 16 * i);
    }
    CHECK(cap_at(m, kDestA + 10).is_null());
    CHECK(cap_at(m, kDestA - 1).is_null());
    CHECK(watermark(m, ut) == 160);
    CHECK(count_caps() == caps + 10);

    // The maximum: 256 at once, each 4 KiB aligned after the endpoints.
    r = retype(m, ut, ObjectType::PageTable, 0, kDestB, 100);
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
    for (u32 i = 0; i < 100; ++i) {
        CHECK(cap_at(m, kDestB + i).type() == CapType::PageTable);
        CHECK(cap_at(m, kDestB + i).object() == base + 0x400 + 0x400 * i);
    }
    CHECK(watermark(m, ut) == 0x400 + 100 * 0x400);

    r = retype(m, untyped_exactly(m, 22), ObjectType::Frame4K, 0, 1000, abi::kRetypeMaxObjects);
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
    for (u32 i = 0; i < abi::kRetypeMaxObjects; ++i) CHECK(cap_at(m, 1000 + i).type() == CapType::Frame4K);
    CHECK(cap_at(m, 1000 + abi::kRetypeMaxObjects).is_null());
    CHECK(count_caps() == caps + 10 + 100 + 256);

    // Into the last slots of the CNode exactly.
    r = retype(m, ut, ObjectType::Notification, 0, 4096 - 5, 5);
    REQUIRE(r.ok());
    for (u32 i = 0; i < 5; ++i) CHECK(cap_at(m, 4096 - 5 + i).type() == CapType::Notification);
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: the first Retype clears the boot garbage; memory above the watermark stays zero",
          "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 19);
    const paddr_t base = cap_at(m, ut).untyped_base();
    REQUIRE(memory_is(m, base, 1u << 19, 0xa5));

    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, kDestA).ok());
    REQUIRE_INVARIANTS();
    CHECK(memory_is(m, base, 1u << 19, 0));
    // Frames written by their users after creation do not affect what comes next.
    std::memset(m.at<u8>(base), 0x77, 16);
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, kDestA + 1, 3).ok());
    for (u32 i = 0; i < 3; ++i) CHECK(memory_is(m, cap_at(m, kDestA + 1 + i).object(), 0x1000, 0));
    CHECK(m.at<u8>(base)[0] == 0x77);  // a live object is not cleared again
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: a child Untyped is retyped further", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 21);
    const paddr_t base = cap_at(m, ut).untyped_base();
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA).ok());
    REQUIRE(retype(m, ut, ObjectType::Untyped, 16, kDestA + 1, 2).ok());
    REQUIRE_INVARIANTS();
    const Cap child = cap_at(m, kDestA + 1);
    CHECK(child.type() == CapType::Untyped);
    CHECK(child.untyped_base() == base + 0x10000);
    CHECK(child.untyped_size_bits() == 16);
    CHECK(child.untyped_free_bytes() == 0);  // made from zeroed memory: empty, no reset needed
    CHECK_FALSE(child.untyped_is_device());
    CHECK(cap_at(m, kDestA + 2).untyped_base() == base + 0x20000);
    const u32 parent_mark = watermark(m, ut);
    CHECK(parent_mark == 0x30000);

    // Grandchildren: frames from the child, then a grandchild Untyped and objects from it.
    REQUIRE(retype(m, kDestA + 1, ObjectType::Frame4K, 0, kDestA + 10, 4).ok());
    REQUIRE_INVARIANTS();
    for (u32 i = 0; i < 4; ++i) CHECK(cap_at(m, kDestA + 10 + i).object() == base + 0x10000 + 0x1000 * i);
    CHECK(watermark(m, kDestA + 1) == 0x4000);
    CHECK(watermark(m, ut) == parent_mark);  // the parent's watermark does not move
    REQUIRE(retype(m, kDestA + 1, ObjectType::Untyped, 4, kDestA + 20).ok());
    const unsigned gc = kDestA + 20;
    CHECK(cap_at(m, gc).untyped_base() == base + 0x14000);
    REQUIRE(retype(m, gc, ObjectType::Endpoint, 0, kDestA + 21).ok());
    CHECK(cap_at(m, kDestA + 21).object() == base + 0x14000);
    CHECK(watermark(m, gc) == 16);
    REQUIRE_INVARIANTS();
    // A 16-byte Untyped holds one endpoint: the next finds no room.
    m.take_console();
    Reply r = retype(m, gc, ObjectType::Endpoint, 0, kDestA + 22);
    CHECK(r.error == Error::NotEnoughMemory);
    CHECK(r.mr[0] == 0);
    CHECK(cap_at(m, kDestA + 22).is_null());

    // Revoking the child removes the grandchildren but not the child's siblings.
    REQUIRE(revoke(m, kDestA + 1).ok());
    REQUIRE_INVARIANTS();
    CHECK(slots_empty(m, kDestA + 10, 4));
    CHECK(cap_at(m, gc).is_null());
    CHECK(cap_at(m, kDestA + 21).is_null());
    CHECK(cap_at(m, kDestA + 2).type() == CapType::Untyped);
    CHECK(cap_at(m, kDestA).type() == CapType::Endpoint);
    CHECK(watermark(m, kDestA + 1) == 0);
}

TEST_CASE("untyped: device Untyped make device frames only", "[untyped]") {
    Machine m;
    const unsigned dev = device_untyped(m, 17);
    const Cap d0 = cap_at(m, dev);
    REQUIRE(d0.untyped_is_device());
    CHECK(d0.untyped_base() == 0x0800'0000);
    CHECK(d0.untyped_free_bytes() == 0);

    for (u32 ti = 0; ti < t(ObjectType::Count); ++ti) {
        const auto type = static_cast<ObjectType>(ti);
        if (type == ObjectType::Frame4K || type == ObjectType::Frame64K || type == ObjectType::Frame1M ||
            type == ObjectType::Frame16M)
            continue;
        INFO("object type " << ti);
        Unchanged u(m, dev, kDestA, 1);
        Reply r = retype(m, dev, type, type == ObjectType::Untyped ? 12 : type == ObjectType::CNode ? 4 : 0, kDestA);
        CHECK(r.error == Error::InvalidArgument);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == 0);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("type");
    }

    REQUIRE(retype(m, dev, ObjectType::Frame4K, 0, kDestA).ok());
    REQUIRE(retype(m, dev, ObjectType::Frame64K, 0, kDestA + 1).ok());
    REQUIRE_INVARIANTS();
    const Cap f = cap_at(m, kDestA), g = cap_at(m, kDestA + 1);
    CHECK(f.type() == CapType::Frame4K);
    CHECK(f.frame_is_device());
    CHECK(f.object() == 0x0800'0000);
    CHECK(g.type() == CapType::Frame64K);
    CHECK(g.frame_is_device());
    CHECK(g.object() == 0x0801'0000);
    CHECK(watermark(m, dev) == 0x2'0000);
    // Copies keep the flag.
    REQUIRE(copy(m, kDestA + 2, kDestA).ok());
    CHECK(cap_at(m, kDestA + 2).frame_is_device());
    CHECK(cap_at(m, kDestA + 2).object() == 0x0800'0000);
    REQUIRE_INVARIANTS();
    // Full: 128 KiB in use.
    Reply r = retype(m, dev, ObjectType::Frame4K, 0, kDestA + 3);
    CHECK(r.error == Error::NotEnoughMemory);
    CHECK(r.mr[0] == 0);
    // A 1 MiB frame never fits a 128 KiB device Untyped.
    r = retype(m, dev, ObjectType::Frame1M, 0, kDestA + 3);
    CHECK(r.error == Error::NotEnoughMemory);

    // Revoke empties it; the same device frames come back, still device frames.
    REQUIRE(revoke(m, dev).ok());
    REQUIRE_INVARIANTS();
    CHECK(slots_empty(m, kDestA, 3));
    CHECK(watermark(m, dev) == 0);
    CHECK(cap_at(m, dev).untyped_is_device());
    REQUIRE(retype(m, dev, ObjectType::Frame4K, 0, kDestA, 32).ok());
    for (u32 i = 0; i < 32; ++i) {
        CHECK(cap_at(m, kDestA + i).frame_is_device());
        CHECK(cap_at(m, kDestA + i).object() == 0x0800'0000 + 0x1000 * i);
    }
    REQUIRE_INVARIANTS();
    // The 4 KiB device Untyped holds one frame.
    const unsigned small = device_untyped(m, 12);
    REQUIRE(retype(m, small, ObjectType::Frame4K, 0, kDestB).ok());
    CHECK(cap_at(m, kDestB).object() == 0x0900'0000);
    CHECK(cap_at(m, kDestB).frame_is_device());
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: Retype after every child is gone starts again from the bottom", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 18);
    const paddr_t base = cap_at(m, ut).untyped_base();
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA, 3).ok());
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, kDestA + 3, 2).ok());
    CHECK(watermark(m, ut) == 0x3000);
    const paddr_t frame = cap_at(m, kDestA + 4).object();
    std::memset(m.at<u8>(frame), 0x5c, 0x1000);  // the frame's user wrote to it

    SECTION("while one child is left, Retype continues from the watermark") {
        for (u32 i = 0; i < 4; ++i) REQUIRE(remove(m, kDestA + i).ok());
        REQUIRE_INVARIANTS();
        REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestB).ok());
        CHECK(cap_at(m, kDestB).object() == base + 0x3000);
        CHECK(watermark(m, ut) == 0x3010);
        CHECK(memory_is(m, frame, 0x1000, 0x5c));  // live frame untouched
    }
    SECTION("with no child left, Retype resets (zeroes) and starts at the base") {
        for (u32 i = 0; i < 5; ++i) REQUIRE(remove(m, kDestA + i).ok());
        REQUIRE_INVARIANTS();
        CHECK(watermark(m, ut) == 0x3000);  // deleting does not move the watermark
        REQUIRE(retype(m, ut, ObjectType::Notification, 0, kDestB).ok());
        REQUIRE_INVARIANTS();
        CHECK(cap_at(m, kDestB).object() == base);
        CHECK(watermark(m, ut) == 16);
        CHECK(memory_is(m, base, 1u << 18, 0));  // the frame's contents are gone
    }
    SECTION("a child moved elsewhere is still a child") {
        for (u32 i = 0; i < 4; ++i) REQUIRE(remove(m, kDestA + i).ok());
        REQUIRE(move(m, kDestB + 7, kDestA + 4).ok());
        REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestB).ok());
        CHECK(cap_at(m, kDestB).object() == base + 0x3000);
        CHECK(memory_is(m, frame, 0x1000, 0x5c));
        REQUIRE_INVARIANTS();
    }
}

TEST_CASE("untyped: Revoke deletes every child, zeroes the memory and lowers the watermark", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 22);
    const paddr_t base = cap_at(m, ut).untyped_base();
    const unsigned caps = count_caps();
    REQUIRE(retype(m, ut, ObjectType::Frame4K, 0, kDestA, 8).ok());
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA + 8, 20).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, 4, kDestA + 28).ok());
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, kDestA + 29, 2).ok());
    REQUIRE(retype(m, ut, ObjectType::Untyped, 16, kDestA + 31).ok());
    REQUIRE(retype(m, kDestA + 31, ObjectType::Frame4K, 0, kDestA + 32, 4).ok());
    REQUIRE(copy(m, kDestA + 40, kDestA + 8).ok());  // copies are descendants too
    REQUIRE(copy(m, kDestA + 41, kDestA).ok());
    // Objects made into the child CNode.
    REQUIRE(retype_full(m, ut, t(ObjectType::Notification), 0, kDestA + 28, 32, 3, 5).ok());
    REQUIRE_INVARIANTS();
    const u32 mark = watermark(m, ut);
    CHECK(count_caps() == caps + 8 + 20 + 1 + 2 + 1 + 4 + 2 + 5);
    for (u32 i = 0; i < 8; ++i) std::memset(m.at<u8>(cap_at(m, kDestA + i).object()), 0xee, 0x1000);
    std::memset(m.at<u8>(cap_at(m, kDestA + 32).object()), 0xdd, 0x1000);
    m.at<Tcb>(cap_at(m, kDestA + 29).object())->priority = 77;

    Reply r = revoke(m, ut);
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
    CHECK(slots_empty(m, kDestA, 42));
    CHECK(count_caps() == caps);
    CHECK(watermark(m, ut) == 0);
    CHECK(cap_at(m, ut).type() == CapType::Untyped);
    CHECK(memory_is(m, base, mark, 0));
    CHECK(memory_is(m, base, 1u << 22, 0));
    // Revoking again is harmless; Retype starts at the base.
    REQUIRE(revoke(m, ut).ok());
    REQUIRE(retype(m, ut, ObjectType::Frame64K, 0, kDestA).ok());
    CHECK(cap_at(m, kDestA).object() == base);
    REQUIRE_INVARIANTS();
}

// ------------------------------------------------------------------ rejections

TEST_CASE("untyped: a bad object type is InvalidArgument 0", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 18);
    for (u32 bad : {t(ObjectType::Count), 12u, 0xffffffffu}) {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype_full(m, ut, bad, 0, 0, 0, kDestA, 1);
        CHECK(r.error == Error::InvalidArgument);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == 0);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("type");
    }
}

TEST_CASE("untyped: size_bits out of range for Untyped and CNode is RangeError", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 25);
    struct Case {
        ObjectType type;
        u32 bits, min, max;
        const char *arg;
    };
    const Case cases[] = {
        {ObjectType::Untyped, 0, 4, 29, "size_bits"},   {ObjectType::Untyped, 3, 4, 29, "size_bits"},
        {ObjectType::Untyped, 30, 4, 29, "size_bits"},  {ObjectType::Untyped, 0xffffffff, 4, 29, "size_bits"},
        {ObjectType::CNode, 0, 1, 25, "CNode radix"},    {ObjectType::CNode, 26, 1, 25, "CNode radix"},
        {ObjectType::CNode, 32, 1, 25, "CNode radix"},
    };
    for (const Case &c : cases) {
        INFO("type " << t(c.type) << " bits " << c.bits);
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype(m, ut, c.type, c.bits, kDestA);
        CHECK(r.error == Error::RangeError);
        CHECK(r.length == 2);
        CHECK(r.mr[0] == c.min);
        CHECK(r.mr[1] == c.max);
        CHECK(cap_at(m, kDestA).is_null());
        u.check(c.arg);
    }
    // The bounds themselves are accepted as far as the range check goes: 2^29 does not fit a 2^25 Untyped.
    Unchanged u(m, ut, kDestA, 1);
    Reply r = retype(m, ut, ObjectType::Untyped, 29, kDestA);
    CHECK(r.error == Error::NotEnoughMemory);
    u.check("memory");
    REQUIRE(retype(m, ut, ObjectType::Untyped, 4, kDestA).ok());
    REQUIRE(retype(m, ut, ObjectType::CNode, 1, kDestA + 1).ok());
    CHECK(cap_at(m, kDestA + 1).cnode_radix() == 1);
    // Other types ignore size_bits.
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0xffffffff, kDestA + 2).ok());
    CHECK(cap_at(m, kDestA + 2).object_size_bits() == 4);
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: destination range errors: node_offset and num_objects", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 22);
    struct Case {
        u32 offset, count, min, max;
        const char *arg;
    };
    const Case cases[] = {
        {4096, 1, 0, 4095, "node_offset"},    {0xffffffff, 1, 0, 4095, "node_offset"},
        {kDestA, 0, 1, 256, "num_objects"},   {kDestA, 257, 1, 256, "num_objects"},
        {kDestA, 0xffffffff, 1, 256, "num_objects"}, {4000, 97, 1, 96, "num_objects"},
        {4095, 2, 1, 1, "num_objects"},
    };
    for (const Case &c : cases) {
        INFO("offset " << c.offset << " count " << c.count);
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype(m, ut, ObjectType::Endpoint, 0, c.offset, c.count);
        CHECK(r.error == Error::RangeError);
        CHECK(r.length == 2);
        CHECK(r.mr[0] == c.min);
        CHECK(r.mr[1] == c.max);
        u.check(c.arg);
    }
    CHECK(slots_empty(m, 4000, 96));
    CHECK(slots_empty(m, kDestA, 256));
    // In a small CNode, the offset range is that CNode's.
    REQUIRE(retype(m, ut, ObjectType::CNode, 3, kDestB).ok());
    Unchanged u(m, ut, kDestA, 1);
    Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestB, 32, 8, 1);
    CHECK(r.error == Error::RangeError);
    CHECK(r.mr[0] == 0);
    CHECK(r.mr[1] == 7);
    u.check("node_offset");
    r = retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestB, 32, 5, 4);
    CHECK(r.error == Error::RangeError);
    CHECK(r.mr[0] == 1);
    CHECK(r.mr[1] == 3);
    u.check("num_objects");
    REQUIRE(retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestB, 32, 5, 3).ok());
    const Slot *node = m.at<Slot>(cap_at(m, kDestB).object());
    for (u32 i = 0; i < 8; ++i) CHECK(node[i].cap.type() == (i >= 5 ? CapType::Endpoint : CapType::Null));
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: an occupied destination slot is DeleteFirst with its index", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 18);
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA + 3).ok());
    const Cap occupant = cap_at(m, kDestA + 3);
    for (u32 first : {kDestA, kDestA + 3}) {
        INFO("first " << first);
        Unchanged u(m, ut, first, 5);
        Reply r = retype(m, ut, ObjectType::Frame4K, 0, first, 5);
        CHECK(r.error == Error::DeleteFirst);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == kDestA + 3);
        // No partial result: the free slots before the occupied one stay empty.
        CHECK(slots_empty(m, kDestA, 3));
        CHECK(slots_empty(m, kDestA + 4, 5));
        CHECK(cap_at(m, kDestA + 3) == occupant);
        u.check("node_offset");
    }
    // An initial cap is occupied too.
    Unchanged u(m, ut, abi::kCapInitTcb, 1);
    Reply r = retype(m, ut, ObjectType::Endpoint, 0, 0, 3);
    CHECK(r.error == Error::DeleteFirst);
    CHECK(r.mr[0] == abi::kCapInitTcb);
    u.check("node_offset");
}

TEST_CASE("untyped: not enough memory reports the bytes available", "[untyped]") {
    Machine m;
    constexpr unsigned ut = 900;  // a 4 KiB Untyped made from a larger one
    REQUIRE(retype(m, untyped_exactly(m, 25), ObjectType::Untyped, 12, ut, 1).ok());
    // Exactly full: 256 * 16 = 4096 bytes.
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA, 256).ok());
    CHECK(watermark(m, ut) == 4096);
    REQUIRE(revoke(m, ut).ok());
    CHECK(slots_empty(m, kDestA, 256));
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestA, 200).ok());
    REQUIRE_INVARIANTS();
    CHECK(watermark(m, ut) == 3200);
    {
        Unchanged u(m, ut, kDestB, 57);
        Reply r = retype(m, ut, ObjectType::Endpoint, 0, kDestB, 57);
        CHECK(r.error == Error::NotEnoughMemory);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == 896);
        CHECK(slots_empty(m, kDestB, 57));
        u.check("not enough memory");
    }
    {
        // Alignment counts: 896 bytes free, but a 1 KiB page table needs 1 KiB alignment... and size.
        Unchanged u(m, ut, kDestB, 1);
        Reply r = retype(m, ut, ObjectType::PageTable, 0, kDestB);
        CHECK(r.error == Error::NotEnoughMemory);
        CHECK(r.mr[0] == 896);
        u.check("memory");
        // A TCB would fit by size (512 <= 896) but not at its 512-byte alignment (3584 + 512 = 4096 fits).
        REQUIRE(retype(m, ut, ObjectType::Tcb, 0, kDestB).ok());
        CHECK(cap_at(m, kDestB).object() == cap_at(m, ut).untyped_base() + 3584);
        CHECK(watermark(m, ut) == 4096);
        Unchanged u2(m, ut, kDestB + 1, 1);
        r = retype(m, ut, ObjectType::Endpoint, 0, kDestB + 1);
        CHECK(r.error == Error::NotEnoughMemory);
        CHECK(r.mr[0] == 0);
        u2.check("memory");
    }
    {
        // The alignment gap is lost: 16 bytes used of 8 KiB, yet two 4 KiB frames do not fit.
        constexpr unsigned ut13 = kDestB + 20;  // an 8 KiB Untyped made from a larger one
        REQUIRE(retype(m, untyped_exactly(m, 25), ObjectType::Untyped, 13, ut13, 1).ok());
        REQUIRE(retype(m, ut13, ObjectType::Endpoint, 0, kDestB + 10).ok());
        Unchanged u(m, ut13, kDestB + 11, 2);
        Reply r = retype(m, ut13, ObjectType::Frame4K, 0, kDestB + 11, 2);
        CHECK(r.error == Error::NotEnoughMemory);
        CHECK(r.mr[0] == 8192 - 16);
        CHECK(slots_empty(m, kDestB + 11, 2));
        u.check("memory");
        REQUIRE(retype(m, ut13, ObjectType::Frame4K, 0, kDestB + 11).ok());
    }
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: an object bigger than the Untyped is NotEnoughMemory", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 9);
    struct Case {
        ObjectType type;
        u32 bits;
    };
    const Case cases[] = {{ObjectType::Frame4K, 0}, {ObjectType::PageTable, 0}, {ObjectType::PageDirectory, 0},
                          {ObjectType::Frame16M, 0}, {ObjectType::Untyped, 10}, {ObjectType::Untyped, 29},
                          {ObjectType::CNode, 6}, {ObjectType::CNode, 25}};
    for (const Case &c : cases) {
        INFO("type " << t(c.type) << " bits " << c.bits);
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype(m, ut, c.type, c.bits, kDestA);
        CHECK(r.error == Error::NotEnoughMemory);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == 512);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("memory");
    }
    // Many objects whose total overflows 32 bits.
    const unsigned big = untyped_exactly(m, 25);
    Unchanged u(m, big, kDestA, 256);
    Reply r = retype(m, big, ObjectType::Untyped, 25, kDestA, 256);
    CHECK(r.error == Error::NotEnoughMemory);
    CHECK(r.mr[0] == 1u << 25);
    CHECK(slots_empty(m, kDestA, 256));
    u.check("memory");
    // Exactly the size fits.
    REQUIRE(retype(m, ut, ObjectType::Tcb, 0, kDestA).ok());
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: truncated messages and a wrong label", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 18);
    {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = m.call(ut, Label::UntypedRetype, {t(ObjectType::Endpoint), 0, 0, 0, kDestA}, {kRootCNode});
        CHECK(r.error == Error::TruncatedMessage);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("truncated");
    }
    {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = m.call(ut, Label::UntypedRetype, {t(ObjectType::Endpoint), 0, 0, 0, kDestA, 1}, {});
        CHECK(r.error == Error::TruncatedMessage);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("extra caps");
    }
    {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = m.call(ut, Label::UntypedRetype, {}, {});
        CHECK(r.error == Error::TruncatedMessage);
        u.check("truncated");
    }
    {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = m.call(ut, Label::CNodeCopy, {t(ObjectType::Endpoint), 0, 0, 0, kDestA, 1}, {kRootCNode});
        CHECK(r.error == Error::IllegalOperation);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("label");
    }
    // Longer messages are fine: extra words are ignored.
    REQUIRE(m.call(ut, Label::UntypedRetype, {t(ObjectType::Endpoint), 0, 0, 0, kDestA, 1, 99, 98}, {kRootCNode})
                .ok());
    CHECK(cap_at(m, kDestA).type() == CapType::Endpoint);
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: the root must be a CNode cap", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 18);
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestB).ok());
    for (u32 root : {kDestB, u32{abi::kCapInitTcb}, u32{abi::kCapIrqControl}, u32{abi::kCapBootInfoFrame}}) {
        INFO("root " << root);
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, 0, 0, kDestA, 1, root);
        CHECK(r.error == Error::InvalidCapability);
        CHECK(r.length == 1);
        CHECK(r.mr[0] == 1);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("root");
    }
    // An empty slot as the root fails in the cap lookup before Retype decodes.
    Unchanged u(m, ut, kDestA, 1);
    m.take_console();
    Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, 0, 0, kDestA, 1, kDestA + 100);
    CHECK(r.error == Error::FailedLookup);
    CHECK(r.mr[0] == 1);
    CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::MissingCapability));
    CHECK(cap_at(m, kDestA).is_null());
    CHECK(m.take_console().find("extra cap") != std::string::npos);
    REQUIRE_INVARIANTS();
}

TEST_CASE("untyped: node_index/node_depth name the destination CNode", "[untyped]") {
    Machine m;
    const unsigned ut = untyped_exactly(m, 21);
    REQUIRE(retype(m, ut, ObjectType::CNode, 4, kDestB).ok());
    REQUIRE(retype(m, ut, ObjectType::Endpoint, 0, kDestB + 1).ok());

    SECTION("a child CNode at depth 32") {
        REQUIRE(retype_full(m, ut, t(ObjectType::Frame4K), 0, kDestB, 32, 2, 3).ok());
        REQUIRE_INVARIANTS();
        const Slot *node = m.at<Slot>(cap_at(m, kDestB).object());
        for (u32 i = 0; i < 16; ++i) CHECK(node[i].cap.is_frame() == (i >= 2 && i < 5));
        CHECK(cap_at(m, 2).type() == CapType::CNode);  // the root's own slot 2 untouched
        // Occupied inside the child CNode.
        Unchanged u(m, ut, 0, 0);
        Reply r = retype_full(m, ut, t(ObjectType::Frame4K), 0, kDestB, 32, 0, 3);
        CHECK(r.error == Error::DeleteFirst);
        CHECK(r.mr[0] == 2);
        u.check("node_offset");
    }
    SECTION("node_depth out of range") {
        for (u32 depth : {33u, 64u, 0xffffffffu}) {
            Unchanged u(m, ut, kDestA, 1);
            Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestB, depth, 0, 1);
            CHECK(r.error == Error::RangeError);
            CHECK(r.mr[0] == 1);
            CHECK(r.mr[1] == 32);
            u.check("node depth");
        }
    }
    SECTION("an empty slot is MissingCapability") {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestA, 32, 0, 1);
        CHECK(r.error == Error::FailedLookup);
        CHECK(r.mr[0] == 0);  // the destination, not a source
        CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::MissingCapability));
        CHECK(r.mr[2] == 0);
        CHECK(cap_at(m, kDestA).is_null());
        u.check("node");
    }
    SECTION("a slot holding something other than a CNode cap is MissingCapability") {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestB + 1, 32, 0, 1);
        CHECK(r.error == Error::FailedLookup);
        CHECK(r.mr[0] == 0);
        CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::MissingCapability));
        u.check("not a CNode");
        CHECK(cap_at(m, kDestB + 1).type() == CapType::Endpoint);
    }
    SECTION("a depth that does not end at a slot is DepthMismatch") {
        Unchanged u(m, ut, kDestA, 1);
        // 20 bits hold the root's guard (0) but not its radix.
        Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, 0, 20, 0, 1);
        CHECK(r.error == Error::FailedLookup);
        CHECK(r.mr[0] == 0);
        CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::DepthMismatch));
        CHECK(r.mr[2] == 20);  // bits left
        CHECK(r.mr[3] == 32);  // the root CNode needs guard 20 + radix 12
        u.check("node");
        // Going on past the child CNode: 32 + 4 bits would be needed; 31 bits is short.
        r = retype_full(m, ut, t(ObjectType::Endpoint), 0, kDestB, 31, 0, 1);
        CHECK(r.error == Error::FailedLookup);
        CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::DepthMismatch));
        u.check("node");
    }
    SECTION("a guard that does not match is GuardMismatch") {
        Unchanged u(m, ut, kDestA, 1);
        Reply r = retype_full(m, ut, t(ObjectType::Endpoint), 0, 0x8000'0000u | kDestB, 32, 0, 1);
        CHECK(r.error == Error::FailedLookup);
        CHECK(r.mr[0] == 0);
        CHECK(r.mr[1] == static_cast<u32>(abi::LookupFailure::GuardMismatch));
        CHECK(r.mr[2] == 32);
        CHECK(r.mr[3] == 0x80000);
        CHECK(r.mr[4] == 20);
        u.check("guard");
    }
    SECTION("node_depth 0 ignores node_index") {
        REQUIRE(retype_full(m, ut, t(ObjectType::Endpoint), 0, 0xdeadbeef, 0, kDestA, 1).ok());
        CHECK(cap_at(m, kDestA).type() == CapType::Endpoint);
        REQUIRE_INVARIANTS();
    }
    SECTION("the root can be a child CNode, used at depth 0") {
        const Cap slot15 = cap_at(m, 15);
        REQUIRE(retype_full(m, ut, t(ObjectType::Endpoint), 0, 0, 0, 15, 1, kDestB).ok());
        const Slot *node = m.at<Slot>(cap_at(m, kDestB).object());
        CHECK(node[15].cap.type() == CapType::Endpoint);
        CHECK(cap_at(m, 15) == slot15);
        REQUIRE_INVARIANTS();
    }
}

// ------------------------------------------------------------------ preemption

namespace {
struct RetypeResult {
    std::vector<Cap> dest;
    Cap ut;
    u32 restarts;
};

RetypeResult big_retype(u32 irq_every, bool check_between) {
    Machine m;
    const unsigned ut = untyped_exactly(m, 25);
    const paddr_t base = cap_at(m, ut).untyped_base();
    RetypeResult res;
    Reply r{};
    if (check_between) {
        u32 last_mark = ~0u;
        r = call_checked(m, ut, Label::UntypedRetype, {t(ObjectType::Frame64K), 0, 0, 0, kDestA, 200}, {kRootCNode},
                         irq_every, [&] {
                             REQUIRE_INVARIANTS();
                             // Progress is the watermark, going down; nothing is made before the reset ends.
                             const u32 mark = watermark(m, ut);
                             CHECK(mark < last_mark);
                             last_mark = mark;
                             CHECK(cap_at(m, kDestA).is_null());
                             if (mark < (1u << 25)) CHECK(memory_is(m, base + mark, 0x1000, 0));
                         });
    } else {
        m.irq_after(irq_every, true);
        r = retype(m, ut, ObjectType::Frame64K, 0, kDestA, 200);
        m.irq_after(0);
    }
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
    CHECK(memory_is(m, base, 1u << 25, 0));
    for (u32 i = 0; i < 201; ++i) res.dest.push_back(cap_at(m, kDestA + i));
    res.ut = cap_at(m, ut);
    res.restarts = r.restarts;
    return res;
}
}  // namespace

TEST_CASE("untyped: a large first Retype is preemptible and gives the same result", "[untyped]") {
    const RetypeResult plain = big_retype(0, false);
    CHECK(plain.restarts == 0);
    CHECK(plain.ut.untyped_free_bytes() == 200u << 16);
    CHECK(plain.dest[0].type() == CapType::Frame64K);
    CHECK(plain.dest[200].is_null());

    const RetypeResult irq = big_retype(3, false);
    CHECK(irq.restarts > 0);
    CHECK(irq.dest == plain.dest);
    CHECK(irq.ut == plain.ut);

    for (u32 every : {1u, 2u, 7u, 500u}) {
        INFO("interrupt every " << every << " preemption points");
        const RetypeResult checked = big_retype(every, true);
        CHECK(checked.restarts > 0);
        CHECK(checked.dest == plain.dest);
        CHECK(checked.ut == plain.ut);
    }
}
