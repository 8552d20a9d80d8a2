// SPDX-License-Identifier: BSD-2-Clause
// bench: the kernel's benchmark suite, counted by the PMU cycle counter.
//
// A benchmark, not a test: it prints figures and judges none of them
// (scripts/bench compares them with test/bench/baseline.json). Under QEMU with
// `-icount shift=0` (the virt-bench and rpi2-bench cases of test/qemu/meson.build)
// the cycle counter advances once per instruction, so every figure is an exact
// instruction count, the same on every run; on a board it counts CPU cycles.
//
// Every case runs kWarmup times unrecorded, then kRuns times, and prints one line
//   bench: <case> min N median N max N runs N  <what it is>
// (scripts/bench parses these). A figure is the count between two counter
// reads minus what the two reads cost by themselves (the "counter overhead"
// line: `isb; mrc` twice back to back), so it is what happens in between: the
// `svc` and everything the kernel does for it, plus, in round trips, the
// partner's user-mode loop (assembly below: 1 to 4 instructions between its
// system calls).
//
// Cases (the root runs at priority 50; the other threads as said):
//   null-syscall   DebugNull: svc, entry, dispatch, schedule, exit.
//   ipc-xas-Nw     Call + ReplyRecv round trip of N words (0, 4, 5, 120) between
//                  the root and an echo server (priority 100), a process of its
//                  own (petrel/process.hpp: its own address space and CSpace);
//                  counted by the root around its Call. 0 and 4 words meet
//                  every condition of the IPC fastpath (src/kernel/fastpath.hpp: at
//                  most 4 words, no caps, a receiver waiting, nothing more urgent
//                  ready); 5 and 120 words take the slow path, 5 words being the
//                  slow path's price for what the fastpath does with 4.
//   ipc-sas-Nw     the same with the server in the root's address space.
//   send-recv-xas  Send of 1 word from a process of priority 40 to the root
//                  waiting in Recv; one way: the sender's count
//                  just before its svc travels in MR0, the root counts on return.
//   signal-wake    Signal (Send on a Notification) to a thread of priority 100
//                  waiting on it; one way, from before the root's svc to the
//                  waiter's return from Recv.
//   yield          Yield from one thread to another of the same priority (100),
//                  both in the root's address space; one way, from before one's
//                  svc to the other's return from its own earlier Yield.
//   fault-rt       Fault round trip: a thread (priority 100) executes an undefined
//                  instruction; the fault goes as a message to its handler thread
//                  (priority 90, same address space), which replies with the next
//                  pc; counted by the faulting thread around the instruction.
//   map-page       Page.Map of a 4 KiB frame into a PageTable already there, and
//   unmap-page     its Page.Unmap; counted around the libpetrel call (so the
//                  message set-up is in).
//   retype-100-ep  Untyped.Retype of 100 Endpoints from a 4 KiB Untyped (reset by
//                  a Revoke between runs, outside the count).
//   ipc-xcore-0w   (a kernel with several cores only) the 0-word round trip with
//                  the echo server, a thread of the root's, on core 1: the figure
//                  is every core's instructions in between (QEMU -icount runs the
//                  cores in turn), idle loops and IPIs included. Every other case
//                  runs on core 0 alone: beside the one-core kernel's figures
//                  they show what the kernel lock and the per-core indexing cost.
// Interrupt to user handler is irqbench's (irqbench.cpp, petrel-irq-bench), which
// scripts/bench runs with this suite.
#include "petrel/bootinfo.hpp"
#include "petrel/process.hpp"
#include "petrel/samples.hpp"

using namespace petrel;
using abi::Error;
using abi::ObjectType;
using abi::Syscall;

// ---------------------------------------------------------------- partner loops
// In assembly, so what runs between their system calls is exact; they use
// neither stack nor data. The system-call numbers are abi::Syscall's, checked below.
extern "C" {
[[noreturn]] void bench_echo_server(u32 ep, u32, u32);
[[noreturn]] void bench_sender(u32 ep, u32, u32);
[[noreturn]] void bench_fault_handler(u32 ep, u32, u32);
}
static_assert(static_cast<u32>(Syscall::Call) == 1 && static_cast<u32>(Syscall::ReplyRecv) == 2 &&
              static_cast<u32>(Syscall::Send) == 3 && static_cast<u32>(Syscall::Recv) == 5);
asm(R"(
    .text
    .arm
    .balign 4
@ Recv on r0, then ReplyRecv forever, replying with the tag received (label, length).
    .global bench_echo_server
    .type   bench_echo_server, %function
bench_echo_server:
    mov     r8, r0
    mov     r7, #5              @ Recv
    svc     #0
    mov     r7, #2              @ ReplyRecv
1:  mov     r0, r8
    svc     #0
    b       1b
@ Send one word on r0 forever: MR0 is the counter just before the svc.
    .global bench_sender
    .type   bench_sender, %function
bench_sender:
    mov     r8, r0
    mov     r7, #3              @ Send
1:  mov     r0, r8
    mov     r1, #1              @ tag: label 0, length 1
    isb
    mrc     p15, 0, r2, c9, c13, 0
    svc     #0
    b       1b
@ Fault handler on r0: reply to each fault with pc = the faulting pc + 4.
    .global bench_fault_handler
    .type   bench_fault_handler, %function
bench_fault_handler:
    mov     r8, r0
    mov     r7, #5              @ Recv
    svc     #0
    mov     r7, #2              @ ReplyRecv
1:  add     r2, r2, #4          @ MR0: the faulting pc; resume after it
    mov     r1, #1              @ tag: label 0, length 1
    mov     r0, r8
    svc     #0
    b       1b
)");

namespace {

constexpr u32 kWarmup = 20;
constexpr u32 kRuns = 1001;  // odd: the median is one of them
constexpr u32 kTotal = kWarmup + kRuns;
constexpr u32 kPage = 4096;
constexpr u32 kRw = abi::kRightRead | abi::kRightWrite;
constexpr u32 kRootPriority = 50;
constexpr u32 kMapArea = 0x4000'0000;   // map-page's PageTable
constexpr u32 kFaultBadge = 1;

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
Allocator g_alloc;
u32 g_overhead;
u32 g_samples[kTotal];

// ---------------------------------------------------------------- counting
u32 now() {
    u32 v;
    asm volatile("isb\n\tmrc p15, 0, %0, c9, c13, 0" : "=r"(v)::"memory");
    return v;
}

// A system call between two counter reads: t0 just before the svc, t1 just after.
struct Span {
    u32 t0, t1;
};
Span timed_syscall(Syscall number, u32 a0, u32 a1 = 0) {
    register u32 r0 asm("r0") = a0;
    register u32 r1 asm("r1") = a1;
    register u32 r2 asm("r2") = 0;
    register u32 r3 asm("r3") = 0;
    register u32 r4 asm("r4") = 0;
    register u32 r5 asm("r5") = 0;
    register u32 r7 asm("r7") = static_cast<u32>(number);
    u32 t0, t1;
    asm volatile(
        "isb\n\t"
        "mrc p15, 0, %[t0], c9, c13, 0\n\t"
        "svc #0\n\t"
        "isb\n\t"
        "mrc p15, 0, %[t1], c9, c13, 0"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5)
        : "r"(r7)
        : "memory");
    return {t0, t1};
}

// A system call, then the counter on its return; MR0 (r2) of what it received in `mr0`.
u32 syscall_then_count(Syscall number, u32 a0, u32 *mr0 = nullptr) {
    register u32 r0 asm("r0") = a0;
    register u32 r1 asm("r1") = 0;
    register u32 r2 asm("r2") = 0;
    register u32 r3 asm("r3") = 0;
    register u32 r4 asm("r4") = 0;
    register u32 r5 asm("r5") = 0;
    register u32 r7 asm("r7") = static_cast<u32>(number);
    u32 t1;
    asm volatile(
        "svc #0\n\t"
        "isb\n\t"
        "mrc p15, 0, %[t1], c9, c13, 0"
        : [t1] "=&r"(t1), "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5)
        : "r"(r7)
        : "memory");
    if (mr0) *mr0 = r2;
    return t1;
}

// The two reads alone: what every figure has subtracted.
u32 counter_overhead() {
    u32 t0, t1;
    asm volatile(
        "isb\n\t"
        "mrc p15, 0, %[t0], c9, c13, 0\n\t"
        "isb\n\t"
        "mrc p15, 0, %[t1], c9, c13, 0"
        : [t0] "=&r"(t0), [t1] "=&r"(t1)::"memory");
    return t1 - t0;
}

u32 figure(u32 t0, u32 t1) {
    const u32 d = t1 - t0;
    return d > g_overhead ? d - g_overhead : 0;
}

// ---------------------------------------------------------------- output
[[noreturn]] void fatal(const char *what, Error e = Error::None) {
    printf("bench: %s (error %u, allocator %u): FAILED\n", what, static_cast<u32>(e),
           static_cast<u32>(g_alloc.error()));
    debug_halt(abi::kCapDebug, 1);
}

void must(Error e, const char *what) {
    if (e != Error::None) fatal(what, e);
}

// Sorts the kRuns samples after the warm-up and prints min / median / max.
void report(const char *id, const char *what, u32 *s = g_samples + kWarmup, u32 n = kRuns) {
    const SampleSummary f = summarize(s, n);
    printf("bench: ");
    print_padded(id, 14);
    printf(" min %7u median %7u max %7u runs %u  %s\n", f.min, f.median, f.max, n, what);
}

// ---------------------------------------------------------------- objects
u32 make(ObjectType type, u32 size_bits = 0) {
    const u32 s = g_alloc.make(type, size_bits);
    if (!s) fatal("Untyped.Retype");
    return s;
}

u32 mint(u32 src, u32 rights, u32 badge) {
    const u32 s = g_alloc.copy(src, rights, badge);
    if (!s) fatal("CNode.Mint");
    return s;
}

void del(u32 slot) { must(cnode_delete(abi::kCapInitCNode, slot, 32), "CNode.Delete"); }

void set_priority(u32 tcb, u32 p) { must(tcb_set_priority(g_ipc, tcb, abi::kCapInitTcb, p), "TCB.SetPriority"); }

// A process of its own (address space and CSpace) running entry(ep) at
// `priority`, `ep` being a copy of the root's cap `ep` with `rights`.
Process start_process(const char *name, void (*entry)(u32, u32, u32), u32 ep, u32 rights, u32 priority) {
    ProcessSpec spec;
    spec.name = name;
    spec.entry = entry;
    spec.arg[0] = kProcessFirstFreeSlot;  // where process_give puts the first cap
    spec.priority = priority;
    spec.stack_pages = 1;
    Process p;
    must(process_create(g_alloc, spec, p), "process_create");
    u32 slot = 0;
    must(process_give(g_alloc, p, ep, rights, 0, slot), "process_give");
    if (slot != kProcessFirstFreeSlot) fatal("the process's endpoint cap is not in its first free slot");
    must(process_start(p), "process_start");
    return p;
}

// A thread of the root's (address space and CSpace) running pc(arg, its own
// TCB slot if `self_arg2`) at `priority`, with the 512-byte slice `buffer`
// (1..7) of the root's IPC buffer frame and the stack ending at `stack`.
// Resumed unless `start` is false.
struct ThreadSpec {
    void *pc;
    u32 arg;
    u32 priority;
    u32 buffer;
    u8 *stack = nullptr;
    u32 fault_ep = 0;
    bool self_arg2 = false;
    bool start = true;
};

u32 spawn(const ThreadSpec &t) {
    const u32 tcb = make(ObjectType::Tcb);
    must(tcb_configure(g_ipc, tcb, t.fault_ep, abi::kCapInitCNode,
                       abi::cnode_cap_data(0, 32 - g_bi->root_cnode_radix), abi::kCapInitVSpace, 0,
                       g_bi->ipc_buffer + (t.buffer << abi::kIpcBufferSizeBits), abi::kCapInitIpcBuffer),
         "TCB.Configure");
    set_priority(tcb, t.priority);
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(t.pc);
    r.sp = reinterpret_cast<u32>(t.stack);
    r.cpsr = kCpsrUserArm;
    r.r[0] = t.arg;
    r.r[1] = t.self_arg2 ? tcb : 0;
    must(tcb_write_registers(g_ipc, tcb, false, 6, r), "TCB.WriteRegisters");
    if (t.start) must(tcb_resume(tcb), "TCB.Resume");
    return tcb;
}

alignas(8) u8 g_stack_a[2048], g_stack_b[2048];

// ---------------------------------------------------------------- the cases
// Each case is a function of its own (noinline): scripts/trace starts its
// instruction trace after the case's function is entered.
[[gnu::noinline]] void bench_null() {
    for (u32 i = 0; i < kTotal; ++i) {
        const Span s = timed_syscall(Syscall::DebugNull, 0);
        g_samples[i] = figure(s.t0, s.t1);
    }
    report("null-syscall", "DebugNull: entering and leaving the kernel");
}

// The round trips: their message lengths and names.
struct RoundTrip {
    u32 words;
    const char *xas, *sas, *what;
};
constexpr RoundTrip kRoundTrips[] = {
    {0, "ipc-xas-0w", "ipc-sas-0w", "Call+ReplyRecv round trip, 0 words (fastpath)"},
    {4, "ipc-xas-4w", "ipc-sas-4w", "Call+ReplyRecv round trip, 4 words (fastpath)"},
    {5, "ipc-xas-5w", "ipc-sas-5w", "Call+ReplyRecv round trip, 5 words (slow path: more than 4)"},
    {120, "ipc-xas-120w", "ipc-sas-120w", "Call+ReplyRecv round trip, 120 words (slow path)"},
};

// Call + ReplyRecv round trips with an echo server: a process of its own, or a
// thread of the root's.
[[gnu::noinline]] void bench_round_trip(bool other_space) {
    const u32 ep = make(ObjectType::Endpoint);
    Process p;
    u32 thread = 0;
    if (other_space)  // it runs at once, to its Recv
        p = start_process("echo-server", bench_echo_server, ep, abi::kRightRead, 100);
    else
        thread = spawn({reinterpret_cast<void *>(&bench_echo_server), ep, 100, 1});
    for (const RoundTrip &c : kRoundTrips) {
        const u32 info = abi::MessageInfo{1, 0, 0, c.words}.word();
        for (u32 i = 0; i < kTotal; ++i) {
            const Span s = timed_syscall(Syscall::Call, ep, info);
            g_samples[i] = figure(s.t0, s.t1);
        }
        report(other_space ? c.xas : c.sas, c.what);
    }
    if (other_space) must(process_destroy(p), "process_destroy");
    else del(thread);
}

// With several cores: the 0-word round trip with the echo server (a thread of
// the root's) on core 1 while the root runs on core 0. Every Call and every
// reply wakes a thread of the other core: the slow path, and an IPI each way.
[[gnu::noinline]] void bench_cross_core() {
    const u32 ep = make(ObjectType::Endpoint);
    const u32 thread = spawn({reinterpret_cast<void *>(&bench_echo_server), ep, 100, 1, nullptr, 0, false, false});
    must(tcb_set_affinity(thread, 1), "TCB.SetAffinity");
    must(tcb_resume(thread), "TCB.Resume");
    const u32 info = abi::MessageInfo{1, 0, 0, 0}.word();
    for (u32 i = 0; i < kTotal; ++i) {
        const Span s = timed_syscall(Syscall::Call, ep, info);
        g_samples[i] = figure(s.t0, s.t1);
    }
    report("ipc-xcore-0w", "Call+ReplyRecv round trip, 0 words, the server on core 1 (slow path, an IPI each way)");
    del(thread);
}

[[gnu::noinline]] void bench_send_recv() {
    const u32 ep = make(ObjectType::Endpoint);
    // Below the root: it runs whenever the root waits.
    Process p = start_process("sender", bench_sender, ep, abi::kRightWrite, 40);
    for (u32 i = 0; i < kTotal; ++i) {
        u32 t0 = 0;
        const u32 t1 = syscall_then_count(Syscall::Recv, ep, &t0);
        g_samples[i] = figure(t0, t1);
    }
    must(process_destroy(p), "process_destroy");
    report("send-recv-xas", "Send (1 word) to a thread waiting in Recv, one way, two address spaces");
}

volatile u32 g_resume;     // the count at which the last thread resumed
volatile u32 g_resume_by;  // which thread wrote g_resume (0: none yet)
volatile u32 g_count;      // samples taken by threads other than the root
volatile bool g_stop;

[[noreturn]] void waiter(u32 ntfn) {
    for (;;) g_resume = syscall_then_count(Syscall::Recv, ntfn);
}

[[gnu::noinline]] void bench_signal() {
    const u32 ntfn = make(ObjectType::Notification);
    const u32 badged = mint(ntfn, abi::kRightWrite, 1);
    const u32 w = spawn({reinterpret_cast<void *>(&waiter), ntfn, 100, 1, g_stack_a + sizeof(g_stack_a)});
    for (u32 i = 0; i < kTotal; ++i) {
        const Span s = timed_syscall(Syscall::Send, badged);  // the waiter runs, and waits again
        g_samples[i] = figure(s.t0, g_resume);
    }
    del(w);
    report("signal-wake", "Signal to a higher-priority thread waiting on the notification, one way");
}

// Two of these at one priority take turns: each counts before its Yield, and
// the other, resuming, notes when; a sample is one Yield from one to the other.
[[noreturn]] void yielder(u32 id, u32 self) {
    for (;;) {
        const Span s = timed_syscall(Syscall::Yield, 0);
        if (g_stop) break;
        const u32 resumed = g_resume, by = g_resume_by;
        g_resume = s.t1;
        g_resume_by = id;
        if (by != 0 && by != id && resumed - s.t0 < (1u << 30)) {  // the other resumed from my Yield
            const u32 n = g_count;
            g_samples[n] = figure(s.t0, resumed);
            g_count = n + 1;
            if (n + 1 == kTotal) g_stop = true;
        }
    }
    tcb_suspend(self);
    for (;;) {
    }
}

[[gnu::noinline]] void bench_yield() {
    g_count = 0;
    g_stop = false;
    g_resume_by = 0;
    set_priority(abi::kCapInitTcb, 200);  // resume both before either runs
    const u32 a = spawn({reinterpret_cast<void *>(&yielder), 1, 100, 1, g_stack_a + sizeof(g_stack_a), 0, true});
    const u32 b = spawn({reinterpret_cast<void *>(&yielder), 2, 100, 2, g_stack_b + sizeof(g_stack_b), 0, true});
    set_priority(abi::kCapInitTcb, kRootPriority);  // they run until both have suspended themselves
    if (g_count != kTotal) fatal("the yield threads stopped early");
    del(a);
    del(b);
    report("yield", "Yield to another thread of the same priority, one way, one address space");
}

[[noreturn]] void faulter(u32, u32 self) {
    for (u32 i = 0; i < kTotal; ++i) {
        u32 t0, t1;
        asm volatile(
            "isb\n\t"
            "mrc p15, 0, %[t0], c9, c13, 0\n\t"
            "udf #0\n\t"
            "isb\n\t"
            "mrc p15, 0, %[t1], c9, c13, 0"
            : [t0] "=&r"(t0), [t1] "=&r"(t1)::"memory");
        g_samples[i] = figure(t0, t1);
    }
    g_count = kTotal;
    tcb_suspend(self);
    for (;;) {
    }
}

[[gnu::noinline]] void bench_fault() {
    const u32 ep = make(ObjectType::Endpoint);
    const u32 fault_cap = mint(ep, abi::kRightWrite | abi::kRightGrantReply, kFaultBadge);
    g_count = 0;
    const u32 handler = spawn({reinterpret_cast<void *>(&bench_fault_handler), ep, 90, 1});  // to its Recv
    // Runs to its Suspend at once.
    const u32 t =
        spawn({reinterpret_cast<void *>(&faulter), 0, 100, 2, g_stack_a + sizeof(g_stack_a), fault_cap, true});
    if (g_count != kTotal) fatal("the faulting thread stopped early");
    del(t);
    del(handler);
    report("fault-rt", "undefined instruction to a fault handler thread and its reply, round trip");
}

// ---- invocations
u32 g_unmap[kTotal];

void bench_map() {
    const u32 pt = make(ObjectType::PageTable), f = make(ObjectType::Frame4K);
    must(page_table_map(g_ipc, pt, abi::kCapInitVSpace, kMapArea), "PageTableMap");
    for (u32 i = 0; i < kTotal; ++i) {
        const u32 t0 = now();
        const Error e = page_map(g_ipc, f, abi::kCapInitVSpace, kMapArea, kRw, abi::kVmDefault);
        const u32 t1 = now();
        must(e, "PageMap");
        *reinterpret_cast<volatile u32 *>(kMapArea) = i;  // the mapping is there
        const u32 t2 = now();
        const Error e2 = page_unmap(f);
        const u32 t3 = now();
        must(e2, "PageUnmap");
        g_samples[i] = figure(t0, t1);
        g_unmap[i] = figure(t2, t3);
    }
    report("map-page", "Page.Map of a 4 KiB frame (PageTable present)");
    report("unmap-page", "Page.Unmap of that frame", g_unmap + kWarmup);
}

void bench_retype() {
    constexpr u32 kCount = 100;
    const u32 ut = make(ObjectType::Untyped, 12);  // 4 KiB: 100 endpoints are 1,600 bytes
    const u32 first = g_alloc.slot();
    for (u32 i = 1; i < kCount; ++i)
        if (g_alloc.slot() != first + i) fatal("100 consecutive slots");
    for (u32 i = 0; i < kTotal; ++i) {
        const u32 t0 = now();
        const Error e = untyped_retype(g_ipc, ut, ObjectType::Endpoint, 0, abi::kCapInitCNode, 0, 0, first, kCount);
        const u32 t1 = now();
        must(e, "Untyped.Retype (100 endpoints)");
        must(cnode_revoke(abi::kCapInitCNode, ut, 32), "CNode.Revoke");
        g_samples[i] = figure(t0, t1);
    }
    report("retype-100-ep", "Untyped.Retype of 100 Endpoints in one call");
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    g_ipc = root_ipc_buffer(bi);
    u32 pmuserenr, pmcr;
    asm volatile("mrc p15, 0, %0, c9, c14, 0" : "=r"(pmuserenr));
    if (!(pmuserenr & 1u)) {
        printf("bench: the PMU cycle counter is not open to user mode (PMUSERENR.EN 0): FAILED\n");
        return 1;
    }
    asm volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(pmcr));
    printf("bench: counting with the PMU cycle counter (PMCR %08x): instructions under QEMU -icount shift=0, "
           "cycles on a board\n",
           pmcr);
    const u32 ut = smallest_ram_untyped(bi, 22);
    if (!ut) fatal("no RAM Untyped of 4 MiB");
    g_alloc.init(bi, g_ipc, ut, bi->empty.start, bi->empty.end);
    set_priority(abi::kCapInitTcb, kRootPriority);

    g_overhead = ~0u;
    for (u32 i = 0; i < kTotal; ++i) {
        const u32 o = counter_overhead();
        if (o < g_overhead) g_overhead = o;
    }
    printf("bench: counter overhead %u (two reads back to back; subtracted from every figure)\n", g_overhead);
    printf("bench: %u warm-up runs, then min / median / max of %u runs per case\n", kWarmup, kRuns);

    bench_null();
    printf("bench: ipc-xas: the echo server is a process of its own; ipc-sas: a thread of the root's\n");
    bench_round_trip(true);
    bench_round_trip(false);
    bench_send_recv();
    bench_signal();
    bench_yield();
    bench_fault();
    bench_map();
    bench_retype();
    if (bi->num_nodes > 1) bench_cross_core();
    printf("bench: done\n");
    return 0;
}
