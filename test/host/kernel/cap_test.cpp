// SPDX-License-Identifier: BSD-2-Clause
// Capability encoding (cap.hpp): every type's fields round-trip through the two
// words, rights only shrink, and the region/object relations the derivation tree
// is built on. Pure value tests: no Machine is booted.
#include "harness.hpp"

#include <initializer_list>

#include "endpoint.hpp"
#include "notification.hpp"
#include "slot.hpp"
#include "tcb.hpp"

using namespace petrel;

namespace {

// Layout facts the kernel and the ABI rely on.
static_assert(sizeof(Cap) == 8);
static_assert(sizeof(Slot) == 16 && sizeof(Slot) == 1u << abi::kSlotBits);
static_assert(sizeof(abi::IpcBuffer) == 512 && sizeof(abi::IpcBuffer) == 1u << abi::kIpcBufferSizeBits);
static_assert(sizeof(abi::BootInfo) <= 4096);
static_assert(sizeof(Endpoint) == 1u << abi::kEndpointBits);
static_assert(sizeof(Notification) == 1u << abi::kNotificationBits);
static_assert(sizeof(Tcb) <= 1u << abi::kTcbBits);
static_assert(kTcbSlots * sizeof(Slot) <= sizeof(Tcb));
static_assert(Cap::kBadgeBits == 28);
static_assert(abi::kMaxCNodeRadix == abi::kMaxUntypedBits - abi::kSlotBits);
static_assert(abi::kRightsAll == (abi::kRightRead | abi::kRightWrite | abi::kRightGrant | abi::kRightGrantReply));
static_assert(Cap::null().is_null() && Cap::null().type() == CapType::Null);
static_assert(Cap::irq_control().type() == CapType::IrqControl);
static_assert(Cap::asid_control().type() == CapType::AsidControl);
static_assert(mask_bits(0) == 0 && mask_bits(1) == 1 && mask_bits(31) == 0x7fffffffu && mask_bits(32) == ~0u);
static_assert(region_size_bits(region_encode(0x40000000u, 30)) == 30);
static_assert(region_base(region_encode(0x40000000u, 30)) == 0x40000000u);
static_assert(abi::cnode_cap_data(5, 3) == (5u << 6 | 3u));

constexpr paddr_t kRam = 0x4000'0000;

// A small deterministic generator, so the value sweeps are reproducible.
struct Lcg {
    u64 s;
    u32 next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<u32>(s >> 32);
    }
};

const std::initializer_list<CapType> kFrameTypes = {CapType::Frame4K, CapType::Frame64K, CapType::Frame1M,
                                                    CapType::Frame16M};

// One cap of every type, for the relation sweeps.
std::vector<Cap> sample_caps() {
    return {
        Cap::null(),
        Cap::untyped(kRam, 20, false, 0x100),
        Cap::untyped(kRam + 0x1000, 12, false, 0),
        Cap::endpoint(kRam + 0x100, 0, abi::kRightsAll),
        Cap::endpoint(kRam + 0x100, 7, abi::kRightRead),
        Cap::notification(kRam + 0x110, 3, abi::kRightsAll),
        Cap::reply(kRam + 0x200, true, abi::kRightsAll),
        Cap::cnode(kRam + 0x400, 4, 0, 0),
        Cap::cnode(kRam + 0x400, 4, 3, 5),
        Cap::thread(kRam + 0x600),
        Cap::zombie(kRam + 0x800, 8, false, 16),
        Cap::page_directory(kRam + 0x2000),
        Cap::page_table(kRam + 0x400),
        Cap::frame(CapType::Frame4K, kRam + 0x3000, abi::kRightsAll, false),
        Cap::frame(CapType::Frame64K, kRam + 0x10000, abi::kRightRead, true),
        Cap::asid_pool(kRam + 0x5000, 1u << 10),
        Cap::irq_control(),
        Cap::irq_handler(33),
        Cap::asid_control(),
    };
}

}  // namespace

TEST_CASE("cap: type tags decode, including the 8-bit tags", "[cap]") {
    CHECK(Cap::untyped(kRam, 12, false, 0).type() == CapType::Untyped);
    CHECK(Cap::endpoint(kRam, 0, 0).type() == CapType::Endpoint);
    CHECK(Cap::notification(kRam, 0, 0).type() == CapType::Notification);
    CHECK(Cap::reply(kRam, false, 0).type() == CapType::Reply);
    CHECK(Cap::cnode(kRam, 1, 0, 0).type() == CapType::CNode);
    CHECK(Cap::thread(kRam).type() == CapType::Thread);
    CHECK(Cap::zombie(kRam, 9, true, 5).type() == CapType::Zombie);
    CHECK(Cap::page_directory(kRam).type() == CapType::PageDirectory);
    CHECK(Cap::page_table(kRam).type() == CapType::PageTable);
    for (CapType t : kFrameTypes) {
        CHECK(Cap::frame(t, kRam, 0, false).type() == t);
        CHECK(Cap::frame(t, kRam, 0, false).is_frame());
    }
    CHECK(Cap::asid_pool(kRam, 0).type() == CapType::AsidPool);
    // The 8-bit tags: the low nibble 0xF selects them, whatever else is in word 0.
    for (u32 irq : {0u, 1u, 255u, 1023u, (1u << 24) - 1}) {
        Cap h = Cap::irq_handler(irq);
        CHECK(h.type() == CapType::IrqHandler);
        CHECK(h.irq() == irq);
        CHECK(h.object() == 0);
        CHECK(h.object_size_bits() == 0);
    }
    CHECK(Cap::irq_control().object_size_bits() == 0);
    CHECK(Cap::asid_control().object_size_bits() == 0);
    for (const Cap &c : sample_caps()) {
        CHECK(c.is_null() == (c.type() == CapType::Null));
        CHECK(c.is_frame() == (frame_size_bits(c.type()) != 0));
        CHECK(std::string(cap_type_name(c.type())) != "unknown");
    }
}

TEST_CASE("cap: region encoding round-trips every size and alignment", "[cap]") {
    for (u32 bits = 1; bits <= 31; ++bits) {
        for (u32 k : {0u, 1u, 3u}) {
            u64 base64 = u64{k} << bits;
            if (base64 > 0xffffffffu || base64 + (u64{1} << bits) > (u64{1} << 32)) continue;
            paddr_t base = static_cast<paddr_t>(base64);
            u32 w = region_encode(base, bits);
            INFO("bits " << bits << " base " << base);
            CHECK(region_size_bits(w) == bits);
            CHECK(region_base(w) == base);
        }
    }
    // 2^32 at 0 is the one encoding with no zero bit.
    CHECK(region_size_bits(region_encode(0, 32)) == 32);
    CHECK(region_base(region_encode(0, 32)) == 0);
    // Size 2 bytes is no alignment bits set.
    CHECK(region_encode(kRam, 1) == kRam);
    CHECK(region_encode(kRam, 2) == (kRam | 1u));
}

TEST_CASE("cap: Untyped fields round-trip: base, size 4..29, device, watermark up to 2^29", "[cap]") {
    Lcg rng{1};
    for (u32 bits = abi::kMinUntypedBits; bits <= abi::kMaxUntypedBits; ++bits) {
        const u32 size = 1u << bits;
        // Bases: aligned at the bottom of RAM, high in the address space, and random aligned ones.
        std::vector<paddr_t> bases = {0x4000'0000u & ~mask_bits(bits), 0x8000'0000u, 0xe000'0000u & ~mask_bits(bits)};
        for (int i = 0; i < 4; ++i) bases.push_back(rng.next() & ~mask_bits(bits));
        // Watermarks: empty, full, just below full, and 16-byte steps.
        std::vector<u32> marks = {0, size, size - 16, 16, (rng.next() % size) & ~0xfu};
        for (paddr_t base : bases) {
            if (u64{base} + size > (u64{1} << 32)) continue;
            for (bool device : {false, true}) {
                for (u32 free : marks) {
                    Cap c = Cap::untyped(base, bits, device, free);
                    INFO("base " << base << " bits " << bits << " device " << device << " free " << free);
                    REQUIRE(c.type() == CapType::Untyped);
                    CHECK(c.untyped_base() == base);
                    CHECK(c.object() == base);
                    CHECK(c.untyped_size_bits() == bits);
                    CHECK(c.object_size_bits() == bits);
                    CHECK(c.untyped_is_device() == device);
                    CHECK(c.untyped_free_bytes() == free);
                    // Setting the watermark changes nothing else.
                    Cap d = c;
                    d.set_untyped_free_bytes(size);
                    CHECK(d.untyped_free_bytes() == size);
                    CHECK(d.untyped_base() == base);
                    CHECK(d.untyped_size_bits() == bits);
                    CHECK(d.untyped_is_device() == device);
                    d.set_untyped_free_bytes(0);
                    CHECK(d.untyped_free_bytes() == 0);
                    CHECK(d.w1 == c.w1);
                    CHECK(d.type() == CapType::Untyped);
                    CHECK(c.rights() == 0);
                }
            }
        }
    }
    // The largest Untyped, completely used: the watermark field holds 2^29.
    Cap big = Cap::untyped(0x2000'0000, abi::kMaxUntypedBits, false, 1u << abi::kMaxUntypedBits);
    CHECK(big.untyped_free_bytes() == 1u << 29);
    CHECK(big.untyped_size_bits() == 29);
    CHECK(big.untyped_base() == 0x2000'0000u);
}

TEST_CASE("cap: Endpoint and Notification: 28-bit badge and rights round-trip", "[cap]") {
    Lcg rng{2};
    std::vector<u32> badges = {0, 1, 0x5a5a5a5, (1u << 28) - 1, 1u << 27};
    for (int i = 0; i < 32; ++i) badges.push_back(rng.next() & mask_bits(28));
    for (bool ntfn : {false, true}) {
        for (u32 badge : badges) {
            for (u32 rights = 0; rights <= abi::kRightsAll; ++rights) {
                paddr_t obj = kRam + ((rng.next() & 0xfffff) << 4);
                Cap c = ntfn ? Cap::notification(obj, badge, rights) : Cap::endpoint(obj, badge, rights);
                INFO("badge " << badge << " rights " << rights << " ntfn " << ntfn);
                CHECK(c.type() == (ntfn ? CapType::Notification : CapType::Endpoint));
                CHECK(c.badge() == badge);
                CHECK(c.rights() == rights);
                CHECK(c.object() == obj);
                CHECK(c.object_size_bits() == (ntfn ? abi::kNotificationBits : abi::kEndpointBits));
                Cap d = c;
                d.set_badge((1u << 28) - 1 - badge);
                CHECK(d.badge() == (1u << 28) - 1 - badge);
                CHECK(d.type() == c.type());
                CHECK(d.rights() == rights);
                CHECK(d.object() == obj);
            }
        }
    }
    // Rights beyond the four defined bits are dropped, not folded into the address.
    Cap e = Cap::endpoint(kRam + 0x40, 0, 0xffu);
    CHECK(e.rights() == abi::kRightsAll);
    CHECK(e.object() == kRam + 0x40);
}

TEST_CASE("cap: Reply, Thread, PageDirectory, PageTable, AsidPool fields", "[cap]") {
    for (bool master : {false, true})
        for (u32 rights = 0; rights <= abi::kRightsAll; ++rights) {
            Cap r = Cap::reply(kRam + 0x200, master, rights);
            CHECK(r.type() == CapType::Reply);
            CHECK(r.reply_master() == master);
            CHECK(r.rights() == rights);
            CHECK(r.object() == kRam + 0x200);
            CHECK(r.object_size_bits() == 0);  // a Reply cap names a TCB, it has no memory of its own
        }
    Cap t = Cap::thread(kRam + 0x1200);
    CHECK(t.object() == kRam + 0x1200);
    CHECK(t.object_size_bits() == abi::kTcbBits);
    Cap pd = Cap::page_directory(kRam + 0x6000);
    CHECK(pd.object() == kRam + 0x6000);
    CHECK(pd.object_size_bits() == abi::kPageDirectoryBits);
    CHECK_FALSE(pd.pd_has_asid());
    Cap pt = Cap::page_table(kRam + 0x6400);
    CHECK(pt.object() == kRam + 0x6400);
    CHECK(pt.object_size_bits() == abi::kPageTableBits);
    CHECK_FALSE(pt.pt_mapped());
    for (u32 base : {0u, 1u << 10, 63u << 10}) {
        Cap ap = Cap::asid_pool(kRam + 0x7000, base);
        CHECK(ap.asid_pool_base() == base);
        CHECK(ap.object() == kRam + 0x7000);
        CHECK(ap.object_size_bits() == abi::kAsidPoolBits);
    }
}

TEST_CASE("cap: CNode radix, guard size and 18-bit guard round-trip", "[cap]") {
    Lcg rng{3};
    for (u32 radix = 0; radix <= 31; ++radix) {
        for (u32 guard_size = 0; guard_size <= 31; ++guard_size) {
            u32 width = guard_size < abi::kCNodeGuardBits ? guard_size : abi::kCNodeGuardBits;
            for (u32 guard : {0u, mask_bits(width), rng.next() & mask_bits(width)}) {
                paddr_t node = kRam + ((rng.next() & 0xffff) << 4);
                Cap c = Cap::cnode(node, radix, guard_size, guard);
                INFO("radix " << radix << " guard size " << guard_size << " guard " << guard);
                CHECK(c.type() == CapType::CNode);
                CHECK(c.cnode_radix() == radix);
                CHECK(c.cnode_guard_size() == guard_size);
                CHECK(c.cnode_guard() == guard);
                CHECK(c.object() == node);
                CHECK(c.object_size_bits() == radix + abi::kSlotBits);
            }
        }
    }
    // The widest guard.
    Cap w = Cap::cnode(kRam, 1, 18, (1u << 18) - 1);
    CHECK(w.cnode_guard() == (1u << 18) - 1);
    CHECK(w.cnode_guard_size() == 18);
    CHECK(w.cnode_radix() == 1);
    // The root task's shape.
    Cap root = Cap::cnode(kRam, 12, 20, 0);
    CHECK(root.cnode_radix() + root.cnode_guard_size() == 32);
}

TEST_CASE("cap: Zombie fields round-trip", "[cap]") {
    for (bool tcb : {false, true}) {
        for (u32 bits = 5; bits <= 29; ++bits) {
            for (u32 remaining : {0u, 1u, 5u, (1u << (bits - 4 < 27 ? bits - 4 : 26))}) {
                Cap z = Cap::zombie(0x4000'0000, bits, tcb, remaining);
                INFO("bits " << bits << " remaining " << remaining << " tcb " << tcb);
                CHECK(z.type() == CapType::Zombie);
                CHECK(z.zombie_is_tcb() == tcb);
                CHECK(z.zombie_remaining() == remaining);
                CHECK(z.object() == 0x4000'0000u);
                CHECK(z.object_size_bits() == bits);
                Cap d = z;
                d.set_zombie_remaining(remaining / 2);
                CHECK(d.zombie_remaining() == remaining / 2);
                CHECK(d.zombie_is_tcb() == tcb);
                CHECK(d.w1 == z.w1);
                CHECK(d.type() == CapType::Zombie);
            }
        }
    }
    // What finalise() makes of a CNode of radix 25 and of a TCB.
    Cap big = Cap::zombie(0x4000'0000, 25 + abi::kSlotBits, false, 1u << 25);
    CHECK(big.zombie_remaining() == 1u << 25);
    CHECK(big.object_size_bits() == 29);
    Cap t = Cap::zombie(kRam + 0x200, abi::kTcbBits, true, kTcbSlots);
    CHECK(t.zombie_remaining() == kTcbSlots);
    CHECK(t.object() == kRam + 0x200);
}

TEST_CASE("cap: frames keep only read and write rights, device flag and address", "[cap]") {
    for (CapType t : kFrameTypes) {
        u32 bits = frame_size_bits(t);
        REQUIRE(bits >= 12);
        for (u32 rights = 0; rights <= abi::kRightsAll; ++rights) {
            for (bool device : {false, true}) {
                paddr_t base = 0x4000'0000u + (3u << bits);
                Cap f = Cap::frame(t, base, rights, device);
                INFO(cap_type_name(t) << " rights " << rights << " device " << device);
                CHECK(f.type() == t);
                CHECK(f.object() == base);
                CHECK(f.object_size_bits() == bits);
                CHECK(f.frame_is_device() == device);
                CHECK(f.rights() == (rights & (abi::kRightRead | abi::kRightWrite)));
                CHECK(f.frame_mapped_asid() == 0);
                CHECK(f.frame_mapped_vaddr() == 0);
            }
        }
    }
    CHECK(frame_size_bits(CapType::Frame4K) == 12);
    CHECK(frame_size_bits(CapType::Frame64K) == 16);
    CHECK(frame_size_bits(CapType::Frame1M) == 20);
    CHECK(frame_size_bits(CapType::Frame16M) == 24);
    CHECK(frame_size_bits(CapType::Endpoint) == 0);
}

TEST_CASE("cap: masked() only ever removes rights and changes nothing else", "[cap]") {
    std::vector<Cap> caps = sample_caps();
    for (CapType t : kFrameTypes)
        for (u32 r = 0; r <= abi::kRightsAll; ++r) caps.push_back(Cap::frame(t, kRam + (1u << 24), r, r & 1u));
    for (u32 r = 0; r <= abi::kRightsAll; ++r) {
        caps.push_back(Cap::endpoint(kRam + 0x30, r * 3, r));
        caps.push_back(Cap::notification(kRam + 0x30, r, r));
        caps.push_back(Cap::reply(kRam + 0x200, r & 1u, r));
    }
    for (const Cap &c : caps) {
        for (u32 mask = 0; mask <= 0xffu; ++mask) {
            Cap m = c.masked(mask);
            INFO(cap_type_name(c.type()) << " w0 " << c.w0 << " w1 " << c.w1 << " mask " << mask);
            CHECK(m.type() == c.type());
            CHECK((m.rights() & ~c.rights()) == 0);          // never gains
            CHECK(m.rights() == (c.rights() & mask));        // exactly the AND
            CHECK(m.object() == c.object());
            CHECK(m.object_size_bits() == c.object_size_bits());
            CHECK(m.w0 == c.w0);                             // badge, guard, ... untouched
            if (c.rights() == 0 && !c.is_frame()) CHECK(m == c);
            CHECK(m.masked(mask) == m);                      // idempotent
            CHECK(c.masked(abi::kRightsAll) == c);
            if (c.is_frame()) CHECK(m.frame_is_device() == c.frame_is_device());
        }
    }
}

TEST_CASE("cap: same_region: an Untyped covers exactly what lies inside it", "[cap]") {
    const paddr_t base = kRam + 0x10'0000;
    Cap ut = Cap::untyped(base, 16, false, 0);
    // Objects inside, at both ends.
    CHECK(same_region(ut, Cap::endpoint(base, 0, abi::kRightsAll)));
    CHECK(same_region(ut, Cap::endpoint(base + 0xfff0, 5, abi::kRightsAll)));
    CHECK(same_region(ut, Cap::notification(base + 0x10, 0, 0)));
    CHECK(same_region(ut, Cap::thread(base + 0x200)));
    CHECK(same_region(ut, Cap::cnode(base + 0x8000, 11, 0, 0)));  // exactly the upper half
    CHECK(same_region(ut, Cap::frame(CapType::Frame64K, base, abi::kRightsAll, false)));
    CHECK(same_region(ut, Cap::untyped(base + 0x1000, 12, false, 0)));
    CHECK(same_region(ut, ut));  // the same region
    CHECK(same_region(ut, Cap::zombie(base + 0x100, 8, false, 3)));
    // Objects outside or straddling an end.
    CHECK_FALSE(same_region(ut, Cap::endpoint(base - 0x10, 0, 0)));
    CHECK_FALSE(same_region(ut, Cap::endpoint(base + 0x10000, 0, 0)));
    CHECK_FALSE(same_region(ut, Cap::cnode(base + 0x8000, 12, 0, 0)));  // runs past the end
    CHECK_FALSE(same_region(ut, Cap::frame(CapType::Frame1M, base & ~mask_bits(20), 0, false)));
    CHECK_FALSE(same_region(ut, Cap::untyped(base & ~mask_bits(17), 17, false, 0)));  // the parent
    // Caps without memory of their own are never inside an Untyped.
    CHECK_FALSE(same_region(ut, Cap::null()));
    CHECK_FALSE(same_region(ut, Cap::reply(base + 0x200, true, 0)));
    CHECK_FALSE(same_region(ut, Cap::irq_control()));
    CHECK_FALSE(same_region(ut, Cap::irq_handler(3)));
    CHECK_FALSE(same_region(ut, Cap::asid_control()));
    // A 2^29 Untyped at the top of the address space: no overflow at the end.
    Cap top = Cap::untyped(0xe000'0000, 29, false, 0);
    CHECK(same_region(top, Cap::endpoint(0xffff'fff0, 0, 0)));
    CHECK_FALSE(same_region(top, Cap::endpoint(0xdfff'fff0, 0, 0)));
    // Nothing but an Untyped covers an Untyped.
    CHECK_FALSE(same_region(Cap::endpoint(base, 0, 0), ut));
    CHECK_FALSE(same_region(Cap::cnode(base, 12, 0, 0), ut));
}

TEST_CASE("cap: same_object: Untyped never, IRQ Control covers handlers but is not one", "[cap]") {
    const paddr_t base = kRam + 0x10'0000;
    Cap ut = Cap::untyped(base, 12, false, 0);
    CHECK_FALSE(same_object(ut, ut));
    CHECK_FALSE(same_object(ut, Cap::endpoint(base, 0, 0)));
    CHECK_FALSE(same_object(ut, Cap::untyped(base, 12, true, 0x100)));

    CHECK(same_region(Cap::irq_control(), Cap::irq_handler(7)));
    CHECK_FALSE(same_object(Cap::irq_control(), Cap::irq_handler(7)));
    CHECK(same_region(Cap::irq_control(), Cap::irq_control()));
    CHECK(same_object(Cap::irq_control(), Cap::irq_control()));
    CHECK(same_object(Cap::irq_handler(7), Cap::irq_handler(7)));
    CHECK_FALSE(same_object(Cap::irq_handler(7), Cap::irq_handler(8)));
    CHECK_FALSE(same_region(Cap::irq_handler(7), Cap::irq_control()));
    CHECK(same_object(Cap::asid_control(), Cap::asid_control()));

    // Endpoints and notifications: the object, whatever the badge and rights.
    Cap ep = Cap::endpoint(base + 0x20, 0, abi::kRightsAll);
    CHECK(same_object(ep, Cap::endpoint(base + 0x20, 99, abi::kRightRead)));
    CHECK_FALSE(same_object(ep, Cap::endpoint(base + 0x30, 0, abi::kRightsAll)));
    CHECK_FALSE(same_object(ep, Cap::notification(base + 0x20, 0, abi::kRightsAll)));
    // CNodes: the object and the radix; the guard does not matter.
    Cap cn = Cap::cnode(base + 0x400, 4, 0, 0);
    CHECK(same_object(cn, Cap::cnode(base + 0x400, 4, 7, 100)));
    CHECK_FALSE(same_object(cn, Cap::cnode(base + 0x400, 5, 0, 0)));
    CHECK_FALSE(same_object(cn, Cap::cnode(base + 0x800, 4, 0, 0)));
    // Frames: address, size and device flag; not the rights.
    Cap f = Cap::frame(CapType::Frame4K, base, abi::kRightsAll, false);
    CHECK(same_object(f, Cap::frame(CapType::Frame4K, base, abi::kRightRead, false)));
    CHECK_FALSE(same_object(f, Cap::frame(CapType::Frame4K, base, abi::kRightsAll, true)));
    CHECK_FALSE(same_object(f, Cap::frame(CapType::Frame64K, base & ~mask_bits(16), abi::kRightsAll, false)));
    CHECK_FALSE(same_object(f, Cap::frame(CapType::Frame4K, base + 0x1000, abi::kRightsAll, false)));
    // Objects of different types at one address (after a revoke and retype) differ.
    CHECK_FALSE(same_object(Cap::thread(base), Cap::cnode(base, 5, 0, 0)));
    CHECK_FALSE(same_object(Cap::page_table(base), Cap::cnode(base, 6, 0, 0)));
    // Zombies and null are nobody's.
    Cap z = Cap::zombie(base + 0x400, 8, false, 16);
    CHECK_FALSE(same_object(z, z));
    CHECK_FALSE(same_object(Cap::null(), Cap::null()));
    CHECK_FALSE(same_object(cn, z));
    CHECK(same_region(Cap::untyped(base, 12, false, 0), z));
    // Reply caps: same TCB.
    CHECK(same_object(Cap::reply(base + 0x200, true, 0), Cap::reply(base + 0x200, false, abi::kRightsAll)));
    CHECK_FALSE(same_object(Cap::reply(base + 0x200, true, 0), Cap::thread(base + 0x200)));

    // Across all sample caps: same_object implies same_region, and is symmetric
    // for everything but the one-way relations (Untyped and IRQ Control).
    std::vector<Cap> caps = sample_caps();
    for (const Cap &a : caps) {
        for (const Cap &b : caps) {
            INFO(cap_type_name(a.type()) << " vs " << cap_type_name(b.type()));
            if (same_object(a, b)) {
                CHECK(same_region(a, b));
                CHECK(same_object(b, a));
            }
            if (a.type() != CapType::Untyped && a.type() != CapType::IrqControl && same_region(a, b))
                CHECK(same_object(a, b));
        }
    }
}

TEST_CASE("cap: MessageInfo word round-trips", "[cap]") {
    Lcg rng{4};
    for (int i = 0; i < 100000; ++i) {
        u32 w = rng.next();
        abi::MessageInfo mi = abi::MessageInfo::from_word(w);
        REQUIRE(mi.word() == w);
        REQUIRE(mi.label < (1u << 20));
        REQUIRE(mi.caps_unwrapped < 8);
        REQUIRE(mi.extra_caps < 4);
        REQUIRE(mi.length < 128);
    }
    for (u32 label : {0u, 1u, static_cast<u32>(abi::Label::Count), 0xfffffu})
        for (u32 unwrapped = 0; unwrapped < 8; ++unwrapped)
            for (u32 extra = 0; extra < 4; ++extra)
                for (u32 length : {0u, 1u, 4u, abi::kMsgMaxLength, 127u}) {
                    abi::MessageInfo mi{label, unwrapped, extra, length};
                    abi::MessageInfo back = abi::MessageInfo::from_word(mi.word());
                    CHECK(back.label == label);
                    CHECK(back.caps_unwrapped == unwrapped);
                    CHECK(back.extra_caps == extra);
                    CHECK(back.length == length);
                }
    // Out-of-range fields are truncated to their width, never bleed into a neighbour.
    abi::MessageInfo wide{0x1fffffu, 9, 5, 0x80};
    abi::MessageInfo back = abi::MessageInfo::from_word(wide.word());
    CHECK(back.label == 0xfffffu);
    CHECK(back.caps_unwrapped == 1);
    CHECK(back.extra_caps == 1);
    CHECK(back.length == 0);
    static_assert(abi::MessageInfo{1, 0, 0, 0}.word() == 1u << 12);
    static_assert(abi::MessageInfo::from_word(0x3u << 7).extra_caps == 3);
}
