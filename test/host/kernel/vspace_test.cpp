// SPDX-License-Identifier: BSD-2-Clause
// The virtual-memory layer on the hosted kernel: Page Directories, Page Tables,
// Frames of every size, ASID pools and hardware ASIDs, with the tables in
// simulated memory. Every case checks the entries the kernel wrote, the caps'
// records, and the invariant checker (which counts every mapping against the
// caps that record it) after each step.
#include "harness.hpp"
#include "mmu.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "vspace.hpp"

using namespace test;
using namespace petrel;
using petrel::abi::kRightRead;
using petrel::abi::kRightWrite;
using petrel::abi::kRightsAll;
using petrel::abi::kVmCacheable;
using petrel::abi::kVmExecuteNever;

namespace {

constexpr unsigned kPool = abi::kCapInitAsidPool;
constexpr unsigned kRootPd = abi::kCapInitVSpace;

// A booted machine with a large Untyped and a cursor over free slots.
struct Vm {
    static petrel::host::MachineConfig config() {
        petrel::host::MachineConfig c;
        c.ram_size = 128u << 20;  // room for two 16 MiB frames besides the rest
        return c;
    }
    Machine m{config()};
    unsigned ut = untyped_at_least(m, 26);
    unsigned next = first_free(m);

    unsigned make(ObjectType type, unsigned bits = 0) {
        unsigned s = next++;
        Reply r = retype(m, ut, type, bits, s);
        INFO("retype " << static_cast<u32>(type) << ": " << m.take_console());
        REQUIRE(r.ok());
        return s;
    }
    // A Page Directory with an ASID from the initial pool.
    unsigned pd() {
        unsigned s = make(ObjectType::PageDirectory);
        REQUIRE(m.call(kPool, Label::AsidPoolAssign, {}, {s}).ok());
        return s;
    }
    const Cap &at(unsigned s) const { return cap_at(m, s); }
    u32 *table(unsigned pd_slot) const { return m.at<u32>(at(pd_slot).object()); }
    Reply map(unsigned frame, unsigned pd, u32 vaddr, u32 rights = kRightsAll, u32 attr = kVmCacheable) {
        return m.call(frame, Label::PageMap, {vaddr, rights, attr}, {pd});
    }
    Reply map_pt(unsigned pt, unsigned pd, u32 vaddr) { return m.call(pt, Label::PageTableMap, {vaddr}, {pd}); }
    Reply unmap(unsigned frame) { return m.call(frame, Label::PageUnmap, {}); }
    // The second-level entry for vaddr in pd (0 when no table).
    u32 pte(unsigned pd, u32 vaddr) const {
        u32 *e = lookup_pte(at(pd).object(), vaddr);
        return e ? *e : 0;
    }
    u32 pde(unsigned pd, u32 vaddr) const { return table(pd)[vaddr >> 20]; }
};

void ok(Machine &m, const Reply &r) {
    INFO("error " << static_cast<u32>(r.error) << " MR0 " << r.mr[0] << " console: " << m.take_console());
    REQUIRE(r.ok());
    REQUIRE_INVARIANTS();
}

// A refused call leaves the tables as they were (checked by the caller) and logs one line.
void refused(Machine &m, const Reply &r, Error code, std::initializer_list<unsigned> details,
             std::initializer_list<const char *> log) {
    check_refusal(m, r, code, details, log);
    REQUIRE_INVARIANTS();
}

}  // namespace

TEST_CASE("vspace: the root task's directory has ASID 1 from the initial pool", "[vspace]") {
    Vm v;
    const Cap &pd = v.at(kRootPd);
    CHECK(pd.pd_has_asid());
    CHECK(pd.pd_asid() == abi::kRootAsid);
    CHECK(find_pd(abi::kRootAsid) == pd.object());
    CHECK(v.at(kPool).type() == CapType::AsidPool);
    CHECK(v.at(kPool).asid_pool_base() == 0);
    CHECK(v.m.root.tcb->slots[kTcbVTable].cap.pd_asid() == abi::kRootAsid);
    REQUIRE_INVARIANTS();
}

TEST_CASE("vspace: a 4 KiB frame maps through a page table, with rights and attributes", "[vspace]") {
    Vm v;
    const unsigned pd = v.pd(), pt = v.make(ObjectType::PageTable), f = v.make(ObjectType::Frame4K);
    constexpr u32 va = 0x1234'5000;

    // No table yet: FailedLookup, nothing written.
    refused(v.m, v.map(f, pd, va), Error::FailedLookup, {0, 2, 20}, {"Page.Map", "vaddr", "PageTable"});
    CHECK(!v.at(f).frame_mapped());

    ok(v.m, v.map_pt(pt, pd, va + 0x123));  // low bits ignored: the table covers the megabyte
    CHECK(arm::is_page_table_entry(v.pde(pd, va)));
    CHECK(arm::page_table_base(v.pde(pd, va)) == v.at(pt).object());
    CHECK(v.at(pt).pt_mapped());
    CHECK(v.at(pt).pt_mapped_pd_index() == (va >> 20));
    CHECK(v.at(pt).pt_mapped_asid() == v.at(pd).pd_asid());

    ok(v.m, v.map(f, pd, va, kRightRead | kRightWrite, kVmCacheable));
    const u32 e = v.pte(pd, va);
    CHECK(arm::is_small_page(e));
    CHECK(arm::small_page_base(e) == v.at(f).object());
    CHECK(((e >> 4) & 3) == 3);          // user read/write
    CHECK((e & 1u) == 0);                // executable
    CHECK((e & 0xcu) == 0xcu);           // cached
    CHECK((e & (1u << 11)) != 0);        // not global
    CHECK(v.at(f).frame_mapped_asid() == v.at(pd).pd_asid());
    CHECK(v.at(f).frame_mapped_vaddr() == va);

    Reply a = v.m.call(f, Label::PageGetAddress, {});
    REQUIRE(a.ok());
    CHECK(a.length == 1);
    CHECK(a.mr[0] == v.at(f).object());

    SECTION("remapping the same place changes rights and attributes") {
        ok(v.m, v.map(f, pd, va, kRightRead, kVmExecuteNever));
        const u32 e2 = v.pte(pd, va);
        CHECK(((e2 >> 4) & 3) == 2);      // user read-only
        CHECK((e2 & 1u) == 1u);           // execute-never
        CHECK((e2 & 0xcu) == 0);          // uncached (normal, TEX 001)
        CHECK(((e2 >> 6) & 7) == 1);
    }
    SECTION("a mapped frame cap maps nowhere else; its copy does") {
        refused(v.m, v.map(f, pd, va + 0x1000), Error::InvalidCapability, {0}, {"Page.Map", "mapped at"});
        CHECK(v.pte(pd, va + 0x1000) == 0);
        unsigned copy_slot = v.next++;
        ok(v.m, copy(v.m, copy_slot, f));
        CHECK(!v.at(copy_slot).frame_mapped());  // a copy starts unmapped
        ok(v.m, v.map(copy_slot, pd, va + 0x1000, kRightRead));
        CHECK(arm::small_page_base(v.pte(pd, va + 0x1000)) == v.at(f).object());
        // Deleting the original removes its mapping only.
        ok(v.m, remove(v.m, f));
        CHECK(v.pte(pd, va) == 0);
        CHECK(v.pte(pd, va + 0x1000) != 0);
    }
    SECTION("Unmap clears the entry and the record; unmapping again does nothing") {
        ok(v.m, v.unmap(f));
        CHECK(v.pte(pd, va) == 0);
        CHECK(!v.at(f).frame_mapped());
        ok(v.m, v.unmap(f));
        ok(v.m, v.map(f, pd, va + 0x2000));  // and it maps again elsewhere
    }
    SECTION("something already mapped there: DeleteFirst") {
        unsigned g = v.make(ObjectType::Frame4K);
        refused(v.m, v.map(g, pd, va), Error::DeleteFirst, {0}, {"Page.Map", "vaddr", "expected nothing mapped"});
        CHECK(!v.at(g).frame_mapped());
    }
}

TEST_CASE("vspace: 64 KiB and 16 MiB frames fill 16 replicated entries; 1 MiB one", "[vspace]") {
    Vm v;
    const unsigned pd = v.pd(), pt = v.make(ObjectType::PageTable);
    const unsigned f64 = v.make(ObjectType::Frame64K), f1m = v.make(ObjectType::Frame1M);
    const unsigned f16m = v.make(ObjectType::Frame16M);
    ok(v.m, v.map_pt(pt, pd, 0x0040'0000));

    refused(v.m, v.map(f64, pd, 0x0040'8000), Error::AlignmentError, {}, {"Page.Map", "vaddr"});
    ok(v.m, v.map(f64, pd, 0x0041'0000, kRightRead));
    u32 *pt_entries = v.m.at<u32>(v.at(pt).object());
    for (u32 i = 0; i < 16; ++i) {
        INFO("entry " << i);
        CHECK(arm::is_large_page(pt_entries[0x10 + i]));
        CHECK(arm::large_page_base(pt_entries[0x10 + i]) == v.at(f64).object());
        CHECK(pt_entries[0x10 + i] == pt_entries[0x10]);
    }
    CHECK(pt_entries[0x0f] == 0);
    CHECK(pt_entries[0x20] == 0);

    refused(v.m, v.map(f1m, pd, 0x0050'1000), Error::AlignmentError, {}, {"Page.Map"});
    ok(v.m, v.map(f1m, pd, 0x0050'0000));
    CHECK(arm::is_section(v.pde(pd, 0x0050'0000)));
    CHECK(arm::section_base(v.pde(pd, 0x0050'0000)) == v.at(f1m).object());
    // A section over a page table: DeleteFirst.
    unsigned f1m2 = v.make(ObjectType::Frame1M);
    refused(v.m, v.map(f1m2, pd, 0x0040'0000), Error::DeleteFirst, {0}, {"Page.Map", "PageTable"});

    refused(v.m, v.map(f16m, pd, 0x0080'0000), Error::AlignmentError, {}, {"Page.Map"});
    ok(v.m, v.map(f16m, pd, 0x0100'0000));
    for (u32 i = 0; i < 16; ++i) {
        INFO("entry " << i);
        CHECK(arm::is_supersection(v.pde(pd, 0x0100'0000 + (i << 20))));
        CHECK(arm::supersection_base(v.pde(pd, 0x0100'0000 + (i << 20))) == v.at(f16m).object());
    }
    CHECK(v.pde(pd, 0x0200'0000) == 0);
    // A 16 MiB frame over a megabyte already used: DeleteFirst.
    unsigned f16m2 = v.make(ObjectType::Frame16M);
    ok(v.m, v.map(f1m2, pd, 0x0300'0000 + (5u << 20)));
    refused(v.m, v.map(f16m2, pd, 0x0300'0000), Error::DeleteFirst, {0}, {"Page.Map"});

    // Unmap clears every replicated entry.
    ok(v.m, v.unmap(f64));
    for (u32 i = 0; i < 16; ++i) CHECK(pt_entries[0x10 + i] == 0);
    ok(v.m, v.unmap(f16m));
    for (u32 i = 0; i < 16; ++i) CHECK(v.pde(pd, 0x0100'0000 + (i << 20)) == 0);
    ok(v.m, v.unmap(f1m));
    CHECK(v.pde(pd, 0x0050'0000) == 0);
}

TEST_CASE("vspace: bad arguments are refused and change nothing", "[vspace]") {
    Vm v;
    const unsigned pd = v.pd(), pt = v.make(ObjectType::PageTable), f = v.make(ObjectType::Frame4K);
    ok(v.m, v.map_pt(pt, pd, 0x0010'0000 * 0x20));
    const u32 va = 0x0200'0000;

    SECTION("the kernel half") {
        refused(v.m, v.map(f, pd, abi::kUserTop), Error::InvalidArgument, {0},
                {"Page.Map", "vaddr", "below 0x80000000"});
        unsigned big = v.make(ObjectType::Frame16M);
        refused(v.m, v.map(big, pd, 0x7f00'0000 + (1u << 24)), Error::InvalidArgument, {0}, {"Page.Map"});
        unsigned pt2 = v.make(ObjectType::PageTable);
        refused(v.m, v.map_pt(pt2, pd, 0xfff0'0000), Error::InvalidArgument, {0}, {"PageTable.Map", "vaddr"});
        CHECK(!v.at(pt2).pt_mapped());
    }
    SECTION("rights without Read, unknown attributes") {
        refused(v.m, v.map(f, pd, va, kRightWrite), Error::InvalidArgument, {1}, {"Page.Map", "rights"});
        unsigned ro = v.next++;
        ok(v.m, copy(v.m, ro, f, kRightWrite));  // a write-only cap: no Read to map with
        refused(v.m, v.map(ro, pd, va, kRightsAll), Error::InvalidArgument, {1}, {"rights"});
        refused(v.m, v.map(f, pd, va, kRightsAll, 0x2), Error::InvalidArgument, {2}, {"attr"});
    }
    SECTION("wrong cap types and a directory without an ASID") {
        refused(v.m, v.map(f, f, va), Error::InvalidCapability, {1},
                {"Page.Map", "expected a PageDirectory cap, got Frame4K"});
        unsigned bare = v.make(ObjectType::PageDirectory);
        refused(v.m, v.map(f, bare, va), Error::InvalidCapability, {1}, {"Page.Map", "without"});
        unsigned pt2 = v.make(ObjectType::PageTable);
        refused(v.m, v.map_pt(pt2, bare, va), Error::InvalidCapability, {1}, {"PageTable.Map", "without"});
        refused(v.m, v.map_pt(pt2, abi::kCapInitTcb, va), Error::InvalidCapability, {1}, {"PageTable.Map", "TCB"});
        refused(v.m, v.m.call(kPool, Label::AsidPoolAssign, {}, {f}), Error::InvalidCapability, {1},
                {"AsidPool.Assign", "Frame4K"});
        refused(v.m, v.m.call(kPool, Label::AsidPoolAssign, {}, {pd}), Error::InvalidCapability, {1},
                {"AsidPool.Assign", "with ASID"});
    }
    SECTION("a page table already mapped, or a megabyte already covered") {
        refused(v.m, v.map_pt(pt, pd, 0x0300'0000), Error::InvalidCapability, {0}, {"PageTable.Map", "mapped at"});
        unsigned pt2 = v.make(ObjectType::PageTable);
        refused(v.m, v.map_pt(pt2, pd, va), Error::DeleteFirst, {0}, {"PageTable.Map", "a PageTable"});
        CHECK(!v.at(pt2).pt_mapped());
    }
    SECTION("truncated messages") {
        refused(v.m, v.m.call(f, Label::PageMap, {va, kRightsAll}, {pd}), Error::TruncatedMessage, {}, {"Page.Map"});
        refused(v.m, v.m.call(f, Label::PageMap, {va, kRightsAll, 0}), Error::TruncatedMessage, {}, {"Page.Map"});
        refused(v.m, v.m.call(pt, Label::PageTableMap, {va}), Error::TruncatedMessage, {}, {"PageTable.Map"});
    }
    SECTION("a method of another object") {
        refused(v.m, v.m.call(f, Label::PageTableMap, {va}, {pd}), Error::IllegalOperation, {},
                {"is not a Frame method"});
        refused(v.m, v.m.call(pt, Label::PageMap, {va, 3, 1}, {pd}), Error::IllegalOperation, {},
                {"is not a PageTable method"});
    }
    CHECK(!v.at(f).frame_mapped());
}

TEST_CASE("vspace: device frames map as device memory, never executable", "[vspace]") {
    Vm v;
    const abi::BootInfo *bi = v.m.root.boot_info;
    unsigned dev = 0;
    for (unsigned i = 0; i < bi->untyped_count; ++i)
        if (bi->untyped_list[i].is_device) dev = bi->untyped.start + i;
    REQUIRE(dev != 0);
    const unsigned pd = v.pd(), pt = v.make(ObjectType::PageTable), f = v.next++;
    REQUIRE(retype(v.m, dev, ObjectType::Frame4K, 0, f).ok());
    CHECK(v.at(f).frame_is_device());
    ok(v.m, v.map_pt(pt, pd, 0x1000'0000));
    ok(v.m, v.map(f, pd, 0x1000'0000, kRightsAll, kVmCacheable));  // attributes cannot make it cached
    const u32 e = v.pte(pd, 0x1000'0000);
    CHECK(((e >> 6) & 7) == 0);   // TEX 000
    CHECK((e & 0xcu) == 0x4u);    // C 0, B 1: device
    CHECK((e & 1u) == 1u);        // XN
    refused(v.m, v.m.call(f, Label::PageClean, {0, 64}), Error::IllegalOperation, {}, {"Page.Clean", "device"});
}

TEST_CASE("vspace: every unmap path removes the mappings and flushes the TLB", "[vspace]") {
    Vm v;
    const unsigned pd = v.pd(), pt = v.make(ObjectType::PageTable);
    const unsigned f = v.make(ObjectType::Frame4K), s = v.make(ObjectType::Frame1M);
    constexpr u32 va = 0x0400'0000;
    ok(v.m, v.map_pt(pt, pd, va));
    ok(v.m, v.map(f, pd, va + 0x3000));
    ok(v.m, v.map(s, pd, va + (1u << 20)));
    // As the first switch to this address space would: lend it a hardware ASID.
    const u32 hw = hw_asid_get(v.at(pd).pd_asid());
    CHECK(hw >= 1);
    CHECK(hw <= 255);
    REQUIRE_INVARIANTS();
    host::g_flushes = {};

    SECTION("Page.Unmap: one page flushed by address") {
        ok(v.m, v.unmap(f));
        CHECK(v.pte(pd, va + 0x3000) == 0);
        CHECK(host::g_flushes.pages == 1);
        CHECK(host::g_flushes.last_vaddr == va + 0x3000);
        CHECK(host::g_flushes.last_hw_asid == hw);
    }
    SECTION("deleting the frame cap") {
        ok(v.m, remove(v.m, f));
        CHECK(v.pte(pd, va + 0x3000) == 0);
        CHECK(host::g_flushes.pages == 1);
        ok(v.m, remove(v.m, s));
        CHECK(v.pde(pd, va + (1u << 20)) == 0);
        CHECK(host::g_flushes.asids == 1);
    }
    SECTION("PageTable.Unmap: the table leaves the directory and is cleared") {
        unsigned c = v.next++;
        ok(v.m, copy(v.m, c, pt));  // a mapped PageTable cap may be copied
        refused(v.m, v.m.call(pt, Label::PageTableUnmap, {}), Error::RevokeFirst, {}, {"PageTable.Unmap", "copies"});
        ok(v.m, remove(v.m, c));
        ok(v.m, v.m.call(pt, Label::PageTableUnmap, {}));
        CHECK(v.pde(pd, va) == 0);
        CHECK(!v.at(pt).pt_mapped());
        CHECK(memory_is(v.m, v.at(pt).object(), 1024, 0));
        CHECK(host::g_flushes.asids == 1);
        // The frame's record is now stale: unmapping it changes nothing, mapping the
        // table again elsewhere and the frame again works.
        ok(v.m, v.unmap(f));
        ok(v.m, v.map_pt(pt, pd, 0x0600'0000));
        ok(v.m, v.map(f, pd, 0x0600'0000));
    }
    SECTION("deleting the last PageTable cap") {
        ok(v.m, remove(v.m, pt));
        CHECK(v.pde(pd, va) == 0);
        CHECK(host::g_flushes.asids == 1);
    }
    SECTION("deleting the last PageDirectory cap frees its ASID and hardware ASID") {
        const u32 asid = v.at(pd).pd_asid();
        ok(v.m, remove(v.m, pd));
        CHECK(find_pd(asid) == 0);
        CHECK(ks.hw_asid_owner[hw] == 0);
        CHECK(host::g_flushes.asids == 1);
        CHECK(host::g_flushes.last_hw_asid == hw);
        // Its frames' records are stale now; unmapping them is harmless.
        ok(v.m, v.unmap(f));
        ok(v.m, remove(v.m, s));
        // The ASID is free for the next directory.
        unsigned pd2 = v.pd();
        CHECK(v.at(pd2).pd_asid() == asid);
    }
    SECTION("revoking the Untyped removes everything, preemptibly") {
        Reply r = call_checked(v.m, kRootCNode, Label::CNodeRevoke, {v.ut, 32}, {}, 3,
                               [&] { REQUIRE_INVARIANTS(); });
        ok(v.m, r);
        CHECK(r.restarts > 0);
        CHECK(find_pd(2) == 0);
        CHECK(ks.hw_asid_owner[hw] == 0);
        CHECK(v.at(f).is_null());
        CHECK(v.at(pd).is_null());
    }
}

TEST_CASE("vspace: cache maintenance on frames and directory ranges", "[vspace]") {
    Vm v;
    const unsigned pd = v.pd(), pt = v.make(ObjectType::PageTable), f = v.make(ObjectType::Frame64K);
    ok(v.m, v.map_pt(pt, pd, 0x0800'0000));
    ok(v.m, v.map(f, pd, 0x0800'0000));
    host::g_flushes = {};
    for (Label l : {Label::PageClean, Label::PageInvalidate, Label::PageCleanInvalidate, Label::PageUnify})
        ok(v.m, v.m.call(f, l, {0x100, 0x10000}));
    CHECK(host::g_flushes.cache_ops == 4);
    refused(v.m, v.m.call(f, Label::PageClean, {0x100, 0x100}), Error::RangeError, {0x101, 0x10000},
            {"Page.Clean", "end"});
    refused(v.m, v.m.call(f, Label::PageClean, {0, 0x10001}), Error::RangeError, {1, 0x10000}, {"end"});
    refused(v.m, v.m.call(f, Label::PageClean, {0x10000, 0x10001}), Error::RangeError, {0, 0xffff}, {"start"});
    for (Label l : {Label::PageDirectoryClean, Label::PageDirectoryInvalidate, Label::PageDirectoryCleanInvalidate,
                    Label::PageDirectoryUnify})
        ok(v.m, v.m.call(pd, l, {0x0800'1000, 0x0801'0000}));
    CHECK(host::g_flushes.cache_ops == 8);
    refused(v.m, v.m.call(pd, Label::PageDirectoryClean, {0x0800'1000, 0x0801'0001}), Error::InvalidArgument, {1},
            {"PageDirectory.Clean", "end"});
    refused(v.m, v.m.call(pd, Label::PageDirectoryClean, {0x0900'0000, 0x0900'0010}), Error::FailedLookup,
            {0, 2, 20}, {"PageDirectory.Clean", "start", "a mapped frame"});
    CHECK(host::g_flushes.cache_ops == 8);
}

TEST_CASE("vspace: ASID pools fill up, and at most 64 exist", "[vspace]") {
    Vm v;
    // A pool from a 4 KiB Untyped with nothing made from it.
    unsigned small = v.make(ObjectType::Untyped, 12), pool = v.next++;
    unsigned wrong = v.make(ObjectType::Untyped, 13);
    refused(v.m, v.m.call(abi::kCapAsidControl, Label::AsidControlMakePool, {pool, 32}, {wrong, kRootCNode}),
            Error::InvalidCapability, {1}, {"AsidControl.MakePool", "2^12"});
    ok(v.m, v.m.call(abi::kCapAsidControl, Label::AsidControlMakePool, {pool, 32}, {small, kRootCNode}));
    CHECK(v.at(pool).type() == CapType::AsidPool);
    CHECK(v.at(pool).asid_pool_base() == 1024);
    refused(v.m, v.m.call(abi::kCapAsidControl, Label::AsidControlMakePool, {v.next, 32}, {small, kRootCNode}),
            Error::RevokeFirst, {}, {"AsidControl.MakePool", "revoke"});

    // 1024 directories fit in the new pool (it holds ASID 0 of its range too, as
    // only ASID 0 itself is never used); the next is refused.
    const unsigned first = v.next;
    REQUIRE(retype(v.m, v.ut, ObjectType::PageDirectory, 0, first, 256).ok());
    REQUIRE(retype(v.m, v.ut, ObjectType::PageDirectory, 0, first + 256, 256).ok());
    REQUIRE(retype(v.m, v.ut, ObjectType::PageDirectory, 0, first + 512, 256).ok());
    REQUIRE(retype(v.m, v.ut, ObjectType::PageDirectory, 0, first + 768, 256).ok());
    REQUIRE(retype(v.m, v.ut, ObjectType::PageDirectory, 0, first + 1024, 1).ok());
    v.next += 1025;
    for (unsigned i = 0; i < 1024; ++i) {
        Reply r = v.m.call(pool, Label::AsidPoolAssign, {}, {first + i});
        REQUIRE(r.ok());
        REQUIRE(v.at(first + i).pd_asid() == 1024 + i);
    }
    REQUIRE_INVARIANTS();
    refused(v.m, v.m.call(pool, Label::AsidPoolAssign, {}, {first + 1024}), Error::DeleteFirst, {0},
            {"AsidPool.Assign", "full"});
    CHECK(!v.at(first + 1024).pd_has_asid());
    // Deleting one directory frees its ASID for the next.
    ok(v.m, remove(v.m, first + 7));
    ok(v.m, v.m.call(pool, Label::AsidPoolAssign, {}, {first + 1024}));
    CHECK(v.at(first + 1024).pd_asid() == 1024 + 7);

    // 62 more pools, then none.
    for (unsigned i = 0; i < 62; ++i) {
        unsigned u = v.make(ObjectType::Untyped, 12), p = v.next++;
        REQUIRE(v.m.call(abi::kCapAsidControl, Label::AsidControlMakePool, {p, 32}, {u, kRootCNode}).ok());
    }
    unsigned u = v.make(ObjectType::Untyped, 12);
    refused(v.m, v.m.call(abi::kCapAsidControl, Label::AsidControlMakePool, {v.next, 32}, {u, kRootCNode}),
            Error::DeleteFirst, {0}, {"AsidControl.MakePool", "none left"});

    // Deleting the pool frees every ASID in it: its directories become unusable.
    const paddr_t pd0 = v.at(first).object();
    ok(v.m, remove(v.m, pool));
    CHECK(find_pd(1024) != pd0);
    CHECK(find_pd(1024) == 0);
    unsigned pt = v.make(ObjectType::PageTable);
    refused(v.m, v.map_pt(pt, first, 0), Error::InvalidCapability, {1}, {"PageTable.Map", "since deleted"});
    // And the pool number is free again.
    ok(v.m, v.m.call(abi::kCapAsidControl, Label::AsidControlMakePool, {v.next, 32}, {u, kRootCNode}));
    CHECK(v.at(v.next).asid_pool_base() == 1024);
}

TEST_CASE("vspace: hardware ASIDs are lent round robin and taken back when all are in use", "[vspace]") {
    Vm v;
    // 300 address spaces (ASIDs 2..301), each "activated" in turn twice.
    const unsigned first = v.next;
    for (unsigned k = 0; k < 300; k += 100) {
        REQUIRE(retype(v.m, v.ut, ObjectType::PageDirectory, 0, first + k, 100).ok());
    }
    v.next += 300;
    for (unsigned i = 0; i < 300; ++i) REQUIRE(v.m.call(kPool, Label::AsidPoolAssign, {}, {first + i}).ok());
    host::g_flushes = {};
    bool seen[256] = {};
    for (unsigned round = 0; round < 2; ++round) {
        for (unsigned i = 0; i < 300; ++i) {
            const u32 asid = v.at(first + i).pd_asid();
            const u32 hw = hw_asid_get(asid);
            REQUIRE(hw >= 1);
            REQUIRE(hw <= 255);
            REQUIRE(hw_asid_get(asid) == hw);  // kept while lent
            REQUIRE(ks.hw_asid_owner[hw] == asid);
            seen[hw] = true;
        }
        REQUIRE_INVARIANTS();
    }
    for (unsigned hw = 1; hw < 256; ++hw) CHECK(seen[hw]);
    // The first 255 came free (no flush); every later one was taken back with a flush.
    CHECK(host::g_flushes.asids == 600 - 255);
}
