// SPDX-License-Identifier: BSD-2-Clause
// The system-call entry of the generic kernel.
//
// The architecture's entry stub saves the user registers in the current TCB and
// calls handle_syscall() with the number from r7. On return the current thread's
// registers hold the result. When the call was preempted (an interrupt is
// pending at a preemption point of a long operation), handle_syscall() returns
// Status::Preempted and leaves the registers as they were: the architecture
// then takes the interrupt and resumes the thread at its svc instruction, so the
// call runs again and continues where it stopped.
#pragma once

#include "petrel/abi.hpp"
#include "status.hpp"
#include "tcb.hpp"

namespace petrel {

// Returns Status::Ok, Preempted (see above), UnknownSyscall, or Fault: the
// thread faulted in the call (a cap fault; t->fault_* hold the details) and
// entry_syscall() delivers it to the thread's fault handler (status.hpp).
Status handle_syscall(u32 number);

}  // namespace petrel
