// SPDX-License-Identifier: BSD-2-Clause
// The hosted kernel built without the debug system calls (kernel-tests-nodebug,
// no PETREL_DEBUG_SYSCALLS, as a release or product kernel): every Debug*
// number is an unknown system call, a fault, and BootInfo says so.
#include "harness.hpp"
#include "state.hpp"

using namespace test;
using namespace petrel;

TEST_CASE("debug off: every Debug* system call is an unknown system call; DebugHalt never halts", "[debug]") {
    Machine m;
    CHECK((m.root.boot_info->flags & abi::kBootInfoDebugSyscalls) == 0);
    CHECK(cap_at(m, abi::kCapDebug).type() == CapType::Debug);  // the slot layout does not change
    for (abi::Syscall n : {abi::Syscall::DebugPutChar, abi::Syscall::DebugHalt, abi::Syscall::DebugDumpScheduler,
                           abi::Syscall::DebugNameThread, abi::Syscall::DebugCapIdentify, abi::Syscall::DebugNull}) {
        INFO("system call " << static_cast<u32>(n));
        m.root.tcb->context.r[arch::kRegCap] = abi::kCapDebug;  // the Debug cap, for Halt and DumpScheduler
        m.root.tcb->context.r[arch::kRegMr0] = 0;
        (void)m.take_console();
        Status s = Status::Ok;
        REQUIRE_NOTHROW(s = m.syscall(m.root.tcb, static_cast<u32>(n)));
        CHECK(s == Status::UnknownSyscall);
        CHECK(m.take_console().empty());
    }
    // Through the entry, as the CPU makes it: the root has no fault handler, so it stops with a report.
    m.root.tcb->context.r[arch::kRegCap] = abi::kCapDebug;
    REQUIRE_NOTHROW(m.enter(m.root.tcb, static_cast<u32>(abi::Syscall::DebugHalt)));
    CHECK(m.take_console().find("thread 'root' stopped: unknown system call") != std::string::npos);
    CHECK(m.root.tcb->state == ThreadState::Inactive);
    REQUIRE_INVARIANTS();
}
