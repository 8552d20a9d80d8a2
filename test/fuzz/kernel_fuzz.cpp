// SPDX-License-Identifier: BSD-2-Clause
// kernel-fuzz: a libFuzzer target that drives the hosted kernel (arch/host)
// through its system-call entry with sequences decoded from the input bytes.
//
// The world. One host::Machine is booted once (8 MiB of RAM, a root CNode of
// 256 slots, a 16 MiB device region), and the root task builds, through
// ordinary invocations: endpoints and notifications with badged and
// rights-reduced copies, a small CNode, a second address space (Page Directory
// with an ASID, a Page Table mapped in it, a 4 KiB frame mapped), unmapped
// frames of every size (the 16 MiB one from device memory), a 4 KiB Untyped
// for AsidControl.MakePool, two IRQ Handlers (one bound to a notification),
// and four more threads sharing its CSpace, with IPC buffers, priorities and
// fault endpoints (usable, none, and of the wrong type). Every RAM Untyped is
// cleared once. That state is snapshotted (RAM, the kernel's globals and the
// simulated interrupt controller) and restored before each input, so every
// input starts from the same world at the cost of one copy of RAM.
//
// The input. A stream of steps, each an opcode byte and its operands (the
// exact format is below and in test/fuzz/make_seeds.py, which writes the seed
// corpus). The running thread (the only one the CPU can execute) makes a
// system call with registers and IPC-buffer words taken from the input:
// Call (invocations of every object type, or IPC), Send/NBSend, Recv/NBRecv,
// Reply/ReplyRecv, Yield, any number at all (unknown ones fault), or re-executes
// its svc; it sets its own registers or IPC-buffer words; it faults (page fault
// or undefined instruction); the timer ticks; a device interrupt arrives on a
// line handed out by IrqControl; preemption is armed for the next preemption
// points (Machine::irq_after); the IPC fastpath is switched off or on again
// (CoreState::slowpath_only, on every core), so both paths meet the same
// states. While the idle thread runs, a thread-step instead lets an outside
// agent resume a stopped or blocked thread.
//
// Several cores. The hosted kernel has four (arch/host/machine.hpp); the
// world's threads start on core 0, so an input that never leaves it runs as on
// one core. Steps are made as one core at a time, as the kernel lock
// serialises entries: an input switches to another core (its running thread,
// or its idle agent, makes the steps after), has cores take the
// inter-processor interrupts the kernel left pending, or moves a thread to a
// core with TCB.SetAffinity (also reachable as any Call with label 45).
// Device interrupts are core 0's, whichever core the input is on; each core
// ticks on its own.
//
// After every step: the kernel's invariant checker (derivation tree, Untyped
// containment and overlap, every core's ready queues, IPC queues, interrupts,
// mappings), and this target's own checks: an invocation (a Call on an object
// cap) that completed replied with an error code; each core that made an
// entry in the step or has no IPI pending is settled and runs a runnable
// thread of its own that outranks every thread ready there; no thread runs on
// two cores; every thread is on exactly the queues its state calls for; and
// nothing the kernel still refers to (running threads, queued threads,
// blocked-on objects, bound notifications, reply holders, ASID pools and
// directories) is an object whose last cap was deleted. A violation, a kernel
// panic, or a harness logic error aborts with the reason; AddressSanitizer and
// UndefinedBehaviorSanitizer reports abort too.
//
// PETREL_FUZZ_TRACE=1 prints every decoded step, its outcome and the kernel
// console, for reproducing a failure by hand.
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "arch.hpp"
#include "board.hpp"
#include "cap.hpp"
#include "cspace.hpp"
#include "endpoint.hpp"
#include "invariants.hpp"
#include "ipc.hpp"
#include "machine.hpp"
#include "notification.hpp"
#include "petrel/abi.hpp"
#include "scheduler.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "tcb.hpp"
#include "vspace.hpp"

namespace petrel::host {
extern u32 g_irq_line;  // machine.cpp: the line the simulated controller reports next
}

using namespace petrel;
using abi::Label;
using abi::ObjectType;
using abi::Syscall;

namespace {

// ---------------------------------------------------------------- the world

constexpr u32 kRamSize = 8u << 20;
constexpr u32 kRootRadix = 8;  // 256 slots: a slot index is a cap pointer and fits a byte
constexpr paddr_t kDevice16M = 0x2000'0000;
constexpr u32 kCNode = abi::kCapInitCNode;
constexpr u32 kBufVaddr = 0x0030'0000;
constexpr u32 kPd2Vaddr = 0x0040'0000;  // PT2 and the mapped 4 KiB frame in PD2
constexpr u32 kMaxSteps = 1000;

// Setup slots (root CNode indices), filled in by setup().
struct Slots {
    u32 ep0, ep0_b1, ep0_b2, ep1, ep1_ro;
    u32 nt0, nt0_b1, nt1, nt1_b2;
    u32 cnode4;
    u32 pd2, pt2, pt3, f4k_mapped, f4k, f64k, f1m, f16m;
    u32 ut4k;
    u32 irq33, irq34;
    u32 tcb[4], buf[4];
    u32 big;          // the largest RAM Untyped
    u32 first_empty;  // receive slots of root, t1-t4, then free slots
} g_s;

// Class 2 of word(): the setup's slots by name, so inputs (and the seeds
// make_seeds.py writes) do not depend on where boot put things. Keep the
// order in step with make_seeds.py's NAMED.
u32 g_named[32];

host::Machine *g_m;
bool g_trace;

// The snapshot every input starts from.
std::vector<u8> g_ram_snap;
KernelState g_ks_snap;
CoreState g_cores_snap[kCores];
host::IrqController g_irq_snap;
host::Flushes g_flushes_snap;
u32 g_irq_line_snap;
host::Ipis g_ipi_snap;
host::UserTimer g_user_timers_snap[kCores];
u32 g_running_hw_asid_snap[kCores], g_running_asid_snap[kCores];

// Cores that made a kernel entry in this step (bit per core): they have settled.
u32 g_entered;

// Invariant-checker scratch.
constexpr u32 kScratch = 1u << 20;
std::vector<Slot *> g_a(kScratch), g_b(kScratch), g_c(kScratch);

// A failure: `kind` is "invariant violation", "kernel panic", "harness error"
// or "setup" (scripts/fuzz counts them by these words).
[[noreturn]] void die(const char *kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void die(const char *kind, const char *fmt, ...) {
    std::string con = g_m ? g_m->take_console() : std::string();
    if (!con.empty()) std::fprintf(stderr, "kernel console (this step):\n%s", con.c_str());
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(stderr, "kernel-fuzz: FAILURE (%s): ", kind);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::fputs("kernel-fuzz: PETREL_FUZZ_TRACE=1 kernel-fuzz INPUT prints the decoded steps\n", stderr);
    std::fflush(stderr);
    std::abort();
}

void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void trace(const char *fmt, ...) {
    if (!g_trace) return;
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
}

// ---------------------------------------------------------------- setup

host::Reply setup_call(u32 cptr, Label label, std::initializer_list<u32> mrs, std::initializer_list<u32> caps = {}) {
    host::Reply r = g_m->call(cptr, label, mrs, caps);
    if (!r.ok())
        die("setup", "invocation %u on slot %u failed with error %u (MR0 %u): %s", static_cast<u32>(label), cptr,
            static_cast<u32>(r.error), r.mr[0], g_m->take_console().c_str());
    return r;
}

u32 g_next;  // setup's slot cursor
u32 retype(u32 ut, ObjectType type, u32 bits = 0) {
    u32 s = g_next++;
    // (type, size_bits, node_index, node_depth, node_offset, count; root*): depth 0 names the root itself
    setup_call(ut, Label::UntypedRetype, {static_cast<u32>(type), bits, 0, 0, s, 1}, {kCNode});
    return s;
}

u32 mint(u32 src, u32 rights, u32 badge) {
    u32 s = g_next++;
    setup_call(kCNode, Label::CNodeMint, {s, 32, src, 32, rights, badge}, {kCNode});
    return s;
}

void setup() {
    host::MachineConfig cfg;
    cfg.ram_size = kRamSize;
    cfg.root_cnode_radix = kRootRadix;
    cfg.devices = {{0x0900'0000, 0x1000}, {kDevice16M, 0x100'0000}};
    g_m = new host::Machine(cfg);
    g_trace = std::getenv("PETREL_FUZZ_TRACE") != nullptr;
    const abi::BootInfo *bi = g_m->root.boot_info;
    g_next = bi->empty.start;

    // Clear every RAM Untyped once (its first Retype zeroes it), so inputs
    // do not each pay for clearing megabytes; find the largest and the 16 MiB device one.
    u32 big = 0, big_bits = 0, dev16 = 0;
    const u32 tmp = g_next;
    for (u32 i = 0; i < bi->untyped_count; ++i) {
        const abi::UntypedDesc &d = bi->untyped_list[i];
        u32 slot = bi->untyped.start + i;
        if (d.is_device) {
            if (d.size_bits == 24) dev16 = slot;
            continue;
        }
        if (d.size_bits > big_bits) big = slot, big_bits = d.size_bits;
        setup_call(slot, Label::UntypedRetype, {static_cast<u32>(ObjectType::Endpoint), 0, 0, 0, tmp, 1}, {kCNode});
        setup_call(kCNode, Label::CNodeDelete, {tmp, 32});
    }
    if (!big || !dev16) die("setup", "no RAM or 16 MiB device Untyped");

    Slots &s = g_s;
    s.ep0 = retype(big, ObjectType::Endpoint);
    s.ep0_b1 = mint(s.ep0, abi::kRightsAll, 0x11);
    s.ep0_b2 = mint(s.ep0, abi::kRightWrite | abi::kRightGrantReply, 0x12);
    s.ep1 = retype(big, ObjectType::Endpoint);
    s.ep1_ro = mint(s.ep1, abi::kRightRead, 0);
    s.nt0 = retype(big, ObjectType::Notification);
    s.nt0_b1 = mint(s.nt0, abi::kRightsAll, 0x1);
    s.nt1 = retype(big, ObjectType::Notification);
    s.nt1_b2 = mint(s.nt1, abi::kRightWrite, 0x2);
    s.cnode4 = retype(big, ObjectType::CNode, 4);
    s.pd2 = retype(big, ObjectType::PageDirectory);
    setup_call(abi::kCapInitAsidPool, Label::AsidPoolAssign, {}, {s.pd2});
    s.pt2 = retype(big, ObjectType::PageTable);
    setup_call(s.pt2, Label::PageTableMap, {kPd2Vaddr}, {s.pd2});
    s.pt3 = retype(big, ObjectType::PageTable);
    s.f4k_mapped = retype(big, ObjectType::Frame4K);
    setup_call(s.f4k_mapped, Label::PageMap, {kPd2Vaddr, abi::kRightRead | abi::kRightWrite, abi::kVmCacheable},
               {s.pd2});
    s.f4k = retype(big, ObjectType::Frame4K);
    s.f64k = retype(big, ObjectType::Frame64K);
    s.f1m = retype(big, ObjectType::Frame1M);
    s.f16m = retype(dev16, ObjectType::Frame16M);
    s.ut4k = retype(big, ObjectType::Untyped, 12);
    s.irq33 = g_next++;
    setup_call(abi::kCapIrqControl, Label::IrqIssueIrqHandler, {33, s.irq33, 32}, {kCNode});
    setup_call(s.irq33, Label::IrqSetIrqHandler, {}, {s.nt1_b2});
    s.irq34 = g_next++;
    setup_call(abi::kCapIrqControl, Label::IrqIssueIrqHandlerTrigger, {34, 1, s.irq34, 32}, {kCNode});

    // Threads: the root task and four more, all in the root CNode.
    static const u32 prio[4] = {100, 100, 90, 100}, mcp[4] = {255, 100, 90, 120};
    const u32 fault_ep[4] = {s.ep0_b1, s.ep1, 0, s.nt0};
    for (u32 i = 0; i < 4; ++i) {
        s.tcb[i] = retype(big, ObjectType::Tcb);
        s.buf[i] = retype(big, ObjectType::Frame4K);
    }
    s.first_empty = g_next;
    s.big = big;
    const u32 named[32] = {s.ep0, s.ep0_b1, s.ep0_b2, s.ep1, s.ep1_ro, s.nt0, s.nt0_b1, s.nt1, s.nt1_b2,
                           s.cnode4, s.pd2, s.pt2, s.pt3, s.f4k_mapped, s.f4k, s.f64k, s.f1m, s.f16m,
                           s.ut4k, s.irq33, s.irq34, s.tcb[0], s.tcb[1], s.tcb[2], s.tcb[3], s.big,
                           s.first_empty, s.first_empty + 5, s.first_empty + 6, s.first_empty + 7,
                           s.first_empty + 8, s.first_empty + 9};
    std::memcpy(g_named, named, sizeof(named));
    for (u32 i = 0; i < 4; ++i) {
        u32 vspace = i == 3 ? s.pd2 : abi::kCapInitVSpace;
        setup_call(s.tcb[i], Label::TcbConfigure, {fault_ep[i], 0, 0, kBufVaddr}, {kCNode, vspace, s.buf[i]});
        setup_call(s.tcb[i], Label::TcbSetSchedParams, {mcp[i], prio[i]}, {abi::kCapInitTcb});
        Tcb *t = g_m->at<Tcb>(g_m->root_slot(s.tcb[i])->cap.object());
        char name[8] = {'t', static_cast<char>('1' + i), 0};
        tcb_set_name(t, name);
        abi::IpcBuffer *b = t->ipc_buffer_ptr();
        b->receive_cnode = kCNode;
        b->receive_index = s.first_empty + 1 + i;
        b->receive_depth = 32;
        setup_call(s.tcb[i], Label::TcbResume, {});
    }
    abi::IpcBuffer *rb = g_m->root.tcb->ipc_buffer_ptr();
    rb->receive_cnode = kCNode;
    rb->receive_index = s.first_empty;
    rb->receive_depth = 32;
    setup_call(abi::kCapInitTcb, Label::TcbSetPriority, {100}, {abi::kCapInitTcb});
    schedule();
    g_m->activate();
    (void)g_m->take_console();
    if (g_trace) {
        std::fprintf(stderr, "kernel-fuzz: setup: named slots (word class 2):");
        for (u32 i = 0; i < 32; ++i) std::fprintf(stderr, " %u", g_named[i]);
        std::fprintf(stderr, "; untyped %u-%u\n", bi->untyped.start, bi->untyped.end - 1);
    }

    char why[256] = {};
    InvariantScratch sc{g_a.data(), g_b.data(), g_c.data(), kScratch};
    if (!check_invariants(sc, why, sizeof(why))) die("setup", "invariant: %s", why);

    g_ram_snap.assign(host::g_ram, host::g_ram + host::g_ram_size);
    g_ks_snap = ks;
    std::memcpy(static_cast<void *>(g_cores_snap), ks_cores, sizeof(g_cores_snap));
    g_irq_snap = host::g_irq;
    g_flushes_snap = host::g_flushes;
    g_irq_line_snap = host::g_irq_line;
    g_ipi_snap = host::g_ipi;
    std::memcpy(g_user_timers_snap, host::g_user_timers, sizeof(g_user_timers_snap));
    std::memcpy(g_running_hw_asid_snap, host::g_running_hw_asid, sizeof(g_running_hw_asid_snap));
    std::memcpy(g_running_asid_snap, host::g_running_asid, sizeof(g_running_asid_snap));
    if (g_m->core() != 0) die("setup", "the setup ends on core %u", g_m->core());
}

void restore() {
    std::memcpy(host::g_ram, g_ram_snap.data(), g_ram_snap.size());
    ks = g_ks_snap;
    std::memcpy(static_cast<void *>(ks_cores), g_cores_snap, sizeof(g_cores_snap));
    host::g_irq = g_irq_snap;
    host::g_flushes = g_flushes_snap;
    host::g_irq_line = g_irq_line_snap;
    host::g_ipi = g_ipi_snap;
    std::memcpy(host::g_user_timers, g_user_timers_snap, sizeof(g_user_timers_snap));
    std::memcpy(host::g_running_hw_asid, g_running_hw_asid_snap, sizeof(g_running_hw_asid_snap));
    std::memcpy(host::g_running_asid, g_running_asid_snap, sizeof(g_running_asid_snap));
    g_m->on_core(0);
    g_m->irq_after(0);
    (void)g_m->take_console();
}

// ---------------------------------------------------------------- decoding

struct Input {
    const u8 *p, *end;
    bool empty() const { return p >= end; }
    u8 byte() { return p < end ? *p++ : 0; }
    u32 u32le() {
        u32 v = 0;
        for (u32 i = 0; i < 4; ++i) v |= u32{byte()} << (8 * i);
        return v;
    }
};

// Words worth trying, reached by one byte (class 3 of word()).
const u32 kConstants[32] = {
    0, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28, 31, 32, 33, 0xff, 0x100,
    0x1000, 0x1'0000, 0xf'ffff, 0x10'0000, 0x7fff'ffff, 0x8000'0000, 0xffff'ffff, 0xffff'fffe,
    0x7fff'0000, 0x7fff'f000, kPd2Vaddr, kPd2Vaddr + 0x1000, 0x100'0000, kBufVaddr, 0x1000'0000, 0xdead'beef,
};

// A word, biased toward small numbers (slots, labels, flags), useful
// constants and addresses, but reaching every value:
//   selector s, class s >> 5:  0: s & 31        1: 32 + (s & 31)     2: g_named[s & 31]
//   3: kConstants[s & 31]      4: (s & 31) << 8 | next byte         5: next four bytes (LE)
//   6: (s & 31) << 20 | next byte << 12 (a page address)            7: 1 << (s & 31)
u32 word(Input &in) {
    u8 s = in.byte();
    u32 low = s & 31u;
    switch (s >> 5) {
    case 0: return low;
    case 1: return 32 + low;
    case 2: return g_named[low];
    case 3: return kConstants[low];
    case 4: return low << 8 | in.byte();
    case 5: return in.u32le();
    case 6: return low << 20 | u32{in.byte()} << 12;
    default: return 1u << low;
    }
}

// ---------------------------------------------------------------- steps

enum Kind : u32 {
    KCall0, KCall1, KCall2, KCall3, KSend, KRecv, KReply, KYield, KRaw,
    KFault, KTick, KIrq, KPreempt, KSetReg, KBuf, KRedo,
};

struct Run {
    u32 step = 0;
    u32 preempt_every = 0;
    bool preempt_repeat = false, preempt_tick = false;
    bool halted = false;
};

// The message part of a system call (see make_seeds.py: msg()):
//   label byte b: b < 0xf0: label b % 46 (44 TCB.SetTimerAccess, 45 TCB.SetAffinity); else a word (20 bits kept)
//   shape byte: bits 3..0 message registers given, 5..4 extra caps, bit 6 a raw
//   length byte follows (the tag's length, whatever was given), bit 7 a caps-unwrapped byte follows
//   then the message registers (words), then the extra-cap pointers (words)
void load_message(Input &in, Tcb *t, u32 &label_out) {
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    u8 b = in.byte();
    u32 label = b < 0xf0 ? b % 46u : word(in) & 0xfffffu;
    u8 shape = in.byte();
    u32 n = shape & 15u, extra = (shape >> 4) & 3u, length = n, unwrapped = 0;
    if (shape & 0x40) length = in.byte() & 0x7fu;
    if (shape & 0x80) unwrapped = in.byte() & 7u;
    for (u32 i = 0; i < n; ++i) {
        u32 v = word(in);
        if (i < abi::kMsgRegisters || buf) set_mr(t, buf, i, v);
    }
    for (u32 i = 0; i < extra; ++i) {
        u32 v = word(in);
        if (buf) buf->caps_or_badges[i] = v;
    }
    t->context.r[arch::kRegInfo] = abi::MessageInfo{label, unwrapped, extra, length}.word();
    label_out = label;
}

const char *syscall_name(u32 n) {
    switch (n) {
    case 1: return "Call";
    case 2: return "ReplyRecv";
    case 3: return "Send";
    case 4: return "NBSend";
    case 5: return "Recv";
    case 6: return "NBRecv";
    case 7: return "Reply";
    case 8: return "Yield";
    case 16: return "DebugPutChar";
    case 17: return "DebugHalt";
    case 18: return "DebugDumpScheduler";
    case 19: return "DebugNameThread";
    case 20: return "DebugCapIdentify";
    default: return "unknown";
    }
}

// The running thread executes `svc` with its registers as they are.
// Whether r0 of `t` names a Debug cap: the authority DebugHalt and
// DebugDumpScheduler need (kernel/debug.hpp). Every thread here shares the root
// CNode, so the root's (abi::kCapDebug) and its copies qualify.
bool names_debug_cap(Tcb *t) {
    Lookup l = resolve(t->slots[kTcbCTable].cap, t->context.r[arch::kRegCap], 32);
    return l.ok() && l.slot->cap.type() == CapType::Debug;
}

// This step made an entry on the current core (or on `core`).
void entered() { g_entered |= 1u << g_m->core(); }
void entered(u32 core) { g_entered |= 1u << core; }

// The IPC fastpath off (or on again) on every core.
void switch_fastpath() {
    const bool off = !ks_cores[0].slowpath_only;
    for (CoreState &c : ks_cores) c.slowpath_only = off;
}

void do_syscall(Run &run, Tcb *t, u32 number) {
    trace("  %s: svc %u (%s) r0 %08x r1 %08x r2 %08x r3 %08x r4 %08x r5 %08x\n", t->name, number,
          syscall_name(number), t->context.r[0], t->context.r[1], t->context.r[2], t->context.r[3],
          t->context.r[4], t->context.r[5]);
    u32 before = here().preemptions, fast = here().fastpath_hits, pc = t->context.pc;
    // A Call on an object cap (not IPC) is an invocation: its reply must be an error code.
    bool invocation = false;
    if (number == static_cast<u32>(Syscall::Call)) {
        Lookup l = resolve(t->slots[kTcbCTable].cap, t->context.r[arch::kRegCap], 32);
        CapType ty = l.ok() ? l.slot->cap.type() : CapType::Null;
        invocation =
            ty != CapType::Null && ty != CapType::Endpoint && ty != CapType::Notification && ty != CapType::Reply;
    }
    // DebugHalt and DebugDumpScheduler: without a Debug cap, refused with
    // InvalidCapability (a DebugHalt that halts without one is caught in run_input).
    const bool debug_call =
        number == static_cast<u32>(Syscall::DebugHalt) || number == static_cast<u32>(Syscall::DebugDumpScheduler);
    const bool debug_cap = debug_call && names_debug_cap(t);
    g_m->enter(t, number);
    entered();
    if (debug_call && here().preemptions == before && t->state == ThreadState::Running && t->context.pc == pc + 4) {
        const u32 want = static_cast<u32>(debug_cap ? abi::Error::None : abi::Error::InvalidCapability);
        if (t->context.r[arch::kRegCap] != want)
            die("invariant violation", "'%s': %s %s a Debug cap returned r0 %u, expected %u", t->name,
                syscall_name(number), debug_cap ? "with" : "without", t->context.r[arch::kRegCap], want);
    }
    if (g_trace) {
        abi::MessageInfo info = abi::MessageInfo::from_word(t->context.r[arch::kRegInfo]);
        std::fprintf(stderr, "    -> '%s' state %u; r0 %08x label %u length %u mr0 %08x; now running '%s'%s\n",
                     t->name, static_cast<u32>(t->state), t->context.r[0], info.label, info.length,
                     t->context.r[arch::kRegMr0], here().current->name,
                     here().fastpath_hits != fast ? " (fastpath)" : "");
    }
    if (invocation && here().preemptions == before && t->state == ThreadState::Running && t->fault_kind == 0 &&
        t->context.pc == pc + 4) {
        abi::MessageInfo info = abi::MessageInfo::from_word(t->context.r[arch::kRegInfo]);
        if (info.label > static_cast<u32>(abi::Error::NotEnoughMemory) || info.length > abi::kMsgMaxLength ||
            info.extra_caps != 0)
            die("invariant violation", "'%s': an invocation replied with label %u, length %u, %u caps: no error code",
                t->name, info.label, info.length, info.extra_caps);
    }
    if (here().preemptions != before) {
        // Preempted: the call was rewound onto its svc; the CPU now takes the
        // pending interrupt (a timer tick, or one that needs nothing done), and
        // the thread re-executes the svc when it next runs (a Redo step, or any
        // other step: it is at an svc).
        trace("    preempted (pc back on the svc); %s\n",
              run.preempt_tick ? "a timer tick is taken" : "an interrupt is taken");
        g_m->irq_after(0);
        if (run.preempt_tick) g_m->tick();  // (this core's timer)
        if (run.preempt_repeat) g_m->irq_after(run.preempt_every, true);
    }
}

// Live threads, in derivation-list order (for the idle agent).
std::vector<Tcb *> live_threads() {
    std::vector<Tcb *> v;
    for (Slot *s = mdb_first(); s; s = s->next())
        if (s->cap.type() == CapType::Thread) {
            Tcb *t = kptr<Tcb>(s->cap.object());
            if (std::find(v.begin(), v.end(), t) == v.end()) v.push_back(t);
        }
    return v;
}

// A device interrupt on `line`: core 0's, whichever core the input is on.
void device_interrupt(u32 line) {
    host::OnCore as(0);
    g_m->interrupt(line);
    entered(0);
}

// Several cores (KPreempt with arg bit 3): a byte b; op b & 3, core c = (b >> 2) & 3:
//   0  the steps after are made as core c (its running thread, or its idle agent)
//   1  every pending IPI is taken (core by core, again while taking one leaves another)
//   2  core c takes its IPI, if one is pending
//   3  TCB.SetAffinity on the cap pointer word(in) follows: to core c, or with
//      bit 4 of b to core 4 + c + 4 * (b >> 5), beyond the last. The running
//      thread invokes it; on an idle core the agent moves the thread (a core that exists).
void smp_step(Run &run, Input &in, Tcb *t) {
    const u8 b = in.byte();
    const u32 c = (b >> 2) & 3u;
    switch (b & 3u) {
    case 0:
        trace("  the steps after are core %u's (it runs '%s'%s)\n", c, ks_cores[c].current->name,
              g_m->ipi_pending(c) ? ", an IPI pending" : "");
        g_m->on_core(c);
        return;
    case 1:
        for (u32 n = 0, again = 1; again; ) {
            again = 0;
            for (u32 core = 0; core < kCores; ++core) {
                if (!g_m->ipi_pending(core)) continue;
                Tcb *next = g_m->take_ipi(core);
                trace("  core %u takes its IPI: it runs '%s'\n", core, next->name);
                entered(core);
                again = 1;
                if (++n > 1000) die("harness error", "IPIs keep coming");
            }
        }
        return;
    case 2:
        if (g_m->ipi_pending(c)) {
            Tcb *next = g_m->take_ipi(c);
            trace("  core %u takes its IPI: it runs '%s'\n", c, next->name);
            entered(c);
        } else {
            trace("  core %u has no IPI pending\n", c);
        }
        return;
    default: break;
    }
    const u32 cptr = word(in);
    const u32 core = b & 0x10 ? 4 + c + 4 * (b >> 5) : c;
    if (t) {
        t->context.r[arch::kRegCap] = cptr;
        set_mr(t, t->ipc_buffer_ptr(), 0, core);
        t->context.r[arch::kRegInfo] = abi::MessageInfo{static_cast<u32>(Label::TcbSetAffinity), 0, 0, 1}.word();
        trace("  %s: TCB.SetAffinity cap %u core %u\n", t->name, cptr, core);
        do_syscall(run, t, static_cast<u32>(Syscall::Call));
        return;
    }
    Lookup l = resolve(g_m->root.tcb->slots[kTcbCTable].cap, cptr, 32);
    if (!l.ok() || l.slot->cap.type() != CapType::Thread || core >= kCores) {
        trace("  idle: the agent moves nothing (cap %u, core %u)\n", cptr, core);
        return;
    }
    Tcb *target = kptr<Tcb>(l.slot->cap.object());
    trace("  idle: the agent moves '%s' to core %u\n", target->name, core);
    invoke_tcb_set_affinity(target, core);
    schedule();
    g_m->activate();
    entered();
}

std::vector<u32> unmasked_device_lines() {
    std::vector<u32> v;
    for (u32 line = 16; line < board::kIrqLines; ++line)
        if (!host::g_irq.masked.test(line) && line != board::kTimerIrqs[0] && line != board::kTimerIrqs[1])
            v.push_back(line);
    return v;
}

void step_idle(Run &run, Input &in, u32 kind, u32 arg) {
    if (kind == KTick || kind == KFault) {
        trace("  idle: tick\n");
        g_m->tick();
        entered();
        return;
    }
    if (kind == KIrq) {
        std::vector<u32> lines = unmasked_device_lines();
        u8 b = in.byte();
        if (lines.empty()) {
            trace("  idle: tick (no unmasked device line)\n");
            g_m->tick();
            entered();
            return;
        }
        u32 line = lines[b % lines.size()];
        trace("  idle: interrupt on line %u\n", line);
        device_interrupt(line);
        return;
    }
    if (kind == KPreempt) {
        if (arg & 8) return smp_step(run, in, nullptr);
        (void)in.byte();
        if (arg & 4) switch_fastpath();
        trace("  idle: nothing%s\n", arg & 4 ? " (the IPC fastpath switched)" : "");
        return;
    }
    // An outside agent (a debugger, or a supervisor the model leaves out)
    // resumes a thread: a stopped one restarts where it was, a blocked one is
    // taken out of its wait and continues after its svc.
    std::vector<Tcb *> threads = live_threads();
    u8 b = in.byte();
    if (threads.empty()) {
        trace("  idle: tick (no threads left)\n");
        g_m->tick();
        entered();
        return;
    }
    Tcb *t = threads[b % threads.size()];
    trace("  idle: agent resumes '%s' (state %u)\n", t->name, static_cast<u32>(t->state));
    if (t->state == ThreadState::Inactive || t->state == ThreadState::BlockedOnReply) {
        tcb_resume(t);
    } else if (!is_runnable(t)) {
        tcb_suspend(t);
        u32 pc = t->context.pc + 4;
        invoke_tcb_write_registers(t, true, 1, &pc);
    }
    schedule();
    g_m->activate();
    entered();
}

void step_thread(Run &run, Input &in, Tcb *t, u32 kind, u32 arg) {
    auto &r = t->context.r;
    switch (kind) {
    case KCall0:
    case KCall1:
    case KCall2:
    case KCall3: {
        r[arch::kRegCap] = word(in);
        u32 label;
        load_message(in, t, label);
        trace("  %s: Call cap %u label %u\n", t->name, r[arch::kRegCap], label);
        do_syscall(run, t, static_cast<u32>(Syscall::Call));
        return;
    }
    case KSend: {
        r[arch::kRegCap] = word(in);
        u32 label;
        load_message(in, t, label);
        do_syscall(run, t, static_cast<u32>(arg & 1 ? Syscall::NBSend : Syscall::Send));
        return;
    }
    case KRecv:
        r[arch::kRegCap] = word(in);
        do_syscall(run, t, static_cast<u32>(arg & 1 ? Syscall::NBRecv : Syscall::Recv));
        return;
    case KReply: {
        r[arch::kRegCap] = word(in);
        u32 label;
        load_message(in, t, label);
        do_syscall(run, t, static_cast<u32>(arg & 1 ? Syscall::ReplyRecv : Syscall::Reply));
        return;
    }
    case KYield: do_syscall(run, t, static_cast<u32>(Syscall::Yield)); return;
    case KRaw: {
        // Any number, with any of r0-r5 replaced: b < 0xf0 picks 0..23
        // (every call, debug call and unknown ones nearby), else a word.
        u8 b = in.byte();
        u32 number = b < 0xf0 ? b % 24u : word(in);
        u8 mask = in.byte();
        for (u32 i = 0; i < 6; ++i)
            if (mask & (1u << i)) r[i] = word(in);
        // With a Debug cap in r0 it ends the run (halt throws); a halt without one is a failure.
        if (number == static_cast<u32>(Syscall::DebugHalt)) run.halted = names_debug_cap(t);
        do_syscall(run, t, number);
        return;
    }
    case KFault: {
        // arg bit 0: undefined instruction (else a page fault); bit 1: instruction fetch.
        Fault f{};
        if (arg & 1) {
            f = {FaultKind::UserException, t->context.pc, 0, false};
        } else {
            u32 address = word(in);
            u8 status = in.byte();
            f = {FaultKind::VmFault, address, status, (arg & 2) != 0};
        }
        trace("  %s: %s at %08x\n", t->name, fault_kind_name(f.kind), f.address);
        g_m->fault(f);
        entered();
        return;
    }
    case KTick:
        for (u32 i = 0; i <= (arg & 7); ++i) {
            trace("  tick\n");
            g_m->tick();
        }
        entered();
        return;
    case KIrq: {
        std::vector<u32> lines = unmasked_device_lines();
        u8 b = in.byte();
        if (lines.empty()) {
            trace("  tick (no unmasked device line)\n");
            g_m->tick();
            entered();
            return;
        }
        u32 line = lines[b % lines.size()];
        trace("  interrupt on line %u\n", line);
        device_interrupt(line);
        return;
    }
    case KPreempt: {
        // An interrupt becomes pending at the n-th preemption point from now
        // (and every n-th after that with arg bit 0); with bit 1 it is the
        // timer's (a tick: it may end the thread's timeslice). With bit 2
        // instead: the IPC fastpath is switched off (or on again), so both
        // paths meet the same states. With bit 3: a step of several cores (smp_step).
        if (arg & 8) return smp_step(run, in, t);
        if (arg & 4) {
            (void)in.byte();
            switch_fastpath();
            trace("  the IPC fastpath is %s\n", here().slowpath_only ? "off" : "on");
            return;
        }
        run.preempt_every = 1u + in.byte();
        run.preempt_repeat = arg & 1;
        run.preempt_tick = arg & 2;
        trace("  preemption after %u points%s%s\n", run.preempt_every, run.preempt_repeat ? ", repeating" : "",
              run.preempt_tick ? ", by the timer" : "");
        g_m->irq_after(run.preempt_every, run.preempt_repeat);
        return;
    }
    case KSetReg: {
        // The thread sets one of its own registers (pc, sp, cpsr, lr, r0-r12;
        // cpsr only in its user-writable bits, as the CPU allows).
        u32 index = in.byte() % arch::kUserRegisters;
        u32 v = word(in);
        tcb_set_register(t, index, v);
        trace("  %s: register %u = %08x\n", t->name, index, v);
        return;
    }
    case KBuf: {
        // The thread writes one word of its IPC buffer (msg, caps, receive slot...).
        u32 index = in.byte() % (sizeof(abi::IpcBuffer) / 4);
        u32 v = word(in);
        if (abi::IpcBuffer *buf = t->ipc_buffer_ptr()) reinterpret_cast<u32 *>(buf)[index] = v;
        trace("  %s: IPC buffer word %u = %08x\n", t->name, index, v);
        return;
    }
    case KRedo:
        // The instruction at pc is an svc: executed with the registers as they are.
        do_syscall(run, t, r[arch::kRegSyscall]);
        return;
    }
}

// ---------------------------------------------------------------- checks

struct Live {
    std::vector<std::pair<paddr_t, CapType>> objs;  // sorted
    std::vector<std::pair<paddr_t, u32>> spans;    // CNodes and TCBs: slot areas [addr, addr + bytes)
    u64 caps = 0, untyped = 0, cnode_slots = 0;   // the checker's work grows with these

    void build() {
        objs.clear();
        spans.clear();
        caps = untyped = cnode_slots = 0;
        for (Slot *s = mdb_first(); s; s = s->next()) {
            const Cap &c = s->cap;
            ++caps;
            if (c.type() == CapType::Untyped) ++untyped;
            switch (c.type()) {
            case CapType::Endpoint:
            case CapType::Notification:
            case CapType::Thread:
            case CapType::PageDirectory:
            case CapType::PageTable:
            case CapType::AsidPool:
            case CapType::CNode:
                objs.emplace_back(c.object(), c.type());
                if (c.type() == CapType::CNode) spans.emplace_back(c.object(), u32{16} << c.cnode_radix());
                if (c.type() == CapType::Thread) spans.emplace_back(c.object(), u32{sizeof(Slot) * kTcbSlots});
                break;
            case CapType::Zombie:
                // Being destroyed: its slots still hold caps until emptied.
                spans.emplace_back(c.object(), c.zombie_is_tcb() ? u32{sizeof(Slot) * kTcbSlots}
                                                                  : u32{1} << c.object_size_bits());
                break;
            default: break;
            }
        }
        std::sort(objs.begin(), objs.end());
        objs.erase(std::unique(objs.begin(), objs.end()), objs.end());
        std::sort(spans.begin(), spans.end());
        spans.erase(std::unique(spans.begin(), spans.end()), spans.end());
        for (auto &[a, n] : spans) cnode_slots += n / sizeof(Slot);
    }
    // The invariant checker's cost per step grows with caps x Untyped and with
    // the slots of every CNode: past this, a check after every step would make
    // an input run for minutes, so the input ends there (after its last check).
    bool too_big() const { return caps > 8192 || caps * untyped > 4'000'000 || cnode_slots > 200'000; }
    bool has(paddr_t p, CapType t) const { return std::binary_search(objs.begin(), objs.end(), std::make_pair(p, t)); }
    bool slot_in_live_object(paddr_t p) const {
        for (auto &[a, n] : spans)
            if (p >= a && p - a < n) return true;
        return false;
    }
};

Live g_live;

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...) {
    char buf[300];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    return buf;
}

const char *name_of(const Tcb *t) { return t->name[0] ? t->name : "?"; }

// Empty when every check holds, else the first violation.
std::string check_all() {
    char why[256] = {};
    InvariantScratch sc{g_a.data(), g_b.data(), g_c.data(), kScratch};
    if (!check_invariants(sc, why, sizeof(why))) return std::string("kernel invariant: ") + why;

    // Each core: what it runs is alive and its own, on no other core; a core
    // that made an entry in this step, or has no IPI to take, has settled:
    // it runs a runnable thread that outranks the ones ready there.
    Live &lv = g_live;
    lv.build();
    auto running_anywhere = [](const Tcb *t) {
        for (const CoreState &c : ks_cores)
            if (c.current == t) return true;
        return false;
    };
    for (u32 core = 0; core < kCores; ++core) {
        const CoreState &c = ks_cores[core];
        Tcb *cur = c.current;
        if (cur != c.idle) {
            if (!lv.has(kref(cur), CapType::Thread))
                return fmt("core %u: the running thread '%s' (%x) is a deleted object", core, name_of(cur), kref(cur));
            if (cur->affinity != core) return fmt("core %u runs '%s' of core %u", core, name_of(cur), cur->affinity);
            for (u32 other = core + 1; other < kCores; ++other)
                if (ks_cores[other].current == cur)
                    return fmt("'%s' runs on cores %u and %u", name_of(cur), core, other);
            // The hardware ASID its user mode runs with (Machine::activate) is
            // still lent to the address space it was lent to then: never
            // freed or handed to another while a core runs with it
            // (smp_stall_hw_asid_users).
            if (const u32 hw = host::g_running_hw_asid[core]) {
                const u32 owner = ks.hw_asid_owner[hw], asid = host::g_running_asid[core];
                if (owner != asid || find_pd(asid) == 0)
                    return fmt("core %u runs '%s' with hardware ASID %u of ASID %u, which is now %s", core,
                               name_of(cur), hw, asid, owner == 0 ? "free" : owner != asid ? "another's" : "gone");
            }
        }
        const bool entry = g_entered & (1u << core);
        if (g_m->ipi_pending(core) && !entry) continue;  // it chooses again when it takes the IPI
        if (c.action != SchedulerAction::ResumeCurrent)
            return fmt("core %u: a scheduler action is left pending %s", core,
                       entry ? "at kernel exit" : "with no IPI to take");
        int hi = -1;
        for (int p = kMaxPriority; p >= 0 && hi < 0; --p)
            if (c.ready_head[p]) hi = p;
        if (cur == c.idle) {
            if (hi >= 0) return fmt("core %u: idle runs while priority %d is ready", core, hi);
        } else {
            if (!is_runnable(cur))
                return fmt("core %u: the running thread '%s' is not runnable (state %u)", core, name_of(cur),
                           static_cast<u32>(cur->state));
            if (cur->in_ready_queue)
                return fmt("core %u: the running thread '%s' is in a ready queue", core, name_of(cur));
            if (hi > static_cast<int>(cur->priority))
                return fmt("core %u: '%s' at priority %u runs while priority %d is ready", core, name_of(cur),
                           cur->priority, hi);
        }
    }

    // Every queue holds live threads only; count each thread's appearances.
    std::vector<std::pair<paddr_t, u32>> seen;  // thread -> queues it is on
    auto saw = [&](paddr_t t) {
        for (auto &e : seen)
            if (e.first == t) return ++e.second, void();
        seen.emplace_back(t, 1);
    };
    const u32 limit = 1u << 16;
    for (u32 core = 0; core < kCores; ++core) {
        for (u32 p = 0; p < kNumPriorities; ++p) {
            u32 n = 0;
            for (Tcb *t = kptr<Tcb>(ks_cores[core].ready_head[p]); t; t = kptr<Tcb>(t->sched_next)) {
                if (++n > limit) return fmt("core %u: ready queue %u does not end", core, p);
                if (!lv.has(kref(t), CapType::Thread))
                    return fmt("core %u: ready queue %u holds a deleted thread %x ('%s')", core, p, kref(t),
                               name_of(t));
                saw(kref(t));
            }
        }
    }
    for (auto &[obj, type] : lv.objs) {
        if (type == CapType::Endpoint || type == CapType::Notification) {
            u32 head =
                type == CapType::Endpoint ? kptr<Endpoint>(obj)->head : kptr<Notification>(obj)->head_and_state & ~3u;
            u32 n = 0;
            for (Tcb *t = kptr<Tcb>(head); t; t = kptr<Tcb>(t->ep_next)) {
                if (++n > limit) return fmt("%s %x: queue does not end", cap_type_name(type), obj);
                if (!lv.has(kref(t), CapType::Thread))
                    return fmt("%s %x queues a deleted thread %x ('%s')", cap_type_name(type), obj, kref(t),
                               name_of(t));
                saw(kref(t));
            }
            if (type == CapType::Notification) {
                auto *nt = kptr<Notification>(obj);
                if (nt->bound_tcb) {
                    if (!lv.has(nt->bound_tcb, CapType::Thread))
                        return fmt("notification %x is bound to a deleted thread %x", obj, nt->bound_tcb);
                    if (kptr<Tcb>(nt->bound_tcb)->bound_ntfn != obj)
                        return fmt("notification %x is bound to thread '%s', which is not bound to it", obj,
                                   name_of(kptr<Tcb>(nt->bound_tcb)));
                }
            }
        }
    }
    for (auto &[obj, type] : lv.objs) {
        if (type != CapType::Thread) continue;
        Tcb *t = kptr<Tcb>(obj);
        u32 queued = 0;
        for (auto &e : seen)
            if (e.first == obj) queued = e.second;
        bool should = false;
        switch (t->state) {
        case ThreadState::Running:
        case ThreadState::Restart: should = !running_anywhere(t); break;
        case ThreadState::BlockedOnSend:
        case ThreadState::BlockedOnRecv:
            if (!lv.has(t->blocked_on, CapType::Endpoint))
                return fmt("thread '%s' is blocked on endpoint %x, which is deleted", name_of(t), t->blocked_on);
            should = true;
            break;
        case ThreadState::BlockedOnNotification:
            if (!lv.has(t->blocked_on, CapType::Notification))
                return fmt("thread '%s' waits on notification %x, which is deleted", name_of(t), t->blocked_on);
            should = true;
            break;
        case ThreadState::BlockedOnReply: {
            Slot *h = kptr<Slot>(t->reply_holder);
            if (!h || !lv.slot_in_live_object(t->reply_holder))
                return fmt("thread '%s' waits for a reply held in slot %x of a deleted object", name_of(t),
                           t->reply_holder);
            if (h->cap.type() != CapType::Reply || h->cap.object() != obj)
                return fmt("thread '%s' waits for a reply that slot %x does not promise", name_of(t), t->reply_holder);
            break;
        }
        case ThreadState::Inactive: break;
        default: return fmt("thread '%s' is in state %u", name_of(t), static_cast<u32>(t->state));
        }
        if (queued != (should ? 1u : 0u))
            return fmt("thread '%s' (state %u%s) is on %u queues, expected %u", name_of(t), static_cast<u32>(t->state),
                       running_anywhere(t) ? ", running" : "", queued, should ? 1u : 0u);
        if (t->bound_ntfn) {
            if (!lv.has(t->bound_ntfn, CapType::Notification))
                return fmt("thread '%s' is bound to notification %x, which is deleted", name_of(t), t->bound_ntfn);
            if (kptr<Notification>(t->bound_ntfn)->bound_tcb != obj)
                return fmt("thread '%s' is bound to a notification that is not bound to it", name_of(t));
        }
    }
    // ASID pools and the directories they name.
    for (u32 i = 0; i < abi::kAsidPools; ++i) {
        paddr_t pool = ks.asid_table[i];
        if (!pool) continue;
        if (!lv.has(pool, CapType::AsidPool)) return fmt("ASID pool %u (%x) is a deleted object", i, pool);
        const u32 *e = kptr<u32>(pool);
        for (u32 k = 0; k < abi::kAsidsPerPool; ++k) {
            paddr_t pd = e[k] & ~((1u << abi::kPageDirectoryBits) - 1);
            if (pd && !lv.has(pd, CapType::PageDirectory))
                return fmt("ASID %u names page directory %x, which is deleted", i * abi::kAsidsPerPool + k, pd);
        }
    }
    return {};
}

// ---------------------------------------------------------------- one input

void run_input(const u8 *data, size_t size) {
    restore();
    Input in{data, data + size};
    Run run;
    for (; !in.empty() && run.step < kMaxSteps && !run.halted; ++run.step) {
        u8 op = in.byte();
        u32 kind = op & 15u, arg = op >> 4;
        Tcb *cur = here().current;
        g_entered = 0;
        trace("step %u (core %u): op %02x\n", run.step, g_m->core(), op);
        try {
            if (cur == g_m->idle()) step_idle(run, in, kind, arg);
            else step_thread(run, in, cur, kind, arg);
        } catch (const host::KernelPanic &p) {
            if (run.halted && std::strncmp(p.what(), "halt(", 5) == 0) {
                trace("  the system halted\n");
                return;
            }
            die("kernel panic", "step %u: %s", run.step, p.what());
        } catch (const std::exception &e) {
            die("harness error", "step %u: %s", run.step, e.what());
        }
        run.halted = false;  // a DebugHalt that returned did not halt
        // (Every entry returned through the architecture's activation of the
        // thread it resumes, Machine::activate: its address space has a
        // hardware ASID, and arch::running_hw_asid() says which.)
        std::string con = g_m->take_console();
        if (g_trace && !con.empty()) std::fprintf(stderr, "%s", con.c_str());
        std::string why = check_all();
        if (!why.empty()) die("invariant violation", "step %u (op %02x): %s", run.step, op, why.c_str());
        if (g_live.too_big()) {
            trace(
                "  the world is too big to check after every step (%llu caps, %llu Untyped, %llu CNode slots): the "
                "input ends\n",
                static_cast<unsigned long long>(g_live.caps), static_cast<unsigned long long>(g_live.untyped),
                static_cast<unsigned long long>(g_live.cnode_slots));
            return;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    setup();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const u8 *data, size_t size) {
    run_input(data, size);
    return 0;
}
