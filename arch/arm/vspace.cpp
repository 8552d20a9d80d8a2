// SPDX-License-Identifier: BSD-2-Clause
// ASIDs, mapping and unmapping, deletion and the mapping invariants (see vspace.hpp).
#include "vspace.hpp"

#include "invariants.hpp"
#include "kmem.hpp"
#include "lib/format.hpp"
#include "panic.hpp"
#include "slot.hpp"
#include "state.hpp"

namespace petrel {

using namespace arm;

namespace {

// A pool entry: the directory's address (8 KiB aligned) | lent[8] | hw ASID[7:0].
constexpr u32 kHwValid = 1u << 8;
constexpr u32 kHwMask = 0xffu;
constexpr u32 kPdMask = ~((1u << abi::kPageDirectoryBits) - 1);
constexpr u32 kPdEntries = 1u << (abi::kPageDirectoryBits - 2);  // 2048
constexpr u32 kPtEntries = 256;

u32 *pool_entry(u32 asid) {
    if (asid == 0 || asid >= abi::kAsidsPerPool * abi::kAsidPools) return nullptr;
    paddr_t pool = ks.asid_table[asid / abi::kAsidsPerPool];
    return pool ? kptr<u32>(pool) + asid % abi::kAsidsPerPool : nullptr;
}

u32 *pd_entries(paddr_t pd) { return kptr<u32>(pd); }

void release_hw_asid(u32 &entry) {
    arch::forget_address_spaces();  // whatever thread runs next re-checks its address space
    if (!(entry & kHwValid)) return;
    u32 hw = entry & kHwMask;
    smp_stall_hw_asid_users(hw);  // another core running with it stops first (then the flush reaches it)
    arch::drop_hw_asid(hw);       // and this one
    arch::tlb_flush_asid(hw);
    ks.hw_asid_owner[hw] = 0;
    entry &= ~(kHwValid | kHwMask);
}

// Flushes what the TLB may hold for one mapping of ASID `asid`.
void flush_mapping(u32 asid, u32 vaddr, CapType size) {
    u32 *e = pool_entry(asid);
    if (!e || !(*e & kHwValid)) return;  // never activated since its last flush: nothing cached
    if (size == CapType::Frame4K) arch::tlb_flush_page(vaddr, *e & kHwMask);
    else arch::tlb_flush_asid(*e & kHwMask);  // large entries: one flush covers every size
}

}  // namespace

// ---------------------------------------------------------------- ASIDs

paddr_t find_pd(u32 asid) {
    u32 *e = pool_entry(asid);
    return e ? (*e & kPdMask) : 0;
}

paddr_t live_pd(const Cap &pd_cap) {
    if (pd_cap.type() != CapType::PageDirectory || !pd_cap.pd_has_asid()) return 0;
    paddr_t pd = find_pd(pd_cap.pd_asid());
    return pd == pd_cap.object() ? pd : 0;
}

u32 hw_asid_get(u32 asid) {
    u32 *e = pool_entry(asid);
    kassert(e && (*e & kPdMask));
    if (*e & kHwValid) return *e & kHwMask;
    u32 hw = 0;
    for (u32 i = 0; i < 255 && hw == 0; ++i) {
        u32 candidate = 1 + (ks.next_hw_asid + i) % 255;
        if (ks.hw_asid_owner[candidate] == 0) hw = candidate;
    }
    if (hw == 0) {  // every one lent: take the next in turn back from its owner
        hw = 1 + ks.next_hw_asid % 255;
        u32 *owner = pool_entry(ks.hw_asid_owner[hw]);
        kassert(owner);
        release_hw_asid(*owner);
    }
    ks.next_hw_asid = hw % 255;  // the one after hw, in 0-based turn order
    ks.hw_asid_owner[hw] = static_cast<u16>(asid);
    *e = (*e & kPdMask) | kHwValid | hw;
    return hw;
}

void delete_asid(u32 asid, paddr_t pd) {
    u32 *e = pool_entry(asid);
    if (!e || (*e & kPdMask) != pd) return;
    release_hw_asid(*e);  // (forgets the cached activations)
    *e = 0;
}

void delete_asid_pool(u32 base, paddr_t pool) {
    u32 index = base / abi::kAsidsPerPool;
    if (index >= abi::kAsidPools || ks.asid_table[index] != pool) return;
    u32 *entries = kptr<u32>(pool);
    for (u32 i = 0; i < abi::kAsidsPerPool; ++i) {
        release_hw_asid(entries[i]);
        entries[i] = 0;
    }
    ks.asid_table[index] = 0;
}

void install_asid_pool(u32 base, paddr_t pool) {
    kassert(base % abi::kAsidsPerPool == 0 && ks.asid_table[base / abi::kAsidsPerPool] == 0);
    ks.asid_table[base / abi::kAsidsPerPool] = pool;
}

void assign_asid(u32 asid, paddr_t pd, Cap &pd_cap) {
    u32 *e = pool_entry(asid);
    kassert(e && *e == 0 && (pd & ~kPdMask) == 0);
    *e = pd;
    pd_cap.set_pd_asid(asid);
}

// ---------------------------------------------------------------- mappings

u32 *lookup_pte(paddr_t pd, u32 vaddr) {
    u32 pde = pd_entries(pd)[l1_index(vaddr)];
    if (!is_page_table_entry(pde)) return nullptr;
    return kptr<u32>(page_table_base(pde)) + l2_index(vaddr);
}

u32 *frame_entries(paddr_t pd, CapType size, u32 vaddr, u32 &count) {
    switch (size) {
    case CapType::Frame4K: count = 1; return lookup_pte(pd, vaddr);
    case CapType::Frame64K: count = kLargePageEntries; return lookup_pte(pd, vaddr);
    case CapType::Frame1M: count = 1; return pd_entries(pd) + l1_index(vaddr);
    default: count = kSuperSectionEntries; return pd_entries(pd) + l1_index(vaddr);
    }
}

namespace {
u32 encode(CapType size, paddr_t frame, const UserAttrs &a) {
    switch (size) {
    case CapType::Frame4K: return user_small_page(frame, a);
    case CapType::Frame64K: return user_large_page(frame, a);
    case CapType::Frame1M: return user_section(frame, a);
    default: return user_supersection(frame, a);
    }
}
// Whether `desc` is an entry of the kind `size` mapping `frame`.
bool entry_maps(u32 desc, CapType size, paddr_t frame) {
    switch (size) {
    case CapType::Frame4K: return is_small_page(desc) && small_page_base(desc) == frame;
    case CapType::Frame64K: return is_large_page(desc) && large_page_base(desc) == frame;
    case CapType::Frame1M: return is_section(desc) && section_base(desc) == frame;
    default: return is_supersection(desc) && supersection_base(desc) == frame;
    }
}
}  // namespace

void map_frame(Cap &frame_cap, paddr_t pd, u32 asid, u32 vaddr, const UserAttrs &attrs) {
    const CapType size = frame_cap.type();
    u32 count;
    u32 *e = frame_entries(pd, size, vaddr, count);
    kassert(e);
    const bool remap = frame_cap.frame_mapped();
    const u32 desc = encode(size, frame_cap.object(), attrs);
    for (u32 i = 0; i < count; ++i) e[i] = desc;
    arch::clean_tables(kref(e), count * 4);
    if (remap) flush_mapping(asid, vaddr, size);
    frame_cap.set_frame_mapping(asid, vaddr);
}

void unmap_frame(Cap &frame_cap) {
    if (!frame_cap.frame_mapped()) return;
    const u32 asid = frame_cap.frame_mapped_asid(), vaddr = frame_cap.frame_mapped_vaddr();
    const CapType size = frame_cap.type();
    frame_cap.clear_frame_mapping();
    paddr_t pd = find_pd(asid);
    if (!pd) return;
    u32 count;
    u32 *e = frame_entries(pd, size, vaddr, count);
    if (!e || !entry_maps(e[0], size, frame_cap.object())) return;  // gone already
    for (u32 i = 0; i < count; ++i) e[i] = 0;
    arch::clean_tables(kref(e), count * 4);
    flush_mapping(asid, vaddr, size);
}

void map_page_table(Cap &pt_cap, paddr_t pd, u32 asid, u32 vaddr) {
    u32 index = l1_index(vaddr);
    u32 &pde = pd_entries(pd)[index];
    pde = page_table_entry(pt_cap.object());
    arch::clean_tables(kref(&pde), 4);
    pt_cap.set_pt_mapping(asid, index);
}

void unmap_page_table(Cap &pt_cap) {
    if (!pt_cap.pt_mapped()) return;
    const u32 asid = pt_cap.pt_mapped_asid(), index = pt_cap.pt_mapped_pd_index();
    pt_cap.clear_pt_mapping();
    paddr_t pd = find_pd(asid);
    if (!pd) return;
    u32 &pde = pd_entries(pd)[index];
    if (!is_page_table_entry(pde) || page_table_base(pde) != pt_cap.object()) return;
    pde = 0;
    arch::clean_tables(kref(&pde), 4);
    flush_mapping(asid, index << kSectionShift, CapType::Frame1M);
}

Status arch::decode_invocation(Invocation &inv) {
    switch (inv.cap.type()) {
    case CapType::PageTable: return decode_page_table(inv);
    case CapType::PageDirectory: return decode_page_directory(inv);
    case CapType::AsidControl: return decode_asid_control(inv);
    case CapType::AsidPool: return decode_asid_pool(inv);
    default: return decode_frame(inv);
    }
}

void arch::boot_asid_pool(paddr_t pool, paddr_t pd, Cap &pool_cap, Cap &pd_cap) {
    install_asid_pool(0, pool);
    pool_cap = Cap::asid_pool(pool, 0);
    pd_cap = Cap::page_directory(pd);
    assign_asid(abi::kRootAsid, pd, pd_cap);
}

void arch::cap_deleted(Cap &cap, bool final) {
    switch (cap.type()) {
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M: unmap_frame(cap); break;
    case CapType::PageTable:
        if (final) unmap_page_table(cap);
        break;
    case CapType::PageDirectory:
        if (final && cap.pd_has_asid()) delete_asid(cap.pd_asid(), cap.object());
        break;
    case CapType::AsidPool:
        if (final) delete_asid_pool(cap.asid_pool_base(), cap.object());
        break;
    default: break;
    }
}

bool vspace_of(const Cap &vtable, paddr_t &pd, u32 &hw_asid) {
    // On every switch: one pool lookup when the hardware ASID is still lent.
    if (!vtable.has_tag(CapType::PageDirectory) || !vtable.pd_has_asid()) return false;
    const u32 *e = pool_entry(vtable.pd_asid());
    if (!e || (*e & kPdMask) != vtable.pd_object()) return false;
    pd = vtable.pd_object();
    hw_asid = (*e & kHwValid) ? (*e & kHwMask) : hw_asid_get(vtable.pd_asid());
    return true;
}

// ---------------------------------------------------------------- invariants

bool frame_present(const Cap &c) {
    if (!c.frame_mapped()) return false;
    paddr_t pd = find_pd(c.frame_mapped_asid());
    if (!pd) return false;
    u32 count;
    u32 *e = frame_entries(pd, c.type(), c.frame_mapped_vaddr(), count);
    return e && entry_maps(e[0], c.type(), c.object());
}
namespace {

bool table_present(const Cap &c) {
    if (!c.pt_mapped()) return false;
    paddr_t pd = find_pd(c.pt_mapped_asid());
    if (!pd) return false;
    u32 pde = pd_entries(pd)[c.pt_mapped_pd_index()];
    return is_page_table_entry(pde) && page_table_base(pde) == c.object();
}
bool same_frame_mapping(const Cap &a, const Cap &b) {
    return a.type() == b.type() && a.object() == b.object() && a.frame_mapped_asid() == b.frame_mapped_asid() &&
           a.frame_mapped_vaddr() == b.frame_mapped_vaddr();
}
bool same_table_mapping(const Cap &a, const Cap &b) {
    return a.object() == b.object() && a.pt_mapped_asid() == b.pt_mapped_asid() &&
           a.pt_mapped_pd_index() == b.pt_mapped_pd_index();
}

// What the page tables hold: the mappings (a replicated group counts once)
// and the page tables that directories point to.
struct TableCounts {
    u32 mappings = 0, tables = 0;
};

// Page table `pt`, entry `j` of ASID `asid`'s directory: a large page is 64
// KiB aligned and replicated; counts its mappings.
bool check_page_table(InvariantReport &ck, u32 asid, u32 j, const u32 *pt, TableCounts &counts) {
    for (u32 k = 0; k < kPtEntries; ++k) {
        const u32 t = pt[k];
        if (t == 0) continue;
        if (is_large_page(t)) {
            if (k % kLargePageEntries)
                return ck.fail("ASID %u: large page at %08x is not 64 KiB aligned", asid, j << 20 | k << 12);
            for (u32 r = 1; r < kLargePageEntries; ++r)
                if (pt[k + r] != t)
                    return ck.fail("ASID %u: large page at %08x: entry %u differs", asid, j << 20 | k << 12, r);
            k += kLargePageEntries - 1;
        }
        ++counts.mappings;
    }
    return true;
}

// ASID `asid`'s directory `pd`: only user entry kinds, a supersection 16 MiB
// aligned and replicated; counts its mappings and page tables.
bool check_directory(InvariantReport &ck, u32 asid, const u32 *pd, TableCounts &counts) {
    for (u32 j = 0; j < kPdEntries; ++j) {
        const u32 d = pd[j];
        if (d == 0) continue;
        if (is_page_table_entry(d)) {
            ++counts.tables;
            if (!check_page_table(ck, asid, j, kptr<u32>(page_table_base(d)), counts)) return false;
        } else if (is_supersection(d)) {
            if (j % kSuperSectionEntries)
                return ck.fail("ASID %u: supersection at %08x is not 16 MiB aligned", asid, j << 20);
            for (u32 r = 1; r < kSuperSectionEntries; ++r)
                if (pd[j + r] != d) return ck.fail("ASID %u: supersection at %08x: entry %u differs", asid, j << 20, r);
            j += kSuperSectionEntries - 1;
            ++counts.mappings;
        } else if (is_section(d)) {
            ++counts.mappings;
        } else {
            return ck.fail("ASID %u: directory entry %u holds %08x, not a user entry kind", asid, j, d);
        }
    }
    return true;
}

// ASID `asid`'s pool entry `e` (not 0): not ASID 0; a hardware ASID only with
// the valid bit, and then one the owner table gives to this ASID.
bool check_pool_entry(InvariantReport &ck, u32 asid, u32 e) {
    if (asid == 0) return ck.fail("ASID 0 names a page directory");
    if (e & kHwValid) {
        if (ks.hw_asid_owner[e & kHwMask] != asid || (e & kHwMask) == 0)
            return ck.fail("ASID %u holds hardware ASID %u, which the table gives to %u", asid, e & kHwMask,
                           ks.hw_asid_owner[e & kHwMask]);
    } else if (e & kHwMask) {
        return ck.fail("ASID %u: pool entry %08x has a hardware ASID but no valid bit", asid, e);
    }
    return true;
}

// 1. The tables: every ASID's pool entry and directory, counted.
bool check_tables(InvariantReport &ck, TableCounts &counts) {
    for (u32 p = 0; p < abi::kAsidPools; ++p) {
        if (!ks.asid_table[p]) continue;
        const u32 *pool = kptr<u32>(ks.asid_table[p]);
        for (u32 i = 0; i < abi::kAsidsPerPool; ++i) {
            const u32 asid = p * abi::kAsidsPerPool + i;
            const u32 e = pool[i];
            if (e == 0) continue;
            if (!check_pool_entry(ck, asid, e)) return false;
            if (!check_directory(ck, asid, pd_entries(e & kPdMask), counts)) return false;
        }
    }
    return true;
}

// Every lent hardware ASID is held by the ASID it is lent to; 0 (reserved) is never lent.
bool check_hw_asid_owners(InvariantReport &ck) {
    for (u32 hw = 1; hw < 256; ++hw) {
        u32 owner = ks.hw_asid_owner[hw];
        if (!owner) continue;
        u32 *e = pool_entry(owner);
        if (!e || !(*e & kHwValid) || (*e & kHwMask) != hw)
            return ck.fail("hardware ASID %u is lent to ASID %u, which does not hold it", hw, owner);
    }
    if (ks.hw_asid_owner[0]) return ck.fail("hardware ASID 0 (reserved) is lent to ASID %u", ks.hw_asid_owner[0]);
    return true;
}

// 2. The caps: the distinct recorded mappings that exist. Caps to one object
// are neighbours in the derivation list, so duplicates are adjacent runs.
TableCounts count_cap_mappings() {
    TableCounts counts;
    const Slot *run_start = nullptr;  // first slot of the run of caps to the current object
    for (paddr_t p = ks.mdb_head; p; p = kptr<Slot>(p)->mdb_next) {
        const Slot *s = kptr<Slot>(p);
        const Cap &c = s->cap;
        if (!run_start || run_start->cap.type() != c.type() || run_start->cap.object() != c.object()) run_start = s;
        if (c.is_frame() && frame_present(c)) {
            bool seen = false;
            for (const Slot *q = run_start; q != s && !seen; q = kptr<Slot>(q->mdb_next))
                seen = q->cap.is_frame() && frame_present(q->cap) && same_frame_mapping(q->cap, c);
            if (!seen) ++counts.mappings;
        } else if (c.type() == CapType::PageTable && table_present(c)) {
            bool seen = false;
            for (const Slot *q = run_start; q != s && !seen; q = kptr<Slot>(q->mdb_next))
                seen = q->cap.type() == CapType::PageTable && table_present(q->cap) && same_table_mapping(q->cap, c);
            if (!seen) ++counts.tables;
        }
    }
    return counts;
}

}  // namespace

bool arch::check_mappings(char *why, usize why_size) {
    InvariantReport ck{why, why_size};
    TableCounts in_tables;
    if (!check_tables(ck, in_tables) || !check_hw_asid_owners(ck)) return false;
    const TableCounts in_caps = count_cap_mappings();
    if (in_caps.mappings != in_tables.mappings)
        return ck.fail("the tables hold %u frame mappings, but frame caps record %u of them", in_tables.mappings,
                       in_caps.mappings);
    if (in_caps.tables != in_tables.tables)
        return ck.fail("directories hold %u page tables, but PageTable caps record %u of them", in_tables.tables,
                       in_caps.tables);
    return true;
}

}  // namespace petrel
