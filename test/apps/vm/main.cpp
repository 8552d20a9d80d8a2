// SPDX-License-Identifier: BSD-2-Clause
// vm: a root task that tests the virtual-memory layer from user space.
//
// It builds address spaces with the Page, PageTable, PageDirectory, ASID
// Control and ASID Pool invocations and runs one test after another, each
// ending in a line "vm: <what>: ok" (or FAILED), then prints
// "vm: done, N check(s) failed" and ends the run with DebugHalt(N):
//   frames        a frame of each size (4 KiB, 64 KiB, 1 MiB, 16 MiB) mapped into
//                 the root's own Page Directory: written and read back,
//                 GetAddress where Retype put it, a copy of the cap mapped
//                 elsewhere at the same time sees the same memory, an unmapped
//                 address faults, the frame mapped again elsewhere keeps its data;
//   rights        a write to a read-only mapping (or through a read-only cap)
//                 faults, the handler's reply moves the thread on; code in an
//                 execute-never mapping faults as an instruction fetch, and runs
//                 once the same frame is mapped again without execute-never;
//   bad input     every invalid map, unmap, cache and ASID invocation returns
//                 the abi.hpp error (and argument or cap index);
//   image frames  BootInfo.user_image_frames back the root's image in order;
//   address space a child in a Page Directory of its own, made of copies of
//                 those frames plus a private stack and IPC buffer: IPC
//                 ping-pong with the root, a frame shared both ways, and the
//                 root's memory out of its reach (its accesses fault to the root);
//   demand paging the root as the child's pager maps a frame (and page table)
//                 at each fault address and replies with length 0;
//   revoke        revoking the Untyped a child's frames came from unmaps them;
//   ASID pools    a pool takes 1024 Page Directories, then DeleteFirst; a freed
//                 ASID is given again; ASID Control makes 63 pools besides the
//                 initial one, then DeleteFirst; deleted pools can be made again;
//   ASID reuse    300 address spaces (more than the 255 hardware ASIDs), each with
//                 its own frame at one address, run twice in turn: each reports
//                 its own value, never the root's decoy at that address.
//
// Objects come from the smallest RAM Untyped of at least 64 MiB ("main"). Its
// first object is a 32 MiB "scratch" Untyped from which each test phase takes
// what it needs; the phase ends with a Revoke of scratch, which destroys (and
// unmaps) all of it, and its CNode slots are used again. Objects that live for
// the whole run come from main.
//
// Threads in the root's address space work as in test/apps/threads: the root CNode
// as CSpace, a static stack and a 512-byte slice of the root's IPC buffer
// frame each. Child threads in other address spaces share the root CNode too.
// Every thread's fault endpoint is g_ep (through a cap with badge kFaultBadge);
// threads report results by a Call on g_ep (badge kReportBadge, label kReport);
// the root, at a lower priority than all of them, receives both on g_ep.
#include "petrel/bootinfo.hpp"
#include "petrel/checks.hpp"
#include "petrel/errors.hpp"
#include "petrel/invocations.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using abi::Error;
using abi::MessageInfo;

// Test code copied into frames. code_ret42 returns 42. asid_probe reports,
// forever, the word at [r8] and r9 by Call on r6, label kReport.
extern "C" char code_ret42[], code_ret42_end[], asid_probe[], asid_probe_end[];
asm(R"(
    .text
    .arm
    .balign 4
    .global code_ret42
    .global code_ret42_end
code_ret42:
    mov     r0, #42
    bx      lr
code_ret42_end:
    .global asid_probe
    .global asid_probe_end
asid_probe:
1:  mov     r0, r6          @ cap pointer: the report endpoint
    ldr     r2, [r8]        @ MR0: the word this address space holds
    mov     r3, r9          @ MR1: the address space's number
    movw    r1, #2          @ tag: length 2,
    movt    r1, #0x10       @ label 0x100 (kReport)
    mov     r7, #1          @ Syscall::Call
    svc     #0
    b       1b
asid_probe_end:
)");

namespace {

constexpr u32 kRootPriority = 50;
constexpr u32 kThreadPriority = 100;
constexpr u32 kMaxThreads = 7;  // IPC buffer slices 1..7 of the root's frame
constexpr u32 kStackSize = 4096;
constexpr u32 kReport = 0x100;   // a thread's result (asid_probe encodes it too)
constexpr u32 kResumed = 0x101;  // a thread moved on by its fault handler's reply
constexpr u32 kEnded = 0x102;    // a root-space thread's function returned
constexpr u32 kFaultBadge = 1, kReportBadge = 2;
constexpr u32 kRw = abi::kRightRead | abi::kRightWrite;
constexpr u32 kPage = 4096;

// The root's address space: the test area and one PageTable at its start.
constexpr u32 kArea = 0x4000'0000;
constexpr u32 kRoRights = kArea + 0x4000, kRoCap = kArea + 0x5000, kXn = kArea + 0x6000;
constexpr u32 kDemandCheck = kArea + 0x7000, kRevokeCheck = kArea + 0x8000, kImageCheck = kArea + 0x9000;
constexpr u32 kRootOnly = kArea + 0xa000, kRootShared = kArea + 0xb000, kStage = kArea + 0xc000;
constexpr u32 kBadArea = 0x4800'0000;  // a megabyte of its own for the bad-input test

// A child's address space: the root's image at its own addresses (copies of
// the frame caps; text read-only and executable, data read-only), then below
// 1 MiB, in the same PageTable, a shared frame, its stack and IPC buffer.
constexpr u32 kImageBase = 0x0001'0000;
constexpr u32 kChildShared = 0x000c'0000, kChildStack = 0x000e'0000, kChildIpc = 0x000f'0000;
constexpr u32 kChildStackTop = kChildStack + kPage;
constexpr u32 kDemandBase = 0x2000'0000;  // demand-paged in the child
constexpr u32 kRevokeBase = 0x3000'0000;  // frames from a revoked Untyped in the child
constexpr u32 kProbeVaddr = 0x0040'0000;  // the ASID-reuse spaces' one page

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
Checks g_checks{"vm"};

u32 g_main;  // the Untyped everything comes from
paddr_t g_main_base;
u32 g_scratch;        // 32 MiB Untyped, revoked after every phase
u32 g_ut;             // where make() takes objects from: g_main or g_scratch
u32 g_scratch_water;  // what make() has taken from scratch since its last Revoke (bytes)
constexpr u32 kScratchBits = 25;
u32 g_next_slot;
u32 g_phase_mark;

u32 g_ep;  // the root receives faults and reports here
u32 g_fault_cap, g_report_cap;
u32 g_root_pt;  // the PageTable at kArea in the root's Page Directory
ImageExtent g_image;  // the root's own image: its pages, which of them are text

volatile u32 g_isolation_word = 0x150150;  // the root's data; children see it read-only

// ---------------------------------------------------------------- helpers
u64 counter() {
    u32 lo, hi;
    asm volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return u64{hi} << 32 | lo;
}

u32 align_up(u32 v, u32 a) { return (v + a - 1) & ~(a - 1); }

volatile u32 *word(u32 addr) { return reinterpret_cast<volatile u32 *>(addr); }

// ---------------------------------------------------------------- slots and objects
u32 alloc_slots(u32 n) {
    if (g_next_slot + n > g_bi->empty.end) g_checks.fatal("out of CNode slots");
    const u32 s = g_next_slot;
    g_next_slot += n;
    return s;
}
u32 alloc_slot() { return alloc_slots(1); }

u32 object_bits(abi::ObjectType type, u32 size_bits) {
    switch (type) {
        case abi::ObjectType::Untyped:
            return size_bits;
        case abi::ObjectType::Tcb:
            return abi::kTcbBits;
        case abi::ObjectType::Endpoint:
            return abi::kEndpointBits;
        case abi::ObjectType::Notification:
            return abi::kNotificationBits;
        case abi::ObjectType::CNode:
            return size_bits + abi::kSlotBits;
        case abi::ObjectType::PageDirectory:
            return abi::kPageDirectoryBits;
        case abi::ObjectType::PageTable:
            return abi::kPageTableBits;
        case abi::ObjectType::Frame4K:
            return abi::kPageBits;
        case abi::ObjectType::Frame64K:
            return abi::kLargePageBits;
        case abi::ObjectType::Frame1M:
            return abi::kSectionBits;
        case abi::ObjectType::Frame16M:
            return abi::kSuperSectionBits;
        default:
            return 0;
    }
}

// `n` objects into consecutive slots (Retype takes at most 256 at a time);
// returns the first slot. From scratch, the address of the first object (in
// `paddr` if given) is where Retype must put it: the watermark, aligned.
u32 make_n(abi::ObjectType type, u32 n, u32 size_bits = 0, u32 *paddr = nullptr) {
    const u32 first = alloc_slots(n);
    const u32 bits = object_bits(type, size_bits);
    if (g_ut == g_scratch) {
        g_scratch_water = align_up(g_scratch_water, 1u << bits);
        if (paddr) *paddr = g_main_base + g_scratch_water;  // scratch is main's first object
        g_scratch_water += n << bits;
    }
    for (u32 done = 0; done < n;) {
        const u32 k = n - done < abi::kRetypeMaxObjects ? n - done : abi::kRetypeMaxObjects;
        if (!g_checks.expect_ok(
                untyped_retype(g_ipc, g_ut, type, size_bits, abi::kCapInitCNode, 0, 0, first + done, k),
                "Untyped.Retype"))
            g_checks.fatal("Untyped.Retype");
        done += k;
    }
    return first;
}
u32 make(abi::ObjectType type, u32 size_bits = 0, u32 *paddr = nullptr) {
    return make_n(type, 1, size_bits, paddr);
}

u32 mint(u32 src, u32 rights, u32 badge) {
    const u32 slot = alloc_slot();
    g_checks.expect_ok(
        cnode_mint(g_ipc, abi::kCapInitCNode, slot, 32, abi::kCapInitCNode, src, 32, rights, badge),
        "CNode.Mint");
    return slot;
}

u32 copy(u32 src, u32 rights) {
    const u32 slot = alloc_slot();
    g_checks.expect_ok(cnode_copy(g_ipc, abi::kCapInitCNode, slot, 32, abi::kCapInitCNode, src, 32, rights),
                       "CNode.Copy");
    return slot;
}

void del(u32 slot) { g_checks.expect_ok(cnode_delete(abi::kCapInitCNode, slot, 32), "CNode.Delete"); }

// A phase takes its objects from scratch; its end revokes scratch (destroying
// and unmapping all of them) and frees the slots it used.
void phase_begin() {
    g_phase_mark = g_next_slot;
    g_ut = g_scratch;
    g_scratch_water = 0;
}

void phase_end() {
    g_checks.expect_ok(cnode_revoke(abi::kCapInitCNode, g_scratch, 32), "CNode.Revoke (scratch)");
    for (u32 s = g_phase_mark; s < g_next_slot; ++s)
        if (debug_cap_identify(s) != 0) del(s);  // caps not made from scratch
    g_next_slot = g_phase_mark;
    g_ut = g_main;
}

Error map_rw(u32 frame, u32 pd, u32 vaddr, u32 attr = abi::kVmDefault) {
    return page_map(g_ipc, frame, pd, vaddr, kRw, attr);
}

// ---------------------------------------------------------------- events
struct Event {
    u32 label, length, badge;
    u32 mr[abi::kMsgRegisters];
};

// The next fault or report on g_ep.
Event next_event() {
    MessageRegs mr{};
    RecvResult r = recv(g_ep, mr);
    return {r.info.label, r.info.length, r.badge, {mr[0], mr[1], mr[2], mr[3]}};
}

bool is_vm_fault(const Event &e) {
    return e.label == static_cast<u32>(abi::FaultLabel::VmFault) && e.length == 4 && e.badge == kFaultBadge;
}
bool is_report(const Event &e) { return e.label == kReport && e.badge == kReportBadge; }

// A data fault at `addr`: VmFault, MR1 the address, MR2 0.
bool is_data_fault(const Event &e, u32 addr) { return is_vm_fault(e) && e.mr[1] == addr && e.mr[2] == 0; }

void print_event(const char *what, const Event &e) {
    if (e.label == static_cast<u32>(abi::FaultLabel::VmFault))
        printf("vm:   %s: VmFault (badge %u, length %u): pc %08x, address %08x, %s, status %x\n", what,
               e.badge, e.length, e.mr[0], e.mr[1], e.mr[2] ? "instruction fetch" : "data access", e.mr[3]);
    else if (e.label == kReport)
        printf("vm:   %s: report (badge %u): %08x %08x\n", what, e.badge, e.mr[0], e.mr[1]);
    else
        printf("vm:   %s: message label %x, length %u, badge %u, MR0-3 %08x %08x %08x %08x\n", what, e.label,
               e.length, e.badge, e.mr[0], e.mr[1], e.mr[2], e.mr[3]);
}

// ---------------------------------------------------------------- threads in the root's address space
alignas(8) u8 g_stacks[kMaxThreads + 1][kStackSize];

struct Thread {
    u32 tcb;
    u32 index;
    abi::IpcBuffer *ipc;
    void (*fn)(Thread *);
    u32 arg[3];
};
Thread g_threads[kMaxThreads + 1];
bool g_in_use[kMaxThreads + 1];

void report(u32 label, u32 v0, u32 v1 = 0) {
    MessageRegs mr{v0, v1, 0, 0};
    call(g_report_cap, {label, 0, 0, 2}, mr);
}

[[noreturn]] void thread_start(Thread *t) {
    t->fn(t);
    for (;;) report(kEnded, t->index);
}

// Where a fault handler's reply (length 1: pc) sends a thread.
[[noreturn]] void thread_resumed() {
    for (;;) report(kResumed, 0);
}

void set_priority(u32 tcb, u32 p) {
    g_checks.expect_ok(tcb_set_priority(g_ipc, tcb, abi::kCapInitTcb, p), "TCB.SetPriority");
}

u32 cspace_data() { return abi::cnode_cap_data(0, 32 - g_bi->root_cnode_radix); }

Thread *spawn(const char *name, void (*fn)(Thread *), u32 a0 = 0, u32 a1 = 0, u32 a2 = 0) {
    u32 k = 1;
    while (k <= kMaxThreads && g_in_use[k]) ++k;
    if (k > kMaxThreads) g_checks.fatal("more than 7 threads at once");
    g_in_use[k] = true;
    const u32 buffer = g_bi->ipc_buffer + (k << abi::kIpcBufferSizeBits);
    auto *ipc = reinterpret_cast<abi::IpcBuffer *>(buffer);
    __builtin_memset(ipc, 0, sizeof(*ipc));
    Thread *t = &g_threads[k];
    *t = {make(abi::ObjectType::Tcb), k, ipc, fn, {a0, a1, a2}};
    g_checks.expect_ok(tcb_configure(g_ipc, t->tcb, g_fault_cap, abi::kCapInitCNode, cspace_data(),
                                     abi::kCapInitVSpace, 0, buffer, abi::kCapInitIpcBuffer),
                       "TCB.Configure");
    set_priority(t->tcb, kThreadPriority);
    debug_name_thread(g_ipc, t->tcb, name);
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(&thread_start);
    r.sp = reinterpret_cast<u32>(g_stacks[k] + kStackSize);
    r.cpsr = kCpsrUserArm;
    r.r[0] = reinterpret_cast<u32>(t);
    g_checks.expect_ok(tcb_write_registers(g_ipc, t->tcb, false, 5, r), "TCB.WriteRegisters");
    g_checks.expect_ok(tcb_resume(t->tcb), "TCB.Resume");  // runs at once, until it blocks
    return t;
}

void destroy(Thread *t) {
    del(t->tcb);
    g_in_use[t->index] = false;
}

// ---------------------------------------------------------------- probes: one access by a fresh thread
enum ProbeOp : u32 { kOpRead, kOpWrite, kOpExec };

void probe_main(Thread *t) {
    const u32 op = t->arg[0], addr = t->arg[1];
    u32 v = t->arg[2];
    if (op == kOpRead)
        v = *word(addr);
    else if (op == kOpWrite)
        *word(addr) = v;
    else
        v = reinterpret_cast<u32 (*)()>(addr)();
    report(kReport, v);
}

// A thread of the root's address space reads, writes (`v`) or calls `addr`;
// returns its report or its fault. The thread is gone afterwards.
Event probe(ProbeOp op, u32 addr, u32 v = 0) {
    Thread *t = spawn("probe", probe_main, op, addr, v);
    Event e = next_event();
    destroy(t);
    return e;
}

bool probe_reads(u32 addr, u32 expected) {
    Event e = probe(kOpRead, addr);
    if (is_report(e) && e.mr[0] == expected) return true;
    print_event("probe read", e);
    return false;
}

bool probe_faults(ProbeOp op, u32 addr) {
    Event e = probe(op, addr, 0xdead);
    const bool ok = op == kOpExec ? is_vm_fault(e) && e.mr[0] == addr && e.mr[1] == addr && e.mr[2] == 1
                                  : is_data_fault(e, addr);
    if (!ok) print_event("probe expected to fault", e);
    return ok;
}

// ---------------------------------------------------------------- frames
struct FrameCase {
    const char *name;
    abi::ObjectType type;
    u32 bits;
    u32 a, b, c;  // three places in the root's address space
};

// A signature per 4 KiB page of the frame, from its physical address.
u32 signature(u32 paddr, u32 page) { return (paddr + page * kPage) ^ 0x5a5a'1234u; }

u32 check_signatures(u32 vaddr, u32 paddr, u32 bits) {
    u32 bad = 0;
    const u32 pages = 1u << (bits - abi::kPageBits);
    for (u32 p = 0; p < pages; ++p)
        if (*word(vaddr + p * kPage) != signature(paddr, p)) ++bad;
    if (*word(vaddr + (1u << bits) - 4) != ~paddr) ++bad;
    return bad;
}

void test_frame(const FrameCase &fc) {
    u32 expected_pa = 0, pa = 0, pa_copy = 0;
    const u32 f = make(fc.type, 0, &expected_pa);
    const u32 pd = abi::kCapInitVSpace, size = 1u << fc.bits, pages = size / kPage;
    bool ok = g_checks.expect_ok(map_rw(f, pd, fc.a), "PageMap");
    ok = g_checks.expect_ok(page_get_address(f, pa), "PageGetAddress") && ok;
    for (u32 p = 0; p < pages; ++p) *word(fc.a + p * kPage) = signature(pa, p);
    *word(fc.a + size - 4) = ~pa;
    const u32 bad_a = check_signatures(fc.a, pa, fc.bits);
    // A copy of the cap maps the same frame at b while it is still mapped at a.
    const u32 f2 = copy(f, abi::kRightsAll);
    ok = g_checks.expect_ok(map_rw(f2, pd, fc.b), "PageMap (copy)") && ok;
    ok = g_checks.expect_ok(page_get_address(f2, pa_copy), "PageGetAddress (copy)") && ok;
    const u32 bad_b = check_signatures(fc.b, pa, fc.bits);
    *word(fc.b + 8) = 0x600d'cafe;  // written at b, read at a
    const bool alias = *word(fc.a + 8) == 0x600d'cafe;
    // Unmapped at a: a thread reading there faults; b still works.
    ok = g_checks.expect_ok(page_unmap(f), "PageUnmap") && ok;
    const bool unmapped_faults = probe_faults(kOpRead, fc.a + 8);
    const bool b_still = probe_reads(fc.b + 8, 0x600d'cafe);
    ok = g_checks.expect_ok(page_unmap(f2), "PageUnmap (copy)") && ok;
    // The original cap, now unmapped, maps anywhere: the data is still there.
    ok = g_checks.expect_ok(map_rw(f, pd, fc.c), "PageMap (again, elsewhere)") && ok;
    const u32 bad_c = check_signatures(fc.c, pa, fc.bits);
    const bool kept = *word(fc.c + 8) == 0x600d'cafe;
    ok = g_checks.expect_ok(page_unmap(f), "PageUnmap") && ok;
    ok = g_checks.expect_ok(page_unmap(f), "PageUnmap (not mapped: nothing to do)") && ok;
    del(f2);
    printf(
        "vm: %s frame: at %08x, %08x, %08x; GetAddress %08x (Retype's place %08x, the copy's %08x); %u of %u "
        "words wrong at a, %u through the copy at b, %u after the remap at c; b's write seen at a: %s, kept: "
        "%s; the unmapped a faults: %s, b still mapped: %s\n",
        fc.name, fc.a, fc.b, fc.c, pa, expected_pa, pa_copy, bad_a, pages + 1, bad_b, bad_c,
        alias ? "yes" : "no", kept ? "yes" : "no", unmapped_faults ? "yes" : "no", b_still ? "yes" : "no");
    const bool ok_all = ok && pa == expected_pa && pa_copy == pa && (pa & (size - 1)) == 0 && bad_a == 0 &&
                        bad_b == 0 && bad_c == 0 && alias && kept && unmapped_faults && b_still;
    printf(
        "vm: %s frame: mapped, written and read back, GetAddress, a copy aliases it, unmap faults, mapped "
        "again "
        "elsewhere with its data: %s\n",
        fc.name, ok_all ? "ok" : "FAILED");
    if (!ok_all) g_checks.fail();
}

void test_frames() {
    phase_begin();
    // Largest first, so each lands on the watermark without gaps: 16M at scratch's base.
    static const FrameCase cases[] = {
        {"16 MiB", abi::ObjectType::Frame16M, abi::kSuperSectionBits, 0x4100'0000, 0x4200'0000, 0x4300'0000},
        {"1 MiB", abi::ObjectType::Frame1M, abi::kSectionBits, 0x4010'0000, 0x4020'0000, 0x4030'0000},
        {"64 KiB", abi::ObjectType::Frame64K, abi::kLargePageBits, kArea + 0x1'0000, kArea + 0x2'0000,
         kArea + 0x3'0000},
        {"4 KiB", abi::ObjectType::Frame4K, abi::kPageBits, kArea + 0x1000, kArea + 0x2000, kArea + 0x3000},
    };
    for (const FrameCase &fc : cases) test_frame(fc);
    phase_end();
}

// ---------------------------------------------------------------- rights
void test_rights() {
    phase_begin();
    const u32 pd = abi::kCapInitVSpace;
    // Read-only mapping: the thread's write faults; the handler moves it on.
    const u32 f = make(abi::ObjectType::Frame4K);
    g_checks.expect_ok(map_rw(f, pd, kRoRights), "PageMap");
    *word(kRoRights) = 0x1234;
    g_checks.expect_ok(page_map(g_ipc, f, pd, kRoRights, abi::kRightRead, abi::kVmDefault),
                       "PageMap (same place, read-only)");
    const bool reads = probe_reads(kRoRights, 0x1234);
    Thread *t = spawn("ro-writer", probe_main, kOpWrite, kRoRights, 0x5678);
    Event e = next_event();
    const bool faulted = is_data_fault(e, kRoRights);
    print_event("write to a read-only mapping", e);
    MessageRegs mr{reinterpret_cast<u32>(&thread_resumed), 0, 0, 0};
    reply({0, 0, 0, 1}, mr);  // length 1: pc = MR0
    Event after = next_event();
    const bool resumed = after.label == kResumed && after.badge == kReportBadge;
    destroy(t);
    const bool unchanged = *word(kRoRights) == 0x1234;
    // The same place read/write again: the write goes through.
    g_checks.expect_ok(map_rw(f, pd, kRoRights), "PageMap (same place, read/write)");
    Event w = probe(kOpWrite, kRoRights, 0x5678);
    const bool writes = is_report(w) && *word(kRoRights) == 0x5678;
    printf(
        "vm: rights: read through a read-only mapping %s; the write faulted: %s; the reply moved the thread "
        "on "
        "(label %x): %s; memory unchanged: %s; mapped read/write the write lands: %s\n",
        reads ? "ok" : "wrong", faulted ? "yes" : "no", after.label, resumed ? "yes" : "no",
        unchanged ? "yes" : "no", writes ? "yes" : "no");
    g_checks.check(
        reads && faulted && resumed && unchanged && writes,
        "a write to a read-only mapping faults (VmFault, MR1 the address, MR2 0); the reply's pc moves the "
        "thread on");

    // A cap without Write maps read-only whatever the rights asked for.
    const u32 ro_cap = copy(f, abi::kRightRead);
    g_checks.expect_ok(page_map(g_ipc, ro_cap, pd, kRoCap, kRw, abi::kVmDefault),
                       "PageMap (read-only cap, rights RW)");
    const bool cap_reads = probe_reads(kRoCap, 0x5678);
    const bool cap_faults = probe_faults(kOpWrite, kRoCap);
    g_checks.check(cap_reads && cap_faults && *word(kRoCap) == 0x5678,
                   "the rights of a mapping are the cap's ANDed with those asked for");

    // Execute-never: code there faults as an instruction fetch, then runs once mapped without it.
    const u32 x = make(abi::ObjectType::Frame4K);
    g_checks.expect_ok(map_rw(x, pd, kXn, abi::kVmCacheable | abi::kVmExecuteNever),
                       "PageMap (execute-never)");
    const u32 len = static_cast<u32>(code_ret42_end - code_ret42);
    __builtin_memcpy(reinterpret_cast<void *>(kXn), code_ret42, len);
    g_checks.expect_ok(page_unify(x, 0, len), "Page.Unify");
    Event xe = probe(kOpExec, kXn);
    const bool xn_faults = is_vm_fault(xe) && xe.mr[0] == kXn && xe.mr[1] == kXn && xe.mr[2] == 1;
    print_event("call into an execute-never mapping", xe);
    g_checks.expect_ok(map_rw(x, pd, kXn, abi::kVmCacheable), "PageMap (same place, executable)");
    g_checks.expect_ok(page_directory_unify(pd, kXn, kXn + len), "PageDirectory.Unify");
    Event xr = probe(kOpExec, kXn);
    const bool runs = is_report(xr) && xr.mr[0] == 42;
    print_event("call into the same frame mapped executable", xr);
    g_checks.check(
        xn_faults && runs,
        "executing from an execute-never mapping faults (MR2 1, instruction fetch); without it the code "
        "runs");
    phase_end();
}

// ---------------------------------------------------------------- bad input
u32 g_bad_checks, g_bad_failed;

void expect_refusal(const char *what, Error got, Error want, const MessageRegs *detail = nullptr,
                    u32 want_mr0 = ~0u) {
    const bool mr0_ok = want_mr0 == ~0u || (detail && (*detail)[0] == want_mr0);
    const bool ok = got == want && mr0_ok;
    ++g_bad_checks;
    if (!ok) ++g_bad_failed;
    if (want_mr0 != ~0u)
        printf("vm:   %s: %s, MR0 %u (expected %s, MR0 %u): %s\n", what, error_name(got),
               detail ? (*detail)[0] : 0, error_name(want), want_mr0, ok ? "ok" : "FAILED");
    else
        printf("vm:   %s: %s (expected %s): %s\n", what, error_name(got), error_name(want),
               ok ? "ok" : "FAILED");
    if (!ok) g_checks.fail();
}

// A condition the bad-input test checks besides error codes.
void expect_true(const char *what, bool ok) {
    ++g_bad_checks;
    if (!ok) ++g_bad_failed;
    printf("vm:   %s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) g_checks.fail();
}

// An invocation the ABI leaves the error of open: it must fail.
void expect_failure(const char *what, Error got) {
    ++g_bad_checks;
    const bool ok = got != Error::None;
    if (!ok) ++g_bad_failed;
    printf("vm:   %s: %s (expected an error): %s\n", what, error_name(got), ok ? "ok" : "FAILED");
    if (!ok) g_checks.fail();
}

void test_bad_input() {
    phase_begin();
    const u32 pd = abi::kCapInitVSpace;
    MessageRegs d{};
    const u32 f4 = make(abi::ObjectType::Frame4K), f4b = make(abi::ObjectType::Frame4K);
    const u32 f64 = make(abi::ObjectType::Frame64K), f1m = make(abi::ObjectType::Frame1M);
    const u32 pt = make(abi::ObjectType::PageTable), pt2 = make(abi::ObjectType::PageTable);
    const u32 ep = make(abi::ObjectType::Endpoint);
    const u32 pd_no_asid = make(abi::ObjectType::PageDirectory);

    // Alignment.
    expect_refusal("4 KiB frame at a misaligned address",
                   page_map(g_ipc, f4, pd, kBadArea + 0x800, kRw, 0, &d), Error::AlignmentError);
    expect_refusal("64 KiB frame at a 4 KiB-aligned address",
                   page_map(g_ipc, f64, pd, kBadArea + 0x1000, kRw, 0), Error::AlignmentError);
    expect_refusal("1 MiB frame at a 64 KiB-aligned address", page_map(g_ipc, f1m, pd, 0x4408'0000, kRw, 0),
                   Error::AlignmentError);
    // The kernel's half.
    expect_refusal("4 KiB frame at 80000000", page_map(g_ipc, f4, pd, abi::kUserTop, kRw, 0, &d),
                   Error::InvalidArgument, &d, 0);
    expect_refusal("1 MiB frame at fff00000", page_map(g_ipc, f1m, pd, 0xfff0'0000, kRw, 0, &d),
                   Error::InvalidArgument, &d, 0);
    expect_refusal("PageTable at 80000000", page_table_map(g_ipc, pt, pd, abi::kUserTop, &d),
                   Error::InvalidArgument, &d, 0);
    // No PageTable for a small frame.
    expect_refusal("4 KiB frame where no PageTable is", page_map(g_ipc, f4, pd, 0x4500'0000, kRw, 0, &d),
                   Error::FailedLookup);
    expect_refusal("64 KiB frame where no PageTable is", page_map(g_ipc, f64, pd, 0x4500'0000, kRw, 0, &d),
                   Error::FailedLookup);
    // A PageDirectory without an ASID.
    expect_refusal("PageMap into a PageDirectory without an ASID",
                   page_map(g_ipc, f1m, pd_no_asid, 0x4500'0000, kRw, 0, &d), Error::InvalidCapability, &d,
                   1);
    expect_refusal("PageTableMap into a PageDirectory without an ASID",
                   page_table_map(g_ipc, pt, pd_no_asid, 0x4500'0000, &d), Error::InvalidCapability, &d, 1);
    {
        const u32 tcb = make(abi::ObjectType::Tcb);
        expect_failure("TCB.Configure with a PageDirectory without an ASID",
                       tcb_configure(g_ipc, tcb, 0, abi::kCapInitCNode, cspace_data(), pd_no_asid, 0, 0, 0));
    }
    // Wrong cap types.
    expect_refusal("PageMap with an Endpoint as the PageDirectory",
                   page_map(g_ipc, f4, ep, kBadArea, kRw, 0, &d), Error::InvalidCapability, &d, 1);
    expect_refusal("PageMap with a PageTable as the PageDirectory",
                   page_map(g_ipc, f1m, pt, 0x4500'0000, kRw, 0, &d), Error::InvalidCapability, &d, 1);
    expect_refusal("PageTableMap with a frame as the PageDirectory",
                   page_table_map(g_ipc, pt, f4, 0x4500'0000, &d), Error::InvalidCapability, &d, 1);
    expect_refusal("AsidPool.Assign of a frame", asid_pool_assign(g_ipc, abi::kCapInitAsidPool, f4, &d),
                   Error::InvalidCapability, &d, 1);
    {
        const u32 pd2 = make(abi::ObjectType::PageDirectory);
        g_checks.expect_ok(asid_pool_assign(g_ipc, abi::kCapInitAsidPool, pd2), "AsidPool.Assign");
        expect_refusal("AsidPool.Assign of a PageDirectory that has an ASID",
                       asid_pool_assign(g_ipc, abi::kCapInitAsidPool, pd2, &d), Error::InvalidCapability, &d,
                       1);
    }
    {
        const u32 slot = alloc_slot();
        expect_failure("AsidControl.MakePool from a frame",
                       asid_control_make_pool(g_ipc, abi::kCapAsidControl, f4, abi::kCapInitCNode, slot, 32));
        const u32 ut8k = make(abi::ObjectType::Untyped, 13);
        expect_failure(
            "AsidControl.MakePool from an 8 KiB Untyped",
            asid_control_make_pool(g_ipc, abi::kCapAsidControl, ut8k, abi::kCapInitCNode, slot, 32));
        const u32 ut4k = make(abi::ObjectType::Untyped, 12);
        const u32 from = alloc_slot();
        g_checks.expect_ok(
            untyped_retype(g_ipc, ut4k, abi::ObjectType::Endpoint, 0, abi::kCapInitCNode, 0, 0, from, 1),
            "Untyped.Retype (from the 4 KiB Untyped)");
        expect_failure(
            "AsidControl.MakePool from a 4 KiB Untyped already used",
            asid_control_make_pool(g_ipc, abi::kCapAsidControl, ut4k, abi::kCapInitCNode, slot, 32));
        expect_true("the failed MakePools left the slot empty", debug_cap_identify(slot) == 0);
    }
    // Raw invocations: a method on the wrong kind of cap, and messages too short.
    const u32 map_words[] = {kBadArea, kRw, 0};
    expect_failure("PageMap invoked on a PageTable cap",
                   invoke(g_ipc, pt, abi::Label::PageMap, map_words, 3, &pd, 1));
    expect_failure("AsidPool.Assign invoked on the AsidControl cap",
                   invoke(g_ipc, abi::kCapAsidControl, abi::Label::AsidPoolAssign, nullptr, 0, &pd, 1));
    expect_refusal("PageMap with two words", invoke(g_ipc, f4, abi::Label::PageMap, map_words, 2, &pd, 1),
                   Error::TruncatedMessage);
    expect_refusal("PageMap without the PageDirectory cap",
                   invoke(g_ipc, f4, abi::Label::PageMap, map_words, 3, nullptr, 0), Error::TruncatedMessage);

    // Occupied places and caps already mapped.
    g_checks.expect_ok(page_table_map(g_ipc, pt, pd, kBadArea), "PageTableMap");
    expect_refusal("a second PageTable for the same megabyte", page_table_map(g_ipc, pt2, pd, kBadArea, &d),
                   Error::DeleteFirst);
    expect_refusal("a 1 MiB frame over a PageTable",
                   page_map(g_ipc, f1m, pd, kBadArea & ~0xfffffu, kRw, 0, &d), Error::DeleteFirst);
    expect_refusal("a mapped PageTable cap mapped again elsewhere",
                   page_table_map(g_ipc, pt, pd, 0x4600'0000, &d), Error::InvalidCapability, &d, 0);
    expect_refusal("a PageTable of the root's image mapped again",
                   page_table_map(g_ipc, g_bi->user_image_paging.start, pd, 0x4600'0000, &d),
                   Error::InvalidCapability, &d, 0);
    g_checks.expect_ok(map_rw(f4, pd, kBadArea), "PageMap");
    expect_refusal("a second frame on a mapped page", page_map(g_ipc, f4b, pd, kBadArea, kRw, 0, &d),
                   Error::DeleteFirst);
    expect_refusal("a 64 KiB frame over a mapped 4 KiB page", page_map(g_ipc, f64, pd, kBadArea, kRw, 0, &d),
                   Error::DeleteFirst);
    expect_refusal("a mapped frame cap mapped elsewhere",
                   page_map(g_ipc, f4, pd, kBadArea + 0x1000, kRw, 0, &d), Error::InvalidCapability, &d, 0);
    expect_refusal("a mapped frame cap mapped again at its place (new rights)",
                   page_map(g_ipc, f4, pd, kBadArea, abi::kRightRead, abi::kVmDefault), Error::None);
    g_checks.expect_ok(page_map(g_ipc, f1m, pd, 0x4400'0000, kRw, 0), "PageMap (1 MiB)");
    expect_refusal("a PageTable over a 1 MiB frame", page_table_map(g_ipc, pt2, pd, 0x4400'0000, &d),
                   Error::DeleteFirst);
    expect_refusal(
        "a frame of the root's image mapped again elsewhere",
        page_map(g_ipc, g_bi->user_image_frames.start, pd, kBadArea + 0x2000, abi::kRightRead, 0, &d),
        Error::InvalidCapability, &d, 0);

    // PageTable.Unmap needs the last cap.
    const u32 pt_copy = copy(pt, abi::kRightsAll);
    expect_refusal("PageTable.Unmap while a copy of the cap exists", page_table_unmap(pt),
                   Error::RevokeFirst);
    del(pt_copy);
    expect_refusal("PageTable.Unmap of the last cap", page_table_unmap(pt), Error::None);
    expect_true("a page of the unmapped PageTable faults", probe_faults(kOpRead, kBadArea));
    expect_refusal("the unmapped PageTable maps elsewhere", page_table_map(g_ipc, pt, pd, 0x4600'0000),
                   Error::None);

    // Cache maintenance ranges.
    expect_refusal("Page.Clean of the whole frame", page_clean(f1m, 0, 1u << abi::kSectionBits), Error::None);
    expect_failure("Page.Clean past the frame's end", page_clean(f4b, 0, kPage + 4));
    expect_failure("Page.Clean of an empty range", page_clean(f4b, 64, 64));
    expect_failure("Page.Invalidate with start after end", page_invalidate(f4b, 128, 64));
    expect_refusal("Page.CleanInvalidate of one line", page_clean_invalidate(f4b, 0, 64), Error::None);
    expect_refusal("PageDirectory.Clean inside a mapped frame",
                   page_directory_clean(pd, 0x4400'0000, 0x4400'1000), Error::None);
    expect_failure("PageDirectory.Clean where nothing is mapped",
                   page_directory_clean(pd, 0x4700'0000, 0x4700'0040));
    expect_failure("PageDirectory.CleanInvalidate across two frames",
                   page_directory_clean_invalidate(pd, 0x4400'0000 + 0xfff00, 0x4400'0000 + 0x100100));
    expect_failure("PageDirectory.Invalidate with start after end",
                   page_directory_invalidate(pd, 0x4400'0100, 0x4400'0000));

    printf("vm: bad input: %u invalid invocations, %u answered wrongly\n", g_bad_checks, g_bad_failed);
    g_checks.check(g_bad_failed == 0,
                   "invalid map, unmap, cache and ASID invocations return the documented errors");
    phase_end();
}

// ---------------------------------------------------------------- the root's image frames
// Maps a read-only copy of each image frame at kImageCheck and compares it
// with the image at its address. Returns the number that differ.
u32 check_image_frames() {
    const u32 n = g_bi->user_image_frames.end - g_bi->user_image_frames.start;
    u32 bad = 0;
    for (u32 i = 0; i < g_image.pages && i < n; ++i) {
        const u32 c = copy(g_bi->user_image_frames.start + i, abi::kRightRead);
        g_checks.expect_ok(
            page_map(g_ipc, c, abi::kCapInitVSpace, kImageCheck, abi::kRightRead, abi::kVmDefault),
            "PageMap (image frame copy)");
        if (__builtin_memcmp(reinterpret_cast<const void *>(kImageCheck),
                             reinterpret_cast<const void *>(kImageBase + i * kPage), kPage) != 0)
            ++bad;
        g_checks.expect_ok(page_unmap(c), "PageUnmap");
        del(c);
    }
    return bad;
}

void test_image_frames() {
    const u32 n = g_bi->user_image_frames.end - g_bi->user_image_frames.start;
    const u32 bad = check_image_frames();
    printf(
        "vm: image: %u frame caps (slots %u-%u), %u PageTable caps; the image is %u pages (%u text) at %08x; "
        "%u differ from the image\n",
        n, g_bi->user_image_frames.start, g_bi->user_image_frames.end - 1,
        g_bi->user_image_paging.end - g_bi->user_image_paging.start, g_image.pages, g_image.text_pages,
        kImageBase, bad);
    g_checks.check(
        n > g_image.pages && bad == 0 && g_bi->user_image_paging.end > g_bi->user_image_paging.start,
        "BootInfo's image frame caps back the root's image, in address order");
}

// ---------------------------------------------------------------- child address spaces
struct Space {
    u32 pd, pt, stack, ipc;
};

// A Page Directory with an ASID from the initial pool, a PageTable for the
// first megabyte holding read-only copies of the root's image, a stack and an
// IPC buffer.
Space make_space() {
    Space s{};
    s.pd = make(abi::ObjectType::PageDirectory);
    g_checks.expect_ok(asid_pool_assign(g_ipc, abi::kCapInitAsidPool, s.pd), "AsidPool.Assign");
    s.pt = make(abi::ObjectType::PageTable);
    g_checks.expect_ok(page_table_map(g_ipc, s.pt, s.pd, 0), "PageTableMap (child)");
    for (u32 i = 0; i < g_image.pages; ++i) {
        const u32 c = copy(g_bi->user_image_frames.start + i, abi::kRightRead);
        const u32 attr =
            i < g_image.text_pages ? abi::kVmCacheable : abi::kVmCacheable | abi::kVmExecuteNever;
        g_checks.expect_ok(page_map(g_ipc, c, s.pd, kImageBase + i * kPage, abi::kRightRead, attr),
                           "PageMap (child image)");
    }
    s.stack = make(abi::ObjectType::Frame4K);
    g_checks.expect_ok(map_rw(s.stack, s.pd, kChildStack, abi::kVmCacheable | abi::kVmExecuteNever),
                       "PageMap (child stack)");
    s.ipc = make(abi::ObjectType::Frame4K);
    g_checks.expect_ok(map_rw(s.ipc, s.pd, kChildIpc, abi::kVmCacheable | abi::kVmExecuteNever),
                       "PageMap (child IPC buffer)");
    return s;
}

using ChildFn = void (*)(u32, u32, u32, u32);

// A child that has just been started has run until it blocked (it has the
// higher priority): a message waiting on g_ep now means it faulted on the way.
bool child_waiting(const char *what) {
    MessageRegs mr{};
    RecvResult r = nb_recv(g_ep, mr);
    if (r.badge == 0 && r.info.label == 0) return true;
    print_event(what, {r.info.label, r.info.length, r.badge, {mr[0], mr[1], mr[2], mr[3]}});
    printf("vm: %s: the child did not reach its receive: FAILED\n", what);
    g_checks.fail();
    return false;
}

// A thread running fn(a0..a3) in the child's address space; returns its TCB slot.
u32 spawn_child(const Space &s, const char *name, ChildFn fn, u32 a0 = 0, u32 a1 = 0, u32 a2 = 0,
                u32 a3 = 0) {
    const u32 tcb = make(abi::ObjectType::Tcb);
    g_checks.expect_ok(
        tcb_configure(g_ipc, tcb, g_fault_cap, abi::kCapInitCNode, cspace_data(), s.pd, 0, kChildIpc, s.ipc),
        "TCB.Configure (child)");
    set_priority(tcb, kThreadPriority);
    debug_name_thread(g_ipc, tcb, name);
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(fn);
    r.sp = kChildStackTop;
    r.cpsr = kCpsrUserArm;
    r.r[0] = a0;
    r.r[1] = a1;
    r.r[2] = a2;
    r.r[3] = a3;
    g_checks.expect_ok(tcb_write_registers(g_ipc, tcb, false, 8, r), "TCB.WriteRegisters (child)");
    g_checks.expect_ok(tcb_resume(tcb), "TCB.Resume (child)");
    return tcb;
}

// Code run by children: it must write nothing but its stack, its IPC buffer
// and the memory it is given (the root's data is mapped read-only there).
// kCmdTryRead and kCmdTryWrite are sent, not called: an access that may fault
// reports by a Call on report_cap when it does not, so the root hears either way.
enum ChildCmd : u32 { kCmdPing = 1, kCmdRead, kCmdSum, kCmdFill, kCmdTryRead, kCmdTryWrite };
constexpr u32 kPingWords = 6;

u32 pong_word(u32 w, u32 i) { return w * 5 + i; }
u32 fill_word(u32 seed, u32 i) { return seed * 0x9e37'79b9u + i; }
u32 demand_word(u32 addr) { return addr ^ 0xd00d'f00du; }

// Serves commands on `ep` until deleted: MR0.. arguments, reply MR0.. results.
[[noreturn]] void child_server(u32 ep, u32 ipc_addr, u32 report_cap, u32) {
    Message m(reinterpret_cast<abi::IpcBuffer *>(ipc_addr));
    RecvResult r = recv(ep, m.regs);
    for (;;) {
        u32 n = 0;
        switch (r.info.label) {
            case kCmdPing:
                for (u32 i = 0; i < r.info.length; ++i) m.set(i, pong_word(m.get(i), i));
                n = r.info.length;
                break;
            case kCmdRead:
                m.regs[0] = *word(m.regs[0]), n = 1;
                break;
            case kCmdTryRead:     // MR0 address
            case kCmdTryWrite: {  // MR0 address, MR1 value
                if (r.info.label == kCmdTryRead)
                    m.regs[1] = *word(m.regs[0]);
                else
                    *word(m.regs[0]) = m.regs[1];
                MessageRegs done{m.regs[0], m.regs[1], 0, 0};
                call(report_cap, {kReport, 0, 0, 2}, done);
                break;
            }
            case kCmdSum: {  // MR0 address, MR1 words: the sum and the first word
                u32 sum = 0;
                for (u32 i = 0; i < m.regs[1]; ++i) sum += *word(m.regs[0] + 4 * i);
                m.regs[1] = *word(m.regs[0]);
                m.regs[0] = sum;
                n = 2;
                break;
            }
            case kCmdFill:  // MR0 address, MR1 words, MR2 seed
                for (u32 i = 0; i < m.regs[1]; ++i) *word(m.regs[0] + 4 * i) = fill_word(m.regs[2], i);
                break;
            default:
                n = 0;
                break;
        }
        r = reply_recv(ep, {kReport, 0, 0, n}, m.regs);
    }
}

// Writes a word into each of `count` pages `stride` apart from `base`, reads
// them all back, reports MR0 = words wrong, MR1 = pages.
[[noreturn]] void child_toucher(u32 base, u32 count, u32 stride, u32 report_cap) {
    for (u32 i = 0; i < count; ++i) *word(base + i * stride) = demand_word(base + i * stride);
    u32 bad = 0;
    for (u32 i = 0; i < count; ++i)
        if (*word(base + i * stride) != demand_word(base + i * stride)) ++bad;
    for (;;) {
        MessageRegs mr{bad, count, 0, 0};
        call(report_cap, {kReport, 0, 0, 2}, mr);
    }
}

// Reports the word at `addr`, again after every reply.
[[noreturn]] void child_reader(u32 addr, u32 report_cap, u32, u32) {
    for (;;) {
        MessageRegs mr{*word(addr), 0, 0, 0};
        call(report_cap, {kReport, 0, 0, 1}, mr);
    }
}

Space g_child;
u32 g_child_ep;

// A command the child must answer. Returns the reply's label.
u32 child_call(u32 cmd, MessageRegs &mr, u32 len) { return call(g_child_ep, {cmd, 0, 0, len}, mr).label; }

void test_child_ipc() {
    const u32 server =
        spawn_child(g_child, "child-server", child_server, g_child_ep, kChildIpc, g_report_cap);
    if (!child_waiting("child server")) return;
    constexpr u32 kRounds = 1000;
    u32 bad = 0;
    const u64 t0 = counter();
    for (u32 n = 0; n < kRounds; ++n) {
        Message m(g_ipc);
        for (u32 i = 0; i < kPingWords; ++i) m.set(i, n * 16 + i);
        MessageInfo r = call(g_child_ep, {kCmdPing, 0, 0, kPingWords}, m.regs);
        if (r.label != kReport || r.length != kPingWords) ++bad;
        for (u32 i = 0; i < kPingWords; ++i)
            if (m.get(i) != pong_word(n * 16 + i, i)) ++bad;
    }
    const u64 ticks = counter() - t0;
    printf(
        "vm: child: %u Call/ReplyRecv round trips of %u words between two address spaces, %u bad (%llu "
        "counter ticks)\n",
        kRounds, kPingWords, bad, ticks);
    g_checks.check(bad == 0, "IPC between address spaces: ping-pong Call/ReplyRecv, data checked");

    // Shared memory: one frame, mapped in the root at kRootShared and in the child at kChildShared.
    const u32 shared = make(abi::ObjectType::Frame4K);
    g_checks.expect_ok(map_rw(shared, abi::kCapInitVSpace, kRootShared), "PageMap (shared, root)");
    const u32 shared_copy = copy(shared, abi::kRightsAll);
    g_checks.expect_ok(map_rw(shared_copy, g_child.pd, kChildShared), "PageMap (shared, child)");
    u32 sum = 0;
    for (u32 i = 0; i < 1024; ++i) {
        *word(kRootShared + 4 * i) = fill_word(7, i);
        sum += fill_word(7, i);
    }
    MessageRegs mr{kChildShared, 1024, 0, 0};
    const u32 l1 = child_call(kCmdSum, mr, 2);
    const bool child_saw = l1 == kReport && mr[0] == sum && mr[1] == fill_word(7, 0);
    printf(
        "vm: shared frame: the root wrote 1024 words (sum %08x), the child read sum %08x, first word %08x\n",
        sum, mr[0], mr[1]);
    MessageRegs fill{kChildShared, 1024, 11, 0};
    child_call(kCmdFill, fill, 3);
    u32 wrong = 0;
    for (u32 i = 0; i < 1024; ++i)
        if (*word(kRootShared + 4 * i) != fill_word(11, i)) ++wrong;
    printf("vm: shared frame: the child wrote 1024 words, the root found %u wrong\n", wrong);
    g_checks.check(child_saw && wrong == 0,
                   "a frame shared by two address spaces: each sees what the other wrote");

    // Isolation: the root's own frame is not in the child's address space.
    const u32 own = make(abi::ObjectType::Frame4K);
    g_checks.expect_ok(map_rw(own, abi::kCapInitVSpace, kRootOnly), "PageMap (root only)");
    *word(kRootOnly) = 0x5ec2e7;
    MessageRegs rd{kRootOnly, 0, 0, 0};
    send(g_child_ep, {kCmdTryRead, 0, 0, 1}, rd);
    Event e = next_event();
    print_event("the child reads the root's frame", e);
    const bool read_faults = is_data_fault(e, kRootOnly);
    del(server);
    // The root's data is mapped read-only there: the child reads it but cannot change it.
    const u32 server2 =
        spawn_child(g_child, "child-server", child_server, g_child_ep, kChildIpc, g_report_cap);
    if (!child_waiting("second child server")) return;
    const u32 addr = reinterpret_cast<u32>(&g_isolation_word);
    MessageRegs rd2{addr, 0, 0, 0};
    const u32 l2 = child_call(kCmdRead, rd2, 1);
    const bool reads_data = l2 == kReport && rd2[0] == g_isolation_word;
    MessageRegs wr{addr, 0xbad, 0, 0};
    send(g_child_ep, {kCmdTryWrite, 0, 0, 2}, wr);
    Event we = next_event();
    print_event("the child writes the root's data", we);
    const bool write_faults = is_data_fault(we, addr) && g_isolation_word == 0x150150;
    del(server2);
    printf(
        "vm: isolation: the child's read of the root's frame at %08x faulted: %s; it read the root's data "
        "word %08x: %s, its write there faulted and changed nothing: %s\n",
        kRootOnly, read_faults ? "yes" : "no", rd2[0], reads_data ? "yes" : "no",
        write_faults ? "yes" : "no");
    g_checks.check(read_faults && reads_data && write_faults,
                   "the root's memory is out of the child's reach: its accesses fault to the root");
}

// ---------------------------------------------------------------- demand paging
void test_demand_paging() {
    phase_begin();
    constexpr u32 kPages = 16, kStride = 0x2'0000;  // 16 pages over two megabytes
    const u32 t = spawn_child(g_child, "toucher", child_toucher, kDemandBase, kPages, kStride, g_report_cap);
    u32 faults = 0, tables = 0, wrong_order = 0, frames[kPages] = {};
    Event e{};
    for (;;) {
        e = next_event();
        if (!is_vm_fault(e) || faults >= kPages) break;
        const u32 expect = kDemandBase + faults * kStride;
        if (e.mr[1] != expect || e.mr[2] != 0) ++wrong_order;
        const u32 page = e.mr[1] & ~(kPage - 1);
        const u32 f = make(abi::ObjectType::Frame4K);
        Error err = map_rw(f, g_child.pd, page, abi::kVmCacheable | abi::kVmExecuteNever);
        if (err == Error::FailedLookup) {  // the first page of a megabyte: a PageTable first
            const u32 pt = make(abi::ObjectType::PageTable);
            g_checks.expect_ok(page_table_map(g_ipc, pt, g_child.pd, page), "PageTableMap (pager)");
            ++tables;
            err = map_rw(f, g_child.pd, page, abi::kVmCacheable | abi::kVmExecuteNever);
        }
        g_checks.expect_ok(err, "PageMap (pager)");
        frames[faults++] = f;
        MessageRegs none{};
        reply({0, 0, 0, 0}, none);  // length 0: the faulting access runs again
    }
    print_event("the toucher's last message", e);
    const bool reported = is_report(e) && e.mr[0] == 0 && e.mr[1] == kPages;
    // The root sees what the child wrote, through a copy of one of the frames.
    bool visible = false;
    if (faults > 3) {
        const u32 c = copy(frames[3], kRw);
        g_checks.expect_ok(
            page_map(g_ipc, c, abi::kCapInitVSpace, kDemandCheck, abi::kRightRead, abi::kVmDefault),
            "PageMap (copy)");
        visible = *word(kDemandCheck) == demand_word(kDemandBase + 3 * kStride);
    }
    del(t);
    printf(
        "vm: demand paging: %u faults for %u pages (%u out of order), %u PageTables mapped by the pager; the "
        "child found %u words wrong; the root reads its write through a copy: %s\n",
        faults, kPages, wrong_order, tables, e.mr[0], visible ? "yes" : "no");
    g_checks.check(
        reported && faults == kPages && wrong_order == 0 && tables == 2 && visible,
        "demand paging: the root maps a frame at each fault address and replies; one fault per page");
    phase_end();
}

// ---------------------------------------------------------------- revoke
void test_revoke() {
    phase_begin();
    constexpr u32 kFrames = 4;
    const u32 sub = make(abi::ObjectType::Untyped, 16);
    const u32 first = alloc_slots(kFrames);
    g_checks.expect_ok(
        untyped_retype(g_ipc, sub, abi::ObjectType::Frame4K, 0, abi::kCapInitCNode, 0, 0, first, kFrames),
        "Untyped.Retype (frames)");
    const u32 pt = make(abi::ObjectType::PageTable);
    g_checks.expect_ok(page_table_map(g_ipc, pt, g_child.pd, kRevokeBase), "PageTableMap (child)");
    for (u32 i = 0; i < kFrames; ++i)
        g_checks.expect_ok(map_rw(first + i, g_child.pd, kRevokeBase + i * kPage), "PageMap");
    const u32 rc = copy(first + 3, abi::kRightsAll);  // the root's view of the last one
    g_checks.expect_ok(map_rw(rc, abi::kCapInitVSpace, kRevokeCheck), "PageMap (root)");
    *word(kRevokeCheck) = 0xfeed'0003;
    const u32 t = spawn_child(g_child, "reader", child_reader, kRevokeBase + 3 * kPage, g_report_cap);
    Event before = next_event();
    const bool read_before = is_report(before) && before.mr[0] == 0xfeed'0003;
    g_checks.expect_ok(cnode_revoke(abi::kCapInitCNode, sub, 32), "CNode.Revoke (the frames' Untyped)");
    u32 left = 0;
    for (u32 i = 0; i < kFrames; ++i) left += debug_cap_identify(first + i) != 0;
    left += debug_cap_identify(rc) != 0;
    MessageRegs none{};
    reply({0, 0, 0, 0}, none);  // the reader reads again
    Event after = next_event();
    print_event("the child's read after the Revoke", after);
    const bool faults = is_data_fault(after, kRevokeBase + 3 * kPage);
    const bool root_faults = probe_faults(kOpRead, kRevokeCheck);
    del(t);
    printf(
        "vm: revoke: the child read %08x before; after revoking the Untyped %u of %u frame caps are left, "
        "the "
        "child's next read faulted: %s, the root's: %s\n",
        before.mr[0], left, kFrames + 1, faults ? "yes" : "no", root_faults ? "yes" : "no");
    g_checks.check(read_before && left == 0 && faults && root_faults,
                   "revoking an Untyped removes the mappings of the frames made from it");
    phase_end();
}

// ---------------------------------------------------------------- ASID pools
void test_pool_full() {
    phase_begin();
    const u32 ut = make(abi::ObjectType::Untyped, abi::kAsidPoolBits);
    const u32 pool = alloc_slot();
    g_checks.expect_ok(asid_control_make_pool(g_ipc, abi::kCapAsidControl, ut, abi::kCapInitCNode, pool, 32),
                       "AsidControl.MakePool");
    constexpr u32 kPds = abi::kAsidsPerPool + 1;
    const u32 pds = make_n(abi::ObjectType::PageDirectory, kPds);
    u32 assigned = 0;
    Error last = Error::None;
    for (u32 i = 0; i < kPds; ++i) {
        last = asid_pool_assign(g_ipc, pool, pds + i);
        if (last != Error::None) break;
        ++assigned;
    }
    printf("vm: ASID pool: %u Page Directories assigned to a new pool, then %s\n", assigned,
           error_name(last));
    // A Page Directory of the new pool works as an address space.
    const u32 pt = make(abi::ObjectType::PageTable);
    const Error usable = page_table_map(g_ipc, pt, pds + 1023, 0x1000'0000);
    // A deleted Page Directory's ASID is free again.
    del(pds + 5);
    const Error again = asid_pool_assign(g_ipc, pool, pds + abi::kAsidsPerPool);
    printf(
        "vm: ASID pool: PageTableMap into its last Page Directory: %s; after deleting one, the next Assign: "
        "%s\n",
        error_name(usable), error_name(again));
    g_checks.check(
        assigned == abi::kAsidsPerPool && last == Error::DeleteFirst && usable == Error::None &&
            again == Error::None,
        "an ASID pool takes 1024 Page Directories, then DeleteFirst; a deleted one's ASID is given again");
    phase_end();
}

void test_make_pools() {
    phase_begin();
    const u32 uts = make_n(abi::ObjectType::Untyped, abi::kAsidPools, abi::kAsidPoolBits);
    const u32 pools = alloc_slots(abi::kAsidPools);
    u32 made = 0;
    Error last = Error::None;
    for (u32 i = 0; i < abi::kAsidPools; ++i) {
        last =
            asid_control_make_pool(g_ipc, abi::kCapAsidControl, uts + i, abi::kCapInitCNode, pools + i, 32);
        if (last != Error::None) break;
        ++made;
    }
    // A Page Directory in the last pool made.
    const u32 pd = make(abi::ObjectType::PageDirectory);
    const Error usable = made ? asid_pool_assign(g_ipc, pools + made - 1, pd) : Error::InvalidCapability;
    printf("vm: ASID control: %u pools made besides the initial one, then %s; Assign in the last: %s\n", made,
           error_name(last), error_name(usable));
    phase_end();  // deletes the pools
    phase_begin();
    const u32 ut = make(abi::ObjectType::Untyped, abi::kAsidPoolBits);
    const Error remade =
        asid_control_make_pool(g_ipc, abi::kCapAsidControl, ut, abi::kCapInitCNode, alloc_slot(), 32);
    printf("vm: ASID control: after the pools were deleted, MakePool: %s\n", error_name(remade));
    g_checks.check(
        made == abi::kAsidPools - 1 && last == Error::DeleteFirst && usable == Error::None &&
            remade == Error::None,
        "ASID Control makes 63 pools besides the initial one, then DeleteFirst; deleted pools free their "
        "place");
    phase_end();
}

// ---------------------------------------------------------------- hardware ASID reuse
u32 probe_value(u32 k) { return 0xa5a5'0000u + k * 0x101u; }

void test_asid_reuse() {
    phase_begin();
    constexpr u32 kSpaces = 300, kRounds = 2;
    // Largest objects first: nothing is lost to alignment.
    const u32 pds = make_n(abi::ObjectType::PageDirectory, kSpaces);
    const u32 frames = make_n(abi::ObjectType::Frame4K, kSpaces);
    const u32 pts = make_n(abi::ObjectType::PageTable, kSpaces);
    const u32 tcbs = make_n(abi::ObjectType::Tcb, kSpaces);
    const u32 code_len = static_cast<u32>(asid_probe_end - asid_probe);
    u32 setup_errors = 0;
    for (u32 k = 0; k < kSpaces; ++k) {
        const u32 pd = pds + k, f = frames + k;
        bool ok = asid_pool_assign(g_ipc, abi::kCapInitAsidPool, pd) == Error::None;
        ok = ok && page_table_map(g_ipc, pts + k, pd, kProbeVaddr) == Error::None;
        // Code and value written through the root's mapping, then the frame moves to its own space.
        ok = ok && map_rw(f, abi::kCapInitVSpace, kStage) == Error::None;
        if (ok) {
            __builtin_memcpy(reinterpret_cast<void *>(kStage), asid_probe, code_len);
            *word(kStage + 0x800) = probe_value(k);
        }
        ok = ok && page_unify(f, 0, kPage) == Error::None;
        ok = ok && page_unmap(f) == Error::None;
        ok = ok && page_map(g_ipc, f, pd, kProbeVaddr, abi::kRightRead, abi::kVmCacheable) == Error::None;
        ok = ok && tcb_configure(g_ipc, tcbs + k, g_fault_cap, abi::kCapInitCNode, cspace_data(), pd, 0, 0,
                                 f) == Error::None;
        ok = ok && tcb_set_priority(g_ipc, tcbs + k, abi::kCapInitTcb, kThreadPriority) == Error::None;
        if (!ok) ++setup_errors;
    }
    // A decoy at the same address in the root's own space, read before every
    // start: a probe given the root's hardware ASID without a TLB flush would
    // see it. (QEMU drops its whole TLB whenever CONTEXTIDR changes, so there
    // stale entries cannot show; on a board they would.)
    const u32 decoy = make(abi::ObjectType::Frame4K), decoy_pt = make(abi::ObjectType::PageTable);
    g_checks.expect_ok(page_table_map(g_ipc, decoy_pt, abi::kCapInitVSpace, kProbeVaddr),
                       "PageTableMap (decoy)");
    g_checks.expect_ok(map_rw(decoy, abi::kCapInitVSpace, kProbeVaddr), "PageMap (decoy)");
    __builtin_memcpy(reinterpret_cast<void *>(kProbeVaddr), asid_probe, code_len);
    *word(kProbeVaddr + 0x800) = 0xdec0'0000;
    g_checks.expect_ok(page_unify(decoy, 0, kPage), "Page.Unify (decoy)");
    u32 runs = 0, wrong = 0, decoy_wrong = 0;
    for (u32 round = 0; round < kRounds && setup_errors == 0; ++round) {
        for (u32 k = 0; k < kSpaces; ++k) {
            UserRegisters r{};
            r.pc = kProbeVaddr;
            r.cpsr = kCpsrUserArm;
            r.r[6] = g_report_cap;
            r.r[8] = kProbeVaddr + 0x800;
            r.r[9] = k;
            // pc .. r9
            g_checks.expect_ok(tcb_write_registers(g_ipc, tcbs + k, false, 14, r), "TCB.WriteRegisters");
            if (*word(kProbeVaddr + 0x800) != 0xdec0'0000) ++decoy_wrong;
            g_checks.expect_ok(tcb_resume(tcbs + k), "TCB.Resume");
            Event e = next_event();
            ++runs;
            if (!is_report(e) || e.mr[0] != probe_value(k) || e.mr[1] != k) {
                if (++wrong <= 5) {
                    printf("vm:   address space %u (round %u): expected %08x\n", k, round, probe_value(k));
                    print_event("it sent", e);
                }
            }
            g_checks.expect_ok(tcb_suspend(tcbs + k), "TCB.Suspend");
        }
    }
    printf(
        "vm: ASID reuse: %u address spaces (%u failed to set up), %u runs in %u rounds, %u wrong values; the "
        "root's decoy read wrong %u times\n",
        kSpaces, setup_errors, runs, kRounds, wrong, decoy_wrong);
    g_checks.check(
        setup_errors == 0 && runs == kSpaces * kRounds && wrong == 0 && decoy_wrong == 0,
        "300 address spaces, more than the hardware ASIDs, each sees its own frame at the same address");
    phase_end();
}

// ---------------------------------------------------------------- set-up
// The smallest RAM Untyped of at least 64 MiB.
bool choose_untyped() {
    g_main = smallest_ram_untyped(g_bi, 26);
    if (!g_main) return false;
    const abi::UntypedDesc &u = untyped_desc(g_bi, g_main);
    g_main_base = u.paddr;
    printf("vm: objects from Untyped slot %u: %08x, 2^%u bytes\n", g_main, g_main_base, u.size_bits);
    return true;
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    g_ipc = root_ipc_buffer(bi);
    g_next_slot = bi->empty.start;
    g_image = own_image();
    printf("vm: root task testing virtual memory (slots %u-%u free, image %08x-%08x)\n", bi->empty.start,
           bi->empty.end - 1, kImageBase, g_image.end);
    if (g_image.end > kChildShared) g_checks.fatal("the image reaches the child's shared frame");
    if (!choose_untyped()) g_checks.fatal("no RAM Untyped of 64 MiB");
    g_ut = g_main;
    g_scratch = make(abi::ObjectType::Untyped, kScratchBits);  // main's first object: at its base
    g_ep = make(abi::ObjectType::Endpoint);
    g_fault_cap = mint(g_ep, abi::kRightWrite | abi::kRightGrantReply, kFaultBadge);
    g_report_cap = mint(g_ep, abi::kRightWrite | abi::kRightGrantReply, kReportBadge);
    g_root_pt = make(abi::ObjectType::PageTable);
    if (!g_checks.expect_ok(page_table_map(g_ipc, g_root_pt, abi::kCapInitVSpace, kArea),
                            "PageTableMap (root)"))
        g_checks.fatal("PageTableMap");
    set_priority(abi::kCapInitTcb, kRootPriority);

    test_frames();
    test_rights();
    test_bad_input();
    test_image_frames();
    g_child = make_space();
    g_child_ep = make(abi::ObjectType::Endpoint);
    test_child_ipc();
    test_demand_paging();
    test_revoke();
    test_pool_full();
    test_make_pools();
    test_asid_reuse();

    return g_checks.done();
}
