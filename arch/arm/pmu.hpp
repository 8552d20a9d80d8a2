// SPDX-License-Identifier: BSD-2-Clause
// The ARMv7 Performance Monitors' cycle counter, for benchmarks.
//
// pmu_init() starts PMCCNTR counting every cycle (PMCR.E, PMCNTENSET bit 31,
// no divide-by-64: PMCR.D clear), resets it (PMCR.C), masks the PMU's overflow
// interrupts and lets user mode read the counters (PMUSERENR.EN), so a
// benchmark app reads the count with one `mrc p15, 0, rX, c9, c13, 0`.
// User mode can always read PMUSERENR, so an app can tell whether it may.
//
// Under QEMU the cycle counter follows the virtual clock at a nominal 1 GHz;
// with `-icount shift=0` that clock advances 1 ns per instruction, so PMCCNTR
// counts executed instructions (deterministic figures). On a board it counts
// CPU cycles.
#pragma once

#include "petrel/types.hpp"

namespace petrel::arch {

// Once at boot, on the boot core, in a privileged mode.
void pmu_init();

}  // namespace petrel::arch
