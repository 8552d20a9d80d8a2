// SPDX-License-Identifier: BSD-2-Clause
// The Petrel system-call ABI: the one definition the kernel and the user library share.
//
// Everything a user program passes to or receives from the kernel is defined
// here: system-call numbers, the message tag, the IPC buffer, object types,
// invocation labels, error codes and the details that come with them, cap
// rights, the initial CSpace of the root task and its BootInfo frame.
// Numbers follow seL4's non-MCS AArch32 interface where seL4 has one.
//
// Registers at `svc #0`: r7 = system-call number, r0 = cap pointer (badge on
// return), r1 = message tag, r2-r5 = message registers 0-3; the rest of a
// message is in the thread's IPC buffer.
#pragma once

#include "petrel/types.hpp"

namespace petrel::abi {

// ---------------------------------------------------------------- system calls
enum class Syscall : u32 {
    Call = 1,
    ReplyRecv = 2,
    Send = 3,
    NBSend = 4,
    Recv = 5,
    NBRecv = 6,
    Reply = 7,
    Yield = 8,
    // Debug calls: only in a kernel built with them (the meson option
    // debug_syscalls: Petrel's own non-release builds and every test kernel;
    // never in a release build or a product's unless asked for). BootInfo.flags
    // has kBootInfoDebugSyscalls when they exist. Without them each number is an
    // unknown system call: an UnknownSyscall fault to the thread's fault handler.
    DebugPutChar = 16,        // r0 = the character; no cap needed
    // r0 = a Debug cap, r2 (MR0) = the status. Halts the whole system (a test
    // kernel ends QEMU with the status). Without a Debug cap in r0 (a failed
    // lookup, an empty slot, another type) it returns r0 = Error::InvalidCapability
    // and the system runs on; a debug build logs why.
    DebugHalt = 17,
    // r0 = a Debug cap: prints the scheduler's state on the kernel console and
    // returns r0 = Error::None, or, without a Debug cap, r0 = InvalidCapability.
    DebugDumpScheduler = 18,
    // r0 = a TCB cap; the name (at most 15 characters, NUL-terminated) at the
    // start of the caller's IPC buffer message area. A bad cap is logged.
    DebugNameThread = 19,
    DebugCapIdentify = 20,    // r0 = a cap pointer; returns r0 = its cap type number (0: none)
    DebugNull = 21,  // does nothing and returns: the cost of entering and leaving the kernel
};

// ---------------------------------------------------------------- message tag
// bits 31..12 label, 11..9 caps unwrapped, 8..7 extra caps, 6..0 length.
constexpr u32 kMsgMaxLength = 120;   // message registers
constexpr u32 kMsgMaxExtraCaps = 3;
constexpr u32 kMsgRegisters = 4;     // message registers carried in r2-r5

struct MessageInfo {
    u32 label;         // 20 bits; the invocation label, or an Error in a reply
    u32 caps_unwrapped;  // 3 bits
    u32 extra_caps;    // 2 bits
    u32 length;        // 7 bits

    static constexpr MessageInfo from_word(u32 w) {
        return {w >> 12, (w >> 9) & 7u, (w >> 7) & 3u, w & 0x7fu};
    }
    constexpr u32 word() const {
        return (label & 0xfffffu) << 12 | (caps_unwrapped & 7u) << 9 | (extra_caps & 3u) << 7 |
               (length & 0x7fu);
    }
};

// ---------------------------------------------------------------- IPC buffer
// One per thread, 512 bytes, inside a frame the thread maps (aligned to 512).
struct IpcBuffer {
    u32 tag;
    u32 msg[kMsgMaxLength];
    u32 user_data;
    u32 caps_or_badges[kMsgMaxExtraCaps];  // extra-cap pointers on send; badges on receive
    u32 receive_cnode;
    u32 receive_index;
    u32 receive_depth;
};
static_assert(sizeof(IpcBuffer) == 512);
constexpr u32 kIpcBufferSizeBits = 9;

// ---------------------------------------------------------------- objects
// Object types for Untyped.Retype. Sizes: see object_size_bits() in the
// kernel and the table in src/README.md.
enum class ObjectType : u32 {
    Untyped = 0,
    Tcb = 1,
    Endpoint = 2,
    Notification = 3,
    CNode = 4,
    PageDirectory = 5,
    PageTable = 6,
    Frame4K = 7,
    Frame64K = 8,
    Frame1M = 9,
    Frame16M = 10,
    Count = 11,
};

constexpr u32 kSlotBits = 4;            // a CNode slot is 16 bytes
constexpr u32 kMinUntypedBits = 4;
constexpr u32 kMaxUntypedBits = 29;
constexpr u32 kMinCNodeRadix = 1;
constexpr u32 kMaxCNodeRadix = kMaxUntypedBits - kSlotBits;
constexpr u32 kTcbBits = 9;
constexpr u32 kEndpointBits = 4;
constexpr u32 kNotificationBits = 4;
constexpr u32 kPageDirectoryBits = 13;  // 2048 entries: the 2 GiB user half (TTBCR.N = 1)
constexpr u32 kPageTableBits = 10;
constexpr u32 kAsidPoolBits = 12;
constexpr u32 kRetypeMaxObjects = 256;  // objects per Retype call
constexpr u32 kCNodeGuardBits = 18;     // widest guard a CNode cap holds

// ---------------------------------------------------------------- rights
enum Rights : u32 {
    kRightRead = 1u << 0,
    kRightWrite = 1u << 1,
    kRightGrant = 1u << 2,
    kRightGrantReply = 1u << 3,
    kRightsAll = 0xfu,
};

// Mint/Mutate data word for a CNode cap: guard value in bits 31..6 (at most
// kCNodeGuardBits wide), guard size in bits 5..0.
constexpr u32 cnode_cap_data(u32 guard, u32 guard_size) { return guard << 6 | (guard_size & 0x3fu); }

// ---------------------------------------------------------------- virtual memory
// User virtual addresses lie below kUserTop (TTBR0's half); the kernel's half
// above it can never be mapped by a user.
constexpr u32 kUserTop = 0x8000'0000;
constexpr u32 kPageBits = 12;          // Frame4K
constexpr u32 kLargePageBits = 16;     // Frame64K
constexpr u32 kSectionBits = 20;       // Frame1M, and the span of one PageTable
constexpr u32 kSuperSectionBits = 24;  // Frame16M

// PageMap attributes (MR2), seL4's ARM VMAttributes bits. Without kVmCacheable a
// RAM frame maps as normal uncached memory; a device frame always maps as
// device memory and never executable, whatever the attributes say.
enum VmAttributes : u32 {
    kVmCacheable = 1u << 0,
    kVmExecuteNever = 1u << 2,
    kVmDefault = kVmCacheable,
    kVmAttributesAll = kVmCacheable | kVmExecuteNever,
};

// ASIDs: 16-bit software address-space identifiers in up to 64 pools of 1024.
// ASID 0 is never used. The root task's Page Directory has ASID 1, from the
// initial pool (ASIDs 0-1023) whose cap is in kCapInitAsidPool.
constexpr u32 kAsidsPerPool = 1024;
constexpr u32 kAsidPools = 64;
constexpr u32 kRootAsid = 1;

// Virtual-memory invocations (MRn = message register n, cap n = extra cap n):
//   PageTableMap       MR0 vaddr (the PageTable covers vaddr's 1 MiB; low bits
//                      ignored, as in seL4); cap 0: PageDirectory with an ASID
//   PageTableUnmap     on the last cap to a mapped PageTable (else RevokeFirst);
//                      the table's entries are cleared
//   PageMap            MR0 vaddr (aligned to the frame size), MR1 rights
//                      (kRightRead, optionally kRightWrite; ANDed with the cap's),
//                      MR2 attributes (VmAttributes); cap 0: PageDirectory with an
//                      ASID. A mapped frame cap may be mapped again only at the
//                      same place (to change rights or attributes); map a copy
//                      of the cap to map the frame elsewhere.
//   PageUnmap          (a frame cap that is not mapped: nothing to do, success)
//   PageGetAddress     reply MR0 = physical address
//   PageClean, PageInvalidate, PageCleanInvalidate, PageUnify
//                      MR0 start, MR1 end: byte offsets in the frame,
//                      start < end <= frame size; RAM frames only. Unify cleans
//                      data to the point of unification and invalidates the
//                      instruction cache, for code written through the data side.
//   PageDirectoryClean, ...Invalidate, ...CleanInvalidate, ...Unify
//                      MR0 start, MR1 end: user virtual addresses, start < end,
//                      both inside one mapped frame of this address space
//   AsidControlMakePool MR0 index, MR1 depth: the destination slot under cap 1;
//                      cap 0: an Untyped of exactly 4 KiB, RAM, with nothing made
//                      from it; cap 1: CNode. All 64 pools made: DeleteFirst.
//   AsidPoolAssign     cap 0: a PageDirectory without an ASID; the pool full:
//                      DeleteFirst
// Errors: a misaligned vaddr is AlignmentError; a vaddr (or the frame's end)
// at or above kUserTop is InvalidArgument 0; a mapping or table already there is
// DeleteFirst; a missing PageTable for a 4 KiB or 64 KiB frame is FailedLookup;
// a PageDirectory without an ASID (or whose ASID was deleted) is
// InvalidCapability 1; a frame cap mapped elsewhere, or a PageTable cap already
// mapped, is InvalidCapability 0.

// ---------------------------------------------------------------- labels
// Invocation labels: the label of a Call on an object cap.
enum class Label : u32 {
    InvalidInvocation = 0,
    UntypedRetype,
    TcbReadRegisters,
    TcbWriteRegisters,
    TcbCopyRegisters,
    TcbConfigure,
    TcbSetPriority,
    TcbSetMCPriority,
    TcbSetSchedParams,
    TcbSetIpcBuffer,
    TcbSetSpace,
    TcbSuspend,
    TcbResume,
    TcbBindNotification,
    TcbUnbindNotification,
    CNodeRevoke,
    CNodeDelete,
    CNodeCancelBadgedSends,
    CNodeCopy,
    CNodeMint,
    CNodeMove,
    CNodeMutate,
    CNodeRotate,
    CNodeSaveCaller,
    IrqIssueIrqHandler,
    IrqAckIrq,
    IrqSetIrqHandler,
    IrqClearIrqHandler,
    IrqIssueIrqHandlerTrigger,
    PageTableMap,
    PageTableUnmap,
    PageMap,
    PageUnmap,
    PageGetAddress,
    PageClean,
    PageInvalidate,
    PageCleanInvalidate,
    PageUnify,
    PageDirectoryClean,
    PageDirectoryInvalidate,
    PageDirectoryCleanInvalidate,
    PageDirectoryUnify,
    AsidControlMakePool,
    AsidPoolAssign,
    // TCB.SetTimerAccess: after the others so that no label above moves (the fuzz
    // corpus and the apps number them); src/object/tcb.hpp documents it.
    TcbSetTimerAccess,
    TcbSetAffinity,  // (after the others, for the same reason)
    Count,
};

// ---------------------------------------------------------------- errors
// The label of the reply to a failed invocation. The message registers then
// describe the failure:
//   InvalidArgument    MR0 = index of the offending argument (message register)
//   InvalidCapability  MR0 = index of the offending cap (0 = invoked, 1.. = extra caps)
//   RangeError         MR0 = smallest valid value, MR1 = largest valid value
//   FailedLookup       MR0 = 1 if the source lookup failed (else destination),
//                      MR1 = LookupFailure kind, MR2.. = its details (see below)
//   NotEnoughMemory    MR0 = bytes available
//   DeleteFirst        MR0 = index of the occupied destination slot
enum class Error : u32 {
    None = 0,
    InvalidArgument = 1,
    InvalidCapability = 2,
    IllegalOperation = 3,
    RangeError = 4,
    AlignmentError = 5,
    FailedLookup = 6,
    TruncatedMessage = 7,
    DeleteFirst = 8,
    RevokeFirst = 9,
    NotEnoughMemory = 10,
};

// CSpace lookup failures, reported in MR1 of a FailedLookup error.
//   InvalidRoot        the root is not a CNode cap
//   MissingCapability  MR2 = bits left (0): the slot named is empty where a cap is needed
//   DepthMismatch      MR2 = bits left, MR3 = bits the level needed: the address ran
//                      out inside a level (MR3 > MR2), or bits remain at a slot that
//                      is not a CNode (MR3 = 0), where a slot operation needs the
//                      depth used up exactly
//   GuardMismatch      MR2 = bits left, MR3 = guard found in the address, MR4 = guard
//                      size; the expected guard is the CNode cap's
enum class LookupFailure : u32 {
    None = 0,
    InvalidRoot = 1,
    MissingCapability = 2,
    DepthMismatch = 3,
    GuardMismatch = 4,
};

// ---------------------------------------------------------------- IPC
// A bound notification delivered to a thread waiting in Recv on an endpoint
// arrives with this label, length 0, and the notification word in r0 (the
// badge register). Protocols must not use the label for their own messages.
constexpr u32 kNotificationLabel = 0xfffff;
// A caller whose reply can no longer come (the server thread was deleted, or
// received again without replying) is woken with a reply labelled
// Error::InvalidCapability, length 1, MR0 = 0: the cap it called through.

// Fault messages: sent to the thread's fault endpoint as if by Call, label =
// the fault kind, message registers as listed. Replying resumes the thread at
// its pc: the faulting instruction, the svc itself for a CapFault (the call is
// retried), or after the svc for UnknownSyscall (the handler emulates it); a
// reply of length >= 1 first sets pc = MR0, of length >= 2 also sp = MR1.
enum class FaultLabel : u32 {
    CapFault = 1,        // MR0 pc, MR1 cap pointer, MR2 LookupFailure kind, MR3 bits left
    UnknownSyscall = 2,  // MR0 pc, MR1 sp, MR2 syscall number, MR3-MR10 r0-r7
    UserException = 3,   // MR0 pc, MR1 sp, MR2 cpsr, MR3 the instruction's address
    VmFault = 4,         // MR0 pc, MR1 fault address, MR2 1 = instruction fetch, MR3 fault status
};

// ---------------------------------------------------------------- root task
// The root task's initial CSpace: a single CNode of 2^root_cnode_radix slots
// whose guard makes a slot index a valid 32-bit cap pointer.
enum InitialCap : u32 {
    kCapNull = 0,
    kCapInitTcb = 1,
    kCapInitCNode = 2,
    kCapInitVSpace = 3,
    kCapIrqControl = 4,
    kCapAsidControl = 5,
    kCapInitAsidPool = 6,  // ASIDs 0-1023; the root task's Page Directory has kRootAsid
    kCapBootInfoFrame = 7,
    kCapInitIpcBuffer = 8,
    // The authority for DebugHalt and DebugDumpScheduler (see Syscall). It is
    // an ordinary cap: Copy, Mint (data 0), Move, Delete and Revoke work on it
    // and it travels in IPC with Grant; it names no object and has no methods.
    // In a kernel without the debug calls it is still here and allows nothing.
    kCapDebug = 9,
    kNumInitialCaps = 10,
};

struct SlotRange {
    u32 start;  // first slot
    u32 end;    // one past the last slot
};

struct UntypedDesc {
    u32 paddr;
    u8 size_bits;
    u8 is_device;
    u16 padding;
};

constexpr u32 kBootInfoMaxUntyped = 400;

// The BootInfo frame, mapped read-only into the root task.
struct BootInfo {
    u32 magic;                 // kBootInfoMagic
    u32 node_id;
    u32 ipc_buffer;            // the root task's IPC buffer (user virtual address)
    u32 root_cnode_radix;
    SlotRange empty;           // free slots in the root CNode
    SlotRange untyped;         // Untyped caps, in untyped_list order
    u32 untyped_count;
    SlotRange user_image_frames;  // 4 KiB frame caps of the root task's image and stack, mapped
    SlotRange user_image_paging;  // PageTable caps of the root task's address space, mapped
    u32 kernel_phys_start;     // the kernel image, for information
    u32 kernel_phys_end;
    UntypedDesc untyped_list[kBootInfoMaxUntyped];
    u32 flags;                 // BootInfoFlags
    u32 num_nodes;             // cores the kernel runs on (seL4's numNodes): affinities 0..num_nodes - 1
};
constexpr u32 kBootInfoMagic = 0x50455452;  // "PETR"
// BootInfo.flags: what this kernel was built with.
enum BootInfoFlags : u32 {
    kBootInfoDebugSyscalls = 1u << 0,  // the Debug* system calls exist (else they are unknown system calls)
};
static_assert(sizeof(BootInfo) <= 4096);

}  // namespace petrel::abi
