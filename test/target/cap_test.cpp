// SPDX-License-Identifier: BSD-2-Clause
// Target tests of the capability layer: the root task built at boot, and
// invocations made as the root thread through the real system-call entry.
#include <initializer_list>

#include "console.hpp"
#include "invariants.hpp"
#include "ktest.hpp"
#include "root_task.hpp"
#include "syscall.hpp"

namespace petrel {
namespace {

constexpr u32 kScratch = 2048;
Slot *g_list[kScratch], *g_stack[kScratch], *g_sorted[kScratch];

bool invariants_hold() {
    char why[160];
    if (check_invariants({g_list, g_stack, g_sorted, kScratch}, why, sizeof why)) return true;
    kprintf("invariant violated: %s\n", why);
    return false;
}

// A Call as the root thread with at most one extra cap (0: none); returns the
// reply's label (0 or an abi::Error).
u32 call(u32 cptr, abi::Label label, std::initializer_list<u32> mrs, u32 extra_cap) {
    Tcb *t = root_task().tcb;
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    u32 i = 0;
    for (u32 v : mrs) {
        if (i < abi::kMsgRegisters) t->context.r[arch::kRegMr0 + i] = v; else buf->msg[i] = v;
        ++i;
    }
    buf->caps_or_badges[0] = extra_cap;
    set_current_thread(t);
    Status r;
    do {
        t->context.r[arch::kRegCap] = cptr;
        t->context.r[arch::kRegInfo] = abi::MessageInfo{static_cast<u32>(label), 0, extra_cap ? 1u : 0u, i}.word();
        r = handle_syscall(static_cast<u32>(abi::Syscall::Call));
    } while (r == Status::Preempted);
    return abi::MessageInfo::from_word(t->context.r[arch::kRegInfo]).label;
}

}  // namespace

KTEST(caps_root_task_built) {
    const RootTask &rt = root_task();
    KEXPECT(rt.boot_info->magic == abi::kBootInfoMagic);
    KEXPECT(rt.cnode[abi::kCapInitCNode].cap.type() == CapType::CNode);
    KEXPECT(rt.cnode[abi::kCapInitTcb].cap.type() == CapType::Thread);
    KEXPECT(rt.boot_info->untyped_count > 0);
    KEXPECT(invariants_hold());
}

// Retype, Copy, Mint and Revoke on the target: the same kernel code as the host
// tests, compiled for 32-bit ARM.
KTEST(caps_retype_copy_revoke) {
    const abi::BootInfo *bi = root_task().boot_info;
    u32 ut = 0;
    for (u32 i = 0; i < bi->untyped_count; ++i)
        if (!bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= 16) ut = bi->untyped.start + i;
    KEXPECT(ut != 0);
    const u32 free = bi->empty.start, cn = abi::kCapInitCNode;
    Slot *slots = root_task().cnode;
    KEXPECT(call(ut, abi::Label::UntypedRetype, {static_cast<u32>(abi::ObjectType::Endpoint), 0, 0, 0, free, 8}, cn) ==
            0);
    KEXPECT(slots[free].cap.type() == CapType::Endpoint && slots[free + 7].cap.type() == CapType::Endpoint);
    KEXPECT(call(cn, abi::Label::CNodeCopy, {free + 8, 32, free, 32, abi::kRightWrite}, cn) == 0);
    KEXPECT(slots[free + 8].cap.rights() == abi::kRightWrite);
    KEXPECT(call(cn, abi::Label::CNodeMint, {free + 9, 32, free, 32, abi::kRightsAll, 0x55}, cn) == 0);
    KEXPECT(slots[free + 9].cap.badge() == 0x55);
    KEXPECT(call(cn, abi::Label::CNodeCopy, {free + 8, 32, free, 32, abi::kRightsAll}, cn) ==
            static_cast<u32>(abi::Error::DeleteFirst));
    KEXPECT(invariants_hold());
    KEXPECT(call(cn, abi::Label::CNodeRevoke, {ut, 32}, 0) == 0);
    KEXPECT(slots[free].cap.is_null() && slots[free + 8].cap.is_null() && slots[free + 9].cap.is_null());
    KEXPECT(slots[ut].cap.untyped_free_bytes() == 0);
    KEXPECT(invariants_hold());
}

}  // namespace petrel
