// SPDX-License-Identifier: BSD-2-Clause
// IRQ Control and IRQ Handler invocations and delivery (see irq_handler.hpp).
#include "irq_handler.hpp"

#include "board.hpp"
#include "notification.hpp"
#include "panic.hpp"
#include "platform.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "timer_access.hpp"

namespace petrel {

using abi::Label;

static_assert(board::kIrqLines <= kMaxIrqLines, "the kernel's IRQ table is too small for this board");

namespace {

bool is_timer_line(u32 irq) {
    for (u32 t : board::kTimerIrqs)
        if (t == irq) return true;
    return false;
}

// Drops the line's notification cap (bounded: a notification cap needs no Zombie).
void clear_notification(u32 irq) {
    if (delete_cap(irq_slot(irq)) != Status::Ok) panic("IRQ %u: deleting its notification cap was preempted", irq);
}

Status invoke_issue(Slot *control, u32 irq, bool set_trigger, bool edge, Slot *dest) {
    if (set_trigger) platform::irq_set_trigger(irq, edge);
    ks.irq_state[irq] = IrqState::Signal;
    insert_derived(control, dest, Cap::irq_handler(irq));
    platform::irq_unmask(irq);
    return Status::Ok;
}

// IrqControl.Get (MR0 irq, MR1 index, MR2 depth) and GetTrigger (MR0 irq, MR1
// edge, MR2 index, MR3 depth); extra cap: the CNode for the handler cap.
Status decode_get(Invocation &inv, bool with_trigger) {
    const u32 words = with_trigger ? 4 : 3;
    if (inv.length() < words || inv.extra_count < 1) return reject_truncated(inv, words, 1);
    const u32 irq = inv.mr(0), edge = with_trigger ? inv.mr(1) : 0;
    const u32 index = inv.mr(words - 2), depth = inv.mr(words - 1);
    if (irq >= board::kIrqLines) return reject_range(inv, "irq", irq, 0, board::kIrqLines - 1);
    if (is_timer_line(irq)) return reject_illegal(inv, "irq: expected a device line, got %u, the kernel's timer", irq);
    if (!platform::irq_maskable(irq))
        return reject_argument(inv, 0, "irq", "expected a line the interrupt controller can mask, got %u", irq);
    if (ks.irq_state[irq] != IrqState::Signal && ks.irq_state[irq] != IrqState::Inactive)
        panic("IRQ %u: state %u", irq, static_cast<u32>(ks.irq_state[irq]));
    if (ks.irq_state[irq] == IrqState::Signal)
        return reject_revoke_first(
            inv, "irq: expected a free line, got %u, already handed out (delete its IrqHandler first)", irq);
    if (edge > 1) return reject_argument(inv, 1, "edge", "expected 0 (level) or 1 (edge), got %u", edge);
    Result<Slot *> dest = lookup_arg_slot(inv, inv.extra[0]->cap, index, depth, false, "dest", SlotNeed::Empty);
    if (!dest.ok()) return dest.status();
    if (with_trigger && !platform::irq_trigger_settable(irq))
        return reject_illegal(inv, "edge: the interrupt controller cannot set line %u's trigger", irq);
    return invoke_issue(inv.slot, irq, with_trigger, edge != 0, dest.value());
}

Status invoke_set_notification(u32 irq, Slot *src) {
    clear_notification(irq);
    if (!src->cap.is_null()) insert_derived(src, irq_slot(irq), src->cap);  // (deleting the old one kept it)
    return Status::Ok;
}

Status invoke_ack(u32 irq) {
    platform::irq_unmask(irq);
    return Status::Ok;
}

// Ack: the line must have a notification to deliver to.
Status decode_ack(Invocation &inv, u32 irq) {
    if (irq_slot(irq)->cap.is_null())
        return reject_illegal(inv, "expected a notification set for line %u (SetNotification), got none", irq);
    return invoke_ack(irq);
}

// SetNotification: the Notification cap (with the Write right) to copy.
Status decode_set_notification(Invocation &inv, u32 irq) {
    if (inv.extra_count < 1) return reject_truncated(inv, 0, 1);
    Slot *src = inv.extra[0];
    const Cap &c = src->cap;
    if (c.type() != CapType::Notification)
        return reject_cap(inv, 1, "notification", "expected a Notification cap, got %s", cap_type_name(c.type()));
    if (!(c.rights() & abi::kRightWrite))
        return reject_cap(inv, 1, "notification", "expected the Write right (to signal), got rights 0x%x", c.rights());
    return invoke_set_notification(irq, src);
}

}  // namespace

void irq_handlers_init(paddr_t node) {
    ks.irq_node = node;
    for (auto &s : ks.irq_state) s = IrqState::Inactive;
}

Slot *irq_slot(u32 irq) {
    kassert(irq < kMaxIrqLines && ks.irq_node);
    return kptr<Slot>(ks.irq_node) + irq;
}

Status decode_irq_control(Invocation &inv) {
    switch (static_cast<Label>(inv.label())) {
    case Label::IrqIssueIrqHandler:
        inv.name = "IrqControl.Get";
        return decode_get(inv, false);
    case Label::IrqIssueIrqHandlerTrigger:
        inv.name = "IrqControl.GetTrigger";
        return decode_get(inv, true);
    default:
        inv.name = "IrqControl";
        return reject_illegal(inv, "label %u is not an IrqControl method", inv.label());
    }
}

Status decode_irq_handler(Invocation &inv) {
    const u32 irq = inv.cap.irq();
    switch (static_cast<Label>(inv.label())) {
    case Label::IrqAckIrq:
        inv.name = "IrqHandler.Ack";
        return decode_ack(inv, irq);
    case Label::IrqSetIrqHandler:
        inv.name = "IrqHandler.SetNotification";
        return decode_set_notification(inv, irq);
    case Label::IrqClearIrqHandler:  // nothing to check
        inv.name = "IrqHandler.Clear";
        clear_notification(irq);
        return Status::Ok;
    default:
        inv.name = "IrqHandler";
        return reject_illegal(inv, "label %u is not an IrqHandler method", inv.label());
    }
}

void irq_handler_deleted(u32 irq) {
    if (irq >= kMaxIrqLines) return;
    platform::irq_mask(irq);
    clear_notification(irq);
    ks.irq_state[irq] = IrqState::Inactive;
    if (irq == board::kVirtualTimerIrq) timer_access_revoke_all();  // the timer goes with its line
}

}  // namespace petrel
