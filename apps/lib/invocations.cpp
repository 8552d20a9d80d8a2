// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: invocations on kernel objects (see invocations.hpp).
#include "petrel/invocations.hpp"

namespace petrel {

using abi::Error;
using abi::Label;

Error invoke(abi::IpcBuffer *ipc, u32 cptr, Label label, const u32 *words, u32 num_words, const u32 *caps,
             u32 num_caps, MessageRegs *reply) {
    if (num_words > abi::kMsgMaxLength || num_caps > abi::kMsgMaxExtraCaps) return Error::InvalidArgument;
    if (!ipc && (num_words > abi::kMsgRegisters || num_caps > 0)) return Error::TruncatedMessage;
    MessageRegs mr{};
    for (u32 i = 0; i < num_words; ++i) {
        if (i < abi::kMsgRegisters) mr[i] = words[i];
        else ipc->msg[i] = words[i];
    }
    for (u32 i = 0; i < num_caps; ++i) ipc->caps_or_badges[i] = caps[i];
    abi::MessageInfo r = call(cptr, {static_cast<u32>(label), 0, num_caps, num_words}, mr);
    if (reply)
        for (u32 i = 0; i < abi::kMsgRegisters; ++i) (*reply)[i] = mr[i];
    return static_cast<Error>(r.label);
}

Error untyped_retype(abi::IpcBuffer *ipc, u32 untyped, abi::ObjectType type, u32 size_bits, u32 root,
                     u32 node_index, u32 node_depth, u32 node_offset, u32 num_objects) {
    const u32 w[] = {static_cast<u32>(type), size_bits, node_index, node_depth, node_offset, num_objects};
    return invoke(ipc, untyped, Label::UntypedRetype, w, 6, &root, 1);
}

Error cnode_copy(abi::IpcBuffer *ipc, u32 cnode, u32 dest_index, u32 dest_depth, u32 src_root, u32 src_index,
                 u32 src_depth, u32 rights) {
    const u32 w[] = {dest_index, dest_depth, src_index, src_depth, rights};
    return invoke(ipc, cnode, Label::CNodeCopy, w, 5, &src_root, 1);
}

Error cnode_mint(abi::IpcBuffer *ipc, u32 cnode, u32 dest_index, u32 dest_depth, u32 src_root, u32 src_index,
                 u32 src_depth, u32 rights, u32 data) {
    const u32 w[] = {dest_index, dest_depth, src_index, src_depth, rights, data};
    return invoke(ipc, cnode, Label::CNodeMint, w, 6, &src_root, 1);
}

Error cnode_move(abi::IpcBuffer *ipc, u32 cnode, u32 dest_index, u32 dest_depth, u32 src_root, u32 src_index,
                 u32 src_depth) {
    const u32 w[] = {dest_index, dest_depth, src_index, src_depth};
    return invoke(ipc, cnode, Label::CNodeMove, w, 4, &src_root, 1);
}

Error cnode_delete(u32 cnode, u32 index, u32 depth) {
    const u32 w[] = {index, depth};
    return invoke(nullptr, cnode, Label::CNodeDelete, w, 2, nullptr, 0);
}

Error cnode_revoke(u32 cnode, u32 index, u32 depth) {
    const u32 w[] = {index, depth};
    return invoke(nullptr, cnode, Label::CNodeRevoke, w, 2, nullptr, 0);
}

Error cnode_save_caller(u32 cnode, u32 index, u32 depth) {
    const u32 w[] = {index, depth};
    return invoke(nullptr, cnode, Label::CNodeSaveCaller, w, 2, nullptr, 0);
}

Error tcb_configure(abi::IpcBuffer *ipc, u32 tcb, u32 fault_ep, u32 cspace_root, u32 cspace_root_data,
                    u32 vspace_root, u32 vspace_root_data, u32 buffer, u32 buffer_frame) {
    const u32 w[] = {fault_ep, cspace_root_data, vspace_root_data, buffer};
    const u32 c[] = {cspace_root, vspace_root, buffer_frame};
    return invoke(ipc, tcb, Label::TcbConfigure, w, 4, c, 3);
}

Error tcb_write_registers(abi::IpcBuffer *ipc, u32 tcb, bool resume_target, u32 count, const UserRegisters &regs) {
    constexpr u32 kNum = sizeof(UserRegisters) / sizeof(u32);
    if (count > kNum) return Error::RangeError;
    u32 w[2 + kNum];
    w[0] = resume_target ? 1u : 0u;
    w[1] = count;
    u32 all[kNum];
    __builtin_memcpy(all, &regs, sizeof(all));
    for (u32 i = 0; i < count; ++i) w[2 + i] = all[i];
    return invoke(ipc, tcb, Label::TcbWriteRegisters, w, 2 + count, nullptr, 0);
}

Error tcb_read_registers(abi::IpcBuffer *ipc, u32 tcb, bool suspend_source, u32 count, UserRegisters &regs) {
    constexpr u32 kNum = sizeof(UserRegisters) / sizeof(u32);
    if (count > kNum) return Error::RangeError;
    const u32 w[] = {suspend_source ? 1u : 0u, count};
    MessageRegs first{};
    Error e = invoke(ipc, tcb, Label::TcbReadRegisters, w, 2, nullptr, 0, &first);
    if (e != Error::None) return e;
    u32 all[kNum];
    __builtin_memcpy(all, &regs, sizeof(all));
    for (u32 i = 0; i < count; ++i) all[i] = i < abi::kMsgRegisters ? first[i] : (ipc ? ipc->msg[i] : 0);
    __builtin_memcpy(&regs, all, sizeof(all));
    return e;
}

Error tcb_resume(u32 tcb) { return invoke(nullptr, tcb, Label::TcbResume, nullptr, 0, nullptr, 0); }
Error tcb_suspend(u32 tcb) { return invoke(nullptr, tcb, Label::TcbSuspend, nullptr, 0, nullptr, 0); }

Error tcb_set_priority(abi::IpcBuffer *ipc, u32 tcb, u32 authority, u32 priority) {
    return invoke(ipc, tcb, Label::TcbSetPriority, &priority, 1, &authority, 1);
}

Error tcb_set_mc_priority(abi::IpcBuffer *ipc, u32 tcb, u32 authority, u32 mcp) {
    return invoke(ipc, tcb, Label::TcbSetMCPriority, &mcp, 1, &authority, 1);
}

Error tcb_bind_notification(abi::IpcBuffer *ipc, u32 tcb, u32 ntfn) {
    return invoke(ipc, tcb, Label::TcbBindNotification, nullptr, 0, &ntfn, 1);
}

Error tcb_unbind_notification(u32 tcb) {
    return invoke(nullptr, tcb, Label::TcbUnbindNotification, nullptr, 0, nullptr, 0);
}

Error tcb_set_timer_access(abi::IpcBuffer *ipc, u32 tcb, u32 irq_handler) {
    const u32 grant = 1;
    return invoke(ipc, tcb, Label::TcbSetTimerAccess, &grant, 1, &irq_handler, 1);
}

Error tcb_clear_timer_access(u32 tcb) {
    const u32 revoke = 0;
    return invoke(nullptr, tcb, Label::TcbSetTimerAccess, &revoke, 1, nullptr, 0);
}

Error tcb_set_affinity(u32 tcb, u32 core) { return invoke(nullptr, tcb, Label::TcbSetAffinity, &core, 1, nullptr, 0); }

Error page_table_map(abi::IpcBuffer *ipc, u32 pt, u32 pd, u32 vaddr, MessageRegs *detail) {
    return invoke(ipc, pt, Label::PageTableMap, &vaddr, 1, &pd, 1, detail);
}

Error page_table_unmap(u32 pt) { return invoke(nullptr, pt, Label::PageTableUnmap, nullptr, 0, nullptr, 0); }

Error page_map(abi::IpcBuffer *ipc, u32 frame, u32 pd, u32 vaddr, u32 rights, u32 attr,
               MessageRegs *detail) {
    const u32 w[] = {vaddr, rights, attr};
    return invoke(ipc, frame, Label::PageMap, w, 3, &pd, 1, detail);
}

Error page_unmap(u32 frame) { return invoke(nullptr, frame, Label::PageUnmap, nullptr, 0, nullptr, 0); }

Error page_get_address(u32 frame, u32 &paddr) {
    MessageRegs r{};
    Error e = invoke(nullptr, frame, Label::PageGetAddress, nullptr, 0, nullptr, 0, &r);
    if (e == Error::None) paddr = r[0];
    return e;
}

Error page_cache_op(u32 frame, Label op, u32 start, u32 end) {
    const u32 w[] = {start, end};
    return invoke(nullptr, frame, op, w, 2, nullptr, 0);
}

Error page_directory_cache_op(u32 pd, Label op, u32 start, u32 end) {
    const u32 w[] = {start, end};
    return invoke(nullptr, pd, op, w, 2, nullptr, 0);
}

Error asid_control_make_pool(abi::IpcBuffer *ipc, u32 asid_control, u32 untyped, u32 root, u32 index,
                             u32 depth) {
    const u32 w[] = {index, depth};
    const u32 c[] = {untyped, root};
    return invoke(ipc, asid_control, Label::AsidControlMakePool, w, 2, c, 2);
}

Error asid_pool_assign(abi::IpcBuffer *ipc, u32 pool, u32 pd, MessageRegs *detail) {
    return invoke(ipc, pool, Label::AsidPoolAssign, nullptr, 0, &pd, 1, detail);
}

Error irq_control_get(abi::IpcBuffer *ipc, u32 irq_control, u32 irq, u32 root, u32 index, u32 depth,
                      MessageRegs *detail) {
    const u32 w[] = {irq, index, depth};
    return invoke(ipc, irq_control, Label::IrqIssueIrqHandler, w, 3, &root, 1, detail);
}

Error irq_control_get_trigger(abi::IpcBuffer *ipc, u32 irq_control, u32 irq, u32 edge, u32 root, u32 index,
                              u32 depth, MessageRegs *detail) {
    const u32 w[] = {irq, edge, index, depth};
    return invoke(ipc, irq_control, Label::IrqIssueIrqHandlerTrigger, w, 4, &root, 1, detail);
}

Error irq_handler_set_notification(abi::IpcBuffer *ipc, u32 handler, u32 ntfn, MessageRegs *detail) {
    return invoke(ipc, handler, Label::IrqSetIrqHandler, nullptr, 0, &ntfn, 1, detail);
}

Error irq_handler_ack(u32 handler) { return invoke(nullptr, handler, Label::IrqAckIrq, nullptr, 0, nullptr, 0); }

Error irq_handler_clear(u32 handler) {
    return invoke(nullptr, handler, Label::IrqClearIrqHandler, nullptr, 0, nullptr, 0);
}

}  // namespace petrel
