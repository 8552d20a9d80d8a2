// SPDX-License-Identifier: BSD-2-Clause
// The interface the generic kernel uses to reach the architecture (arch/<arch>/).
#pragma once

#include "petrel/types.hpp"

namespace petrel {
struct Tcb;
struct RootTask;
struct Cap;
}  // namespace petrel

namespace petrel::arch {

void interrupts_on();

// The FPU (VFP/NEON) is switched lazily: fpu_init() gives user mode access
// and leaves it disabled, so a thread's first FPU instruction traps and the
// kernel loads its registers (the user read/write thread register, TPIDRURW
// on ARM, is saved and restored with the other registers on every entry and
// exit). forget_thread() forgets a thread being destroyed: it no longer owns
// the FPU.
// fpu_release() (several cores): this core's FPU registers, if they are
// `t`'s, go to its TCB and the FPU is off; fpu_owner() says whose registers
// core `core`'s FPU holds (null: nobody's). running_hw_asid(): the hardware
// ASID core `core` runs user mode with (0: none).
void fpu_init();
void forget_thread(Tcb *t);
void fpu_release(Tcb *t);
const Tcb *fpu_owner(u32 core);
u32 running_hw_asid(u32 core);
// This core stops using hardware ASID `hw` (it is being taken back): if its
// TTBR0 and CONTEXTIDR hold it, the empty table and the reserved ASID 0 take
// their place at once, so no walk, not even a speculative one in the kernel or
// the idle loop, tags a TLB entry with it after the flush that follows.
void drop_hw_asid(u32 hw);
// Starts the PMU's cycle counter and lets user mode read it (arch/arm/pmu.hpp):
// benchmarks and apps measure with it. (A user thread can then also reset it;
// it is a CPU resource no capability guards; the virtual timer is guarded:
// set_user_timer_access below.)
void pmu_init();
void interrupts_off();
// Waits for an interrupt (returns after one was taken, or spuriously).
void idle();

// Ends the emulator with an exit status (test builds only: semihosting).
[[noreturn]] void test_exit(int status);

// The CPU's implementer and part name and revision, decoded from MIDR.
struct CpuInfo {
    u32 midr;
    const char *implementer;
    const char *part;
    u32 variant;
    u32 revision;
    const char *entry_mode;  // the mode the loader entered the kernel in (e.g. "HYP")
};
CpuInfo cpu_info();

// The periodic tick from the architectural timer. timer_start() programs the
// first deadline and returns the counter frequency in use; timer_rearm() sets
// the next deadline (called from the tick interrupt).
u32 timer_start(u32 tick_hz, u32 default_hz);
void timer_rearm();
u32 timer_frequency();
u64 timer_count();
// Whether user mode may program the virtual timer (CNTKCTL.PL0VTEN), for the
// thread about to run (kernel/timer_access.hpp decides; timer_start() leaves it
// off). Reading the virtual counter and CNTFRQ is always allowed.
void set_user_timer_access(bool on);

// The kernel's address space. At entry to kernel_main only the kernel image is
// mapped (in the window, and by identity for the step that turned the MMU on).
// map_devices() maps the board's devices, so the console can speak.
// map_boot_dt() drops the image's identity map and maps the device tree the
// loader passed at physical `dtb`, wherever it lies below 4 GiB, in a boot
// window: it returns where the blob can be read and how many bytes of it (as
// many as its header's size asks, at most the window; nullptr and 0 for no
// tree). map_kernel_window() maps RAM from the board's RAM base (size clamped
// to the window; the size mapped is returned). drop_boot_identity() then
// removes the device tree's window: nothing reads the tree after that.
struct BootDt {
    const void *blob;
    usize readable;
};
void map_devices();
BootDt map_boot_dt(paddr_t dtb);
u32 map_kernel_window(u32 ram_size);
void drop_boot_identity();

// Kernel stack use, by painting: stack_paint() fills the unused part of the one
// kernel stack with a pattern (boot calls it just before the first thread
// runs); stack_deepest_use() says how many bytes from the top were ever
// written since (DebugHalt reports it). The host has no such stack: 0.
void stack_paint();
u32 stack_deepest_use();

// The kernel image's physical bounds and the kernel stack, for the boot banner.
struct ImageInfo {
    paddr_t phys_start;
    paddr_t phys_end;   // end of .bss
    u32 text_size;
    u32 stack_size;
};
ImageInfo image_info();

// Threads. resume() leaves the kernel for good: it switches to the address
// space of `t` (its VSpace root, the TCB's kTcbVTable cap) and returns to
// user mode with t's saved context, or, for the idle thread, runs the idle
// loop (interrupts on, waiting; an interrupt enters the kernel through
// entry_interrupt()). Called with interrupts masked, on this core's kernel stack,
// whose contents it discards.
[[noreturn]] void resume(Tcb *t);
// An ASID or hardware ASID was given up (the virtual-memory layer calls it):
// no address space activation remembered since holds any more, so the next
// resume() of any thread looks its address space up again.
void forget_address_spaces();

// TLB and cache maintenance for user address spaces (the virtual-memory layer,
// arch/arm/vspace.cpp). On the host they are counted, not performed.
//   tlb_flush_page    the entry for one 4 KiB page of hardware ASID `hw_asid`
//   tlb_flush_asid    every entry of hardware ASID `hw_asid`
//   clean_tables      table entries just written, [p, p + bytes), made visible
//                     to the table walker (cleaned to the point of unification)
//   cache_maintain    the data (and for Unify, instruction) caches over a RAM range
enum class CacheOp { Clean, Invalidate, CleanInvalidate, Unify };
void tlb_flush_page(u32 vaddr, u32 hw_asid);
void tlb_flush_asid(u32 hw_asid);
void clean_tables(paddr_t p, u32 bytes);
void cache_maintain(CacheOp op, paddr_t p, u32 bytes);

// The architecture's objects (arch/arm/vspace.hpp: Page Directories, Page
// Tables, Frames, ASID Control and pools), as the generic kernel sees them.
// cap_deleted(): a cap leaves its slot (`final`: the last cap to its object);
// mappings and ASIDs it holds go with it. check_mappings(): the mapping
// invariants, for the invariant checker. boot_asid_pool(): makes `pool` (4 KiB,
// zeroed) the initial pool, gives `pd` ASID abi::kRootAsid, and returns the caps
// to both.
void cap_deleted(Cap &cap, bool final);
bool check_mappings(char *why, usize why_size);
void boot_asid_pool(paddr_t pool, paddr_t pd, Cap &pool_cap, Cap &pd_cap);

// The root task's image, linked into the kernel. root_image_needs() reads it and
// says how much memory create_root_task() must set aside for it (RootTaskConfig
// user_memory_bytes and page_table_bytes); load_root_image() then copies its
// segments into that memory, maps them, a stack, the IPC buffer and the BootInfo
// frame in the root task's page directory, and sets its registers: pc at the
// image's entry, sp at kRootStackTop, r0 = kRootBootInfo. A malformed image panics.
struct RootImageNeeds {
    u32 user_memory_bytes;
    u32 page_table_bytes;
};
RootImageNeeds root_image_needs();
void load_root_image(const RootTask &root);

}  // namespace petrel::arch
