// SPDX-License-Identifier: BSD-2-Clause
// Kernel entry points (see entry.hpp).
#include "entry.hpp"

#include "console.hpp"
#include "fault.hpp"
#include "interrupt.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "syscall.hpp"

namespace petrel {

const char *fault_kind_name(FaultKind k) {
    switch (k) {
    case FaultKind::None: return "none";
    case FaultKind::CapFault: return "cap fault";
    case FaultKind::UnknownSyscall: return "unknown system call";
    case FaultKind::UserException: return "undefined instruction";
    case FaultKind::VmFault: return "page fault";
    }
    return "fault";
}

namespace {

// A thread with no one to handle its fault stops; the system goes on.
void report_and_suspend(Tcb *t, const Fault &f) {
    kprintf("petrel: thread '%s' stopped: %s at address %08x (status %x%s), pc %08x\n",
            tcb_name(t), fault_kind_name(f.kind), f.address, f.status,
            f.kind == FaultKind::VmFault ? (f.instruction ? ", instruction fetch" : ", data access") : "",
            arch::user_pc(t->context));
    arch::dump_user_context(t->context);
    sched_set_state(t, ThreadState::Inactive);
}

}  // namespace

Tcb *entry_syscall_slow(u32 number) {
    Tcb *t = here().current;
    switch (handle_syscall(number)) {
    case Status::Ok:
        // Nothing to decide (the common case of a call that did not block or wake).
        if (here().action == SchedulerAction::ResumeCurrent && t->state == ThreadState::Running)
            return t;
        break;
    case Status::Preempted: arch::rewind_syscall(t->context); break;
    case Status::UnknownSyscall:
        return entry_fault({FaultKind::UnknownSyscall, number, 0, false});
    case Status::Fault:  // a cap fault; the details are in the thread
        arch::rewind_syscall(t->context);  // a reply (e.g. after the handler installed the cap) retries the call
        return entry_fault({static_cast<FaultKind>(t->fault_kind), t->fault_address, t->fault_status, false});
    case Status::Error: break;  // never: a rejected invocation is answered, and the call is Ok
    }
    return schedule();
}

Tcb *entry_fault(const Fault &fault) {
    Tcb *t = here().current;
    if (!send_fault(t, fault)) {
        report_and_suspend(t, fault);
        t->fault_kind = 0;
    }
    return schedule();
}

}  // namespace petrel
