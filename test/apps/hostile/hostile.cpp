// SPDX-License-Identifier: BSD-2-Clause
// hostile: the hostile app: deterministic isolation attempts, then a storm of random attacks.
//
// It runs in an address space and CSpace of its own (common.hpp) and keeps
// its state in the mailbox and in its own data, never on its stack, so that
// wherever a fault or the root stops it, the root can resume it at
// hostile_after_fault / hostile_after_rescue with a fresh stack and it goes on
// with the next operation: the pseudo-random generator, the step and operation
// counters advance before an operation is made. Before each operation it announces in the mailbox what it is about to
// do (Mailbox::cur): whether it may or must fault and, where it can know, the
// fault label, address and pc the root must be told; the root checks every
// fault message against that. A must-fault operation that goes on is counted
// (missed_faults), and so is a resume while no fault was possible.
//
// Phase 1, isolation: the steps of the table kIsolationSteps, one at a time,
// each proving one thing (its Group) and counting checks and failures in the
// mailbox. Phase 2, the storm: Mailbox::target_ops operations chosen at
// random (storm_op()) from the seed the root put in the mailbox.
//
// It never writes anything but its own data, stack, IPC buffer, jit page and
// the mailbox: stores elsewhere are attacks that must fault.
#include "common.hpp"
#include "petrel/invocations.hpp"

using namespace petrel;
using namespace hostile;
using abi::Error;
using abi::Label;
using abi::ObjectType;

// probes.S
extern "C" {
void hostile_raw_syscall(u32 *io);
void hostile_garbage_sp_syscall(u32 *io);
void hostile_svc(u32 number, u32 r0);
void hostile_garbage_sp_udf(u32 sp);
u32 hostile_load(u32 addr);
void hostile_store(u32 addr, u32 value);
void hostile_jump(u32 addr);
void hostile_ldrd(u32 addr);
void hostile_ldm(u32 addr);
void hostile_udf();
void hostile_udf_big();
void hostile_read_sctlr();
void hostile_write_ttbr0();
void hostile_read_fpexc();
void hostile_smc();
void hostile_hvc();
void hostile_bkpt();
u32 hostile_privileged();
void hostile_fpu_garbage(u32 a, u32 b);
u32 hostile_arm_fpu_probe();
u32 hostile_arm_restart_probe(u32 ntfn);
[[noreturn]] void hostile_jit_run();
void hostile_thumb_udf();
void hostile_thumb_svc(u32 number, u32 r0);
u32 hostile_thumb_fpu_probe();
u32 hostile_thumb_restart_probe(u32 ntfn);
extern char hostile_svc_insn[], hostile_garbage_sp_udf_insn[], hostile_load_insn[], hostile_store_insn[],
    hostile_ldrd_insn[], hostile_ldm_insn[], hostile_udf_insn[], hostile_udf_big_insn[],
    hostile_read_sctlr_insn[], hostile_write_ttbr0_insn[], hostile_read_fpexc_insn[], hostile_smc_insn[],
    hostile_hvc_insn[], hostile_bkpt_insn[], hostile_arm_restart_svc[], hostile_thumb_udf_insn[],
    hostile_thumb_svc_insn[], hostile_thumb_restart_svc[];
// Used by probes.S around a system call made with a garbage sp.
u32 g_hostile_saved_sp;
u32 *g_hostile_saved_io;
[[noreturn]] void hostile_resume(u32 why);
}

static_assert(kStackTop == 0x000e'4000 && kJitPage + 0x800 == 0x7ff0'0800, "probes.S has these numbers");

namespace {

volatile Mailbox *const mb = hostile_mailbox();
abi::IpcBuffer *const ipc = reinterpret_cast<abi::IpcBuffer *>(kIpcBuffer);
volatile u32 *const jit = reinterpret_cast<volatile u32 *>(kJitPage);
constexpr u32 kJitSlot = 0x800 / 4;
constexpr u32 kUdf = 0xe7f0'00f0;
constexpr u32 kH = cptr(kHCNode);  // its CNode, through the copy of its cap

u32 addr_of(const void *p) { return reinterpret_cast<u32>(p) & ~1u; }  // labels in Thumb code too
u32 addr_of(void (*f)()) { return reinterpret_cast<u32>(f); }

// ---------------------------------------------------------------- randomness
u32 rnd() {
    u64 x = mb->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    mb->rng = x;
    return static_cast<u32>((x * 0x2545'f491'4f6c'dd1dull) >> 32);
}
u32 below(u32 n) { return static_cast<u32>((u64{rnd()} * n) >> 32); }
bool chance(u32 percent) { return below(100) < percent; }

constexpr u32 kInteresting[] = {
    0,          1,          2,          3,          4,          7,          8,          12,
    16,         17,         18,         20,         24,         31,         32,         33,
    40,         64,         120,        121,        127,        128,        255,        256,
    257,        0x1000,     0x0010'0000, 0x7fff'ffff, 0x8000'0000, 0x8010'0000, 0xf000'0000, 0xffff'0000,
    0xffff'f000, 0xffff'fffc, 0xffff'ffff, 0xffff'fffe, kIpcBuffer, kMailbox,   kJitPage,   kStackTop - 16,
    0xfffff,    0x3ffff,    abi::kNotificationLabel, kFaultReplyLabel,
};
u32 interesting() { return kInteresting[below(sizeof(kInteresting) / sizeof(kInteresting[0]))]; }

u32 storm_slot() { return kHFirstStorm + below(256 - kHFirstStorm); }
u32 given_slot() { return kHCNode + below(kHJitFrame - kHCNode + 1); }

// A cap pointer: mostly one that names a slot, some that go deeper or nowhere.
u32 random_cptr() {
    const u32 r = below(100);
    if (r < 25) return cptr(given_slot());
    if (r < 50) return cptr(storm_slot());
    if (r < 55) return cptr(below(kHCNode));                      // empty slots
    if (r < 70) return below(256) << 8 | below(256);               // first-level paths, deeper through CNodes
    if (r < 78) return rnd();
    if (r < 86) return interesting();
    if (r < 94) return cptr(given_slot()) ^ (1u << (16 + below(16)));  // a wrong guard
    return below(256);
}

u32 any_word() {
    switch (below(9)) {
        case 0: return rnd();
        case 1: return interesting();
        case 2: return below(64);
        case 3: return random_cptr();
        case 4: return 0x8000'0000u | rnd();
        case 5: return below(256);
        case 6: return 1u << below(32);
        case 7: return storm_slot();
        default: return below(33);  // depths, sizes, counts
    }
}

// A message tag: a label, a length (mostly short, sometimes the most or more
// than the most), extra caps.
u32 random_tag() {
    u32 label;
    const u32 r = below(10);
    if (r < 6) label = below(static_cast<u32>(Label::Count) + 2);
    else if (r < 8) label = below(64);
    else label = rnd() & 0xfffff;
    u32 length;
    const u32 l = below(10);
    if (l < 6) length = below(9);
    else if (l < 8) length = below(128);
    else length = l == 8 ? abi::kMsgMaxLength : 127;
    return abi::MessageInfo{label, below(8), below(4), length}.word();
}

// The IPC buffer: message registers, extra cap pointers and the receive slot, at random.
void scramble_ipc_buffer(u32 words) {
    for (u32 i = abi::kMsgRegisters; i < words && i < abi::kMsgMaxLength; ++i) ipc->msg[i] = any_word();
    for (u32 i = 0; i < abi::kMsgMaxExtraCaps; ++i)
        ipc->caps_or_badges[i] = chance(40) ? kH : chance(50) ? cptr(given_slot()) : random_cptr();
    ipc->receive_cnode = chance(50) ? cptr(kHCNode) : random_cptr();
    ipc->receive_index = chance(50) ? storm_slot() : any_word();
    ipc->receive_depth = chance(50) ? kHostileRadix : below(40);
}

// CNode methods that take a cap out of a slot (Delete, Move, Mutate, Rotate's
// pivot, ...) are kept off the slots the app was given, whichever path names
// them: the last level of such a path is the app's CNode only through a copy
// of its cap, whose radix 8 takes the slot from the index's low 8 bits. Its
// fault endpoint and CNode copy stay in place so its faults can be reported.
u32 keep_off_given(u32 index) { return (index & 0xffu) < kHFirstStorm ? index | 0x80u : index; }

void sanitize(u32 label, u32 *mr, u32 n) {
    auto fix = [&](u32 i) {
        if (i < n) mr[i] = keep_off_given(mr[i]);
    };
    switch (static_cast<Label>(label)) {
        case Label::CNodeDelete:
        case Label::CNodeCancelBadgedSends:
        case Label::CNodeSaveCaller: fix(0); break;
        case Label::CNodeMove:
        case Label::CNodeMutate: fix(0); fix(2); break;
        case Label::CNodeRotate: fix(0); fix(2); fix(5); break;
        default: break;
    }
}

// ---------------------------------------------------------------- announcing
void announce(OpKind kind, Group group, Expect expect, u32 label = 0, bool check_addr = false, u32 addr = 0,
              bool check_pc = false, u32 pc = 0, ResumeMode resume = kResumeReply) {
    mb->cur.kind = kind;
    mb->cur.group = group;
    mb->cur.label = label;
    mb->cur.check_addr = check_addr;
    mb->cur.addr = addr;
    mb->cur.check_pc = check_pc;
    mb->cur.pc = pc;
    mb->cur.resume = resume;
    mb->cur.expect = expect;  // last: the announcement is complete
    asm volatile("" ::: "memory");
}

// A must-fault operation went on.
void missed(Group g) {
    mb->missed_faults = mb->missed_faults + 1;
    mb->group_failed[g] = mb->group_failed[g] + 1;
}

void must_fault(OpKind kind, Group g, abi::FaultLabel label, u32 addr, u32 pc,
                ResumeMode resume = kResumeReply, bool check_addr = true) {
    if (g != kGroupStorm) {
        mb->group_checks[g] = mb->group_checks[g] + 1;
        mb->group_must[g] = mb->group_must[g] + 1;
    }
    announce(kind, g, kExpectMust, static_cast<u32>(label), check_addr, addr, pc != 0, pc, resume);
}

// A check of a deterministic step.
void check(Group g, bool ok) {
    mb->group_checks[g] = mb->group_checks[g] + 1;
    if (!ok) mb->group_failed[g] = mb->group_failed[g] + 1;
}

// Every reply label of its Calls: an error code, 0, or the root's answer to a
// fault (kFaultReplyLabel), which means the Call went to its fault endpoint
// (through a copy of that cap) and the root took it for a fault.
Error count_error(Error e) {
    const u32 i = static_cast<u32>(e);
    if (i == kFaultReplyLabel) mb->forged_calls = mb->forged_calls + 1;
    mb->error_counts[i < 11 ? i : 11] = mb->error_counts[i < 11 ? i : 11] + 1;
    return e;
}

Error inv(u32 cap, Label label, const u32 *w, u32 n, const u32 *caps = nullptr, u32 ncaps = 0,
          MessageRegs *reply = nullptr) {
    const Error e = invoke(ipc, cap, label, w, n, caps, ncaps, reply);
    count_error(e);
    return e;
}

Error retype(u32 untyped, ObjectType type, u32 size_bits, u32 root, u32 index, u32 depth, u32 offset, u32 n) {
    const u32 w[] = {static_cast<u32>(type), size_bits, index, depth, offset, n};
    return inv(untyped, Label::UntypedRetype, w, 6, &root, 1);
}

bool frame_paddr_ok(u32 pa) {
    const bool given = pa == mb->ipc_frame_paddr || pa == mb->jit_frame_paddr;
    return (given || (pa >= mb->untyped_start && pa < mb->untyped_end)) &&
           !(pa + kPage > mb->kernel_start && pa < mb->kernel_end);
}

constexpr u32 kCapTypeThread = 6, kCapTypePageDirectory = 8, kCapTypePageTable = 9, kCapTypeFrame4K = 10,
              kCapTypeFrame16M = 13;  // DebugCapIdentify (cap.hpp)
bool is_frame(u32 c) {
    const u32 t = debug_cap_identify(c);
    return t >= kCapTypeFrame4K && t <= kCapTypeFrame16M;
}

// GetAddress of the frame in `slot`, if it is one: it must lie in the app's
// Untyped (or be one of the two frames it was given copies of) and outside
// the kernel image.
void check_frame(u32 slot, Group g) {
    if (!is_frame(cptr(slot))) return;
    u32 pa = 0;
    const Error e = count_error(page_get_address(cptr(slot), pa));
    if (e != Error::None) return;
    mb->frames_checked = mb->frames_checked + 1;
    const bool ok = frame_paddr_ok(pa);
    if (!ok) mb->frames_outside = mb->frames_outside + 1;
    if (g != kGroupStorm) check(g, ok);
}

// What the storm made last (slots of its CNode), to use them before the next Revoke.
u32 g_tcb_first, g_tcb_count;
u32 g_frame_first, g_frame_count, g_frame_bits, g_table_first, g_table_count, g_table_vaddr;

void forget_objects() { g_tcb_count = g_frame_count = g_table_count = g_table_vaddr = 0; }

void revoke_untyped() {
    const u32 w[] = {kHUntyped, kHostileRadix};
    inv(kH, Label::CNodeRevoke, w, 2);
    mb->untyped_revokes = mb->untyped_revokes + 1;
    mb->storm_slot = kHFirstStorm;
    forget_objects();
}

// ---------------------------------------------------------------- isolation steps
// Each step function makes one step (`i`: which one of its kind, from 0) and
// counts its checks in its Group; isolation_step() finds it in kIsolationSteps.
using abi::FaultLabel;
constexpr auto kVm = FaultLabel::VmFault;

// Memory: the innocent app's, the root's and the kernel's addresses, and
// its own pages used against their rights, all fault.
constexpr u32 kLoads[] = {kSecret,     kRootMailbox, 0x8000'0000, 0x8010'0000, 0xf000'0000,
                          0xffff'0000, 0xffff'fffc, 0x0010'0000, 0x0010'1000, 0x0000'0000};
constexpr u32 kLoadCount = sizeof(kLoads) / sizeof(kLoads[0]);
// Kernel text, the innocent's page, and its own never-executable pages.
constexpr u32 kJumps[] = {0x8010'0000, 0xffff'0000, kSecret, kMailbox, kStackBase, kIpcBuffer};
constexpr u32 kJumpCount = sizeof(kJumps) / sizeof(kJumps[0]);

void load_forbidden(u32 i) {
    const u32 a = kLoads[i];
    must_fault(kOpIsolation, kGroupMemory, kVm, a, addr_of(hostile_load_insn));
    hostile_load(a);
    missed(kGroupMemory);
}

void store_forbidden(u32 i) {
    const u32 a = kLoads[i];
    must_fault(kOpIsolation, kGroupMemory, kVm, a, addr_of(hostile_store_insn));
    hostile_store(a, 0xbadbad);
    missed(kGroupMemory);
}

void jump_forbidden(u32 i) {
    const u32 a = kJumps[i];
    must_fault(kOpIsolation, kGroupMemory, kVm, a, a);
    hostile_jump(a);
    missed(kGroupMemory);
}

// Its own text is read-only.
void store_own_text(u32) {
    const u32 a = addr_of(hostile_udf);
    must_fault(kOpIsolation, kGroupMemory, kVm, a, addr_of(hostile_store_insn));
    hostile_store(a, 0);
    missed(kGroupMemory);
}

// Caps: only the given ones are there, nothing else is reachable.
void identify_every_slot(u32) {
    volatile Mailbox &m = *mb;
    static const u32 kTypes[] = {5, 2, 1, 2, 3, 8, 10, 10, 6};  // kHCNode..kHSelfTcb (cap.hpp numbers)
    for (u32 s = 0; s < (1u << kHostileRadix); ++s) {
        const u32 t = debug_cap_identify(cptr(s));
        const bool given = s >= kHCNode && s <= kHSelfTcb;
        const bool ok = given ? t == kTypes[s - kHCNode] : t == 0;
        if (given && ok) m.given_slots_seen = m.given_slots_seen + 1;
        if (!given && t != 0) m.foreign_caps_seen = m.foreign_caps_seen + 1;
        check(kGroupCaps, ok);
    }
}

// Where the root holds its TCB, CNode, IRQ and ASID Control, BootInfo and Untyped.
void invoke_root_cap_pointers(u32) {
    for (u32 c = 1; c < 64; ++c) {
        Label l = c == 1   ? Label::TcbSuspend
                  : c == 2 ? Label::CNodeRevoke
                  : c == 4 ? Label::IrqIssueIrqHandler
                  : c == 5 ? Label::AsidControlMakePool
                  : c == 6 ? Label::AsidPoolAssign
                  : c < 9  ? Label::PageGetAddress
                           : Label::UntypedRetype;
        const u32 w[] = {static_cast<u32>(ObjectType::Endpoint), 0, 0, 0, 40, 1};
        const u32 caps[] = {kH};
        const Error e = inv(c, l, w, 6, caps, 1);  // the lookup ends in its empty slot 0
        check(kGroupCaps, e == Error::InvalidCapability || e == Error::FailedLookup);
    }
}

// A wrong guard in front of a cap it holds.
void invoke_through_wrong_guards(u32) {
    for (u32 b = 16; b < 32; ++b) {
        const u32 w[] = {static_cast<u32>(ObjectType::Endpoint), 0, 0, 0, 40, 1};
        const u32 caps[] = {kH};
        MessageRegs d{};
        const Error e = inv(cptr(kHUntyped) | 1u << b, Label::UntypedRetype, w, 6, caps, 1, &d);
        check(kGroupCaps, e == Error::FailedLookup && d[1] == static_cast<u32>(abi::LookupFailure::GuardMismatch));
    }
}

// An empty slot as the invoked cap and as an extra cap.
void invoke_empty_slots(u32) {
    const u32 w[] = {static_cast<u32>(ObjectType::Endpoint), 0, 0, 0, 40, 1};
    const u32 empty[] = {cptr(41)};
    check(kGroupCaps, inv(cptr(40), Label::UntypedRetype, w, 6, empty, 1) == Error::FailedLookup);
    check(kGroupCaps, inv(cptr(kHUntyped), Label::UntypedRetype, w, 6, empty, 1) == Error::FailedLookup);
    check(kGroupCaps, debug_cap_identify(cptr(40)) == 0);
}

// A receive on an empty slot: a cap fault to the handler.
void receive_on_empty_slot(u32) {
    must_fault(kOpIsolation, kGroupCaps, FaultLabel::CapFault, cptr(40), addr_of(hostile_svc_insn));
    hostile_svc(static_cast<u32>(abi::Syscall::Recv), cptr(40));
    missed(kGroupCaps);
}

// A receive through an endpoint cap without Read: a cap fault.
void receive_without_read(u32) {
    must_fault(kOpIsolation, kGroupCaps, FaultLabel::CapFault, cptr(kHInnocent), addr_of(hostile_svc_insn));
    hostile_svc(static_cast<u32>(abi::Syscall::Recv), cptr(kHInnocent));
    missed(kGroupCaps);
}

// TCB.SetPriority, SetMCPriority (a) or SetSchedParams (a, b) on `tcb` with the authority `auth`.
Error set_prio(u32 tcb, u32 auth, Label l, u32 a, u32 b) {
    const u32 w[] = {a, b};
    return inv(tcb, l, w, l == Label::TcbSetSchedParams ? 2 : 1, &auth, 1);
}

// Priorities: never above its maximum controlled priority (kHostileMcp).
void raise_priority_above_mcp(u32) {
    const u32 self = cptr(kHSelfTcb);
    check(kGroupMcp, set_prio(self, self, Label::TcbSetPriority, kHostileMcp + 1, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(self, self, Label::TcbSetPriority, 255, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(self, self, Label::TcbSetPriority, 0xffff'ffff, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(self, self, Label::TcbSetMCPriority, kHostileMcp + 1, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(self, self, Label::TcbSetSchedParams, 255, 255) == Error::RangeError);
    check(kGroupMcp,
          set_prio(self, self, Label::TcbSetSchedParams, kHostileMcp, kHostileMcp + 1) == Error::RangeError);
    check(kGroupMcp, set_prio(self, self, Label::TcbSetPriority, kHostileMcp, 0) == Error::None);
    // A thread it makes has MCP 0: no authority for anything above 0, until
    // its own (MCP kHostileMcp) raises that MCP, never above its own.
    const u32 t = cptr(kHFirstStorm);
    check(kGroupMcp, retype(cptr(kHUntyped), ObjectType::Tcb, 0, kH, 0, 0, kHFirstStorm, 1) == Error::None);
    check(kGroupMcp, set_prio(self, t, Label::TcbSetPriority, 1, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(t, t, Label::TcbSetPriority, 1, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(t, self, Label::TcbSetMCPriority, kHostileMcp + 1, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(t, self, Label::TcbSetMCPriority, kHostileMcp, 0) == Error::None);
    check(kGroupMcp, set_prio(t, t, Label::TcbSetPriority, kHostileMcp, 0) == Error::None);
    check(kGroupMcp, set_prio(t, t, Label::TcbSetPriority, kHostileMcp + 1, 0) == Error::RangeError);
    check(kGroupMcp, set_prio(self, t, Label::TcbSetPriority, kHostileMcp + 1, 0) == Error::RangeError);
    revoke_untyped();
}

// Interrupts: no cap it holds issues or handles one, whatever the label.
void issue_irq_handlers(u32) {
    volatile Mailbox &m = *mb;
    for (u32 s = 0; s < (1u << kHostileRadix); ++s) {
        if (s == kHFault || s == kHInnocent || s == kHNtfn) continue;  // IPC, not invocations
        const u32 c = cptr(s);
        const u32 get[] = {33, 60, kHostileRadix}, trig[] = {33, 1, 60, kHostileRadix};
        const u32 ntfn = cptr(kHNtfn);
        const Error e[] = {inv(c, Label::IrqIssueIrqHandler, get, 3, &kH, 1),
                           inv(c, Label::IrqIssueIrqHandlerTrigger, trig, 4, &kH, 1),
                           inv(c, Label::IrqAckIrq, nullptr, 0),
                           inv(c, Label::IrqSetIrqHandler, nullptr, 0, &ntfn, 1),
                           inv(c, Label::IrqClearIrqHandler, nullptr, 0)};
        for (Error x : e) {
            m.irq_attempts = m.irq_attempts + 1;
            if (x == Error::None) m.irq_accepted = m.irq_accepted + 1;
            check(kGroupIrq, x != Error::None);
        }
    }
    for (u32 i = 0; i < 64; ++i) {  // lines 0..63 through the slots where the root holds IRQ Control
        const u32 get[] = {i, 60, kHostileRadix};
        const Error e = inv(abi::kCapIrqControl, Label::IrqIssueIrqHandler, get, 3, &kH, 1);
        m.irq_attempts = m.irq_attempts + 1;
        if (e == Error::None) m.irq_accepted = m.irq_accepted + 1;
        check(kGroupIrq, e == Error::InvalidCapability || e == Error::FailedLookup);
    }
    check(kGroupIrq, debug_cap_identify(cptr(60)) == 0);
}

// Debug authority: it holds no Debug cap, so DebugHalt and DebugDumpScheduler
// are refused whatever it names (the root's Debug cap pointer, the slot of
// that number in its own CNode, every cap it was given, nothing) and the
// system runs on: the run would end here otherwise.
void halt_without_debug_cap(u32) {
    const u32 names[] = {abi::kCapDebug, cptr(abi::kCapDebug), cptr(kHCNode), cptr(kHFault), cptr(kHUntyped),
                         cptr(kHInnocent), cptr(kHNtfn), 0, 0xffff'ffff};
    for (u32 c : names) {
        check(kGroupDebug, debug_try_halt(c, 77) == Error::InvalidCapability);
        check(kGroupDebug, debug_dump_scheduler(c) == Error::InvalidCapability);
    }
}

// Mapping: nothing at or above 0x80000000; its frames are its Untyped's.
void map_kernel_addresses(u32) {
    volatile Mailbox &m = *mb;
    const u32 u = cptr(kHUntyped), pd = cptr(kHScratchPd), rw = abi::kRightRead | abi::kRightWrite;
    const u32 s = kHFirstStorm;
    check(kGroupMap, retype(u, ObjectType::Frame1M, 0, kH, 0, 0, s, 1) == Error::NotEnoughMemory);
    check(kGroupMap, retype(u, ObjectType::Frame64K, 0, kH, 0, 0, s, 1) == Error::None);
    check(kGroupMap, retype(u, ObjectType::Frame4K, 0, kH, 0, 0, s + 1, 2) == Error::None);
    check(kGroupMap, retype(u, ObjectType::PageTable, 0, kH, 0, 0, s + 3, 1) == Error::None);
    struct Try {
        u32 slot, vaddr;
        bool table;
    };
    const Try tries[] = {{s + 1, 0x8000'0000, false}, {s + 1, 0xffff'f000, false}, {s + 1, 0x8010'0000, false},
                         {s + 1, 0xf000'0000, false}, {s, 0xffff'0000, false},      {s, 0x8000'0000, false},
                         {s + 3, 0x8000'0000, true},  {s + 3, 0xf000'0000, true},    {s + 3, 0xfff0'0000, true}};
    for (const Try &t : tries) {
        MessageRegs d{};
        const Error e = t.table ? page_table_map(ipc, cptr(t.slot), pd, t.vaddr, &d)
                                : page_map(ipc, cptr(t.slot), pd, t.vaddr, rw, abi::kVmDefault, &d);
        count_error(e);
        m.kernel_maps = m.kernel_maps + 1;
        if (e == Error::None) m.kernel_maps_accepted = m.kernel_maps_accepted + 1;
        check(kGroupMap, e == Error::InvalidArgument && d[0] == 0);
    }
    // The highest user page maps (the refusals above are about the address, not the frame).
    check(kGroupMap, count_error(page_table_map(ipc, cptr(s + 3), pd, 0x7ff0'0000)) == Error::None);
    check(kGroupMap, count_error(page_map(ipc, cptr(s + 2), pd, 0x7fff'f000, rw, abi::kVmDefault)) == Error::None);
    for (u32 i = 0; i < 3; ++i) check_frame(s + i, kGroupMap);
    revoke_untyped();
}

// All of its Untyped as 4 KiB frames: every one in its Untyped, none over the kernel.
void frames_stay_in_untyped(u32) {
    u32 made = 0;
    for (u32 off = kHFirstStorm; off < 256; off += 16) {
        const Error e = retype(cptr(kHUntyped), ObjectType::Frame4K, 0, kH, 0, 0, off, 16);
        if (e != Error::None) break;
        for (u32 i = 0; i < 16; ++i) check_frame(off + i, kGroupMap);
        made += 16;
    }
    check(kGroupMap, made == (1u << kHostileUntypedBits) / kPage);
    revoke_untyped();
}

// Thumb state: faults and restarts reported at the instruction.
void thumb_undefined(u32) {
    const u32 pc = addr_of(hostile_thumb_udf_insn);
    must_fault(kOpIsolation, kGroupThumb, FaultLabel::UserException, pc, pc, kResumeThumb);
    hostile_thumb_udf();
    missed(kGroupThumb);
}

// Unknown system call: the pc after the svc (2 bytes on).
void thumb_unknown_syscall(u32) {
    must_fault(kOpIsolation, kGroupThumb, FaultLabel::UnknownSyscall, 0x55, addr_of(hostile_thumb_svc_insn) + 2,
               kResumeThumb);
    hostile_thumb_svc(0x55, 0);
    missed(kGroupThumb);
}

// The same in ARM state: 4 bytes on.
void arm_unknown_syscall(u32) {
    must_fault(kOpIsolation, kGroupThumb, FaultLabel::UnknownSyscall, 0x55, addr_of(hostile_svc_insn) + 4);
    hostile_svc(0x55, 0);
    missed(kGroupThumb);
}

// A cap fault in ARM state: the pc of the svc, which a reply would retry.
void arm_cap_fault(u32) {
    must_fault(kOpIsolation, kGroupThumb, FaultLabel::CapFault, cptr(42), addr_of(hostile_svc_insn));
    hostile_svc(static_cast<u32>(abi::Syscall::Recv), cptr(42));
    missed(kGroupThumb);
}

// The same in Thumb state.
void thumb_cap_fault(u32) {
    must_fault(kOpIsolation, kGroupThumb, FaultLabel::CapFault, cptr(42),
               addr_of(hostile_thumb_svc_insn), kResumeThumb);
    hostile_thumb_svc(static_cast<u32>(abi::Syscall::Recv), cptr(42));
    missed(kGroupThumb);
}

// The first FPU instruction after the innocent app used the FPU (i: 0 in ARM state, 1 in Thumb state).
void fpu_after_innocent(u32 i) {
    const bool thumb = i == 1;
    announce(kOpIsolation, kGroupThumb, kExpectMay);
    MessageRegs mr{};
    call(cptr(kHInnocent), {kTouchFpu, 0, 0, 0}, mr);  // the innocent app now owns the FPU
    announce(kOpIsolation, kGroupThumb, kExpectNone);
    const u32 r = thumb ? hostile_thumb_fpu_probe() : hostile_arm_fpu_probe();
    mb->thumb_results[thumb ? 0 : 1] = r;
    check(kGroupThumb, r == 1);
}

// A blocking receive the root suspends and resumes (i: 0 in ARM state, 1 in Thumb state).
void restart_probe(u32 i) {
    const bool thumb = i == 1;
    announce(kOpRestartProbe, kGroupThumb, kExpectNone);
    const u32 r = thumb ? hostile_thumb_restart_probe(cptr(kHNtfn)) : hostile_arm_restart_probe(cptr(kHNtfn));
    mb->thumb_results[thumb ? 2 : 3] = r;
    check(kGroupThumb, r == 1);
}

// The isolation steps in order: `count` steps run `run(0)` .. `run(count - 1)`.
struct IsolationStep {
    void (*run)(u32 i);
    u32 count;
};
constexpr IsolationStep kIsolationSteps[] = {
    {load_forbidden, kLoadCount},
    {store_forbidden, kLoadCount},
    {jump_forbidden, kJumpCount},
    {store_own_text, 1},
    {identify_every_slot, 1},
    {invoke_root_cap_pointers, 1},
    {invoke_through_wrong_guards, 1},
    {invoke_empty_slots, 1},
    {receive_on_empty_slot, 1},
    {receive_without_read, 1},
    {raise_priority_above_mcp, 1},
    {issue_irq_handlers, 1},
    {halt_without_debug_cap, 1},
    {map_kernel_addresses, 1},
    {frames_stay_in_untyped, 1},
    {thumb_undefined, 1},
    {thumb_unknown_syscall, 1},
    {arm_unknown_syscall, 1},
    {arm_cap_fault, 1},
    {thumb_cap_fault, 1},
    {fpu_after_innocent, 2},
    {restart_probe, 2},
};

// Makes isolation step `step`; returns false once the steps are over.
bool isolation_step(u32 step) {
    for (const IsolationStep &s : kIsolationSteps) {
        if (step < s.count) {
            s.run(step);
            return true;
        }
        step -= s.count;
    }
    return false;
}

// ---------------------------------------------------------------- storm operations
void op_syscall() {
    u32 io[7];
    u32 number;
    const u32 r = below(100);
    if (r < 35) number = 1 + below(8);                  // Call .. Yield
    else if (r < 45) number = 20 + below(2);            // DebugCapIdentify, DebugNull
    else if (r < 70) number = below(41);                // 0..40
    else if (r < 85) number = rnd();
    else number = 0x8000'0000u | below(64);
    if (number >= 16 && number <= 19) number += 6;  // DebugPutChar, Halt, DumpScheduler, NameThread: below
    io[0] = chance(70) ? random_cptr() : any_word();
    io[1] = random_tag();
    for (u32 i = 2; i < 6; ++i) io[i] = any_word();
    io[6] = number;
    const abi::MessageInfo tag = abi::MessageInfo::from_word(io[1]);
    if (number == 1 || number == 3 || number == 4) {
        u32 mr[8] = {io[2], io[3], io[4], io[5], ipc->msg[4], ipc->msg[5], ipc->msg[6], ipc->msg[7]};
        sanitize(tag.label, mr, 8);
        for (u32 i = 0; i < 4; ++i) io[2 + i] = mr[i];
        for (u32 i = 4; i < 8; ++i) ipc->msg[i] = mr[i];
    }
    announce(kOpSyscall, kGroupStorm, kExpectMay);
    hostile_raw_syscall(io);
    if (number == 1) count_error(static_cast<Error>(abi::MessageInfo::from_word(io[1]).label));
}

void op_invoke() {
    const u32 cap = random_cptr();
    abi::MessageInfo tag = abi::MessageInfo::from_word(random_tag());
    if (chance(70)) tag.label = 1 + below(static_cast<u32>(Label::Count) - 1);
    u32 mr[8];
    for (u32 i = 0; i < 8; ++i) mr[i] = any_word();
    sanitize(tag.label, mr, 8);
    u32 io[7] = {cap, tag.word(), mr[0], mr[1], mr[2], mr[3], 1};
    for (u32 i = 4; i < 8; ++i) ipc->msg[i] = mr[i];
    const u32 how = below(10);
    io[6] = how < 8 ? 1 : how == 8 ? 3 : 4;  // Call, Send, NBSend
    announce(kOpInvoke, kGroupStorm, kExpectMay);
    hostile_raw_syscall(io);
    if (io[6] == 1) count_error(static_cast<Error>(abi::MessageInfo::from_word(io[1]).label));
}

u32 g_chain = 0;  // a storm slot holding a radix-1 CNode whose slot 0 holds a cap to itself (0: none)

void op_cnode() {
    const u32 rights = chance(70) ? abi::kRightsAll : below(16);
    switch (below(9)) {
        case 0: {  // a copy of its CNode's cap with a random guard
            const u32 size = below(26), guard = size ? rnd() & ((1u << (size < 18 ? size : 18)) - 1) : 0;
            const u32 w[] = {storm_slot(), kHostileRadix, kHCNode, kHostileRadix, rights,
                             chance(80) ? abi::cnode_cap_data(guard, size) : any_word()};
            announce(kOpCNode, kGroupStorm, kExpectMay);
            inv(kH, Label::CNodeMint, w, 6, &kH, 1);
            return;
        }
        case 1: {  // a radix-1 CNode holding a cap to itself: 32 levels of lookup
            const u32 s = keep_off_given(storm_slot());
            announce(kOpCNode, kGroupStorm, kExpectMay);
            if (retype(cptr(kHUntyped), ObjectType::CNode, 1, kH, 0, 0, s, 1) != Error::None) return;
            const u32 w[] = {0, 1, s, kHostileRadix, abi::kRightsAll};
            if (inv(cptr(s), Label::CNodeCopy, w, 5, &kH, 1) == Error::None) g_chain = s;
            return;
        }
        case 2: {  // through the chain: index 1 at depth d walks d - 1 times through slot 0, then slot 1
            if (!g_chain) return;
            const u32 depth = 1 + below(40);
            const u32 w[] = {1, depth, given_slot(), kHostileRadix, rights};
            announce(kOpCNode, kGroupStorm, kExpectMay);
            if (inv(cptr(g_chain), Label::CNodeCopy, w, 5, &kH, 1) == Error::None) {
                mb->deep_lookups = mb->deep_lookups + 1;
                const u32 d[] = {1, depth};
                inv(cptr(g_chain), Label::CNodeDelete, d, 2);
            }
            return;
        }
        case 3: {  // a guarded copy, then a Copy through it with the matching path
            const u32 size = 1 + below(18), guard = rnd() & ((1u << size) - 1);
            const u32 alias = keep_off_given(storm_slot()), dest = keep_off_given(storm_slot());
            const u32 w[] = {alias, kHostileRadix, kHCNode, kHostileRadix, abi::kRightsAll,
                             abi::cnode_cap_data(guard, size)};
            announce(kOpCNode, kGroupStorm, kExpectMay);
            if (inv(kH, Label::CNodeMint, w, 6, &kH, 1) != Error::None) return;
            const u32 c[] = {guard << 8 | dest, size + kHostileRadix, given_slot(), kHostileRadix, rights};
            if (inv(cptr(alias), Label::CNodeCopy, c, 5, &kH, 1) == Error::None)
                mb->deep_lookups = mb->deep_lookups + 1;
            return;
        }
        default: {  // any CNode method through any CNode cap, with random slots and depths
            static const Label kLabels[] = {Label::CNodeRevoke, Label::CNodeDelete, Label::CNodeCancelBadgedSends,
                                            Label::CNodeCopy,   Label::CNodeMint,   Label::CNodeMove,
                                            Label::CNodeMutate, Label::CNodeRotate, Label::CNodeSaveCaller};
            const Label l = kLabels[below(9)];
            const u32 root = chance(50) ? kH : chance(50) ? cptr(storm_slot()) : random_cptr();
            u32 w[10];
            for (u32 i = 0; i < 10; ++i) {
                const u32 k = below(4);
                w[i] = k == 0 ? storm_slot() : k == 1 ? kHostileRadix : k == 2 ? below(40) : any_word();
            }
            if (l == Label::CNodeCopy || l == Label::CNodeMint) w[4] = rights;
            sanitize(static_cast<u32>(l), w, 10);
            const u32 caps[] = {chance(70) ? kH : random_cptr(), chance(70) ? kH : random_cptr()};
            announce(kOpCNode, kGroupStorm, kExpectMay);
            inv(root, l, w, l == Label::CNodeRotate ? 8 : 6, caps, l == Label::CNodeRotate ? 2 : 1);
            return;
        }
    }
}


ObjectType random_type(u32 &size_bits) {
    const u32 r = below(100);
    size_bits = below(33);
    if (r < 20) return ObjectType::Frame4K;
    if (r < 30) return ObjectType::Endpoint;
    if (r < 35) return ObjectType::Notification;
    if (r < 50) return ObjectType::Tcb;
    if (r < 60) { size_bits = 1 + below(10); return ObjectType::CNode; }
    if (r < 68) return ObjectType::PageTable;
    if (r < 73) return ObjectType::PageDirectory;
    if (r < 78) return ObjectType::Frame64K;
    if (r < 88) { size_bits = 4 + below(14); return ObjectType::Untyped; }
    if (r < 91) return ObjectType::Frame1M;
    if (r < 93) return ObjectType::Frame16M;
    return static_cast<ObjectType>(chance(50) ? below(16) : rnd());
}

// Retype storm: objects until NotEnoughMemory, then (or now and then) a Revoke of the Untyped.
void op_retype() {
    announce(kOpRetype, kGroupStorm, kExpectMay);
    if (mb->storm_slot >= 250 || chance(1)) {
        revoke_untyped();
        return;
    }
    u32 bits;
    const ObjectType type = random_type(bits);
    const u32 first = mb->storm_slot;
    u32 count = 1 + below(16);
    if (first + count > 256) count = 256 - first;
    Error e;
    bool into_h = true;
    if (chance(80)) {
        if (chance(5)) count = any_word();
        e = retype(cptr(kHUntyped), type, bits, kH, 0, 0, first, count);
    } else {  // into another CNode, or an Untyped it made, or anything
        into_h = false;
        const u32 src = chance(70) ? cptr(kHUntyped) : cptr(storm_slot());
        e = retype(src, type, bits, cptr(storm_slot()), chance(70) ? 0 : storm_slot(), chance(70) ? 0 : kHostileRadix,
                   below(1024), 1 + below(256));
    }
    mb->retype_calls = mb->retype_calls + 1;
    if (e == Error::NotEnoughMemory) {
        mb->untyped_full = mb->untyped_full + 1;
        mb->storm_slot = 250;  // the next Retype operation revokes
    } else if (e == Error::None) {
        mb->retype_ok = mb->retype_ok + 1;
        if (into_h) {
            mb->objects_made = mb->objects_made + count;
            mb->storm_slot = first + count;
            if (type == ObjectType::Frame4K || type == ObjectType::Frame64K)
                for (u32 i = 0; i < count && i < 4; ++i) check_frame(first + i, kGroupStorm);
            if (type == ObjectType::Tcb) {
                g_tcb_first = first;
                g_tcb_count = count;
            } else if (type == ObjectType::Frame4K || type == ObjectType::Frame64K) {
                g_frame_first = first;
                g_frame_count = count;
                g_frame_bits = type == ObjectType::Frame4K ? abi::kPageBits : abi::kLargePageBits;
            } else if (type == ObjectType::PageTable) {
                g_table_first = first;
                g_table_count = count;
            }
        }
    } else if (e == Error::DeleteFirst && into_h) {  // clear the slots (Delete storm) for the next one
        for (u32 i = 0; i < count && first + i < 256; ++i) {
            const u32 w[] = {first + i, kHostileRadix};
            inv(kH, Label::CNodeDelete, w, 2);
            mb->deletes = mb->deletes + 1;
        }
    }
}

void op_revoke() {
    announce(kOpRevoke, kGroupStorm, kExpectNone);
    const u32 r = below(10);
    if (r < 1) {
        revoke_untyped();
    } else if (r < 6) {  // any slot, given ones too: Revoke removes what was derived from it, not the cap
        const u32 w[] = {chance(30) ? given_slot() : storm_slot(), kHostileRadix};
        inv(kH, Label::CNodeRevoke, w, 2);
        mb->revokes = mb->revokes + 1;
    } else {
        for (u32 i = 0; i < 1 + below(8); ++i) {
            const u32 w[] = {keep_off_given(storm_slot()), kHostileRadix};
            inv(kH, Label::CNodeDelete, w, 2);
            mb->deletes = mb->deletes + 1;
        }
    }
}

u32 random_vaddr() {
    const u32 r = below(10);
    if (r < 3) return 0x8000'0000u | (rnd() & ~0xfffu);
    if (r < 5) return interesting() & ~0xfffu;
    return rnd() & 0x7fff'f000u;
}

u32 some_of(u32 first, u32 count) {
    return count && chance(75) ? cptr(first + below(count)) : chance(80) ? cptr(storm_slot()) : random_cptr();
}

void op_vm() {
    const u32 pd = chance(90) ? cptr(kHScratchPd) : random_cptr();
    const bool table = chance(30);
    const u32 f = table ? some_of(g_table_first, g_table_count) : some_of(g_frame_first, g_frame_count);
    announce(kOpVm, kGroupStorm, kExpectMay);
    MessageRegs d{};
    if (chance(25) && mb->storm_slot + 5 <= 250) {  // a PageTable and four frames, mapped and partly unmapped
        const u32 first = mb->storm_slot, u = cptr(kHUntyped), spd = cptr(kHScratchPd);
        if (count_error(retype(u, ObjectType::PageTable, 0, kH, 0, 0, first, 1)) != Error::None ||
            count_error(retype(u, ObjectType::Frame4K, 0, kH, 0, 0, first + 1, 4)) != Error::None)
            return;
        mb->storm_slot = first + 5;
        const u32 va = (0x0100'0000u + (below(0x7e0) << abi::kSectionBits)) & 0x7ff0'0000u;
        if (count_error(page_table_map(ipc, cptr(first), spd, va)) != Error::None) return;
        mb->maps_ok = mb->maps_ok + 1;
        g_table_first = first, g_table_count = 1, g_table_vaddr = va;
        g_frame_first = first + 1, g_frame_count = 4, g_frame_bits = abi::kPageBits;
        for (u32 i = 0; i < 4; ++i) {
            const u32 rights = abi::kRightRead | (chance(50) ? u32{abi::kRightWrite} : 0u);
            if (count_error(page_map(ipc, cptr(first + 1 + i), spd, va + below(256) * kPage, rights,
                                     abi::kVmCacheable)) == Error::None)
                mb->maps_ok = mb->maps_ok + 1;
        }
        if (chance(50)) count_error(page_unmap(cptr(first + 1 + below(4))));
        if (chance(20)) count_error(page_table_unmap(cptr(first)));
        return;
    }
    switch (below(7)) {
        case 0:
        case 1:
        case 2: {  // a frame or PageTable; in the kernel's half it must be refused
            const u32 read = abi::kRightRead, write = abi::kRightWrite, cached = abi::kVmCacheable,
                      xn = abi::kVmExecuteNever;
            const u32 rights = chance(80) ? read | (chance(50) ? write : 0u) : below(16);
            const u32 attr = chance(80) ? (chance(50) ? cached : 0u) | (chance(50) ? xn : 0u) : below(8);
            u32 va = random_vaddr();
            if (!table && g_table_vaddr && chance(50))  // where a PageTable is (or was)
                va = g_table_vaddr + (below(256) << abi::kPageBits & ~((1u << g_frame_bits) - 1));
            const Error e = count_error(table ? page_table_map(ipc, f, pd, va, &d)
                                              : page_map(ipc, f, pd, va, rights, attr, &d));
            const u32 ft = debug_cap_identify(f);
            const bool real = debug_cap_identify(pd) == kCapTypePageDirectory &&
                              (table ? ft == kCapTypePageTable : ft >= kCapTypeFrame4K && ft <= kCapTypeFrame16M);
            if (table && e == Error::None) g_table_vaddr = va & ~((1u << abi::kSectionBits) - 1);
            if (e == Error::None && real) mb->maps_ok = mb->maps_ok + 1;
            if (real && va >= abi::kUserTop) {
                mb->kernel_maps = mb->kernel_maps + 1;
                if (e == Error::None) {
                    mb->kernel_maps_accepted = mb->kernel_maps_accepted + 1;
                    mb->bad_map_vaddr = va;
                    mb->bad_map_type = ft;
                }
            }
            return;
        }
        case 3: count_error(chance(50) ? page_unmap(f) : page_table_unmap(f)); return;
        case 4: check_frame(storm_slot(), kGroupStorm); return;
        case 5: {
            static const Label kOps[] = {Label::PageClean, Label::PageInvalidate, Label::PageCleanInvalidate,
                                         Label::PageUnify};
            count_error(page_cache_op(chance(80) ? f : random_cptr(), kOps[below(4)], any_word(), any_word()));
            return;
        }
        default: {
            static const Label kOps[] = {Label::PageDirectoryClean, Label::PageDirectoryInvalidate,
                                         Label::PageDirectoryCleanInvalidate, Label::PageDirectoryUnify};
            count_error(page_directory_cache_op(pd, kOps[below(4)], random_vaddr(), random_vaddr()));
            return;
        }
    }
}

// TCB methods on the threads it made (each has MCP 0 and never runs: the root is always runnable above 0).
u32 some_tcb() {
    if (g_tcb_count && chance(70)) return cptr(g_tcb_first + below(g_tcb_count));
    return chance(85) ? cptr(storm_slot()) : random_cptr();
}

void op_tcb() {
    const u32 t = some_tcb(), other = some_tcb();
    announce(kOpTcb, kGroupStorm, kExpectMay);
    UserRegisters regs{};
    for (u32 i = 0; i < 17; ++i) reinterpret_cast<u32 *>(&regs)[i] = any_word();
    const u32 buffer = chance(50) ? (0x8000'0000u | (rnd() & ~0x1ffu)) : (any_word() & ~0x1ffu);
    switch (below(10)) {
        case 0: {
            const u32 frame = chance(60) ? cptr(kHIpcFrame) : chance(50) ? cptr(kHJitFrame) : cptr(storm_slot());
            count_error(tcb_configure(ipc, t, any_word(), chance(70) ? kH : other, chance(50) ? 0 : any_word(),
                                      chance(70) ? cptr(kHScratchPd) : other, chance(90) ? 0 : any_word(), buffer,
                                      frame));
            return;
        }
        case 1: {  // an IPC buffer address in the kernel's half
            const u32 frame = chance(70) ? cptr(kHIpcFrame) : cptr(storm_slot());
            const u32 w[] = {buffer};
            inv(t, Label::TcbSetIpcBuffer, w, 1, &frame, 1);
            return;
        }
        case 2:
        case 3: {  // priorities: every authority it can name has MCP 0
            static const Label kLabels[] = {Label::TcbSetPriority, Label::TcbSetMCPriority, Label::TcbSetSchedParams};
            const Label l = kLabels[below(3)];
            const u32 v = chance(50) ? 1 + below(255) : any_word(), v2 = chance(50) ? below(256) : any_word();
            const u32 w[] = {v, v2};
            const Error e = inv(t, l, w, l == Label::TcbSetSchedParams ? 2 : 1, &other, 1);
            const bool tcbs = debug_cap_identify(t) == kCapTypeThread && debug_cap_identify(other) == kCapTypeThread;
            if (tcbs && (v > 0 || (l == Label::TcbSetSchedParams && v2 > 0))) {
                mb->mcp_attempts = mb->mcp_attempts + 1;
                if (e == Error::None) mb->mcp_violations = mb->mcp_violations + 1;
            }
            return;
        }
        case 4: count_error(tcb_write_registers(ipc, t, chance(50), 1 + below(17), regs)); return;
        case 5: count_error(tcb_read_registers(ipc, t, chance(50), 1 + below(17), regs)); return;
        case 6: {
            const u32 w[] = {below(16)};
            inv(t, Label::TcbCopyRegisters, w, 1, &other, 1);
            return;
        }
        case 7: count_error(chance(50) ? tcb_bind_notification(ipc, t, chance(70) ? cptr(kHNtfn) : other)
                                       : tcb_unbind_notification(t));
            return;
        case 8: count_error(chance(50) ? tcb_suspend(t) : tcb_resume(t)); return;
        default: {
            const u32 w[] = {any_word(), any_word(), any_word()};
            const u32 caps[] = {other, chance(50) ? cptr(kHScratchPd) : other};
            inv(t, Label::TcbSetSpace, w, 3, caps, 2);
            return;
        }
    }
}

void op_innocent() {
    abi::MessageInfo tag = abi::MessageInfo::from_word(random_tag());
    if (chance(10)) tag.label = kTouchFpu;
    if (chance(10)) tag.label = kPing;  // it must tell the root's pings by their badge
    u32 io[7] = {cptr(kHInnocent), tag.word(), any_word(), any_word(), any_word(), any_word(), 1};
    const u32 how = below(10);
    io[6] = how < 7 ? 1 : how < 9 ? 3 : 4;
    announce(kOpInnocent, kGroupStorm, kExpectMay);
    mb->innocent_calls = mb->innocent_calls + 1;
    hostile_raw_syscall(io);  // the innocent app answers with label 0, or nothing (a Send)
    if (io[6] == 1 && abi::MessageInfo::from_word(io[1]).label == 0) mb->innocent_replies = mb->innocent_replies + 1;
}

void op_undefined() {
    using abi::FaultLabel;
    const u32 r = below(9);
    struct P {
        void (*fn)();
        char *insn;
        FaultLabel label;
    };
    const P probes[] = {
        {hostile_udf, hostile_udf_insn, FaultLabel::UserException},
        {hostile_udf_big, hostile_udf_big_insn, FaultLabel::UserException},
        {hostile_read_sctlr, hostile_read_sctlr_insn, FaultLabel::UserException},
        {hostile_write_ttbr0, hostile_write_ttbr0_insn, FaultLabel::UserException},
        {hostile_read_fpexc, hostile_read_fpexc_insn, FaultLabel::UserException},
        {hostile_smc, hostile_smc_insn, FaultLabel::UserException},
        {hostile_hvc, hostile_hvc_insn, FaultLabel::UserException},
        {hostile_bkpt, hostile_bkpt_insn, FaultLabel::VmFault},
        {hostile_udf, hostile_udf_insn, FaultLabel::UserException},
    };
    const P &p = probes[r];
    const u32 pc = addr_of(p.insn);
    // UserException MR3 is the instruction's address; a debug event has no fault address.
    must_fault(kOpUndefined, kGroupStorm, p.label, pc, pc, kResumeReply, p.label == FaultLabel::UserException);
    p.fn();
    missed(kGroupStorm);
}

void op_kernel_access() {
    using abi::FaultLabel;
    u32 a = chance(50) ? (0x8000'0000u | rnd()) : (interesting() | 0x8000'0000u);
    a &= ~3u;
    switch (below(3)) {
        case 0:
            must_fault(kOpKernelAccess, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_load_insn));
            hostile_load(a);
            break;
        case 1:
            must_fault(kOpKernelAccess, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_store_insn));
            hostile_store(a, rnd());
            break;
        default:
            must_fault(kOpKernelAccess, kGroupStorm, FaultLabel::VmFault, a, a);
            hostile_jump(a);
            break;
    }
    missed(kGroupStorm);
}

// An address below 0x80000000 where nothing of its own is mapped.
u32 unmapped_addr() {
    for (;;) {
        const u32 a = rnd() & 0x7fff'fffcu;
        const u32 r = below(4);
        const u32 cand = r == 0 ? (a & 0xffffu) : r == 1 ? (0x000c'1000u + (a % (kSecret + kPage - 0x000c'1000u))) : a;
        const bool mapped = (cand >= kImageBase && cand < 0x000c'0000) ||
                            (cand >= kMailbox && cand < kMailbox + kPage) || (cand >= kStackBase && cand < kStackTop) ||
                            (cand >= kIpcBuffer && cand < kIpcBuffer + kPage) ||
                            (cand >= kJitPage && cand < kJitPage + kPage);
        if (!mapped) return cand;
    }
}

void op_unmapped() {
    using abi::FaultLabel;
    switch (below(7)) {
        case 0: {
            const u32 a = unmapped_addr();
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_load_insn));
            hostile_load(a);
            break;
        }
        case 1: {
            const u32 a = unmapped_addr();
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_store_insn));
            hostile_store(a, rnd());
            break;
        }
        case 2: {
            const u32 a = unmapped_addr();
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, a);
            hostile_jump(a);
            break;
        }
        case 3: {  // its own text: read-only
            const u32 a = kImageBase + (below(0x1000) & ~3u);
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_store_insn));
            hostile_store(a, rnd());
            break;
        }
        case 4: {  // its own stack, IPC buffer or mailbox: never executable
            static const u32 kXn[] = {kStackBase, kIpcBuffer, kMailbox, kStackTop - kPage};
            const u32 a = kXn[below(4)] + (below(kPage) & ~3u);
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, a);
            hostile_jump(a);
            break;
        }
        case 5: {  // unaligned multi-word loads from its own memory: alignment faults
            const u32 a = kMailbox + 2048 + 1 + below(3);
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_ldrd_insn));
            hostile_ldrd(a);
            break;
        }
        default: {
            const u32 a = kStackBase + 1 + below(3);
            must_fault(kOpUnmapped, kGroupStorm, FaultLabel::VmFault, a, addr_of(hostile_ldm_insn));
            hostile_ldm(a);
            break;
        }
    }
    missed(kGroupStorm);
}

u32 garbage_sp() {
    switch (below(5)) {
        case 0: return 0;
        case 1: return 0x8000'0000u | rnd();
        case 2: return rnd();
        case 3: return kIpcBuffer + 3;
        default: return 0xffff'fffc;
    }
}

void op_garbage_sp() {
    if (chance(30)) {
        const u32 sp = garbage_sp();
        const u32 pc = addr_of(hostile_garbage_sp_udf_insn);
        must_fault(kOpGarbageSp, kGroupStorm, abi::FaultLabel::UserException, pc, pc);
        hostile_garbage_sp_udf(sp);
        missed(kGroupStorm);
        return;
    }
    // System calls that cannot fault or block, made with a garbage sp: they
    // must keep every register but r0-r5.
    u32 io[16] = {};
    const u32 sp = garbage_sp();
    switch (below(4)) {
        case 0: io[6] = static_cast<u32>(abi::Syscall::DebugNull); break;
        case 1: io[6] = static_cast<u32>(abi::Syscall::Yield); break;
        case 2:  // an invocation error: an empty slot
            io[0] = cptr(below(kHCNode));
            io[1] = abi::MessageInfo{below(64), 0, 0, below(5)}.word();
            io[6] = static_cast<u32>(abi::Syscall::Call);
            break;
        default:  // an invocation error: an unknown label on its Untyped
            io[0] = cptr(kHUntyped);
            io[1] = abi::MessageInfo{0x7777, 0, 0, below(5)}.word();
            io[6] = static_cast<u32>(abi::Syscall::Call);
            break;
    }
    io[7] = sp;
    announce(kOpGarbageSp, kGroupStorm, kExpectNone);
    hostile_garbage_sp_syscall(io);
    const bool ok = io[8] == 0x6666'6666 && io[9] == 0x8888'8888 && io[10] == 0x9999'9999 &&
                    io[11] == 0xaaaa'aaaa && io[12] == 0xbbbb'bbbb && io[13] == 0xcccc'cccc && io[14] == sp;
    mb->reg_checks = mb->reg_checks + 1;
    if (!ok) mb->reg_corrupt = mb->reg_corrupt + 1;
}

// A cap pointer a receive must cap-fault on: a slot below kHCNode while it is
// empty, else the innocent app's endpoint (no Read). (Those slots start empty,
// but a cap the app receives lands where its random receive slot says: with
// several cores the innocent app's answers come in another order, and one did.)
u32 no_receive_cptr() {
    const u32 c = cptr(below(kHCNode));
    return debug_cap_identify(c) == 0 ? c : cptr(kHInnocent);
}

void op_syscall_fault() {
    using abi::FaultLabel;
    if (chance(50)) {  // unknown numbers
        static const u32 kNumbers[] = {0, 9, 10, 15, 22, 23, 31, 40, 64, 255, 0x8000'0000, 0xffff'ffff};
        const u32 num = chance(50) ? kNumbers[below(12)] : (22 + below(0x7fff'0000));
        must_fault(kOpSyscallFault, kGroupStorm, FaultLabel::UnknownSyscall, num, addr_of(hostile_svc_insn) + 4);
        hostile_svc(num, rnd());
    } else {  // a receive on an empty slot or through a cap without Read
        const u32 c = chance(50) ? no_receive_cptr() : cptr(kHInnocent);
        must_fault(kOpSyscallFault, kGroupStorm, FaultLabel::CapFault, c, addr_of(hostile_svc_insn));
        hostile_svc(static_cast<u32>(abi::Syscall::Recv), c);
    }
    missed(kGroupStorm);
}

void op_thumb() {
    using abi::FaultLabel;
    switch (below(3)) {
        case 0: {
            const u32 pc = addr_of(hostile_thumb_udf_insn);
            must_fault(kOpThumb, kGroupStorm, FaultLabel::UserException, pc, pc, kResumeThumb);
            hostile_thumb_udf();
            break;
        }
        case 1: {
            const u32 num = 22 + below(100);
            must_fault(kOpThumb, kGroupStorm, FaultLabel::UnknownSyscall, num, addr_of(hostile_thumb_svc_insn) + 2,
                       kResumeThumb);
            hostile_thumb_svc(num, rnd());
            break;
        }
        default: {
            const u32 c = no_receive_cptr();
            must_fault(kOpThumb, kGroupStorm, FaultLabel::CapFault, c,
                       addr_of(hostile_thumb_svc_insn), kResumeThumb);
            hostile_thumb_svc(static_cast<u32>(abi::Syscall::Recv), c);
            break;
        }
    }
    missed(kGroupStorm);
}

// A random instruction word, never one that branches to itself.
u32 jit_word() {
    for (;;) {
        const u32 w = rnd();
        const bool branch_self = (w & 0x0e00'0000u) == 0x0a00'0000u && (w & 0x00ff'ffffu) == 0x00ff'fffeu;
        const bool pc_from_pc = (w & 0x0c00'0000u) == 0 && ((w >> 12) & 0xf) == 15 && ((w >> 16) & 0xf) == 15;
        const bool thumb_self = (w & 0xffffu) == 0xe7feu || (w >> 16) == 0xe7feu;
        if (!branch_self && !pc_from_pc && !thumb_self) return w;
    }
}

u32 g_jit_ready;  // the jit page holds undefined instructions everywhere but the slot

void op_jit() {
    announce(kOpJit, kGroupStorm, kExpectNone);
    if (g_jit_ready != 0x7177) {
        for (u32 i = 0; i < kPage / 4; ++i) jit[i] = kUdf;
        g_jit_ready = 0x7177;
    }
    jit[kJitSlot] = jit_word();
    jit[kJitSlot + 1] = kUdf;
    count_error(page_unify(cptr(kHJitFrame), 0, kPage));
    announce(kOpJit, kGroupStorm, kExpectMust, 0, false, 0, false, 0, kResumeRegisters);  // any fault
    hostile_jit_run();
}

void op_fpu() {
    announce(kOpFpu, kGroupStorm, kExpectNone);
    hostile_fpu_garbage(rnd(), rnd());
}

void op_privileged() {
    announce(kOpPrivileged, kGroupStorm, kExpectNone);
    const u32 cpsr = hostile_privileged();
    mb->priv_checks = mb->priv_checks + 1;
    if ((cpsr & 0x1f) != 0x10 || (cpsr & 0xc0) != 0) mb->priv_violations = mb->priv_violations + 1;
}

void storm_op() {
    if ((mb->ops & 31) == 0) scramble_ipc_buffer(abi::kMsgMaxLength);
    else scramble_ipc_buffer(8);
    const u32 r = below(100);
    OpKind k;
    if (r < 12) k = kOpSyscall;
    else if (r < 30) k = kOpInvoke;
    else if (r < 38) k = kOpCNode;
    else if (r < 44) k = kOpRetype;
    else if (r < 47) k = kOpRevoke;
    else if (r < 52) k = kOpVm;
    else if (r < 57) k = kOpTcb;
    else if (r < 61) k = kOpInnocent;
    else if (r < 67) k = kOpUndefined;
    else if (r < 73) k = kOpKernelAccess;
    else if (r < 80) k = kOpUnmapped;
    else if (r < 84) k = kOpGarbageSp;
    else if (r < 89) k = kOpSyscallFault;
    else if (r < 92) k = kOpThumb;
    else if (r < 95) k = kOpJit;
    else if (r < 97) k = kOpFpu;
    else k = kOpPrivileged;
    mb->op_count[k] = mb->op_count[k] + 1;
    announce(k, kGroupStorm, kExpectNone);
    switch (k) {
        case kOpSyscall: op_syscall(); break;
        case kOpInvoke: op_invoke(); break;
        case kOpCNode: op_cnode(); break;
        case kOpRetype: op_retype(); break;
        case kOpRevoke: op_revoke(); break;
        case kOpVm: op_vm(); break;
        case kOpTcb: op_tcb(); break;
        case kOpInnocent: op_innocent(); break;
        case kOpUndefined: op_undefined(); break;
        case kOpKernelAccess: op_kernel_access(); break;
        case kOpUnmapped: op_unmapped(); break;
        case kOpGarbageSp: op_garbage_sp(); break;
        case kOpSyscallFault: op_syscall_fault(); break;
        case kOpThumb: op_thumb(); break;
        case kOpJit: op_jit(); break;
        case kOpFpu: op_fpu(); break;
        default: op_privileged(); break;
    }
}

[[noreturn]] void done(OpKind kind) {
    must_fault(kind, kGroupStorm, abi::FaultLabel::UserException, addr_of(hostile_udf_insn),
               addr_of(hostile_udf_insn));
    for (;;) hostile_udf();
}

[[noreturn]] void hostile_loop() {
    for (;;) {
        if (mb->phase == kPhaseIsolation) {
            const u32 step = mb->iso_step;
            mb->iso_step = step + 1;
            announce(kOpIsolation, kGroupStorm, kExpectNone);
            if (!isolation_step(step)) done(kOpIsoDone);
            continue;
        }
        if (mb->ops >= mb->target_ops) done(kOpStormDone);
        mb->ops = mb->ops + 1;
        storm_op();
    }
}

}  // namespace

extern "C" [[noreturn]] void hostile_resume(u32 why) {
    const u32 kind = mb->cur.kind < kOpKinds ? mb->cur.kind : 0;
    if (why == 1) {
        mb->resumes = mb->resumes + 1;
        mb->op_faults[kind] = mb->op_faults[kind] + 1;
        if (mb->cur.expect == kExpectNone) mb->unexpected_resumes = mb->unexpected_resumes + 1;
    } else if (why == 2) {
        mb->rescues = mb->rescues + 1;
    } else {
        mb->rng = mb->seed;
        mb->storm_slot = kHFirstStorm;
    }
    mb->cur.expect = kExpectNone;
    mb->cur.kind = kOpNone;
    hostile_loop();
}
