// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the system-call stubs (see user.hpp).
#include "petrel/invocations.hpp"
#include "petrel/user.hpp"

namespace petrel {

namespace {

SyscallRegs regs_of(u32 cptr, abi::MessageInfo info, const MessageRegs &mr) {
    return {{cptr, info.word(), mr[0], mr[1], mr[2], mr[3]}};
}

RecvResult result_of(const SyscallRegs &regs, MessageRegs &mr) {
    for (u32 i = 0; i < abi::kMsgRegisters; ++i) mr[i] = regs.r[2 + i];
    return {abi::MessageInfo::from_word(regs.r[1]), regs.r[0]};
}

}  // namespace

abi::MessageInfo call(u32 cptr, abi::MessageInfo info, MessageRegs &mr) {
    SyscallRegs regs = regs_of(cptr, info, mr);
    syscall(abi::Syscall::Call, regs);
    return result_of(regs, mr).info;
}

void send(u32 cptr, abi::MessageInfo info, const MessageRegs &mr) {
    SyscallRegs regs = regs_of(cptr, info, mr);
    syscall(abi::Syscall::Send, regs);
}

void nb_send(u32 cptr, abi::MessageInfo info, const MessageRegs &mr) {
    SyscallRegs regs = regs_of(cptr, info, mr);
    syscall(abi::Syscall::NBSend, regs);
}

RecvResult recv(u32 cptr, MessageRegs &mr) {
    SyscallRegs regs{{cptr, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::Recv, regs);
    return result_of(regs, mr);
}

RecvResult nb_recv(u32 cptr, MessageRegs &mr) {
    SyscallRegs regs{{cptr, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::NBRecv, regs);
    return result_of(regs, mr);
}

void reply(abi::MessageInfo info, const MessageRegs &mr) {
    SyscallRegs regs = regs_of(0, info, mr);
    syscall(abi::Syscall::Reply, regs);
}

RecvResult reply_recv(u32 cptr, abi::MessageInfo info, MessageRegs &mr) {
    SyscallRegs regs = regs_of(cptr, info, mr);
    syscall(abi::Syscall::ReplyRecv, regs);
    return result_of(regs, mr);
}

void yield() {
    SyscallRegs regs{};
    syscall(abi::Syscall::Yield, regs);
}

void signal(u32 ntfn) {
    SyscallRegs regs{{ntfn, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::Send, regs);
}

u32 wait(u32 ntfn) {
    SyscallRegs regs{{ntfn, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::Recv, regs);
    return regs.r[0];
}

u32 poll(u32 ntfn) {
    SyscallRegs regs{{ntfn, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::NBRecv, regs);
    return regs.r[0];
}

namespace {
bool g_debug_calls = true;  // until a root task reads its BootInfo, or an app is told (user.hpp)
}  // namespace

bool debug_calls_present() { return g_debug_calls; }
void set_debug_calls_present(bool present) { g_debug_calls = present; }
void debug_calls_from(const abi::BootInfo *bi) { g_debug_calls = (bi->flags & abi::kBootInfoDebugSyscalls) != 0; }

void debug_name_thread(abi::IpcBuffer *ipc, u32 tcb, const char *name) {
    if (!g_debug_calls) return;
    char *dst = reinterpret_cast<char *>(ipc->msg);
    u32 i = 0;
    for (; i + 1 < 16 && name[i] != '\0'; ++i) dst[i] = name[i];
    dst[i] = '\0';
    SyscallRegs regs{{tcb, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugNameThread, regs);
}

void debug_put_char(char c) {
    if (!g_debug_calls) return;
    SyscallRegs regs{{static_cast<u8>(c), 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugPutChar, regs);
}

abi::Error debug_try_halt(u32 debug_cap, u32 status) {
    if (!g_debug_calls) return abi::Error::IllegalOperation;
    SyscallRegs regs{{debug_cap, 0, status, 0, 0, 0}};
    syscall(abi::Syscall::DebugHalt, regs);
    return static_cast<abi::Error>(regs.r[0]);
}

void debug_halt(u32 debug_cap, u32 status) {
    (void)debug_try_halt(debug_cap, status);
    for (;;) {}  // no Debug cap, or a kernel without the debug calls: nothing ends the run
}

abi::Error debug_dump_scheduler(u32 debug_cap) {
    if (!g_debug_calls) return abi::Error::IllegalOperation;
    SyscallRegs regs{{debug_cap, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugDumpScheduler, regs);
    return static_cast<abi::Error>(regs.r[0]);
}

void debug_null() {
    SyscallRegs regs{{0, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugNull, regs);
}

u32 debug_cap_identify(u32 cptr) {
    if (!g_debug_calls) return 0;
    SyscallRegs regs{{cptr, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugCapIdentify, regs);
    return regs.r[0];
}

}  // namespace petrel

// A root task's end (apps' main never returns: app_start.cpp): the root task's
// Debug cap halts the system; where it cannot, the root thread stops itself.
extern "C" void petrel_exit(int status) {
    (void)petrel::debug_try_halt(petrel::abi::kCapDebug, static_cast<u32>(status));
    (void)petrel::tcb_suspend(petrel::abi::kCapInitTcb);
    for (;;) {}
}
