// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the counters and the timer user mode may use directly: the generic timer's virtual counter and
// virtual timer (CNTVCT, CNTFRQ, CNTV_CVAL, CNTV_CTL) and the PMU cycle counter (PMCCNTR).
//
// The kernel opens the counters to every thread (CNTKCTL.PL0VCTEN,
// PMUSERENR.EN; arch/arm/generic_timer.cpp and pmu.cpp). The virtual timer's
// registers (write_cntv_ctl, read_cntv_ctl, write_cntv_cval) only to a thread
// granted them with TCB.SetTimerAccess and the IrqHandler of the timer's line
// (devices::kVirtualTimerIrq; petrel/invocations.hpp): in any other thread
// they are an undefined instruction. Its interrupt is level: asserted while
// enabled, unmasked and CNTVCT >= CNTV_CVAL.
#pragma once

#include "petrel/types.hpp"

namespace petrel {

// The virtual count (64 bits, at cntfrq() Hz, never going back).
inline u64 cntvct() {
    u32 lo, hi;
    asm volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi)::"memory");
    return u64{hi} << 32 | lo;
}

// The counter's frequency in Hz, as boot firmware or the kernel set it.
inline u32 cntfrq() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
    return v;
}

// CNTV_CTL bits: ENABLE, IMASK (interrupt masked at the timer), ISTATUS (the
// condition is met; read-only).
enum : u32 { kCntvEnable = 1u << 0, kCntvImask = 1u << 1, kCntvIstatus = 1u << 2 };

inline void write_cntv_ctl(u32 v) { asm volatile("mcr p15, 0, %0, c14, c3, 1; isb" ::"r"(v) : "memory"); }

inline u32 read_cntv_ctl() {
    u32 v;
    asm volatile("isb; mrc p15, 0, %0, c14, c3, 1" : "=r"(v)::"memory");
    return v;
}

// The virtual timer's compare value: its condition is CNTVCT >= CNTV_CVAL.
inline void write_cntv_cval(u64 v) {
    asm volatile("mcrr p15, 3, %0, %1, c14; isb" ::"r"(static_cast<u32>(v)), "r"(static_cast<u32>(v >> 32))
                 : "memory");
}

// The PMU cycle counter: one count per instruction under QEMU -icount shift=0,
// cycles on a board. Readable only if the kernel set PMUSERENR.EN (pmu_user_enabled()).
inline u32 pmccntr() {
    u32 v;
    asm volatile("isb; mrc p15, 0, %0, c9, c13, 0" : "=r"(v)::"memory");
    return v;
}

inline bool pmu_user_enabled() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c9, c14, 0" : "=r"(v));
    return (v & 1u) != 0;
}

// Microseconds to counter ticks and back, rounded up (a sleep is never short).
inline u64 us_to_ticks(u64 us, u32 hz) { return (us * hz + 999'999) / 1'000'000; }
inline u64 ticks_to_us(u64 ticks, u32 hz) { return ticks * 1'000'000 / hz; }

}  // namespace petrel
