// SPDX-License-Identifier: BSD-2-Clause
// Building the root task's CSpace and BootInfo (see root_task.hpp).
#include "root_task.hpp"

#include "arch.hpp"
#include "cap.hpp"
#include "irq_handler.hpp"
#include "panic.hpp"
#include "untyped.hpp"

namespace petrel {

namespace {

constexpr u32 kMaxRegions = 32;

// Free RAM while boot carves objects from it: a set of disjoint ranges.
struct FreeList {
    u64 base[kMaxRegions];
    u64 end[kMaxRegions];
    u32 count = 0;

    void add(u64 b, u64 e) {
        if (b < e && count < kMaxRegions) {
            base[count] = b;
            end[count] = e;
            ++count;
        }
    }
    // A naturally aligned block of 2^bits bytes, or 0.
    paddr_t take(u32 bits) { return take_range(u64{1} << bits, u64{1} << bits); }
    // `size` bytes aligned to `align` (a power of two), or 0.
    paddr_t take_range(u64 size, u64 align) {
        for (u32 i = 0; i < count; ++i) {
            u64 a = (base[i] + align - 1) & ~(align - 1);
            if (a + size > end[i]) continue;
            u64 old_end = end[i];
            end[i] = a;            // the part below the block stays free
            add(a + size, old_end);  // and so does the part above it
            return static_cast<paddr_t>(a);
        }
        return 0;
    }
};

}  // namespace

bool create_root_task(const RootTaskConfig &cfg, RootTask &out, const char **why) {
    FreeList free;
    for (u32 i = 0; i < cfg.ram_count; ++i) free.add(cfg.ram[i].base, u64{cfg.ram[i].base} + cfg.ram[i].size);

    // Largest first, so the smaller ones fill alignment gaps.
    const u32 cnode_bits = cfg.cnode_radix + abi::kSlotBits;
    paddr_t cnode = free.take(cnode_bits);
    paddr_t pd = free.take(abi::kPageDirectoryBits);
    static_assert(kMaxIrqLines * sizeof(Slot) == 1u << 13);
    paddr_t irq_node = free.take(13);  // one Slot per interrupt line
    paddr_t ipc = free.take(12);
    paddr_t bi = free.take(12);
    paddr_t pool = free.take(abi::kAsidPoolBits);
    paddr_t tcb = free.take(abi::kTcbBits);
    if (!cnode || !pd || !ipc || !bi || !pool || !irq_node || !tcb) {
        *why = "free RAM cannot hold the root task's CNode, TCB, page directory, ASID pool and two frames";
        return false;
    }
    // Memory for the root task's image and page tables (see root_task.hpp).
    paddr_t user = cfg.user_memory_bytes ? free.take_range(cfg.user_memory_bytes, 4096) : 0;
    paddr_t table_memory = cfg.page_table_bytes ? free.take_range(cfg.page_table_bytes, 1024) : 0;
    if ((cfg.user_memory_bytes && !user) || (cfg.page_table_bytes && !table_memory)) {
        *why = "free RAM cannot hold the root task's image and page tables";
        return false;
    }
    if (user) zero_memory(kptr<void>(user), cfg.user_memory_bytes);
    if (table_memory) zero_memory(kptr<void>(table_memory), cfg.page_table_bytes);
    zero_memory(kptr<void>(cnode), usize{1} << cnode_bits);
    zero_memory(kptr<void>(pd), usize{1} << abi::kPageDirectoryBits);
    zero_memory(kptr<void>(ipc), 4096);
    zero_memory(kptr<void>(bi), 4096);
    zero_memory(kptr<void>(pool), 4096);
    zero_memory(kptr<void>(irq_node), kMaxIrqLines * sizeof(Slot));
    irq_handlers_init(irq_node);
    zero_memory(kptr<void>(tcb), usize{1} << abi::kTcbBits);

    Slot *slots = kptr<Slot>(cnode);
    const u32 nslots = 1u << cfg.cnode_radix;
    Slot *last = nullptr;
    auto root = [&](u32 index, Cap cap) {
        insert_root(last, &slots[index], cap);
        last = &slots[index];
    };
    Tcb *t = kptr<Tcb>(tcb);
    tcb_init(t);
    // The TCB's own copies go right after their originals: caps to one object
    // stay neighbours in the list, which is how a final cap is recognised.
    auto root_and_copy = [&](u32 index, Cap cap, TcbSlot copy) {
        root(index, cap);
        insert_derived(&slots[index], t->slot(copy), cap);
        last = t->slot(copy);
    };
    root_and_copy(abi::kCapInitCNode, Cap::cnode(cnode, cfg.cnode_radix, 32 - cfg.cnode_radix, 0), kTcbCTable);
    root(abi::kCapInitTcb, Cap::thread(tcb));
    Cap pool_cap, pd_cap;
    arch::boot_asid_pool(pool, pd, pool_cap, pd_cap);  // the directory gets kRootAsid
    root_and_copy(abi::kCapInitVSpace, pd_cap, kTcbVTable);
    root(abi::kCapIrqControl, Cap::irq_control());
    root(abi::kCapAsidControl, Cap::asid_control());
    root(abi::kCapInitAsidPool, pool_cap);
    root(abi::kCapBootInfoFrame, Cap::frame(CapType::Frame4K, bi, abi::kRightRead, false));
    root_and_copy(abi::kCapInitIpcBuffer, Cap::frame(CapType::Frame4K, ipc, abi::kRightsAll, false), kTcbIpcBuffer);

    t->priority = 255;
    t->mcp = 255;
    t->ipc_buffer = cfg.ipc_buffer_vaddr;
    const char name[] = "root";
    for (u32 i = 0; i < sizeof(name); ++i) t->name[i] = name[i];

    auto *info = kptr<abi::BootInfo>(bi);
    info->magic = abi::kBootInfoMagic;
    info->ipc_buffer = cfg.ipc_buffer_vaddr;
    info->root_cnode_radix = cfg.cnode_radix;
    info->kernel_phys_start = cfg.kernel_start;
    info->kernel_phys_end = cfg.kernel_end;

    // Caps to the image's frames and page tables, unmapped until the
    // architecture maps them (load_root_image).
    u32 next = abi::kNumInitialCaps;
    const u32 frames = cfg.user_memory_bytes >> 12, tables = cfg.page_table_bytes >> abi::kPageTableBits;
    if (next + frames + tables >= nslots) {
        *why = "the root CNode cannot hold caps to the root task's image";
        return false;
    }
    info->user_image_frames = {next, next + frames};
    for (u32 i = 0; i < frames; ++i) root(next++, Cap::frame(CapType::Frame4K, user + (i << 12), abi::kRightsAll, false));
    info->user_image_paging = {next, next + tables};
    for (u32 i = 0; i < tables; ++i) root(next++, Cap::page_table(table_memory + (i << abi::kPageTableBits)));
    info->untyped.start = next;
    auto add_untyped = [&](paddr_t base, u32 bits, bool device) {
        if (next >= nslots || info->untyped_count >= abi::kBootInfoMaxUntyped) return;
        // RAM Untyped start full: their memory is of unknown content until the
        // first Retype resets (zeroes) it; device memory is never cleared.
        u32 free_bytes = device ? 0 : (bits == 32 ? 0 : 1u << bits);
        root(next, Cap::untyped(base, bits, device, free_bytes));
        info->untyped_list[info->untyped_count++] = {base, static_cast<u8>(bits), static_cast<u8>(device ? 1 : 0), 0};
        ++next;
    };
    for (u32 i = 0; i < free.count; ++i)
        for_each_aligned_block(free.base[i], free.end[i] - free.base[i], abi::kMinUntypedBits,
                               abi::kMaxUntypedBits, [&](paddr_t b, u32 bits) { add_untyped(b, bits, false); });
    for (u32 i = 0; i < cfg.device_count; ++i)
        for_each_aligned_block(cfg.devices[i].base, cfg.devices[i].size, 12, abi::kMaxUntypedBits,
                               [&](paddr_t b, u32 bits) { add_untyped(b, bits, true); });
    info->untyped.end = next;
    info->empty = {next, nslots};

    out = {t, slots, info, pd, ipc, bi, user, cfg.user_memory_bytes, table_memory, cfg.page_table_bytes};
    return true;
}

}  // namespace petrel
