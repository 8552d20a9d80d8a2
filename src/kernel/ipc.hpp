// SPDX-License-Identifier: BSD-2-Clause
// Synchronous IPC through endpoints, replies, notifications as seen by the
// system calls, and cancellation.
//
// All functions run for `ks.current` or on a thread named by a cap, never block
// inside the kernel: a thread that must wait is put in its object's queue with a
// Blocked* state and the scheduler picks someone else on the way out.
//
// Message transfer copies the tag, message registers 0-3 (r2-r5) and the rest
// from the sender's IPC buffer into the receiver's, clamped to the receiver's
// buffer (no buffer: 4 words at most), plus up to 3 caps when the sender's
// endpoint cap has Grant (see transfer_caps in ipc.cpp). The receiver gets the
// sender's badge in r0.
#pragma once

#include "endpoint.hpp"
#include "notification.hpp"
#include "tcb.hpp"

namespace petrel {

// Removes `t` from whatever endpoint or notification queue it is blocked in,
// and drops a pending reply relationship; leaves t->state for the caller to set.
void cancel_ipc(Tcb *t);
// Everything IPC holds of a thread being destroyed: its queue place, the reply
// it owes (that caller is woken with an error), its bound notification.
void ipc_prepare_destroy(Tcb *t);

// Every thread queued on the object is made to restart its system call (which
// then fails, the object being gone) — used when the last cap is deleted.
void cancel_all_ipc(Endpoint *ep);
void cancel_all_signals(Notification *n);

// Endpoint operations for the current thread (`cap` is its endpoint cap).
void send_ipc(Tcb *sender, const Cap &ep_cap, bool blocking, bool is_call);
void receive_ipc(Tcb *receiver, const Cap &ep_cap, bool blocking);
// Reply through the caller slot of `replier` (nothing happens when it is empty),
// or through a reply cap saved with CNode.SaveCaller (a Send on it).
void do_reply(Tcb *replier);
void reply_through(Tcb *replier, Slot *slot);

// Reply caps live outside the derivation tree: a thread's caller slot, or a
// CNode slot after SaveCaller. The caller's TCB records which slot holds its
// reply cap (Tcb::reply_holder). reply_cap_moved() follows a Move/Rotate;
// reply_cap_lost() empties the slot and wakes the caller with the error reply
// of abi.hpp (deleted, or the server received again without replying).
void reply_cap_moved(Slot *dest);
void reply_cap_lost(Slot *slot);

// Notifications.
void signal_notification(Notification *n, u32 badge);
void receive_signal(Tcb *t, const Cap &ntfn_cap, bool blocking);
void bind_notification(Tcb *t, Notification *n);
void unbind_notification(Tcb *t);

// The fastpath (seL4's): Call and ReplyRecv in straight-line code for the
// common case (at most 4 words, no caps, no fault, a waiting receiver or a
// caller to reply to that may run at once). Return the thread to resume, or
// null, having changed nothing, when the slow path must handle the call.
// entry_syscall() tries them first unless ks.slowpath_only is set.
Tcb *fastpath_call(Tcb *t);
Tcb *fastpath_reply_recv(Tcb *t);

// Message registers of a thread (i < 4: registers; otherwise its IPC buffer).
u32 get_mr(Tcb *t, abi::IpcBuffer *buf, u32 i);
void set_mr(Tcb *t, abi::IpcBuffer *buf, u32 i, u32 v);

}  // namespace petrel
