// SPDX-License-Identifier: BSD-2-Clause
// Timer access: the per-thread grant and the CPU's switch (see timer_access.hpp).
#include "timer_access.hpp"

#include "arch.hpp"
#include "state.hpp"

namespace petrel {

Tcb *timer_access_apply(Tcb *t) {
    if (!timer_access_granted(t)) t->timer_access = 0;  // a void grant is forgotten
    const bool was_on = here().timer_access_cpu != 0, on = t->timer_access != 0;
    here().timer_access_cpu = t->timer_access;
    if (on != was_on) arch::set_user_timer_access(on);
    return t;
}

void invoke_tcb_set_timer_access(Tcb *t, bool grant) {
    smp_stall(t);  // (another core running it lets go: it gets the new access when it runs it again)
    t->timer_access = grant ? ks.timer_grant + 1 : 0;
    if (t == here().current) timer_access_apply(t);
}

void timer_access_revoke_all() {
    // ks.timer_grant + 1 is never 0 (0 means "no grant"); after 2^32 - 1 line
    // deletions a grant older than all of them, never switched to since, would
    // count again: out of reach in practice.
    if (++ks.timer_grant == ~0u) ks.timer_grant = 0;
    if (here().current) timer_access_apply(here().current);  // (its grant, if any, is void: the access goes off)
    // Another core whose running thread has the access lets go of it (it
    // chooses again, and the access goes off when nothing granted runs).
    for (u32 core = 0; core < kCores; ++core) {
        const CoreState &c = ks_cores[core];
        if (core != core_id() && c.timer_access_cpu != 0 && c.current) smp_stall(c.current);
    }
}

}  // namespace petrel
