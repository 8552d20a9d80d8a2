// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: system calls, debug output and exit for user programs.
//
// Every system call is `svc #0` with the number in r7 and r0-r5 as
// petrel/abi.hpp describes (r0 cap pointer / badge, r1 message tag, r2-r5
// message registers 0-3). The kernel may change r0-r5 and nothing else; the
// stubs say so to the compiler. printf understands %d %u %x %X %s %c %p %%,
// the l and ll length modifiers, a 0 flag and a field width.
#pragma once

#include "petrel/abi.hpp"

namespace petrel {

// The registers a system call passes and returns.
struct SyscallRegs {
    u32 r[6];
};

inline void syscall(abi::Syscall number, SyscallRegs &regs) {
    register u32 r0 asm("r0") = regs.r[0];
    register u32 r1 asm("r1") = regs.r[1];
    register u32 r2 asm("r2") = regs.r[2];
    register u32 r3 asm("r3") = regs.r[3];
    register u32 r4 asm("r4") = regs.r[4];
    register u32 r5 asm("r5") = regs.r[5];
    register u32 r7 asm("r7") = static_cast<u32>(number);
    asm volatile("svc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5) : "r"(r7) : "memory");
    regs = {{r0, r1, r2, r3, r4, r5}};
}

// Call on the cap at `cptr` with up to four message registers (in and out);
// returns the reply's tag (label 0, or an abi::Error).
abi::MessageInfo call(u32 cptr, abi::MessageInfo info, u32 (&mr)[abi::kMsgRegisters]);

// Debug system calls.
void debug_put_char(char c);
[[noreturn]] void debug_halt(u32 status);
u32 debug_cap_identify(u32 cptr);  // the kernel's cap type number, 0 for an empty slot

// Console output through DebugPutChar.
void puts(const char *s);  // no newline added
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace petrel

// Called by crt0 with main's return value: ends the run (DebugHalt).
extern "C" [[noreturn]] void petrel_exit(int status);
