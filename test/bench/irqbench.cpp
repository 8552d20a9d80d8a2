// SPDX-License-Identifier: BSD-2-Clause
// irqbench: interrupt-to-user-handler latency, in instructions under QEMU.
//
// A benchmark, not a test: it prints figures and judges none of them. Run in
// QEMU with `-icount shift=0` (meson test --benchmark does: the cases in
// test/qemu/meson.build), the PMU cycle counter advances once per instruction,
// so every figure is an exact instruction count; on a board it counts cycles.
//
// The interrupt is the generic timer's virtual timer (petrel/devices.hpp's
// kVirtualTimerIrq), whose IrqHandler the benchmark holds and grants the root
// and every handler the timer's registers with (TCB.SetTimerAccess). A handler at
// priority 200 waits for it; the root, at priority 50, reads PMCCNTR (t0) and
// enables the timer with CNTV_CVAL 0, long past, so the interrupt is raised at
// once. The kernel takes it, masks the line, signals the handler's
// notification and switches to the handler, whose first instruction after the
// system call reads PMCCNTR (t1). The figure is t1 - t0: the timer write, the
// exception entry, the kernel's dispatch and signal, the switch and the return
// to user mode. The handler then disables the timer, Acks the line and sends
// t1 to the root, which is not counted. Each figure is kRuns runs after
// kWarmup unrecorded ones (scripts/bench takes the first as the suite's
// "interrupt to user handler", irq-user), printed as
// min / median / max, for three handlers:
//   Wait            a thread of the root's address space blocked in Wait
//                   (Recv) on the notification itself;
//   bound, Recv     the same blocked in Recv on an endpoint, with the
//                   notification bound to it (how the drivers wait: requests
//                   and interrupts on one endpoint);
//   other space     that driver-style handler as a process of its own
//                   (petrel/process.hpp): the switch changes address space.
// The counter's own cost (two reads back to back) is printed for reference;
// it is not subtracted.
#include "petrel/bootinfo.hpp"
#include "petrel/counters.hpp"
#include "petrel/devices.hpp"
#include "petrel/process.hpp"
#include "petrel/samples.hpp"

using namespace petrel;
using abi::Error;

namespace {

constexpr u32 kRuns = 1001;  // odd: the median is one of them
constexpr u32 kWarmup = 20;
constexpr u32 kRootPriority = 50, kHandlerPriority = 200;
constexpr u32 kReport = 0x100;
constexpr u32 kIrqBadge = 0x1;
enum Mode : u32 { kWait, kBoundRecv };

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
Allocator g_alloc;
u32 g_report;

[[noreturn]] void fatal(const char *what, Error e = Error::None) {
    printf("irqbench: %s (error %u, allocator %u): FAILED\n", what, static_cast<u32>(e),
           static_cast<u32>(g_alloc.error()));
    debug_halt(abi::kCapDebug, 1);
}

void must(Error e, const char *what) {
    if (e != Error::None) fatal(what, e);
}

u32 make(abi::ObjectType type) {
    const u32 s = g_alloc.make(type);
    if (!s) fatal("Untyped.Retype");
    return s;
}

// The handler: waits (Wait on the notification, or Recv on the endpoint it is
// bound to), reads the counter, quiets the timer, Acks, reports the count.
// Its caps are at caps, caps + 1, caps + 2: what it waits on, the IrqHandler,
// the report endpoint.
void handler_main(u32 mode, u32 caps, u32) {
    const u32 on = caps, irq = caps + 1, report = caps + 2;
    for (;;) {
        if (mode == kWait) {
            wait(on);
        } else {
            MessageRegs none{};
            recv(on, none);
        }
        const u32 t1 = pmccntr();
        write_cntv_ctl(0);
        irq_handler_ack(irq);
        MessageRegs mr{t1, 0, 0, 0};
        send(report, {kReport, 0, 0, 1}, mr);
    }
}

// min / median / max of `n` samples (sorts them).
void print_figure(const char *what, u32 *s, u32 n) {
    const SampleSummary f = summarize(s, n);
    printf("irqbench: ");
    print_padded(what, 52);
    printf("min %8u  median %8u  max %8u   [%u runs]\n", f.min, f.median, f.max, n);
}

u32 g_samples[kRuns];

// Runs kWarmup + kRuns interrupts into the handler that is waiting already.
[[gnu::noinline]] void measure(const char *what) {
    for (u32 i = 0; i < kWarmup + kRuns; ++i) {
        const u32 t0 = pmccntr();
        write_cntv_ctl(kCntvEnable);  // CNTV_CVAL is 0: the interrupt is raised now
        MessageRegs mr{};
        const RecvResult r = recv(g_report, mr);
        if (r.info.label != kReport) fatal("expected the handler's count");
        if (i >= kWarmup) g_samples[i - kWarmup] = mr[0] - t0;
    }
    print_figure(what, g_samples, kRuns);
}

alignas(8) u8 g_stack[4096];

// A handler thread in the root's address space (slice 1 of its IPC buffer frame).
u32 start_thread(Mode mode, u32 caps) {
    const u32 tcb = make(abi::ObjectType::Tcb);
    must(tcb_configure(g_ipc, tcb, 0, abi::kCapInitCNode, abi::cnode_cap_data(0, 32 - g_bi->root_cnode_radix),
                       abi::kCapInitVSpace, 0, g_bi->ipc_buffer + (1u << abi::kIpcBufferSizeBits),
                       abi::kCapInitIpcBuffer),
         "TCB.Configure");
    must(tcb_set_priority(g_ipc, tcb, abi::kCapInitTcb, kHandlerPriority), "TCB.SetPriority");
    must(tcb_set_timer_access(g_ipc, tcb, caps + 1), "TCB.SetTimerAccess");  // it disables the timer
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(&handler_main);
    r.sp = reinterpret_cast<u32>(g_stack + sizeof(g_stack));
    r.cpsr = kCpsrUserArm;
    r.r[0] = mode;
    r.r[1] = caps;
    must(tcb_write_registers(g_ipc, tcb, false, 6, r), "TCB.WriteRegisters");  // pc .. r1
    must(tcb_resume(tcb), "TCB.Resume");  // runs until it waits
    return tcb;
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    g_ipc = root_ipc_buffer(bi);
    if (!pmu_user_enabled()) fatal("the PMU cycle counter is not open to user mode (PMUSERENR.EN 0)");
    printf("irqbench: counting with the PMU cycle counter: instructions under QEMU -icount shift=0, cycles on a "
           "board; interrupt: the virtual timer, line %u on %s\n",
           devices::kVirtualTimerIrq, devices::kBoard);
    const u32 ut = smallest_ram_untyped(bi, 22);
    if (!ut) fatal("no RAM Untyped of 4 MiB");
    g_alloc.init(bi, g_ipc, ut, bi->empty.start, bi->empty.end);
    must(tcb_set_priority(g_ipc, abi::kCapInitTcb, abi::kCapInitTcb, kRootPriority), "TCB.SetPriority");
    g_report = make(abi::ObjectType::Endpoint);
    const u32 ntfn = make(abi::ObjectType::Notification), ep = make(abi::ObjectType::Endpoint);
    const u32 handler = g_alloc.slot();
    if (!handler) fatal("out of slots");
    must(irq_control_get(g_ipc, abi::kCapIrqControl, devices::kVirtualTimerIrq, abi::kCapInitCNode, handler, 32),
         "IrqControl.Get");
    const u32 badged = g_alloc.copy(ntfn, abi::kRightWrite, kIrqBadge);
    if (!badged) fatal("CNode.Mint");
    must(irq_handler_set_notification(g_ipc, handler, badged), "IrqHandler.SetNotification");
    must(tcb_set_timer_access(g_ipc, abi::kCapInitTcb, handler), "TCB.SetTimerAccess");  // the root enables it
    write_cntv_ctl(0);
    write_cntv_cval(0);

    static u32 overhead[kRuns];
    for (u32 i = 0; i < kRuns; ++i) {
        const u32 t0 = pmccntr();
        const u32 t1 = pmccntr();
        overhead[i] = t1 - t0;
    }
    print_figure("counter read (overhead, included):", overhead, kRuns);

    // Wait on the notification: caps ntfn, IrqHandler, report endpoint in consecutive slots.
    u32 caps = g_alloc.copy(ntfn, abi::kRightRead);
    if (!caps || g_alloc.copy(handler, abi::kRightsAll) != caps + 1 ||
        g_alloc.copy(g_report, abi::kRightWrite) != caps + 2)
        fatal("the handler's caps");
    u32 tcb = start_thread(kWait, caps);
    measure("interrupt to a thread in Wait on the notification:");
    must(cnode_delete(abi::kCapInitCNode, tcb, 32), "CNode.Delete");

    // Recv on an endpoint with the notification bound.
    caps = g_alloc.copy(ep, abi::kRightRead);
    if (!caps || g_alloc.copy(handler, abi::kRightsAll) != caps + 1 ||
        g_alloc.copy(g_report, abi::kRightWrite) != caps + 2)
        fatal("the handler's caps");
    tcb = start_thread(kBoundRecv, caps);
    must(tcb_bind_notification(g_ipc, tcb, ntfn), "TCB.BindNotification");
    measure("interrupt to a thread in Recv, notification bound:");
    must(cnode_delete(abi::kCapInitCNode, tcb, 32), "CNode.Delete");

    // The same handler as a process of its own.
    ProcessSpec spec;
    spec.name = "irq-handler";
    spec.entry = handler_main;
    spec.arg[0] = kBoundRecv;
    spec.arg[1] = kProcessFirstFreeSlot;
    spec.priority = kHandlerPriority;
    Process p;
    must(process_create(g_alloc, spec, p), "process_create");
    u32 slot = 0;
    must(process_give(g_alloc, p, ep, abi::kRightRead, 0, slot), "process_give");
    must(process_give(g_alloc, p, handler, abi::kRightsAll, 0, slot), "process_give");
    must(process_give(g_alloc, p, g_report, abi::kRightWrite, 0, slot), "process_give");
    if (slot != kProcessFirstFreeSlot + 2) fatal("the process's caps");
    must(tcb_bind_notification(g_ipc, p.tcb, ntfn), "TCB.BindNotification");
    must(tcb_set_timer_access(g_ipc, p.tcb, handler), "TCB.SetTimerAccess");
    must(process_start(p), "process_start");
    measure("interrupt to a process of its own, Recv, bound:");
    must(process_destroy(p), "process_destroy");

    printf("irqbench: done\n");
    return 0;
}
