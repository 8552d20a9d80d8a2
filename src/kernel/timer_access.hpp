// SPDX-License-Identifier: BSD-2-Clause
// Timer access: which thread may program the generic timer's virtual timer.
//
// The virtual timer's registers (CNTV_CTL, CNTV_CVAL, CNTV_TVAL) are CPU
// registers, not objects, so a capability cannot name them; the authority over
// them is the IrqHandler cap of the timer's own interrupt line
// (board::kVirtualTimerIrq): whoever owns the timer's interrupt owns the timer.
// TCB.SetTimerAccess (tcb.hpp) grants a thread the access with that cap, or
// takes it away. Invariants:
//   - user mode reaches the registers exactly while a thread with a live grant
//     runs: the kernel sets CNTKCTL.PL0VTEN (arch::set_user_timer_access) when
//     it switches to a thread whose access differs from the CPU's, so a thread
//     without the access faults (undefined instruction, delivered to its fault
//     handler) on its first access;
//   - a grant lives while the line stays handed out: when the line's last
//     IrqHandler cap is deleted (the line is free to go to another driver),
//     every grant made before is void (ks.timer_grant moves on);
//   - reading the virtual counter (CNTVCT) and CNTFRQ stays open to every
//     thread (CNTKCTL.PL0VCTEN): it tells time, it disturbs nobody.
#pragma once

#include "state.hpp"
#include "tcb.hpp"

namespace petrel {

// Whether `t` may program the virtual timer now.
inline bool timer_access_granted(const Tcb *t) { return t->timer_access == ks.timer_grant + 1; }

// Sets the CPU's access for `t` (writes CNTKCTL only when it changes); forgets
// a void grant of `t` on the way. Returns `t` (so that the scheduler, which
// returns it, calls this last: a tail call, no call frame).
Tcb *timer_access_apply(Tcb *t);

// The kernel switches to thread `next` (the scheduler and the IPC fastpath,
// only when the running thread changes). Between two threads without the
// access, or two with it, it costs two loads, a compare and a branch.
[[gnu::always_inline]] inline void timer_access_switch(Tcb *next) {
    if (next->timer_access != here().timer_access_cpu) timer_access_apply(next);
}

// The invoke half of TCB.SetTimerAccess: `grant` gives `t` the access, else
// takes it away; applied at once when `t` is the running thread.
void invoke_tcb_set_timer_access(Tcb *t, bool grant);

// The virtual timer's line lost its last IrqHandler cap: every grant is void,
// the running thread's included.
void timer_access_revoke_all();

}  // namespace petrel
