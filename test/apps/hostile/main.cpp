// SPDX-License-Identifier: BSD-2-Clause
// hostile: a root task that lets a hostile app attack the kernel while an innocent app answers pings.
//
// The root builds two address spaces from copies of its own image frames
// (common.hpp has the layout): the innocent app (innocent.cpp), which answers
// pings on an endpoint, and the hostile app (hostile.cpp), with a CNode of its
// own holding a few caps (an Untyped of 128 KiB, the innocent app's endpoint, a
// notification, a spare Page Directory, copies of two frame caps) and the
// root's endpoint as its fault handler. Everything the hostile app has comes
// from one 1 MiB Untyped of the root's, the arena.
//
// The hostile app first makes the isolation steps (memory of others and of the
// kernel, caps it was not given, priorities above its MCP, interrupts, mapping
// kernel memory, Thumb-state faults), then a storm of kTargetOps random
// operations (system calls with random numbers and arguments, invocations,
// deep CNode paths, Retype storms until NotEnoughMemory, Revoke storms, garbage
// sp, undefined instructions, aborts, random instruction words...), announcing
// each in the mailbox before it makes it.
//
// The root, below both apps in priority, runs only when the hostile app is
// blocked. It takes each message on its fault endpoint with NBRecv: a fault
// (one with a caller to reply to) is checked against the announcement, counted
// and answered with a new pc and sp (or, for code whose CPSR may be garbage,
// TCB.WriteRegisters); a message without a caller was sent by the hostile app
// itself (it holds the endpoint cap and may send on it) and is counted apart.
// Nothing waiting means the hostile app blocked itself somewhere (a receive on
// its notification, a send nobody takes): the root stops it and restarts it.
// Every kPingEvery events the root pings the innocent app and checks the
// answer; now and then it moves the hostile app's IPC buffer into the kernel's
// half of the address space (the kernel uses the frame, never that address).
//
// At the end: the hostile thread is deleted, its CNode's copies revoked, its
// Untyped revoked and retyped whole (possible only if nothing made from it is
// left), then the arena likewise; the innocent app still answers and its
// secret page is intact. One line per property, "hostile: ...: ok", then
// "hostile: done, N check(s) failed" and DebugHalt(N); the kernel then prints
// its deepest kernel-stack use.
#include "common.hpp"
#include "petrel/bootinfo.hpp"
#include "petrel/checks.hpp"
#include "petrel/errors.hpp"
#include "petrel/invocations.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using namespace hostile;
using abi::Error;
using abi::MessageInfo;
using abi::ObjectType;

namespace {

// Storm operations per run: at least 100,000 (the floor this test promises), within the
// QEMU cases' time limit on raspi2b.
constexpr u32 kTargetOps = 100'000;
constexpr u64 kSeed = 0x9e37'79b9'7f4a'7c15ull;
constexpr u32 kPingEvery = 16;        // events between pings
constexpr u32 kIpcBufferEvery = 257;  // events between moves of the hostile app's IPC buffer
constexpr u32 kArenaBits = 20;
constexpr u32 kRw = abi::kRightRead | abi::kRightWrite;

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
Checks g_checks{"hostile"};
u32 g_next_slot;
u32 g_main;        // the RAM Untyped the root's own objects come from
ImageExtent g_image;  // the root's own image: its pages, which of them are text
volatile Mailbox *const mb = reinterpret_cast<volatile Mailbox *>(kRootMailbox);

// ---------------------------------------------------------------- objects and slots
u32 alloc_slot() {
    if (g_next_slot >= g_bi->empty.end) g_checks.fatal("out of CNode slots");
    return g_next_slot++;
}

u32 make(u32 ut, ObjectType type, u32 size_bits = 0) {
    const u32 slot = alloc_slot();
    if (!g_checks.expect_ok(untyped_retype(g_ipc, ut, type, size_bits, abi::kCapInitCNode, 0, 0, slot, 1),
                            "Untyped.Retype"))
        g_checks.fatal("Untyped.Retype");
    return slot;
}

u32 copy(u32 src, u32 rights) {
    const u32 slot = alloc_slot();
    g_checks.expect_ok(cnode_copy(g_ipc, abi::kCapInitCNode, slot, 32, abi::kCapInitCNode, src, 32, rights),
                       "CNode.Copy");
    return slot;
}

u32 mint(u32 src, u32 rights, u32 badge) {
    const u32 slot = alloc_slot();
    g_checks.expect_ok(
        cnode_mint(g_ipc, abi::kCapInitCNode, slot, 32, abi::kCapInitCNode, src, 32, rights, badge),
        "CNode.Mint");
    return slot;
}

void map(u32 frame, u32 pd, u32 vaddr, u32 rights, u32 attr, const char *what) {
    if (!g_checks.expect_ok(page_map(g_ipc, frame, pd, vaddr, rights, attr), what)) g_checks.fatal(what);
}

// ---------------------------------------------------------------- child address spaces
struct Space {
    u32 pd, pt;
    u32 ipc_frame;
};

// A Page Directory with an ASID; the image's text as read-only copies of the
// root's frame caps, its data and bss as fresh frames holding a copy of the
// root's; a stack and an IPC buffer. Objects from `ut`.
Space make_space(u32 ut) {
    Space s{};
    s.pd = make(ut, ObjectType::PageDirectory);
    g_checks.expect_ok(asid_pool_assign(g_ipc, abi::kCapInitAsidPool, s.pd), "AsidPool.Assign");
    s.pt = make(ut, ObjectType::PageTable);
    g_checks.expect_ok(page_table_map(g_ipc, s.pt, s.pd, 0), "PageTable.Map");
    for (u32 i = 0; i < g_image.text_pages; ++i) {
        const u32 c = copy(g_bi->user_image_frames.start + i, abi::kRightRead);
        map(c, s.pd, kImageBase + i * kPage, abi::kRightRead, abi::kVmCacheable, "Page.Map (text)");
    }
    for (u32 i = g_image.text_pages; i < g_image.pages; ++i) {
        const u32 f = make(ut, ObjectType::Frame4K);
        map(f, abi::kCapInitVSpace, kRootStage, kRw, abi::kVmCacheable, "Page.Map (stage)");
        __builtin_memcpy(reinterpret_cast<void *>(kRootStage), reinterpret_cast<const void *>(kImageBase + i * kPage),
                         kPage);
        g_checks.expect_ok(page_unmap(f), "Page.Unmap (stage)");
        map(f, s.pd, kImageBase + i * kPage, kRw, abi::kVmCacheable | abi::kVmExecuteNever, "Page.Map (data)");
    }
    for (u32 i = 0; i < kStackPages; ++i)
        map(make(ut, ObjectType::Frame4K), s.pd, kStackBase + i * kPage, kRw,
            abi::kVmCacheable | abi::kVmExecuteNever, "Page.Map (stack)");
    s.ipc_frame = make(ut, ObjectType::Frame4K);
    map(s.ipc_frame, s.pd, kIpcBuffer, kRw, abi::kVmCacheable | abi::kVmExecuteNever, "Page.Map (IPC buffer)");
    return s;
}

void start_thread(u32 tcb, u32 priority, u32 pc, u32 r0, bool resume) {
    g_checks.expect_ok(tcb_set_priority(g_ipc, tcb, abi::kCapInitTcb, priority), "TCB.SetPriority");
    UserRegisters r{};
    r.pc = pc;
    r.sp = kStackTop;
    r.cpsr = kCpsrUserArm;
    r.r[0] = r0;
    g_checks.expect_ok(tcb_write_registers(g_ipc, tcb, false, 5, r), "TCB.WriteRegisters");
    if (resume) g_checks.expect_ok(tcb_resume(tcb), "TCB.Resume");
}

// ---------------------------------------------------------------- the innocent app
u32 g_cores;  // BootInfo::num_nodes
u32 g_inn_ep, g_ping_cap, g_secret;
u32 g_pings, g_pings_bad, g_inn_hostile_msgs, g_inn_touches;

void build_innocent() {
    const Space s = make_space(g_main);
    g_secret = make(g_main, ObjectType::Frame4K);
    map(g_secret, abi::kCapInitVSpace, kRootStage, kRw, abi::kVmCacheable, "Page.Map (secret, root)");
    for (u32 i = 0; i < kSecretWords; ++i) reinterpret_cast<volatile u32 *>(kRootStage)[i] = secret_word(i);
    g_checks.expect_ok(page_unmap(g_secret), "Page.Unmap (secret)");
    map(g_secret, s.pd, kSecret, abi::kRightRead, abi::kVmCacheable | abi::kVmExecuteNever, "Page.Map (secret)");
    g_inn_ep = make(g_main, ObjectType::Endpoint);
    g_ping_cap = mint(g_inn_ep, abi::kRightWrite | abi::kRightGrantReply, kPingBadge);
    // Its CNode: 16 slots, a 28-bit guard (a slot index is a cap pointer); slot 1 its endpoint, Read only.
    const u32 cnode = make(g_main, ObjectType::CNode, 4);
    g_checks.expect_ok(cnode_copy(g_ipc, cnode, 1, 4, abi::kCapInitCNode, g_inn_ep, 32, abi::kRightRead),
                       "CNode.Copy");
    const u32 tcb = make(g_main, ObjectType::Tcb);
    g_checks.expect_ok(
        tcb_configure(g_ipc, tcb, 0, cnode, abi::cnode_cap_data(0, 28), s.pd, 0, kIpcBuffer, s.ipc_frame),
        "TCB.Configure (innocent)");
    debug_name_thread(g_ipc, tcb, "innocent");
    // With several cores it answers from core 1 while the hostile app attacks from core 0.
    if (g_cores > 1) g_checks.expect_ok(tcb_set_affinity(tcb, 1), "TCB.SetAffinity (innocent)");
    start_thread(tcb, kInnocentPriority, reinterpret_cast<u32>(&innocent_main), 1, true);  // runs until its Recv
}

// Pings the innocent app; false (and a line) if the answer is wrong.
bool ping() {
    Message m(g_ipc);
    for (u32 i = 0; i < kPingWords; ++i) m.set(i, g_pings * 16 + i);
    const MessageInfo r = call(g_ping_cap, {kPing, 0, 0, kPingWords}, m.regs);
    bool ok = r.label == kPong && r.length == kPongWords;
    for (u32 i = 0; ok && i < kPingWords; ++i) ok = m.get(i) == pong_word(g_pings * 16 + i, i);
    ok = ok && m.get(kPingWords) == 0 && m.get(kPingWords + 1) == 0;
    if (ok) {
        g_inn_hostile_msgs = m.get(kPingWords + 2);
        g_inn_touches = m.get(kPingWords + 3);
    } else if (++g_pings_bad <= 5) {
        printf("hostile:   ping %u: label %x, length %u, words %08x %08x ..., secret bad %u, fpu bad %u: FAILED\n",
               g_pings, r.label, r.length, m.get(0), m.get(1), m.get(kPingWords), m.get(kPingWords + 1));
    }
    ++g_pings;
    return ok;
}

// ---------------------------------------------------------------- the hostile app
u32 g_arena;
u32 g_h_tcb, g_h_cnode, g_h_untyped_root_slot, g_h_ntfn, g_h_ipc_frame;
u32 g_fault_ep;
u32 g_reply_slot;  // where the root saves the hostile app's reply cap

void give(u32 slot, Error e, const char *what) {
    if (!g_checks.expect_ok(e, what)) {
        printf("hostile:   (slot %u of the hostile app's CNode)\n", slot);
        g_checks.fatal(what);
    }
}

void build_hostile() {
    // Its Untyped first: at the arena's base, so its physical range is known.
    const u32 untyped = make(g_arena, ObjectType::Untyped, kHostileUntypedBits);
    const Space s = make_space(g_arena);
    g_h_ipc_frame = s.ipc_frame;
    // The mailbox (the root's frame, a copy mapped in the hostile app) and the jit page.
    const u32 mailbox = make(g_main, ObjectType::Frame4K);
    map(mailbox, abi::kCapInitVSpace, kRootMailbox, kRw, abi::kVmCacheable, "Page.Map (mailbox, root)");
    map(copy(mailbox, kRw), s.pd, kMailbox, kRw, abi::kVmCacheable | abi::kVmExecuteNever, "Page.Map (mailbox)");
    const u32 jit = make(g_arena, ObjectType::Frame4K), jit_pt = make(g_arena, ObjectType::PageTable);
    g_checks.expect_ok(page_table_map(g_ipc, jit_pt, s.pd, kJitPage), "PageTable.Map (jit)");
    map(jit, s.pd, kJitPage, kRw, abi::kVmCacheable, "Page.Map (jit)");

    g_h_cnode = make(g_arena, ObjectType::CNode, kHostileRadix);
    g_h_tcb = make(g_arena, ObjectType::Tcb);
    g_h_ntfn = make(g_arena, ObjectType::Notification);
    const u32 scratch_pd = make(g_arena, ObjectType::PageDirectory);
    g_checks.expect_ok(asid_pool_assign(g_ipc, abi::kCapInitAsidPool, scratch_pd),
                       "AsidPool.Assign (scratch)");
    g_fault_ep = make(g_main, ObjectType::Endpoint);
    const u32 h = g_h_cnode, r = abi::kCapInitCNode, b = kHostileRadix;
    give(kHCNode, cnode_copy(g_ipc, h, kHCNode, b, r, h, 32, abi::kRightsAll), "CNode.Copy (its CNode)");
    give(kHFault, cnode_mint(g_ipc, h, kHFault, b, r, g_fault_ep, 32, abi::kRightWrite | abi::kRightGrantReply,
                             kFaultBadge),
         "CNode.Mint (fault endpoint)");
    give(kHUntyped, cnode_move(g_ipc, h, kHUntyped, b, r, untyped, 32), "CNode.Move (Untyped)");
    g_h_untyped_root_slot = untyped;  // empty now; the Untyped comes back here at the end
    give(kHInnocent, cnode_mint(g_ipc, h, kHInnocent, b, r, g_inn_ep, 32, abi::kRightWrite | abi::kRightGrantReply,
                                kHostileBadge),
         "CNode.Mint (innocent endpoint)");
    give(kHNtfn, cnode_copy(g_ipc, h, kHNtfn, b, r, g_h_ntfn, 32, abi::kRightsAll), "CNode.Copy (notification)");
    give(kHScratchPd, cnode_move(g_ipc, h, kHScratchPd, b, r, scratch_pd, 32), "CNode.Move (PageDirectory)");
    give(kHIpcFrame, cnode_copy(g_ipc, h, kHIpcFrame, b, r, s.ipc_frame, 32, abi::kRightsAll),
         "CNode.Copy (IPC frame)");
    give(kHJitFrame, cnode_copy(g_ipc, h, kHJitFrame, b, r, jit, 32, abi::kRightsAll), "CNode.Copy (jit frame)");
    give(kHSelfTcb, cnode_copy(g_ipc, h, kHSelfTcb, b, r, g_h_tcb, 32, abi::kRightsAll), "CNode.Copy (its TCB)");

    g_checks.expect_ok(tcb_configure(g_ipc, g_h_tcb, kFaultCptr, h, abi::cnode_cap_data(0, kHostileGuardBits),
                                     s.pd, 0, kIpcBuffer, s.ipc_frame),
                       "TCB.Configure (hostile)");
    g_checks.expect_ok(tcb_set_mc_priority(g_ipc, g_h_tcb, abi::kCapInitTcb, kHostileMcp),
                       "TCB.SetMCPriority");
    debug_name_thread(g_ipc, g_h_tcb, "hostile");

    __builtin_memset(const_cast<Mailbox *>(mb), 0, sizeof(Mailbox));
    mb->magic = kMailboxMagic;
    mb->phase = kPhaseIsolation;
    mb->target_ops = kTargetOps;
    mb->seed = kSeed;
    mb->kernel_start = g_bi->kernel_phys_start;
    mb->kernel_end = g_bi->kernel_phys_end;
    u32 arena_pa = 0;
    for (u32 i = 0; i < g_bi->untyped_count; ++i)
        if (g_bi->untyped.start + i == g_main) arena_pa = g_bi->untyped_list[i].paddr;
    mb->untyped_start = arena_pa;
    mb->untyped_end = arena_pa + (1u << kHostileUntypedBits);
    u32 ipc_pa = 0, jit_pa = 0;
    g_checks.expect_ok(page_get_address(s.ipc_frame, ipc_pa), "Page.GetAddress");
    g_checks.expect_ok(page_get_address(jit, jit_pa), "Page.GetAddress");
    mb->ipc_frame_paddr = ipc_pa;
    mb->jit_frame_paddr = jit_pa;
    start_thread(g_h_tcb, kHostilePriority, reinterpret_cast<u32>(hostile_entry), 0, false);
}

// ---------------------------------------------------------------- faults and events
struct Stats {
    u32 events;          // messages on the fault endpoint
    u32 faults;          // ... with a caller to answer: faults (and Calls the hostile app made on it)
    u32 sends;           // ... without: sent by the hostile app itself
    u32 by_label[5];     // faults by abi::FaultLabel (0: another label)
    u32 shape_bad;       // faults whose label and length match no fault message
    u32 unexpected;      // faults while the hostile app said none could happen
    u32 mismatches;      // faults whose label, address or pc differ from the announcement
    u32 group_faults[kGroupCount], group_mismatch[kGroupCount];
    u32 rescues, restart_probes, ipc_buffer_moves, garbage_sp_replies, register_resumes;
} g_st;

u32 mr_of(const MessageRegs &mr, u32 i) { return i < abi::kMsgRegisters ? mr[i] : g_ipc->msg[i]; }

bool fault_shape(u32 label, u32 length) {
    switch (static_cast<abi::FaultLabel>(label)) {
        case abi::FaultLabel::CapFault:
        case abi::FaultLabel::UserException:
        case abi::FaultLabel::VmFault: return length == 4;
        case abi::FaultLabel::UnknownSyscall: return length == 11;
        default: return false;
    }
}

u32 fault_address(u32 label, const MessageRegs &mr) {
    switch (static_cast<abi::FaultLabel>(label)) {
        case abi::FaultLabel::UnknownSyscall: return mr_of(mr, 2);
        case abi::FaultLabel::UserException: return mr_of(mr, 3);
        default: return mr_of(mr, 1);
    }
}

void verify_fault(const Announce &a, MessageInfo info, const MessageRegs &mr) {
    const u32 g = a.group < kGroupCount ? a.group : 0;
    g_st.group_faults[g]++;
    g_st.by_label[info.label <= 4 ? info.label : 0]++;
    const bool shape = fault_shape(info.label, info.length);
    if (!shape) g_st.shape_bad++;
    bool bad = false;
    if (a.expect == kExpectNone) {
        g_st.unexpected++;
        bad = true;
    } else if (a.expect == kExpectMust) {
        bad = !shape || (a.label && info.label != a.label) ||
              (a.check_addr && fault_address(info.label, mr) != a.addr) || (a.check_pc && mr_of(mr, 0) != a.pc);
    }
    if (!bad) return;
    g_st.mismatches++;
    g_st.group_mismatch[g]++;
    if (g_st.mismatches <= 10)
        printf(
            "hostile:   fault %u (operation %u, kind %u, group %u, expect %u): label %u, length %u, MR0-3 %08x %08x "
            "%08x %08x; announced label %u, address %08x%s, pc %08x%s: FAILED\n",
            g_st.events, mb->ops, a.kind, a.group, a.expect, info.label, info.length, mr_of(mr, 0), mr_of(mr, 1),
            mr_of(mr, 2), mr_of(mr, 3), a.label, a.addr, a.check_addr ? "" : " (any)", a.pc,
            a.check_pc ? "" : " (any)");
}

// Saves the reply cap of the message just received; true if there was a caller.
bool save_caller() {
    const u32 w[] = {g_reply_slot, 32};
    g_checks.expect_ok(invoke(g_ipc, abi::kCapInitCNode, abi::Label::CNodeSaveCaller, w, 2, nullptr, 0),
                       "CNode.SaveCaller");
    return debug_cap_identify(g_reply_slot) == 4;  // a Reply cap (cap.hpp)
}

void resume_hostile(u32 mode) {
    if (mode == kResumeRegisters) {
        UserRegisters r{};
        r.pc = reinterpret_cast<u32>(hostile_after_fault);
        r.sp = kStackTop;
        r.cpsr = kCpsrUserArm;
        g_st.register_resumes++;
        g_checks.expect_ok(tcb_write_registers(g_ipc, g_h_tcb, true, 3, r), "TCB.WriteRegisters (resume)");
        g_checks.expect_ok(cnode_delete(abi::kCapInitCNode, g_reply_slot, 32), "CNode.Delete (reply)");
        return;
    }
    // The entry points load their own sp: every fifth reply sets a garbage one.
    u32 sp = kStackTop;
    if (g_st.faults % 5 == 0) {
        sp = 0x8000'0000u + g_st.faults * 4;
        g_st.garbage_sp_replies++;
    }
    const u32 pc = reinterpret_cast<u32>(mode == kResumeThumb ? hostile_after_fault_thumb : hostile_after_fault);
    MessageRegs mr{pc, sp, 0, 0};
    send(g_reply_slot, {kFaultReplyLabel, 0, 0, 2}, mr);  // a Send on a saved reply cap replies
}

// The hostile app is blocked, not on a fault: restart it (or, for the restart
// probe, stop it, resume it where it was and wake it).
void unblock_hostile() {
    if (mb->cur.kind == kOpRestartProbe) {
        g_st.restart_probes++;
        g_checks.expect_ok(tcb_suspend(g_h_tcb), "TCB.Suspend (probe)");
        // It runs, and blocks again in the same svc.
        g_checks.expect_ok(tcb_resume(g_h_tcb), "TCB.Resume (probe)");
        signal(g_h_ntfn);
        return;
    }
    g_st.rescues++;
    g_checks.expect_ok(tcb_suspend(g_h_tcb), "TCB.Suspend (rescue)");
    UserRegisters r{};
    r.pc = reinterpret_cast<u32>(hostile_after_rescue);
    r.sp = kStackTop;
    r.cpsr = kCpsrUserArm;
    g_checks.expect_ok(tcb_write_registers(g_ipc, g_h_tcb, true, 3, r), "TCB.WriteRegisters (rescue)");
}

// The hostile app's IPC buffer, moved now and then: into the kernel's half of
// the address space (the kernel takes the buffer from the frame, at the
// address's offset in it), to none, and back.
void move_ipc_buffer() {
    // Most of these leave the buffer where the app writes it (the first 512
    // bytes of the frame); two leave it none or another slice of the frame.
    static const u32 kBuffers[] = {0x8000'0000, kIpcBuffer, 0xffff'f000, 0x8010'0000,
                                   kIpcBuffer,  0,          kIpcBuffer,  0xffff'fe00};
    const u32 w[] = {kBuffers[g_st.ipc_buffer_moves % 8]};
    g_checks.expect_ok(invoke(g_ipc, g_h_tcb, abi::Label::TcbSetIpcBuffer, w, 1, &g_h_ipc_frame, 1),
                       "TCB.SetIPCBuffer");
    g_st.ipc_buffer_moves++;
}

bool g_pings_ok = true;

void group_line(Group g, const char *what) {
    const bool ok = mb->group_failed[g] == 0 && g_st.group_mismatch[g] == 0 && mb->group_checks[g] > 0;
    printf("hostile:   %u checks, %u failed; %u faults reported, %u not as announced\n", mb->group_checks[g],
           mb->group_failed[g], g_st.group_faults[g], g_st.group_mismatch[g]);
    g_checks.check(ok, what);
}

void finish_isolation() {
    printf("hostile: isolation steps done: %u slots hold the caps it was given, %u hold others; %u IRQ invocations "
           "(%u accepted), %u mappings in the kernel's half (%u accepted), %u frames checked (%u outside its Untyped "
           "or over the kernel)\n",
           mb->given_slots_seen, mb->foreign_caps_seen, mb->irq_attempts, mb->irq_accepted, mb->kernel_maps,
           mb->kernel_maps_accepted, mb->frames_checked, mb->frames_outside);
    group_line(kGroupMemory,
               "isolation: reads, writes and jumps to the innocent app's, the root's and the kernel's memory, and to "
               "its own pages against their rights, fault to its handler");
    group_line(kGroupCaps,
               "isolation: it holds only the caps it was given; empty slots, wrong guards and the root's cap pointers "
               "fail the lookup or fault");
    group_line(kGroupMcp, "isolation: no priority or MCP above the MCP of the authority named");
    group_line(kGroupIrq, "isolation: no IRQ handler without IRQ Control, through any cap it holds");
    group_line(kGroupDebug,
               "isolation: without a Debug cap, DebugHalt and DebugDumpScheduler are refused (InvalidCapability) "
               "and the system runs on");
    group_line(kGroupMap,
               "isolation: no mapping at or above 0x80000000; every frame it makes lies in its Untyped, none over the "
               "kernel");
    printf("hostile:   Thumb probes: the add before an FPU instruction retried after the lazy FPU switch ran %u "
           "time(s) in Thumb state, %u in ARM state; the add before a receive stopped and resumed ran %u time(s) in "
           "Thumb state, %u in ARM state (1 is right)\n",
           mb->thumb_results[0], mb->thumb_results[1], mb->thumb_results[2], mb->thumb_results[3]);
    group_line(kGroupThumb,
               "faults in Thumb and ARM state are reported at the faulting instruction; restarts and FPU retries "
               "resume at the right one (those in Thumb state where checked)");
    // The storm goes on without its own TCB cap.
    g_checks.expect_ok(cnode_delete(g_h_cnode, kHSelfTcb, kHostileRadix), "CNode.Delete (its TCB cap)");
    mb->phase = kPhaseStorm;
    printf("hostile: storm: %u operations from seed %08x%08x\n", mb->target_ops, static_cast<u32>(kSeed >> 32),
           static_cast<u32>(kSeed));
}

// Runs the hostile app until it reports the end of the storm.
void run_hostile() {
    g_checks.expect_ok(tcb_resume(g_h_tcb), "TCB.Resume (hostile)");
    u32 last_progress = 0, stalled = 0;
    for (;;) {
        MessageRegs mr{};
        const RecvResult r = nb_recv(g_fault_ep, mr);
        const u32 progress = mb->ops + mb->iso_step;
        stalled = progress == last_progress ? stalled + 1 : 0;
        last_progress = progress;
        if (stalled > 10'000) {
            printf("hostile: no progress at operation %u, step %u (kind %u)\n", mb->ops, mb->iso_step, mb->cur.kind);
            g_checks.fatal("the hostile app makes progress");
        }
        if (r.badge == 0 && r.info.label == 0 && r.info.length == 0) {
            unblock_hostile();
            if (g_st.rescues % kPingEvery == 0) g_pings_ok = ping() && g_pings_ok;
            continue;
        }
        g_st.events++;
        Announce a;
        a.kind = mb->cur.kind;
        a.group = mb->cur.group;
        a.expect = mb->cur.expect;
        a.label = mb->cur.label;
        a.check_addr = mb->cur.check_addr;
        a.addr = mb->cur.addr;
        a.check_pc = mb->cur.check_pc;
        a.pc = mb->cur.pc;
        a.resume = mb->cur.resume;
        if (!save_caller()) {
            g_st.sends++;
            continue;
        }
        g_st.faults++;
        verify_fault(a, r.info, mr);
        if (a.kind == kOpStormDone) return;  // it stays blocked, waiting for a reply that never comes
        if (a.kind == kOpIsoDone) finish_isolation();
        if (g_st.events % kPingEvery == 0) g_pings_ok = ping() && g_pings_ok;
        if (mb->phase == kPhaseStorm && g_st.events % kIpcBufferEvery == 0) move_ipc_buffer();
        resume_hostile(a.resume);
    }
}

// ---------------------------------------------------------------- the end
// Retypes the whole of the Untyped in `slot` as one Untyped: possible only if
// nothing made from it is left.
bool untyped_whole(u32 slot, u32 bits) {
    const u32 dest = alloc_slot();
    const Error e = untyped_retype(g_ipc, slot, ObjectType::Untyped, bits, abi::kCapInitCNode, 0, 0, dest, 1);
    printf("hostile:   Retype of the whole 2^%u bytes: %s\n", bits, error_name(e));
    if (e == Error::None) g_checks.expect_ok(cnode_delete(abi::kCapInitCNode, dest, 32), "CNode.Delete");
    return e == Error::None;
}

bool secret_intact() {
    const u32 c = copy(g_secret, abi::kRightRead);
    map(c, abi::kCapInitVSpace, kRootStage, abi::kRightRead, abi::kVmCacheable, "Page.Map (secret check)");
    u32 bad = 0;
    for (u32 i = 0; i < kSecretWords; ++i)
        if (reinterpret_cast<const volatile u32 *>(kRootStage)[i] != secret_word(i)) ++bad;
    g_checks.expect_ok(page_unmap(c), "Page.Unmap");
    return bad == 0;
}

// The smallest RAM Untyped of at least 4 MiB: the root's own objects and the arena.
bool choose_untyped() {
    g_main = smallest_ram_untyped(g_bi, 22);
    if (!g_main) return false;
    const abi::UntypedDesc &u = untyped_desc(g_bi, g_main);
    printf("hostile: objects from Untyped slot %u: %08x, 2^%u bytes; kernel image %08x-%08x\n", g_main,
           u.paddr, u.size_bits, g_bi->kernel_phys_start, g_bi->kernel_phys_end);
    return true;
}

// The root's own set-up: its priority, the Untyped its objects come from, the
// arena, its reply slot and the PageTable of its own mappings (kRootArea).
void set_up_root(const abi::BootInfo *bi) {
    g_bi = bi;
    g_cores = bi->num_nodes;
    g_ipc = root_ipc_buffer(bi);
    g_next_slot = bi->empty.start;
    g_image = own_image();
    printf("hostile: root task: a hostile app attacks, an innocent app answers pings (image %08x-%08x)\n",
           kImageBase, g_image.end);
    if (g_image.end > kMailbox) g_checks.fatal("the image fits below the mailbox");
    if (!choose_untyped()) g_checks.fatal("a RAM Untyped of 4 MiB");
    g_checks.expect_ok(tcb_set_priority(g_ipc, abi::kCapInitTcb, abi::kCapInitTcb, kRootPriority),
                       "TCB.SetPriority (root)");
    g_arena = make(g_main, ObjectType::Untyped, kArenaBits);  // the first object: at the Untyped's base
    g_reply_slot = alloc_slot();
    const u32 root_pt = make(g_main, ObjectType::PageTable);
    g_checks.expect_ok(page_table_map(g_ipc, root_pt, abi::kCapInitVSpace, kRootArea),
                       "PageTable.Map (root)");
}

// The storm's counts, as the app and the root saw them (ops: the operations it survived).
void report_storm(u32 ops) {
    printf("hostile: storm: %u operations survived: %u system calls with random numbers, %u invocations, %u CNode "
           "operations (%u through guarded or 32-level paths), %u Retypes (%u succeeded, %u ran out of memory), "
           "%u Revoke and Delete operations (%u Revokes of its Untyped), %u mapping operations (%u mapped), %u TCB "
           "operations, %u messages to the innocent app, %u undefined or privileged instructions, "
           "%u kernel-address and %u unmapped-address accesses, %u garbage-sp operations, %u faulting system "
           "calls, %u Thumb faults, %u random instruction words, %u FPU and %u mode-change attempts\n",
           ops, mb->op_count[kOpSyscall], mb->op_count[kOpInvoke], mb->op_count[kOpCNode], mb->deep_lookups,
           mb->retype_calls, mb->retype_ok, mb->untyped_full, mb->op_count[kOpRevoke], mb->untyped_revokes,
           mb->op_count[kOpVm], mb->maps_ok, mb->op_count[kOpTcb], mb->op_count[kOpInnocent],
           mb->op_count[kOpUndefined], mb->op_count[kOpKernelAccess], mb->op_count[kOpUnmapped],
           mb->op_count[kOpGarbageSp], mb->op_count[kOpSyscallFault], mb->op_count[kOpThumb], mb->op_count[kOpJit],
           mb->op_count[kOpFpu], mb->op_count[kOpPrivileged]);
    printf("hostile: storm: %u faults reported to the root (%u cap, %u unknown syscall, %u user exception, %u VM; %u "
           "other), %u of them Calls the app made on its fault endpoint; %u messages it sent there; %u times blocked "
           "and restarted by the root; %u resumes by TCB.WriteRegisters, %u replies with a garbage sp; IPC buffer "
           "moved %u times\n",
           g_st.faults, g_st.by_label[1], g_st.by_label[2], g_st.by_label[3], g_st.by_label[4], g_st.by_label[0],
           mb->forged_calls, g_st.sends, g_st.rescues, g_st.register_resumes, g_st.garbage_sp_replies,
           g_st.ipc_buffer_moves);
    printf("hostile: storm: the app counted %u resumes after a fault, %u after a restart, %u must-fault operations "
           "that went on, %u resumes where no fault could happen; the root found %u faults not as announced, %u "
           "while none could happen\n",
           mb->resumes, mb->rescues, mb->missed_faults, mb->unexpected_resumes, g_st.mismatches, g_st.unexpected);
    printf("hostile: storm: invocation replies: %u None, %u InvalidArgument, %u InvalidCapability, %u "
           "IllegalOperation, %u RangeError, %u AlignmentError, %u FailedLookup, %u TruncatedMessage, %u DeleteFirst, "
           "%u RevokeFirst, %u NotEnoughMemory, %u other labels\n",
           mb->error_counts[0], mb->error_counts[1], mb->error_counts[2], mb->error_counts[3], mb->error_counts[4],
           mb->error_counts[5], mb->error_counts[6], mb->error_counts[7], mb->error_counts[8], mb->error_counts[9],
           mb->error_counts[10], mb->error_counts[11]);
    printf("hostile: storm: %u priority changes above an MCP of 0 (%u accepted), %u mappings in the kernel's half (%u "
           "accepted), %u frames checked (%u outside its Untyped or over the kernel), %u system calls with a garbage "
           "sp (%u changed a register they must keep), %u mode changes (%u took effect)\n",
           mb->mcp_attempts, mb->mcp_violations, mb->kernel_maps, mb->kernel_maps_accepted, mb->frames_checked,
           mb->frames_outside, mb->reg_checks, mb->reg_corrupt, mb->priv_checks, mb->priv_violations);
    if (mb->kernel_maps_accepted)
        printf("hostile:   a mapping at %08x (cap type %u) was accepted: FAILED\n", mb->bad_map_vaddr,
               mb->bad_map_type);
    printf("hostile: innocent app: %u pings answered, %u wrong; it received %u messages from the hostile app (%u "
           "asked it to use the FPU)\n",
           g_pings, g_pings_bad, g_inn_hostile_msgs, g_inn_touches);
}

// The storm's verdict: every operation survived, every fault reported as
// announced, nothing gained (op_faults: the resumes the app counted per operation kind, summed).
void check_storm(u32 ops, u32 op_faults) {
    g_checks.check(ops == kTargetOps, "the kernel survived every storm operation and is alive");
    g_checks.check(g_st.faults - 1 == mb->resumes + mb->forged_calls && op_faults == mb->resumes &&
                       mb->missed_faults == 0 && mb->unexpected_resumes == 0 && g_st.mismatches == 0 &&
                       g_st.rescues == mb->rescues,
                   "every fault of the hostile app was reported to its handler, as announced, and each "
                   "answer resumed it");
    g_checks.check(mb->mcp_violations == 0 && mb->kernel_maps_accepted == 0 && mb->frames_outside == 0 &&
                       mb->reg_corrupt == 0 && mb->priv_violations == 0,
                   "the storm gained no priority, no kernel mapping, no frame outside its Untyped, no "
                   "register or mode change");
}

// Deletes the hostile app and checks that all of its memory and the arena are
// free again, and that the innocent app is intact.
void tear_down_and_check() {
    g_checks.expect_ok(cnode_delete(abi::kCapInitCNode, g_h_tcb, 32), "CNode.Delete (hostile TCB)");
    g_checks.expect_ok(cnode_revoke(abi::kCapInitCNode, g_h_cnode, 32), "CNode.Revoke (its CNode)");
    g_checks.expect_ok(cnode_revoke(g_h_cnode, kHUntyped, kHostileRadix), "CNode.Revoke (its Untyped)");
    g_checks.expect_ok(
        cnode_move(g_ipc, abi::kCapInitCNode, g_h_untyped_root_slot, 32, g_h_cnode, kHUntyped, kHostileRadix),
        "CNode.Move (its Untyped)");
    const bool untyped_free = untyped_whole(g_h_untyped_root_slot, kHostileUntypedBits);
    g_checks.expect_ok(cnode_revoke(abi::kCapInitCNode, g_arena, 32), "CNode.Revoke (arena)");
    const bool arena_free = untyped_whole(g_arena, kArenaBits);
    g_checks.check(
        untyped_free && arena_free,
        "after the revoke, all of its Untyped is free again, and all of the arena its objects came from");
    bool last_pings = true;
    for (u32 i = 0; i < 3; ++i) last_pings = ping() && last_pings;
    const bool secret = secret_intact();
    g_checks.check(
        g_pings_ok && last_pings && g_pings_bad == 0 && secret,
        "the innocent app answered every ping, correctly, with its secret page and FPU registers intact");
}

}  // namespace

int main(const abi::BootInfo *bi) {
    set_up_root(bi);
    build_innocent();
    bool first_pings = true;
    for (u32 i = 0; i < 3; ++i) first_pings = ping() && first_pings;
    g_checks.check(first_pings, "the innocent app answers pings before the attack");
    build_hostile();

    run_hostile();

    // The storm is over: the hostile app waits for an answer to its last fault.
    const u32 ops = mb->ops;
    g_checks.expect_ok(tcb_suspend(g_h_tcb), "TCB.Suspend (hostile)");
    for (u32 i = 0; i < 3; ++i) g_pings_ok = ping() && g_pings_ok;
    u32 op_faults = 0;
    for (u32 k = 0; k < kOpKinds; ++k) op_faults += mb->op_faults[k];
    report_storm(ops);
    check_storm(ops, op_faults);
    // Its thread, then every copy of its CNode's cap, then everything made from its Untyped.
    tear_down_and_check();
    return g_checks.done();
}
