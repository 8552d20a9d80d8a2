// SPDX-License-Identifier: BSD-2-Clause
// Thread control blocks: the kernel object that is a thread.
//
// A TCB is 512 bytes, retyped from Untyped. It begins with five slots that hold
// the thread's own copies of the caps it runs on (CSpace root, VSpace root, IPC
// buffer frame, and the reply/caller caps of IPC), so deleting a user's copy never
// leaves a thread pointing at a destroyed object: the thread's copy keeps it alive
// until the TCB itself goes. Scheduling and IPC state follow.
#pragma once

#include "arch_context.hpp"
#include "petrel/abi.hpp"
#include "slot.hpp"

namespace petrel {

enum class ThreadState : u32 {
    Inactive = 0,  // the state of a new TCB: zeroed memory
    Running,
    Restart,
    BlockedOnSend,
    BlockedOnRecv,
    BlockedOnReply,
    BlockedOnNotification,
    Idle,
};

enum IpcFlags : u32 { kIpcCall = 1, kIpcGrant = 2, kIpcGrantReply = 4 };

enum TcbSlot : u32 {
    kTcbCTable = 0,
    kTcbVTable = 1,
    kTcbIpcBuffer = 2,
    kTcbReply = 3,
    kTcbCaller = 4,
    kTcbSlots = 5,
};

struct Tcb {
    Slot slots[kTcbSlots];
    arch::UserContext context;
    ThreadState state;
    u32 priority;
    u32 mcp;           // maximum controlled priority
    u32 ipc_buffer;    // user virtual address of the IPC buffer
    u32 fault_ep;      // cap pointer of the fault endpoint, in the thread's CSpace
    u32 bound_ntfn;    // notification object (physical), 0 if none
    u32 sched_prev, sched_next;  // ready queue links (TCB physical addresses)
    u32 ep_prev, ep_next;        // endpoint/notification queue links
    u32 ipc_badge;     // badge of the blocked send; 0 otherwise
    u32 blocked_on;    // endpoint/notification object the thread waits on
    u32 timeslice;     // kernel ticks left before round robin
    u32 in_ready_queue;
    u32 ipc_flags;     // of a blocked send: kIpcCall | kIpcGrant | kIpcGrantReply
    u32 reply_holder;  // BlockedOnReply: the TCB whose caller slot holds our reply cap
    u32 fault_kind;    // FaultKind of the fault being delivered (0: none)
    u32 fault_address, fault_status, fault_instruction;
    char name[16];     // debug name

    Slot *slot(TcbSlot i) { return &slots[i]; }
    // The kernel's pointer to the thread's IPC buffer, or null when the thread
    // has no IPC buffer frame (or the address is outside it).
    abi::IpcBuffer *ipc_buffer_ptr();
};
static_assert(sizeof(Tcb) <= (1u << abi::kTcbBits), "a TCB fits its 512-byte object");

// The thread on whose behalf the kernel runs.
Tcb *current_thread();
void set_current_thread(Tcb *t);

// The initial state of a newly retyped TCB (its memory is already zero).
void tcb_init(Tcb *t);
// Makes a thread whose blocking operation was cancelled redo it when it next
// runs: state Restart, in its ready queue.
void tcb_restart(Tcb *t);
// Called when the last cap to a TCB goes, before its slots are emptied.
void tcb_prepare_destroy(Tcb *t);
// The TCB whose slots are [slots, slots + kTcbSlots).
inline Tcb *tcb_of_slots(Slot *slots) { return reinterpret_cast<Tcb *>(slots); }

}  // namespace petrel
