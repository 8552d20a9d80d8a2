// SPDX-License-Identifier: BSD-2-Clause
// IPC as the objects share it: message registers, message, reply and fault
// transfer, reply caps, and cancelling a thread's IPC.
//
// The objects' own operations live with them: Send and Recv on an endpoint in
// endpoint.hpp, Signal, Wait and binding in notification.hpp, the fastpath's
// Call and ReplyRecv in fastpath.hpp. None blocks inside the kernel: a thread
// that must wait is put in its object's queue with a Blocked* state and the
// scheduler picks someone else on the way out.
//
// Message transfer copies the tag, message registers 0-3 (r2-r5) and the rest
// from the sender's IPC buffer into the receiver's, clamped to the receiver's
// buffer (no buffer: 4 words at most), plus up to 3 caps when the sender's
// endpoint cap has Grant (see transfer() in ipc.cpp). The receiver gets the
// sender's badge in r0.
#pragma once

#include "tcb.hpp"

namespace petrel {

// A thread's registers by number (arch::kReg*), and its message tag.
inline u32 &reg(Tcb *t, u32 r) { return arch::gp_register(t->context, r); }
inline void set_info(Tcb *t, abi::MessageInfo info) { reg(t, arch::kRegInfo) = info.word(); }

// Message registers of a thread (i < 4: registers; otherwise its IPC buffer).
u32 get_mr(Tcb *t, abi::IpcBuffer *buf, u32 i);
void set_mr(Tcb *t, abi::IpcBuffer *buf, u32 i, u32 v);

// Delivers `sender`'s message (normal, or its fault message) to `receiver`,
// which takes it now, with `badge` and the sender's IpcFlags (`ep_cap`: the
// endpoint cap it went through, for unwrapping; null for a reply). A Call
// leaves the sender waiting for the reply, with the receiver's caller slot
// holding the reply cap (or, without Grant or GrantReply, Inactive).
void deliver(Tcb *sender, Tcb *receiver, u32 badge, u32 flags, const Cap *ep_cap);

// Removes `t` from whatever endpoint or notification queue it is blocked in,
// and drops a pending reply relationship; leaves t->state for the caller to set.
void cancel_ipc(Tcb *t);
// Everything IPC holds of a thread being destroyed: its queue place, the reply
// it owes (that caller is woken with an error), its bound notification.
void ipc_prepare_destroy(Tcb *t);

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

// Drops the reply cap in `holder`'s caller slot (an unanswered caller). The
// test for an empty slot is inline: Recv makes it on every call.
inline void drop_caller(Tcb *holder) {
    Slot *slot = holder->slot(kTcbCaller);
    if (slot->cap.type() == CapType::Reply) reply_cap_lost(slot);
}

}  // namespace petrel
