// SPDX-License-Identifier: BSD-2-Clause
// Building the root task's CSpace and BootInfo (see root_task.hpp).
#include "root_task.hpp"

#include "arch.hpp"
#include "cap.hpp"
#include "debug.hpp"
#include "irq_handler.hpp"
#include "panic.hpp"
#include "smp.hpp"
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

// The memory boot carves from free RAM for the root task's objects.
struct RootMemory {
    paddr_t cnode, pd, irq_node, ipc, bi, pool, tcb;
    paddr_t user, table_memory;  // the image's frames and page tables, or 0 when none is asked for
};

// Takes the root task's CNode, page directory, IRQ node, IPC buffer and
// BootInfo frames, ASID pool and TCB from `free`, largest first, so the
// smaller ones fill alignment gaps.
bool take_root_objects(FreeList &free, const RootTaskConfig &cfg, RootMemory &m, const char **why) {
    const u32 cnode_bits = cfg.cnode_radix + abi::kSlotBits;
    m.cnode = free.take(cnode_bits);
    m.pd = free.take(abi::kPageDirectoryBits);
    static_assert(kMaxIrqLines * sizeof(Slot) == 1u << 13);
    m.irq_node = free.take(13);  // one Slot per interrupt line
    m.ipc = free.take(12);
    m.bi = free.take(12);
    m.pool = free.take(abi::kAsidPoolBits);
    m.tcb = free.take(abi::kTcbBits);
    if (!m.cnode || !m.pd || !m.ipc || !m.bi || !m.pool || !m.irq_node || !m.tcb) {
        *why = "free RAM cannot hold the root task's CNode, TCB, page directory, ASID pool and two frames";
        return false;
    }
    return true;
}

// Takes the memory for the root task's image and page tables (see root_task.hpp).
bool take_image_memory(FreeList &free, const RootTaskConfig &cfg, RootMemory &m, const char **why) {
    m.user = cfg.user_memory_bytes ? free.take_range(cfg.user_memory_bytes, 4096) : 0;
    m.table_memory = cfg.page_table_bytes ? free.take_range(cfg.page_table_bytes, 1024) : 0;
    if ((cfg.user_memory_bytes && !m.user) || (cfg.page_table_bytes && !m.table_memory)) {
        *why = "free RAM cannot hold the root task's image and page tables";
        return false;
    }
    return true;
}

// Zeroes all that was taken and sets up the interrupt lines' slots.
void clear_root_memory(const RootTaskConfig &cfg, const RootMemory &m) {
    if (m.user) zero_memory(kptr<void>(m.user), cfg.user_memory_bytes);
    if (m.table_memory) zero_memory(kptr<void>(m.table_memory), cfg.page_table_bytes);
    zero_memory(kptr<void>(m.cnode), usize{1} << (cfg.cnode_radix + abi::kSlotBits));
    zero_memory(kptr<void>(m.pd), usize{1} << abi::kPageDirectoryBits);
    zero_memory(kptr<void>(m.ipc), 4096);
    zero_memory(kptr<void>(m.bi), 4096);
    zero_memory(kptr<void>(m.pool), 4096);
    zero_memory(kptr<void>(m.irq_node), kMaxIrqLines * sizeof(Slot));
    irq_handlers_init(m.irq_node);
    zero_memory(kptr<void>(m.tcb), usize{1} << abi::kTcbBits);
}

// The root CNode while boot fills it: each cap goes into the derivation list
// after the one before, and `next` is the first slot after the initial caps
// that is still free.
struct RootCNode {
    Slot *slots;
    u32 nslots;
    Tcb *tcb;
    Slot *last = nullptr;
    u32 next = abi::kNumInitialCaps;

    void root(u32 index, Cap cap) {
        insert_root(last, &slots[index], cap);
        last = &slots[index];
    }
    // The TCB's own copies go right after their originals: caps to one object
    // stay neighbours in the list, which is how a final cap is recognised.
    void root_and_copy(u32 index, Cap cap, TcbSlot copy) {
        root(index, cap);
        insert_derived(&slots[index], tcb->slot(copy), cap);
        last = tcb->slot(copy);
    }
};

// The initial caps (abi::kCapInit*), with the TCB's copies of its CSpace,
// VSpace and IPC buffer caps; the page directory gets kRootAsid.
void insert_initial_caps(RootCNode &cn, const RootTaskConfig &cfg, const RootMemory &m) {
    cn.root_and_copy(abi::kCapInitCNode, Cap::cnode(m.cnode, cfg.cnode_radix, 32 - cfg.cnode_radix, 0),
                     kTcbCTable);
    cn.root(abi::kCapInitTcb, Cap::thread(m.tcb));
    Cap pool_cap, pd_cap;
    arch::boot_asid_pool(m.pool, m.pd, pool_cap, pd_cap);  // the directory gets kRootAsid
    cn.root_and_copy(abi::kCapInitVSpace, pd_cap, kTcbVTable);
    cn.root(abi::kCapIrqControl, Cap::irq_control());
    cn.root(abi::kCapAsidControl, Cap::asid_control());
    cn.root(abi::kCapInitAsidPool, pool_cap);
    cn.root(abi::kCapBootInfoFrame, Cap::frame(CapType::Frame4K, m.bi, abi::kRightRead, false));
    cn.root_and_copy(abi::kCapInitIpcBuffer, Cap::frame(CapType::Frame4K, m.ipc, abi::kRightsAll, false),
                     kTcbIpcBuffer);
    cn.root(abi::kCapDebug, Cap::debug());
}

// The root thread's priority, MCP, IPC buffer address and name.
void name_root_thread(Tcb *t, const RootTaskConfig &cfg) {
    t->priority = 255;
    t->mcp = 255;
    t->ipc_buffer = cfg.ipc_buffer_vaddr;
    const char name[] = "root";
    for (u32 i = 0; i < sizeof(name); ++i) t->name[i] = name[i];
}

// BootInfo's fixed fields; the cap ranges are filled as the caps are made.
abi::BootInfo *start_boot_info(paddr_t bi, const RootTaskConfig &cfg) {
    auto *info = kptr<abi::BootInfo>(bi);
    info->magic = abi::kBootInfoMagic;
    info->ipc_buffer = cfg.ipc_buffer_vaddr;
    info->root_cnode_radix = cfg.cnode_radix;
    info->kernel_phys_start = cfg.kernel_start;
    info->kernel_phys_end = cfg.kernel_end;
    info->flags = debug_syscalls_built() ? static_cast<u32>(abi::kBootInfoDebugSyscalls) : 0u;
    info->num_nodes = kCores;
    return info;
}

// Caps to the image's frames and page tables, unmapped until the
// architecture maps them (load_root_image).
bool insert_image_caps(RootCNode &cn, abi::BootInfo *info, const RootTaskConfig &cfg, const RootMemory &m,
                       const char **why) {
    const u32 frames = cfg.user_memory_bytes >> 12, tables = cfg.page_table_bytes >> abi::kPageTableBits;
    if (cn.next + frames + tables >= cn.nslots) {
        *why = "the root CNode cannot hold caps to the root task's image";
        return false;
    }
    info->user_image_frames = {cn.next, cn.next + frames};
    for (u32 i = 0; i < frames; ++i)
        cn.root(cn.next++, Cap::frame(CapType::Frame4K, m.user + (i << 12), abi::kRightsAll, false));
    info->user_image_paging = {cn.next, cn.next + tables};
    for (u32 i = 0; i < tables; ++i)
        cn.root(cn.next++, Cap::page_table(m.table_memory + (i << abi::kPageTableBits)));
    return true;
}

// An Untyped cap to [base, base + 2^bits) in the next free slot, listed in
// BootInfo; none once the CNode or BootInfo's list is full.
void insert_untyped(RootCNode &cn, abi::BootInfo *info, paddr_t base, u32 bits, bool device) {
    if (cn.next >= cn.nslots || info->untyped_count >= abi::kBootInfoMaxUntyped) return;
    // RAM Untyped start full: their memory is of unknown content until the
    // first Retype resets (zeroes) it; device memory is never cleared.
    u32 free_bytes = device ? 0 : (bits == 32 ? 0 : 1u << bits);
    cn.root(cn.next, Cap::untyped(base, bits, device, free_bytes));
    info->untyped_list[info->untyped_count++] = {base, static_cast<u8>(bits), static_cast<u8>(device ? 1 : 0), 0};
    ++cn.next;
}

// Untyped caps to the free RAM left, then to the devices; the rest of the CNode is empty.
void insert_untyped_caps(RootCNode &cn, abi::BootInfo *info, const FreeList &free, const RootTaskConfig &cfg) {
    info->untyped.start = cn.next;
    for (u32 i = 0; i < free.count; ++i)
        for_each_aligned_block(free.base[i], free.end[i] - free.base[i], abi::kMinUntypedBits,
                               abi::kMaxUntypedBits,
                               [&](paddr_t b, u32 bits) { insert_untyped(cn, info, b, bits, false); });
    for (u32 i = 0; i < cfg.device_count; ++i)
        for_each_aligned_block(cfg.devices[i].base, cfg.devices[i].size, 12, abi::kMaxUntypedBits,
                               [&](paddr_t b, u32 bits) { insert_untyped(cn, info, b, bits, true); });
    info->untyped.end = cn.next;
    info->empty = {cn.next, cn.nslots};
}

}  // namespace

bool create_root_task(const RootTaskConfig &cfg, RootTask &out, const char **why) {
    FreeList free;
    for (u32 i = 0; i < cfg.ram_count; ++i) free.add(cfg.ram[i].base, u64{cfg.ram[i].base} + cfg.ram[i].size);
    RootMemory m;
    if (!take_root_objects(free, cfg, m, why) || !take_image_memory(free, cfg, m, why)) return false;
    clear_root_memory(cfg, m);

    RootCNode cn{kptr<Slot>(m.cnode), 1u << cfg.cnode_radix, kptr<Tcb>(m.tcb)};
    tcb_init(cn.tcb);
    insert_initial_caps(cn, cfg, m);
    name_root_thread(cn.tcb, cfg);
    abi::BootInfo *info = start_boot_info(m.bi, cfg);
    if (!insert_image_caps(cn, info, cfg, m, why)) return false;
    insert_untyped_caps(cn, info, free, cfg);

    out = {cn.tcb, cn.slots, info, m.pd, m.ipc, m.bi, m.user, cfg.user_memory_bytes, m.table_memory,
           cfg.page_table_bytes};
    return true;
}

}  // namespace petrel
