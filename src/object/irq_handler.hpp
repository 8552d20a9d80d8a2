// SPDX-License-Identifier: BSD-2-Clause
// IRQ Control and IRQ Handler: interrupts delivered to user-level drivers
// through notifications (seL4's interrupt objects).
//
// The kernel owns the interrupt controller and its own timer lines
// (board::kTimerIrqs); every other line that the controller can mask may be
// handed to one driver at a time:
//
//   IrqControl.Get(irq, index, depth; root*)          IrqIssueIrqHandler
//   IrqControl.GetTrigger(irq, edge, index, depth; root*)  IrqIssueIrqHandlerTrigger
//       makes an IrqHandler cap for line `irq` in the empty slot (index, depth)
//       under `root` and unmasks the line; GetTrigger first makes the line
//       edge-triggered (edge = 1) or level-sensitive (0), on controllers that
//       can (the GIC's shared lines, 32 and up).
//   IrqHandler.SetNotification(ntfn*)                 IrqSetIrqHandler
//       keeps a copy of a Notification cap (with Write) for the line, replacing
//       any earlier one; its badge is what an interrupt ORs into the word.
//   IrqHandler.Ack()                                  IrqAckIrq
//       unmasks the line again (needs a notification set).
//   IrqHandler.Clear()                                IrqClearIrqHandler
//       drops the notification; the line's interrupts are then masked unseen.
//
// When a line fires, the kernel masks it, signals the notification with the
// cap's badge and ends the interrupt at the controller; the line stays masked
// until the driver's Ack. Deleting the last IrqHandler cap for a line masks
// it, drops its notification and frees the line to be handed out again.
//
// Errors (MR = detail registers):
//   RangeError        irq >= board::kIrqLines (MR0 0, MR1 the last line)
//   IllegalOperation  irq is the kernel's timer line; a trigger the controller
//                     cannot set for that line; Ack without a notification
//   InvalidArgument   MR0 0: a line the controller cannot mask (a GIC SGI, a
//                     BCM2836 local source); MR0 1: edge not 0 or 1
//   RevokeFirst       the line is already handed out (delete its IrqHandler first)
//   InvalidCapability MR0 1: SetNotification's cap is not a Notification with Write
//   FailedLookup, DeleteFirst  the destination slot, as for CNode methods
//   TruncatedMessage  fewer words or caps than the method takes
#pragma once

#include "invocation.hpp"
#include "notification.hpp"
#include "platform.hpp"
#include "slot.hpp"
#include "state.hpp"

namespace petrel {

Status decode_irq_control(Invocation &inv);
Status decode_irq_handler(Invocation &inv);

// Sets up the table: `node` is kernel memory for one Slot per line, zeroed
// (create_root_task() carves it).
void irq_handlers_init(paddr_t node);
// The slot holding line `irq`'s notification cap.
Slot *irq_slot(u32 irq);
// An interrupt on a line the kernel does not own: masks it and signals its
// driver's notification. Returns false for a line no driver holds. (Inline:
// the interrupt entry holds it in its own frame.)
inline bool irq_deliver(u32 line) {
    if (line >= kMaxIrqLines || ks.irq_state[line] != IrqState::Signal) return false;
    platform::irq_mask(line);
    // (A line in Signal state has its slot: the table exists. The notification
    // cap's tag is a plain one, its object never "none".)
    const Cap &c = (kptr_live<Slot>(ks.irq_node) + line)->cap;
    if (c.has_tag(CapType::Notification)) signal_notification(kptr_live<Notification>(c.ipc_object()), c.badge());
    return true;
}
// The last IrqHandler cap for `irq` is being deleted.
void irq_handler_deleted(u32 irq);

}  // namespace petrel
