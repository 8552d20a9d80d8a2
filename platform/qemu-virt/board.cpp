// SPDX-License-Identifier: BSD-2-Clause
// Platform glue for QEMU virt: PL011 console and GICv2 (see src/kernel/platform.hpp).
//
// The board's facts (addresses, lines, clocks) are in platform/qemu-virt/board.toml;
// board.hpp is generated from it.
//
// Secondary cores start through PSCI's CPU_ON, which QEMU implements itself
// (its device tree's /psci node): over hvc, or over smc when the CPU has EL2
// (virt,virtualization=on), whether the kernel was booted directly or by U-Boot.
// A core starts at the entry in the highest mode the machine gives the guest
// (HYP with EL2, else SVC), MMU off. Core c is the CPU whose MPIDR.Aff0 is c.
#include "board.hpp"

#include "cpu.hpp"
#include "gicv2_glue.hpp"  // irq_*, ipi_send
#include "kernel_vspace.hpp"
#include "pl011.hpp"
#include "platform.hpp"

namespace petrel::platform {
namespace {
constexpr drivers::Pl011 kUart{arm::io_vaddr(board::kConsoleUart)};
static_assert(arm::io_vaddr(board::kConsoleUart) != 0);

constexpr u32 kPsciCpuOn = 0x8400'0003;  // PSCI 0.2 CPU_ON, SMC32 calling convention

// Whether the CPU implements EL2 (ID_PFR1.Virtualization): QEMU then takes PSCI
// calls as smc, else as hvc.
bool has_el2() {
    u32 pfr1;
    asm("mrc p15, 0, %0, c0, c1, 1" : "=r"(pfr1));
    return ((pfr1 >> 12) & 0xf) != 0;
}
}  // namespace

void console_init() { kUart.init(board::kUartClockHz, 115200, true); }
void console_putc(char c) { kUart.putc(c); }

u32 timer_default_hz() { return board::kTimerDefaultHz; }

bool start_core(u32 core, paddr_t entry) {
    const bool smc = has_el2();
    arm::dsb();  // what the kernel wrote before, first
    register u32 r0 asm("r0") = kPsciCpuOn;
    register u32 r1 asm("r1") = core;  // the target's MPIDR: Aff0 = core
    register u32 r2 asm("r2") = entry;
    register u32 r3 asm("r3") = 0;     // its r0 (context id), unused
    if (smc)
        asm volatile(".arch_extension sec\n\tsmc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)::"memory");
    else
        asm volatile(".arch_extension virt\n\thvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)::"memory");
    return r0 == 0;  // PSCI SUCCESS; a core QEMU does not have (-smp) is INVALID_PARAMETERS
}

}  // namespace petrel::platform
