// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: processes, threads in an address space and CSpace of their own, made by a creator (the root task)
// either from an ELF executable or from the creator's own image; and the object allocator they are made with.
//
// A process runs one of two things (ProcessSpec):
//   an ELF executable (`elf_begin`/`elf_end`: an app's ELF file, linked with
//           apps/lib/user.ld; a system's root task has them as
//           system::kImageFiles): every PT_LOAD segment gets fresh frames
//           holding its file bytes (the rest zero: .bss), mapped with the
//           segment's permissions: read-only unless writable, never executable
//           unless executable. The thread starts at the ELF's entry with r0-r2
//           = arg[0..2] (crt0 passes them to main). Segments must lie in the
//           image window [kProcessImageBase, kProcessIpcBuffer), start on a
//           page, share no page and never be both writable and executable, and
//           the entry must be in an executable segment; else InvalidArgument,
//           with Process::why saying what is wrong. This is how apps of a
//           system are made (apps/system/root_task.cpp).
//   a function of the creator's image (`entry`): every function of that image
//           is at its link address in the process too. Text, 0x00010000 up to
//           the end of .init_array, is copies of the creator's frame caps
//           (BootInfo.user_image_frames), read-only and executable: the code
//           is shared, not copied. Data and bss, up to __image_end, are fresh
//           frames holding a copy of the creator's as it was at
//           process_create(), read-write and never executable: a snapshot,
//           and pointers into the creator's stack are meaningless there. Test
//           apps use this to run a second thread of their own code in a
//           separate address space.
// Both kinds have in their address space (a PageDirectory with an ASID from the
// creator's pool), besides the image:
//   IPC buffer  one frame at kProcessIpcBuffer (0x00100000, where the root
//           task's is, so the same abi::IpcBuffer pointer serves both);
//   stack   stack_pages frames ending at kProcessStackTop (0x7fff0000, where
//           the root task's ends and system_tables.hpp's kAppStackTop), with
//           the page below them left unmapped (a guard);
//   more    frames the creator maps with process_map() (device registers, shared
//           memory), never at the addresses above.
// Its CSpace: one CNode of 2^cnode_radix slots whose guard makes a slot index a
// valid cap pointer (as in the root task's): slot 0 empty, kProcessCapTcb its
// TCB, kProcessCapCNode the CNode itself (for SaveCaller, Copy, Delete within
// it; this copy has no guard, so a slot argument through it takes the depth
// cnode_radix, where the root task's kInitCNode takes 32), kProcessCapFault
// its fault endpoint (empty without one), then from
// kProcessFirstFreeSlot the caps the creator gives or moves in with
// process_give() / process_move(), in the order given.
//
// The thread starts (at the ELF's entry, or at `entry(arg0, arg1, arg2)`) with
// the priority asked for, once process_start() resumes it; if `entry` returns,
// the thread suspends itself. It has a fault endpoint only if the creator
// names one.
//
// What process_create() retypes from the allocator's Untyped, in this order
// (scripts/petrel-system.py charges an app's memory budget with exactly this,
// each object at the watermark rounded up to its size): the PageDirectory
// (8 KiB), the CNode (2^cnode_radix slots of 16 bytes), the TCB (512 bytes),
// PageTables (1 KiB each) for MiB 0 (the image), MiB 1 (the IPC buffer) and
// the stack's one or two MiB, then one 4 KiB frame per image page (an ELF's
// segments, or the creator's data pages), the IPC buffer, the stack frames.
// process_map() adds a PageTable for each further MiB it maps into.
//
// All objects come from an Allocator (a RAM Untyped and a range of the
// creator's CNode slots); process_destroy() deletes them (the thread first,
// then the CNode with every cap inside, then the address space). Memory is not
// returned to the Untyped: the allocator only moves forward.
//
// The creator is the root task or has its CSpace layout: its CNode at
// abi::kCapInitCNode addressed at depth 32 (a slot index is a cap pointer),
// its PageDirectory at abi::kCapInitVSpace, its ASID pool at
// abi::kCapInitAsidPool and its TCB (for the priority's authority) at
// abi::kCapInitTcb. Every function returns the first error met (abi::Error), and
// leaves whatever it made in place for process_destroy() to remove.
#pragma once

#include "petrel/invocations.hpp"

namespace petrel {

// ---------------------------------------------------------------- allocator
// Makes objects by Retype from one RAM Untyped into the next free slots of the
// creator's CNode, and device frames from the device Untyped BootInfo lists.
class Allocator {
  public:
    // `untyped`: a RAM Untyped cap; slots [first_slot, end_slot) of the
    // creator's CNode are free; `ipc`: the creator's IPC buffer.
    void init(const abi::BootInfo *bi, abi::IpcBuffer *ipc, u32 untyped, u32 first_slot, u32 end_slot);

    // The next free slot, or 0 (and error() RangeError) when none is left.
    u32 slot();
    // Makes one object into a new slot and returns the slot, or 0 on failure
    // (error() says why). size_bits: an Untyped's size, a CNode's radix.
    u32 make(abi::ObjectType type, u32 size_bits = 0);
    // Makes a 4 KiB frame of the device memory at `paddr` (page aligned) from
    // the device Untyped that covers it. Retype places frames at the Untyped's
    // watermark, so frames below `paddr` not yet taken are made on the way,
    // each the largest (16 MiB, 1 MiB, 64 KiB, 4 KiB) that ends at or below it
    // (a few dozen for any page of a 2^29-byte Untyped), and deleted again: it
    // uses up to 256 slots meanwhile and keeps one, the first. A page below
    // one an earlier call made cannot be made (make them in address order):
    // InvalidArgument. Returns the slot or 0.
    u32 device_frame(paddr_t paddr);
    // A copy of the cap in slot `src`, with rights ANDed with `rights`, and
    // badge `badge` if nonzero (Mint); 0 on failure.
    u32 copy(u32 src, u32 rights, u32 badge = 0);

    abi::Error error() const { return error_; }
    const abi::BootInfo *bootinfo() const { return bi_; }
    abi::IpcBuffer *ipc() const { return ipc_; }
    u32 next_slot() const { return next_; }

  private:
    bool fail(abi::Error e);
    const abi::BootInfo *bi_ = nullptr;
    abi::IpcBuffer *ipc_ = nullptr;
    u32 untyped_ = 0, next_ = 0, end_ = 0;
    abi::Error error_ = abi::Error::None;
};

// ---------------------------------------------------------------- processes
constexpr u32 kProcessImageBase = 0x0001'0000;   // apps/lib/user.ld
constexpr u32 kProcessIpcBuffer = 0x0010'0000;   // one page, the IPC buffer at its start
constexpr u32 kProcessStackTop = 0x7fff'0000;    // the stack grows down from here (= system::kAppStackTop)
constexpr u32 kProcessCapTcb = 1, kProcessCapCNode = 2, kProcessCapFault = 3, kProcessFirstFreeSlot = 4;

struct ProcessSpec {
    const char *name = "process";  // for the kernel's messages (at most 15 characters)
    // What it runs: an ELF executable's bytes [elf_begin, elf_end), or (when
    // elf_begin is null) the creator's function `entry`.
    const u8 *elf_begin = nullptr, *elf_end = nullptr;
    void (*entry)(u32, u32, u32) = nullptr;
    u32 arg[3] = {0, 0, 0};
    u32 priority = 100;     // at most the creator's maximum controlled priority
    u32 cnode_radix = 6;    // 64 slots; 2..16
    u32 stack_pages = 4;    // 16 KiB; 1..255
    // A cap pointer of the creator's, an Endpoint, to receive the thread's
    // faults: a copy minted with `fault_badge` (Write and GrantReply) goes to
    // kProcessCapFault. 0: no fault handler (the kernel reports a fault and
    // stops the thread).
    u32 fault_ep = 0;
    u32 fault_badge = 0;
};

// What process_create() made, as slots of the creator's CNode.
struct Process {
    u32 tcb = 0, cnode = 0, pd = 0;
    u32 cnode_radix = 0;
    u32 next_child_slot = kProcessFirstFreeSlot;
    u32 first_slot = 0, end_slot = 0;  // every object process_create() made
    static constexpr u32 kMaxExtra = 32;
    // The frame caps and PageTables process_map() added: consecutive slots
    // (an allocator used for this process alone gives them) extend one run,
    // any others go to `extra`.
    u32 run_first = 0, run_end = 0;
    u32 extra[kMaxExtra] = {};
    u32 extra_count = 0;
    u32 table_mb[kMaxExtra] = {};  // the megabytes of the PageTables it has (at most kMaxExtra)
    u32 table_count = 0;
    u32 image_pages = 0;  // the frames an ELF's segments took
    // After process_create() refused an ELF (InvalidArgument): what is wrong with it.
    const char *why = nullptr;
};

// Makes, from `alloc`, the PageTable of the creator's own copy window (the
// megabyte at 0x7fe00000 through which process_create() fills new data frames)
// if it is not made yet. process_create() does it on first use from its own
// allocator; a creator that later revokes that allocator's Untyped (to reuse
// an app's memory after process_destroy()) calls this first with an
// allocator whose objects live as long as the creator.
abi::Error process_prepare(Allocator &alloc);

// Builds the process (address space, CSpace, thread) without starting it.
abi::Error process_create(Allocator &alloc, const ProcessSpec &spec, Process &p);

// Gives the process a copy of the creator's cap `src` (rights ANDed with
// `rights`, badge `badge` if nonzero: a Mint) in its next free slot; on success
// `child_slot` is that slot, which is also the cap pointer the process uses.
abi::Error process_give(Allocator &alloc, Process &p, u32 src, u32 rights, u32 badge, u32 &child_slot);
// Moves the creator's cap `src` into the process's next free slot (for caps
// that must not stay with the creator, or cannot be copied: an Untyped).
abi::Error process_move(Allocator &alloc, Process &p, u32 src, u32 &child_slot);

// Maps a copy of the frame cap `frame` (a 4 KiB or 64 KiB one) into the
// process at `vaddr` with `rights` and `attr` (abi::VmAttributes; a device
// frame maps uncached and never executable whatever they say), making a
// PageTable there if the megabyte has none yet. As many calls as the
// allocator has slots when it gives this process consecutive slots (an
// allocator of its own does); otherwise at most Process::kMaxExtra caps.
// PageTables for at most Process::kMaxExtra megabytes in all (the stack's
// count); RangeError past either.
abi::Error process_map(Allocator &alloc, Process &p, u32 frame, u32 vaddr, u32 rights, u32 attr);

// Lets the thread run (TCB.Resume).
abi::Error process_start(const Process &p);

// Deletes the thread (so it never runs again), then the CNode and every cap in
// it, then the address space and its frames and tables. A line whose
// IrqHandler was in the CNode is free again afterwards.
abi::Error process_destroy(Process &p);

// The IPC buffer, as seen from inside any process (and from the root task).
inline abi::IpcBuffer *process_ipc_buffer() { return reinterpret_cast<abi::IpcBuffer *>(kProcessIpcBuffer); }

}  // namespace petrel
