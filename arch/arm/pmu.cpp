// SPDX-License-Identifier: BSD-2-Clause
// The PMU's cycle counter, started and opened to user mode (see pmu.hpp).
#include "pmu.hpp"

namespace petrel::arch {
namespace {

// PMCR (c9, c12, 0) bits.
constexpr u32 kPmcrEnable = 1u << 0;       // E: all counters on
constexpr u32 kPmcrResetEvents = 1u << 1;  // P: event counters to 0
constexpr u32 kPmcrResetCycles = 1u << 2;  // C: PMCCNTR to 0
constexpr u32 kPmcrDivide64 = 1u << 3;     // D: PMCCNTR every 64th cycle
constexpr u32 kCycleCounter = 1u << 31;    // PMCNTENSET/CLR, PMINTENCLR, PMOVSR: PMCCNTR's bit
constexpr u32 kUserEnable = 1u << 0;       // PMUSERENR.EN: PL0 may read and use the PMU

}  // namespace

void pmu_init() {
    u32 pmcr;
    asm volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(pmcr));
    pmcr = (pmcr & ~kPmcrDivide64) | kPmcrEnable | kPmcrResetEvents | kPmcrResetCycles;
    asm volatile("mcr p15, 0, %0, c9, c14, 2" ::"r"(~0u));            // PMINTENCLR: no overflow interrupts
    asm volatile("mcr p15, 0, %0, c9, c12, 3" ::"r"(~0u));            // PMOVSR: clear overflow flags
    asm volatile("mcr p15, 0, %0, c9, c12, 0" ::"r"(pmcr));           // PMCR
    asm volatile("mcr p15, 0, %0, c9, c12, 1" ::"r"(kCycleCounter));  // PMCNTENSET: the cycle counter
    asm volatile("mcr p15, 0, %0, c9, c14, 0" ::"r"(kUserEnable));    // PMUSERENR
    asm volatile("isb" ::: "memory");
}

}  // namespace petrel::arch
