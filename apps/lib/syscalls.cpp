// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the system-call stubs (see user.hpp).
#include "petrel/user.hpp"

namespace petrel {

abi::MessageInfo call(u32 cptr, abi::MessageInfo info, u32 (&mr)[abi::kMsgRegisters]) {
    SyscallRegs regs{{cptr, info.word(), mr[0], mr[1], mr[2], mr[3]}};
    syscall(abi::Syscall::Call, regs);
    for (u32 i = 0; i < abi::kMsgRegisters; ++i) mr[i] = regs.r[2 + i];
    return abi::MessageInfo::from_word(regs.r[1]);
}

void debug_put_char(char c) {
    SyscallRegs regs{{static_cast<u8>(c), 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugPutChar, regs);
}

void debug_halt(u32 status) {
    SyscallRegs regs{{status, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugHalt, regs);
    for (;;) {}  // a kernel that lets the caller go on is not one to continue on
}

u32 debug_cap_identify(u32 cptr) {
    SyscallRegs regs{{cptr, 0, 0, 0, 0, 0}};
    syscall(abi::Syscall::DebugCapIdentify, regs);
    return regs.r[0];
}

}  // namespace petrel

extern "C" void petrel_exit(int status) { petrel::debug_halt(static_cast<u32>(status)); }
