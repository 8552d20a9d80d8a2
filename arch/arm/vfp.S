/* SPDX-License-Identifier: BSD-2-Clause */
/* VFP/NEON register file save and load, and FPEXC access, for lazy FPU switching (user_entry.cpp). */
/*
 * The kernel itself is built for general registers only; these are the only
 * kernel instructions that touch the FPU. Layout matches arch::FpuState:
 * d0-d31, then FPSCR.
 */
    .syntax unified
    .arch armv7-a
    .fpu neon-vfpv4
    .arm
    .text

    .global arm_fpu_save
arm_fpu_save:                       @ r0 = FpuState *
    vstmia  r0!, {d0-d15}
    vstmia  r0!, {d16-d31}
    vmrs    r1, fpscr
    str     r1, [r0]
    bx      lr

    .global arm_fpu_load
arm_fpu_load:                       @ r0 = const FpuState *
    vldmia  r0!, {d0-d15}
    vldmia  r0!, {d16-d31}
    ldr     r1, [r0]
    vmsr    fpscr, r1
    bx      lr

    .global arm_fpexc_read
arm_fpexc_read:
    vmrs    r0, fpexc
    bx      lr

