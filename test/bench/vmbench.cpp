// SPDX-License-Identifier: BSD-2-Clause
// vmbench: what virtual-memory operations cost, in instructions under QEMU.
//
// A benchmark, not a test: it prints figures and judges none of them. Run in
// QEMU with `-icount shift=0` (meson test --benchmark does: the cases in
// test/qemu/meson.build), the PMU cycle counter advances once per instruction,
// so every figure is an exact instruction count; on a board it counts cycles.
// It needs the kernel to have opened the counter to user mode (PMUSERENR.EN,
// arch/arm/pmu.cpp); without that it says so and counts generic-timer ticks.
//
// Each figure is measured kRuns times and printed as min / median / max:
//   map one 4 KiB page      a PageMap into a PageTable already there
//   unmap one 4 KiB page    its PageUnmap
//   map 1,024 pages         1,024 PageMaps of 4 KiB frames over 4 MiB (four
//                           PageTables already mapped), all of them
//   unmap 1,024 pages       the 1,024 PageUnmaps
//   page-fault round trip   a thread writes to an unmapped page: the fault goes
//                           to the root, its pager, which maps a frame there and
//                           replies; the thread's write then completes. Counted
//                           by the faulting thread around its store.
// The counter's own cost (two reads back to back) is printed for reference; it
// is not subtracted. So is a loop of exactly 2,000 instructions: under
// -icount shift=0 it counts 2,000 plus that cost, which shows what one count is.
#include "petrel/bootinfo.hpp"
#include "petrel/invocations.hpp"
#include "petrel/samples.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using abi::Error;

namespace {

constexpr u32 kRuns = 101;  // odd: the median is one of them
constexpr u32 kPages = 1024;
constexpr u32 kPage = 4096;
constexpr u32 kRw = abi::kRightRead | abi::kRightWrite;
constexpr u32 kOne = 0x4000'0000;        // the single page
constexpr u32 kMany = 0x4100'0000;       // 1,024 pages: 4 MiB, four PageTables
constexpr u32 kFaultPage = 0x4200'0000;  // the page the faulting thread writes
constexpr u32 kRootPriority = 50, kThreadPriority = 100;
constexpr u32 kReport = 0x100;

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
u32 g_untyped, g_next_slot;
bool g_pmu;  // PMCCNTR readable from user mode
u32 g_ep, g_fault_cap, g_report_cap;

u32 pmccntr() {
    u32 v;
    asm volatile("isb; mrc p15, 0, %0, c9, c13, 0" : "=r"(v)::"memory");
    return v;
}

u32 cntvct() {
    u32 lo, hi;
    asm volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi)::"memory");
    return lo;
}

// The count every figure is made of: the PMU's cycle counter, or else the generic timer.
u32 now() { return g_pmu ? pmccntr() : cntvct(); }

[[noreturn]] void fatal(const char *what, Error e = Error::None) {
    printf("vmbench: %s (error %u): FAILED\n", what, static_cast<u32>(e));
    debug_halt(abi::kCapDebug, 1);
}

void must(Error e, const char *what) {
    if (e != Error::None) fatal(what, e);
}

u32 alloc_slots(u32 n) {
    if (g_next_slot + n > g_bi->empty.end) fatal("out of CNode slots");
    const u32 s = g_next_slot;
    g_next_slot += n;
    return s;
}

u32 make_n(abi::ObjectType type, u32 n) {
    const u32 first = alloc_slots(n);
    for (u32 done = 0; done < n;) {
        const u32 k = n - done < abi::kRetypeMaxObjects ? n - done : abi::kRetypeMaxObjects;
        must(untyped_retype(g_ipc, g_untyped, type, 0, abi::kCapInitCNode, 0, 0, first + done, k),
             "Untyped.Retype");
        done += k;
    }
    return first;
}
u32 make(abi::ObjectType type) { return make_n(type, 1); }

// min / median / max of `n` samples (sorts them).
void print_figure(const char *what, u32 *s, u32 n, u32 per = 1) {
    const SampleSummary f = summarize(s, n);
    printf("vmbench: ");
    print_padded(what, 40);
    printf("min %8u  median %8u  max %8u", f.min, f.median, f.max);
    if (per > 1) printf("  (median per page %u)", f.median / per);
    printf("   [%u runs]\n", n);
}

u32 g_samples[kRuns], g_samples2[kRuns];

void bench_one_page() {
    const u32 pt = make(abi::ObjectType::PageTable), f = make(abi::ObjectType::Frame4K);
    must(page_table_map(g_ipc, pt, abi::kCapInitVSpace, kOne), "PageTableMap");
    for (u32 i = 0; i < kRuns; ++i) {
        u32 t0 = now();
        const Error e = page_map(g_ipc, f, abi::kCapInitVSpace, kOne, kRw, abi::kVmDefault);
        u32 t1 = now();
        must(e, "PageMap");
        *reinterpret_cast<volatile u32 *>(kOne) = i;  // the mapping is there
        const u32 t2 = now();
        must(page_unmap(f), "PageUnmap");
        const u32 t3 = now();
        g_samples[i] = t1 - t0;
        g_samples2[i] = t3 - t2;
    }
    print_figure("map one 4 KiB page:", g_samples, kRuns);
    print_figure("unmap one 4 KiB page:", g_samples2, kRuns);
}

void bench_many_pages() {
    const u32 pts = make_n(abi::ObjectType::PageTable, kPages / 256);
    for (u32 i = 0; i < kPages / 256; ++i)
        must(page_table_map(g_ipc, pts + i, abi::kCapInitVSpace, kMany + (i << abi::kSectionBits)),
             "PageTableMap");
    const u32 frames = make_n(abi::ObjectType::Frame4K, kPages);
    for (u32 r = 0; r < kRuns; ++r) {
        const u32 t0 = now();
        for (u32 i = 0; i < kPages; ++i)
            must(page_map(g_ipc, frames + i, abi::kCapInitVSpace, kMany + i * kPage, kRw, abi::kVmDefault),
                 "PageMap");
        const u32 t1 = now();
        *reinterpret_cast<volatile u32 *>(kMany + (kPages - 1) * kPage) = r;
        const u32 t2 = now();
        for (u32 i = 0; i < kPages; ++i) must(page_unmap(frames + i), "PageUnmap");
        const u32 t3 = now();
        g_samples[r] = t1 - t0;
        g_samples2[r] = t3 - t2;
    }
    print_figure("map 1,024 pages:", g_samples, kRuns, kPages);
    print_figure("unmap 1,024 pages:", g_samples2, kRuns, kPages);
}

// The faulting thread: one store per run to kFaultPage, counted around it.
alignas(8) u8 g_stack[4096];

[[noreturn]] void faulter() {
    for (u32 i = 0;; ++i) {
        const u32 t0 = now();
        *reinterpret_cast<volatile u32 *>(kFaultPage) = i;
        const u32 t1 = now();
        MessageRegs mr{t1 - t0, i, 0, 0};
        call(g_report_cap, {kReport, 0, 0, 2}, mr);
    }
}

void bench_fault() {
    const u32 pt = make(abi::ObjectType::PageTable), f = make(abi::ObjectType::Frame4K);
    must(page_table_map(g_ipc, pt, abi::kCapInitVSpace, kFaultPage), "PageTableMap");
    const u32 tcb = make(abi::ObjectType::Tcb);
    const u32 buffer = g_bi->ipc_buffer + (1u << abi::kIpcBufferSizeBits);  // slice 1 of the root's frame
    must(tcb_configure(g_ipc, tcb, g_fault_cap, abi::kCapInitCNode,
                       abi::cnode_cap_data(0, 32 - g_bi->root_cnode_radix), abi::kCapInitVSpace, 0, buffer,
                       abi::kCapInitIpcBuffer),
         "TCB.Configure");
    must(tcb_set_priority(g_ipc, tcb, abi::kCapInitTcb, kThreadPriority), "TCB.SetPriority");
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(&faulter);
    r.sp = reinterpret_cast<u32>(g_stack + sizeof(g_stack));
    r.cpsr = kCpsrUserArm;
    must(tcb_write_registers(g_ipc, tcb, false, 3, r), "TCB.WriteRegisters");
    must(tcb_resume(tcb), "TCB.Resume");  // runs until its first fault
    for (u32 i = 0; i < kRuns; ++i) {
        MessageRegs mr{};
        RecvResult ev = recv(g_ep, mr);
        if (ev.info.label != static_cast<u32>(abi::FaultLabel::VmFault) || mr[1] != kFaultPage)
            fatal("expected a VmFault at the fault page");
        must(page_map(g_ipc, f, abi::kCapInitVSpace, kFaultPage, kRw, abi::kVmDefault), "PageMap (pager)");
        MessageRegs none{};
        reply({0, 0, 0, 0}, none);  // the store runs again, and completes
        ev = recv(g_ep, mr);
        if (ev.info.label != kReport || mr[1] != i) fatal("expected the thread's count");
        g_samples[i] = mr[0];
        must(page_unmap(f), "PageUnmap");
        reply({0, 0, 0, 0}, none);  // on to the next run: it faults again
    }
    must(cnode_delete(abi::kCapInitCNode, tcb, 32), "CNode.Delete");
    print_figure("page-fault round trip through a pager:", g_samples, kRuns);
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    g_ipc = root_ipc_buffer(bi);
    g_next_slot = bi->empty.start;
    u32 pmuserenr;
    asm volatile("mrc p15, 0, %0, c9, c14, 0" : "=r"(pmuserenr));  // readable from user mode
    g_pmu = (pmuserenr & 1u) != 0;
    if (g_pmu) {
        u32 pmcr, enabled;
        asm volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(pmcr));
        asm volatile("mrc p15, 0, %0, c9, c12, 1" : "=r"(enabled));
        printf(
            "vmbench: counting with the PMU cycle counter (PMCR %08x: %s, %u event counters; cycle counter "
            "%s): instructions under QEMU -icount shift=0, cycles on a board\n",
            pmcr, (pmcr & 1u) ? "enabled" : "DISABLED", (pmcr >> 11) & 0x1fu, (enabled >> 31) ? "on" : "OFF");
    } else {
        printf(
            "vmbench: the PMU cycle counter is not open to user mode (PMUSERENR.EN 0: the kernel did not run "
            "pmu_init); counting generic-timer ticks instead\n");
    }
    g_untyped = smallest_ram_untyped(bi, 23);  // 8 MiB: 1,024 frames and the rest
    if (!g_untyped) fatal("no RAM Untyped of 8 MiB");
    must(tcb_set_priority(g_ipc, abi::kCapInitTcb, abi::kCapInitTcb, kRootPriority), "TCB.SetPriority");
    g_ep = make(abi::ObjectType::Endpoint);
    g_fault_cap = alloc_slots(1);
    must(cnode_mint(g_ipc, abi::kCapInitCNode, g_fault_cap, 32, abi::kCapInitCNode, g_ep, 32,
                    abi::kRightWrite | abi::kRightGrantReply, 1),
         "CNode.Mint");
    g_report_cap = alloc_slots(1);
    must(cnode_mint(g_ipc, abi::kCapInitCNode, g_report_cap, 32, abi::kCapInitCNode, g_ep, 32,
                    abi::kRightWrite | abi::kRightGrantReply, 2),
         "CNode.Mint");

    u32 overhead[kRuns];
    for (u32 i = 0; i < kRuns; ++i) {
        const u32 t0 = now();
        const u32 t1 = now();
        overhead[i] = t1 - t0;
    }
    print_figure("counter read (overhead, included):", overhead, kRuns);
    // What one count is: a loop of exactly 2,000 instructions.
    for (u32 i = 0; i < kRuns; ++i) {
        u32 n = 1000;
        const u32 t0 = now();
        asm volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n)::"cc");
        overhead[i] = now() - t0;
    }
    print_figure("a loop of 2,000 instructions:", overhead, kRuns);
    bench_one_page();
    bench_many_pages();
    bench_fault();
    printf("vmbench: done\n");
    return 0;
}
