// SPDX-License-Identifier: BSD-2-Clause
// hostile: what the root task, the hostile app and the innocent app agree on.
//
// All three run code of one image (this app's): the root task loads it, and
// builds the other two address spaces from copies of its image frames (text
// shared read-only, data and bss fresh copies), so every function here is at
// its link address in each of them. They share no memory except the mailbox,
// one frame the root maps at kRootMailbox and the hostile app at kMailbox.
//
// Address space of a child (hostile or innocent):
//   0x00010000   text (read-only, executable), then data and bss (its own copy)
//   kMailbox     the mailbox (hostile only), read/write, never executable
//   kSecret      a page of data only the innocent app may see (innocent only)
//   kStackBase   kStackPages pages of stack up to kStackTop
//   kIpcBuffer   the IPC buffer frame
//   kJitPage     one read/write/executable page (hostile only): random
//                instruction words are written and run there
// Everything else below 0x80000000 is unmapped.
#pragma once

#include "petrel/abi.hpp"

namespace hostile {

constexpr u32 kPage = 4096;
constexpr u32 kImageBase = 0x0001'0000;
constexpr u32 kMailbox = 0x000c'0000;
constexpr u32 kSecret = 0x000d'0000;
constexpr u32 kStackBase = 0x000e'0000;
constexpr u32 kStackPages = 4;
constexpr u32 kStackTop = kStackBase + kStackPages * kPage;
constexpr u32 kIpcBuffer = 0x000f'0000;
constexpr u32 kJitPage = 0x7ff0'0000;

// The root's own mappings (a PageTable at kRootArea).
constexpr u32 kRootArea = 0x4000'0000;
constexpr u32 kRootMailbox = kRootArea;
constexpr u32 kRootStage = kRootArea + 0x1000;  // a child's page while the root fills or checks it

// Priorities: the innocent app above the hostile one, which is above the root.
// The root therefore runs only while the hostile app is blocked: on a fault
// (its message waits for the root) or anywhere else (the root then frees it).
constexpr u32 kRootPriority = 50;
constexpr u32 kHostilePriority = 100;
constexpr u32 kInnocentPriority = 150;

// ---------------------------------------------------------------- the hostile app's CSpace
// One CNode of 2^kHostileRadix slots. Its TCB's CSpace root is a copy with a
// 16-bit guard of zeros, so a lookup takes 24 bits at the first level and 8 at
// the second: slot s holding a non-CNode cap is named by any cap pointer
// (s << 8) | x, and every slot by (kHCNode << 8) | s, through the copy of the
// CNode's own cap in kHCNode. The fault endpoint is named that way.
constexpr u32 kHostileRadix = 8;
constexpr u32 kHostileGuardBits = 16;
constexpr u32 kHCNode = 16;     // a copy of its CNode's cap (guard 0)
constexpr u32 kHFault = 17;     // the fault endpoint (Write, GrantReply; badge kFaultBadge)
constexpr u32 kHUntyped = 18;   // its Untyped: 2^kHostileUntypedBits bytes
constexpr u32 kHInnocent = 19;  // the innocent app's endpoint (Write, GrantReply; badge kHostileBadge)
constexpr u32 kHNtfn = 20;      // a notification of its own (all rights)
constexpr u32 kHScratchPd = 21;  // a PageDirectory with an ASID that no thread runs in
constexpr u32 kHIpcFrame = 22;  // an unmapped copy of its IPC buffer frame's cap
constexpr u32 kHJitFrame = 23;  // an unmapped copy of its jit page's cap (for Page.Unify)
constexpr u32 kHSelfTcb = 24;   // its own TCB: during the isolation tests only
constexpr u32 kHFirstStorm = 32;  // slots 32..255: whatever the storm makes
constexpr u32 kHostileUntypedBits = 17;
constexpr u32 kHostileMcp = kHostilePriority;

constexpr u32 cptr(u32 slot) { return kHCNode << 8 | slot; }
constexpr u32 kFaultCptr = cptr(kHFault);

// Badges on the root's fault endpoint and on the innocent app's endpoint.
constexpr u32 kFaultBadge = 0x1f;
constexpr u32 kPingBadge = 1, kHostileBadge = 2;

// Labels between the root and the innocent app.
constexpr u32 kPing = 0x51;       // MR0..kPingWords-1 data
constexpr u32 kPong = 0x52;       // MR0.. the data transformed, then kPongWords-kPingWords more words
constexpr u32 kTouchFpu = 0x53;   // from the hostile app: the innocent app uses the FPU and answers
constexpr u32 kPingWords = 6;
constexpr u32 kPongWords = 10;    // pong words, secret ok, fpu ok, hostile messages, touches
inline u32 pong_word(u32 w, u32 i) { return w * 3 + 0x1000 * i + 7; }
inline u32 secret_word(u32 i) { return 0x5ec0'0000u ^ (i * 0x9e37'79b9u); }
constexpr u32 kSecretWords = kPage / 4;

// The label of the root's reply to a fault (the kernel ignores it; a hostile
// Call that reached the fault endpoint sees it and knows it forged a fault).
constexpr u32 kFaultReplyLabel = 0x5eed;

// ---------------------------------------------------------------- operations
// What the hostile app announces before each operation (Mailbox::cur).
enum Expect : u32 {
    kExpectNone = 0,  // the operation cannot fault: a fault is a failure
    kExpectMay = 1,   // it may fault (random system calls, IPC)
    kExpectMust = 2,  // it must fault: going on past it is a failure
};
// How the root lets the hostile app go on after a fault.
enum ResumeMode : u32 {
    kResumeReply = 0,      // Reply (label kFaultReplyLabel, pc = hostile_after_fault, sp)
    kResumeThumb = 1,      // the same with pc = hostile_after_fault_thumb (the thread is in Thumb state)
    kResumeRegisters = 2,  // TCB.WriteRegisters: pc, sp and cpsr (its cpsr may be anything)
};
// Groups: which property an operation tests.
enum Group : u32 {
    kGroupStorm = 0,
    kGroupMemory,   // isolation: memory of others and of the kernel
    kGroupCaps,     // isolation: caps it was not given
    kGroupMcp,      // isolation: priority above its MCP
    kGroupIrq,      // isolation: interrupts without the handler cap
    kGroupMap,      // isolation: mapping kernel memory
    kGroupThumb,    // faults and restarts of Thumb code are reported at the right pc
    kGroupDebug,    // isolation: no DebugHalt or DebugDumpScheduler without a Debug cap
    kGroupCount,
};

enum OpKind : u32 {
    kOpNone = 0,
    kOpSyscall,        // a random system-call number with random registers
    kOpInvoke,         // a random label on a cap pointer, random message
    kOpCNode,          // CNode methods through guarded and deep CSpace paths
    kOpRetype,         // Retype storm: until NotEnoughMemory
    kOpRevoke,         // Revoke storm
    kOpVm,             // map, unmap, GetAddress; mappings in the kernel's half
    kOpTcb,            // TCB methods on the TCBs it made
    kOpInnocent,       // messages to the innocent app
    kOpUndefined,      // undefined and privileged instructions
    kOpKernelAccess,   // loads, stores and jumps to kernel addresses
    kOpUnmapped,       // loads, stores and jumps to unmapped or forbidden user addresses
    kOpGarbageSp,      // a garbage sp, then a system call or a fault
    kOpSyscallFault,   // an unknown system call, a receive on an empty slot
    kOpThumb,          // undefined instructions and system calls in Thumb state
    kOpJit,            // a random instruction word, run with garbage registers
    kOpFpu,            // garbage in the FPU registers
    kOpPrivileged,     // mode changes and interrupt masking from user mode
    kOpIsolation,      // a deterministic isolation step
    kOpRestartProbe,   // a blocking call the root stops and resumes (restart at the svc)
    kOpIsoDone,        // the isolation steps are over (an undefined instruction)
    kOpStormDone,      // the storm is over (an undefined instruction)
    kOpKinds,
};

// Two kernel bugs in Thumb state, found by this test and fixed; the Thumb
// probes check both on every run, so they cannot come back:
//  - a system call the kernel restarts (a cap fault's pc, a blocking call
//    stopped by Suspend and resumed, a preempted invocation) was rewound by 4
//    bytes, but a Thumb svc is 2 bytes long (arch/arm/arch_context.hpp
//    rewind_syscall now looks at CPSR.T);
//  - an undefined instruction of a thread that did not own the FPU was retried
//    at the exception's pc - 4, before the + 2 a Thumb instruction needs
//    (arch/arm/user_entry.cpp arm_user_fault now corrects the pc first).

// ---------------------------------------------------------------- the mailbox
struct Announce {
    u32 kind;       // OpKind
    u32 group;      // Group
    u32 expect;     // Expect
    u32 label;      // for kExpectMust: the abi::FaultLabel (0: any)
    u32 check_addr, addr;  // the fault address (MR1 of a VmFault or CapFault, MR2 of UnknownSyscall)
    u32 check_pc, pc;      // the faulting pc (MR0)
    u32 resume;     // ResumeMode
};

struct Mailbox {
    // Set by the root before the hostile app starts.
    u32 magic;
    u32 phase;                 // kPhaseIsolation, then kPhaseStorm
    u32 target_ops;
    u64 seed;
    u32 kernel_start, kernel_end;    // the kernel image, physical (BootInfo)
    u32 untyped_start, untyped_end;  // its Untyped, physical
    u32 ipc_frame_paddr, jit_frame_paddr;  // the frames of its IPC buffer and jit page
    // The hostile app's progress.
    u64 rng;
    u32 ops;                   // operations started in the storm
    u32 iso_step;              // next isolation step
    u32 resumes;               // entries at hostile_after_fault (a fault was answered)
    u32 rescues;               // entries at hostile_after_rescue (the root freed it)
    u32 forged_calls;          // its Calls that reached the fault endpoint (answered as faults)
    u32 missed_faults;         // kExpectMust operations that went on
    u32 unexpected_resumes;    // resumed while no fault was possible
    u32 op_count[kOpKinds];
    u32 op_faults[kOpKinds];   // resumes per operation kind
    u32 storm_slot;            // the next storm slot to retype into
    u32 retype_calls, retype_ok, objects_made, untyped_full, untyped_revokes;
    u32 revokes, deletes;
    u32 frames_checked, frames_outside;   // GetAddress outside its Untyped or inside the kernel
    u32 maps_ok;                          // frames and PageTables the storm mapped (below 0x80000000)
    u32 kernel_maps, kernel_maps_accepted;
    u32 bad_map_vaddr, bad_map_type;      // the last mapping in the kernel's half that was accepted
    u32 mcp_attempts, mcp_violations;     // priorities above an authority's MCP that were accepted
    u32 irq_attempts, irq_accepted;
    u32 innocent_calls, innocent_replies;
    u32 deep_lookups;          // CNode methods through paths of more than one level
    u32 reg_checks, reg_corrupt;          // registers a system call must keep
    u32 priv_checks, priv_violations;     // still USR mode with interrupts on after privileged attempts
    u32 error_counts[12];      // invocation replies by error code (index 11: other labels)
    // Isolation step results: checks made and failed per group.
    u32 group_checks[kGroupCount];
    u32 group_failed[kGroupCount];   // failed checks, and must-fault steps that went on
    u32 group_must[kGroupCount];     // must-fault steps
    u32 given_slots_seen, foreign_caps_seen;  // DebugCapIdentify over its CNode
    u32 thumb_results[8];      // Thumb probes: what each returned
    // The operation being made.
    Announce cur;
};
constexpr u32 kMailboxMagic = 0x4805'7113;
constexpr u32 kPhaseIsolation = 1, kPhaseStorm = 2;
static_assert(sizeof(Mailbox) <= kPage);

inline volatile Mailbox *hostile_mailbox() { return reinterpret_cast<volatile Mailbox *>(kMailbox); }

}  // namespace hostile

// The hostile app's entry points (hostile.cpp): the root starts it at
// hostile_entry and resumes it at the others, always with sp = kStackTop.
extern "C" char hostile_entry[], hostile_after_fault[], hostile_after_fault_thumb[], hostile_after_rescue[];
// The innocent app (innocent.cpp): r0 = its endpoint's cap pointer.
extern "C" [[noreturn]] void innocent_main(u32 ep);
