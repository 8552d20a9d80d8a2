// SPDX-License-Identifier: BSD-2-Clause
// The root task's initial objects, CSpace and BootInfo, built once at boot.
//
// create_root_task() carves the root task's CNode, TCB, Page Directory, ASID
// pool, IPC buffer frame and BootInfo frame from free RAM, puts caps to them (and IRQ
// Control and ASID Control) at the abi::InitialCap slots of the CNode, then turns
// every byte of free RAM left into Untyped caps, the largest naturally aligned
// blocks that fit, and each device region into device Untyped caps. The BootInfo
// lists the Untyped in slot order with address, size and device flag.
// The root CNode's guard is 32 - radix zero bits, so a slot index is a cap pointer.
//
// Before the Untyped caps are made it also sets aside, zeroed, the memory the
// architecture needs to load the root task's image (RootTaskConfig::user_memory_bytes:
// frames for its ELF segments and stack, page aligned) and its page tables
// (page_table_bytes, 1 KiB aligned), and puts caps to it in the slots after the
// initial caps: a Frame4K cap per page (BootInfo.user_image_frames, in address
// order) and a PageTable cap per 1 KiB (user_image_paging), all unmapped. The
// architecture then maps them (arch/arm/root_vspace.cpp), so the root task's
// address space is made of ordinary objects it can manage. The ASID pool for
// ASIDs 0-1023 is made here too (kCapInitAsidPool), and the root task's Page
// Directory gets abi::kRootAsid. With both sizes 0 no image caps are made.
#pragma once

#include "petrel/abi.hpp"
#include "tcb.hpp"

namespace petrel {

struct MemRegion {
    paddr_t base;
    u32 size;  // bytes; [base, base + size) must not wrap
};

struct RootTaskConfig {
    const MemRegion *ram;       // free RAM: the kernel image and boot data excluded
    u32 ram_count;
    const MemRegion *devices;   // device memory the root task may map (uncached)
    u32 device_count;
    u32 cnode_radix;            // 2^radix slots in the root CNode
    u32 ipc_buffer_vaddr;       // where the root task will see its IPC buffer
    paddr_t kernel_start, kernel_end;
    u32 user_memory_bytes = 0;  // a multiple of 4 KiB: the root image's frames
    u32 page_table_bytes = 0;   // a multiple of 1 KiB: its page tables
};

struct RootTask {
    Tcb *tcb;
    Slot *cnode;                // slot 0 of the root CNode
    abi::BootInfo *boot_info;
    paddr_t page_directory;
    paddr_t ipc_buffer_frame;
    paddr_t boot_info_frame;
    paddr_t user_memory = 0;    // RootTaskConfig::user_memory_bytes of zeroed memory, or 0
    u32 user_memory_bytes = 0;
    paddr_t page_tables = 0;    // RootTaskConfig::page_table_bytes of zeroed memory, or 0
    u32 page_table_bytes = 0;
};

constexpr u32 kRootCNodeRadix = 12;          // the root task's CNode: 4096 slots
// The root task's address space, besides its ELF segments (which must avoid these):
constexpr u32 kRootIpcBuffer = 0x0010'0000;   // its IPC buffer's user address
constexpr u32 kRootBootInfo = 0x0010'1000;    // its BootInfo frame (read-only), passed in r0
constexpr u32 kRootStackTop = 0x7fff'0000;    // its initial stack pointer
constexpr u32 kRootStackBytes = 16 * 1024;    // mapped below kRootStackTop

// The root task built at boot (ARM kernel).
const RootTask &root_task();

// Returns false, with `why` set, when free RAM cannot hold the root task's objects.
bool create_root_task(const RootTaskConfig &cfg, RootTask &out, const char **why);

// Splits [base, base + size) into the largest naturally aligned blocks of
// 2^min_bits..2^max_bits bytes, in address order; calls emit(base, bits) for each.
// Bytes that do not fill a minimal block are skipped.
template <typename F>
void for_each_aligned_block(u64 base, u64 size, u32 min_bits, u32 max_bits, F emit) {
    u64 end = base + size;
    base = (base + ((u64{1} << min_bits) - 1)) & ~((u64{1} << min_bits) - 1);
    while (base < end && end - base >= (u64{1} << min_bits)) {
        u32 bits = max_bits;
        while (bits > min_bits && ((base & ((u64{1} << bits) - 1)) != 0 || (u64{1} << bits) > end - base)) --bits;
        emit(static_cast<paddr_t>(base), bits);
        base += u64{1} << bits;
    }
}

}  // namespace petrel
