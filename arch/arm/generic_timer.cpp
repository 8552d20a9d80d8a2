// SPDX-License-Identifier: BSD-2-Clause
// The kernel tick from the ARM generic timer's non-secure physical timer (CNTP).
//
// Deadlines are absolute (CNTP_CVAL = previous deadline + interval), so the tick
// does not drift however late the interrupt is handled. User mode may read the
// virtual counter (CNTVCT) and CNTFRQ, as on Linux (CNTKCTL.PL0VCTEN). Only a
// thread granted the access (TCB.SetTimerAccess, kernel/timer_access.hpp) may
// program the virtual timer (CNTV_CVAL/TVAL/CTL): the kernel sets
// CNTKCTL.PL0VTEN while such a thread runs, and any other thread's access is
// an undefined instruction. That is the timer a user-level timer service
// drives, taking its interrupt (virt: PPI 27; Pi: local line 3) through an
// IrqHandler like any driver. The physical counter and timer stay the kernel's.
#include "arch.hpp"
#include "cpu.hpp"

namespace petrel::arch {
namespace {
u64 g_interval;
u32 g_frequency;
u64 g_deadline;
// CNTKCTL: user mode may read CNTVCT (PL0VCTEN), may reach CNTV_* (PL0VTEN).
constexpr u32 kCntkctlPl0Vcten = 1u << 1, kCntkctlPl0Vten = 1u << 8;

void write_cval(u64 v) {
    asm volatile("mcrr p15, 2, %0, %1, c14" ::"r"(static_cast<u32>(v)), "r"(static_cast<u32>(v >> 32)));
    arm::isb();
}
}  // namespace

u32 timer_frequency() { return g_frequency; }

u64 timer_count() { return arm::read_cntpct(); }

u32 timer_start(u32 tick_hz, u32 default_hz) {
    u32 freq = arm::read_cntfrq();
    if (freq == 0) freq = default_hz;
    g_frequency = freq;
    g_interval = freq / tick_hz;
    g_deadline = timer_count() + g_interval;
    write_cval(g_deadline);
    arm::write_cntp_ctl(1);  // ENABLE, interrupt not masked
    arm::write_cntkctl(kCntkctlPl0Vcten);  // the virtual timer: nobody's until granted
    arm::isb();
    return freq;
}

void set_user_timer_access(bool on) {
    arm::write_cntkctl(on ? kCntkctlPl0Vcten | kCntkctlPl0Vten : kCntkctlPl0Vcten);
    arm::isb();
}

void timer_rearm() {
    g_deadline += g_interval;
    u64 now = timer_count();
    if (g_deadline <= now) g_deadline = now + g_interval;  // missed ticks are not replayed
    write_cval(g_deadline);
}

}  // namespace petrel::arch
