// SPDX-License-Identifier: BSD-2-Clause
// The debug system calls (abi::Syscall::Debug*) and the authority they need.
//
// They exist only in a kernel built with them (the meson option
// debug_syscalls, which defines PETREL_DEBUG_SYSCALLS for syscall.cpp, the one
// file that dispatches to them; syscall.hpp). Without them each Debug* number
// is an unknown system call, as in seL4's release builds, and the linker drops
// this file's code. Whether they exist is BootInfo.flags & kBootInfoDebugSyscalls.
//
// Authority: halting the system and dumping the scheduler's state concern
// everyone, so DebugHalt and DebugDumpScheduler need a Debug cap (CapType::Debug,
// the root task's abi::kCapDebug; it is copied, moved, deleted and revoked like
// any cap). Without one they log one line (in debug builds), leave
// abi::Error::InvalidCapability in r0 and return: the system runs on.
// DebugNameThread needs a TCB cap to the thread it names. DebugPutChar,
// DebugCapIdentify and DebugNull touch only the caller (the console line it
// writes, its own CSpace, nothing) and need no cap.
//
// Each function reads its arguments from the current thread `t`'s registers
// and writes its results there (abi.hpp documents them); all return Status::Ok
// (DebugHalt with a valid cap does not return).
#pragma once

#include "status.hpp"
#include "tcb.hpp"

namespace petrel {

Status debug_put_char(Tcb *t);
Status debug_halt(Tcb *t);
Status debug_dump_scheduler(Tcb *t);
Status debug_name_thread(Tcb *t);
Status debug_cap_identify(Tcb *t);

// Whether this kernel was built with the debug system calls (syscall.cpp
// answers, as it is the file compiled per kernel variant); the root task's
// BootInfo says so to user space.
bool debug_syscalls_built();

}  // namespace petrel
