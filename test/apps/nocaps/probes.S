/* SPDX-License-Identifier: BSD-2-Clause */
/* nocaps: the instructions the thread without caps tries (main.cpp's rows). */
/*
 * Each probe is a function: the label *_insn marks the one instruction the
 * row is about. A probe whose instruction must fault never returns (the
 * thread has no fault handler, so the kernel stops it there and the root
 * checks that its pc is that label); the others return a value to judge.
 */
    .syntax unified
    .arch   armv7-a
    .fpu    neon-vfpv4
    .arch_extension sec
    .arch_extension virt
    .arm

.macro FUNC name
    .global \name
    .type   \name, %function
\name:
.endm
.macro INSN name
    .global \name
\name:
.endm

    .text
    .balign 4

/* The end of every row that returned: stopped here (no fault handler). */
FUNC nocaps_park
INSN nocaps_park_insn
    .word   0xe7f000f0              @ UDF #0
    b       nocaps_park

/* System calls with a number and a cap pointer: r0 = cap pointer, r1 = number. */
FUNC nocaps_svc
    push    {r4, r5, r7, lr}
    mov     r7, r1
    mov     r1, #0
    mov     r2, #0
    mov     r3, #0
    mov     r4, #0
    mov     r5, #0
INSN nocaps_svc_insn
    svc     #0
    pop     {r4, r5, r7, pc}

/* Privileged system registers and instructions: each must be undefined at PL0. */
FUNC probe_sctlr
INSN probe_sctlr_insn
    mcr     p15, 0, r0, c1, c0, 0   @ SCTLR: MMU and caches off
    bx      lr
FUNC probe_ttbr0
INSN probe_ttbr0_insn
    mcr     p15, 0, r0, c2, c0, 0   @ TTBR0: another address space
    bx      lr
FUNC probe_dacr
INSN probe_dacr_insn
    mcr     p15, 0, r0, c3, c0, 0   @ DACR: manager of every domain
    bx      lr
FUNC probe_vbar
INSN probe_vbar_insn
    mcr     p15, 0, r0, c12, c0, 0  @ VBAR: the kernel's vectors
    bx      lr
FUNC probe_tlbiall
INSN probe_tlbiall_insn
    mcr     p15, 0, r0, c8, c7, 0   @ TLBIALL
    bx      lr
FUNC probe_dcisw
INSN probe_dcisw_insn
    mcr     p15, 0, r0, c7, c6, 2   @ DCISW: throw away dirty lines of others
    bx      lr
FUNC probe_tpidruro
INSN probe_tpidruro_insn
    mcr     p15, 0, r0, c13, c0, 3  @ TPIDRURO: read-only at PL0
    bx      lr
FUNC probe_smc
INSN probe_smc_insn
    smc     #0
    bx      lr
FUNC probe_hvc
INSN probe_hvc_insn
    hvc     #0
    bx      lr
FUNC probe_bkpt
INSN probe_bkpt_insn
    bkpt    #0
    bx      lr

/* Memory: r0 = an address. */
FUNC probe_load
INSN probe_load_insn
    ldr     r0, [r0]
    bx      lr
FUNC probe_store
INSN probe_store_insn
    str     r1, [r0]
    bx      lr

/* Mode and interrupt masks: PL0 cannot change them; returns the CPSR after trying. */
FUNC probe_cpsr
    cpsid   aif
    mrs     r0, cpsr
    orr     r0, r0, #0xdf           @ SYS mode, interrupts masked
    msr     cpsr_c, r0
    mrs     r0, cpsr
    bx      lr

/* Waits for an interrupt or an event: returns. */
FUNC probe_wfi
    wfi
    wfe
    mov     r0, #1
    bx      lr

/* Masks interrupts (or tries to) and spins, counting in *r0 forever. */
FUNC probe_spin
    cpsid   if
1:  ldr     r1, [r0]
    add     r1, r1, #1
    str     r1, [r0]
    b       1b

/* The user read/write thread register: write r0, return what reads back. */
FUNC tpidrurw_write
    mcr     p15, 0, r0, c13, c0, 2
    mrc     p15, 0, r0, c13, c0, 2
    bx      lr
FUNC tpidrurw_read
    mrc     p15, 0, r0, c13, c0, 2
    bx      lr

/* FPU: d0 set from r0/r1 and FPSCR's flags from r0, and read back. */
FUNC fpu_write
    vmov    d0, r0, r1
    vmsr    fpscr, r0
    bx      lr
FUNC fpu_read                       @ r0: where d0 (two words) and FPSCR go
    vmov    r1, r2, d0
    vmrs    r3, fpscr
    stm     r0, {r1, r2, r3}
    bx      lr

/* The virtual timer: without the access (TCB.SetTimerAccess) undefined in user mode. */
FUNC probe_cntv_ctl
INSN probe_cntv_ctl_insn
    mcr     p15, 0, r0, c14, c3, 1  @ CNTV_CTL: stop the timer service's timer
    bx      lr
FUNC probe_cntv_cval
INSN probe_cntv_cval_insn
    mcrr    p15, 3, r0, r0, c14     @ CNTV_CVAL: its deadline
    bx      lr

/* The virtual counter: reading time. */
FUNC probe_cntvct
    isb
    mrrc    p15, 1, r0, r1, c14
    bx      lr
