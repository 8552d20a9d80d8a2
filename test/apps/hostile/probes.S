/* SPDX-License-Identifier: BSD-2-Clause */
/* hostile: the hostile app's entry points and the instructions it attacks the kernel with. */
/*
 * Every probe is a function the hostile app calls (hostile.cpp); the label
 * *_insn marks the instruction that must fault, so the root can check the pc
 * and address each fault message reports. A probe that faults never returns:
 * the root resumes the app at hostile_after_fault (or _thumb) with a fresh
 * stack. The entry points reload sp themselves, since the root may resume the
 * app with a garbage sp on purpose.
 */
    .syntax unified
    .arch   armv7-a
    .fpu    neon-vfpv4
    .arch_extension sec
    .arch_extension virt
    .arm

#define STACK_TOP 0x000e4000        /* hostile::kStackTop */
#define JIT_SLOT  0x7ff00800        /* hostile::kJitPage + 0x800: the random instruction */
#define GARBAGE   0x80000000        /* every register of a jit run */

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
/* ---- entry points: r0 = why (0 start, 1 after a fault, 2 after a rescue) */
FUNC hostile_entry
    setend  le
    ldr     sp, =STACK_TOP
    mov     r0, #0
    b       hostile_resume
FUNC hostile_after_fault
    setend  le                      @ a jit run may have left big-endian data on
    ldr     sp, =STACK_TOP
    mov     r0, #1
    b       hostile_resume
FUNC hostile_after_rescue
    setend  le
    ldr     sp, =STACK_TOP
    mov     r0, #2
    b       hostile_resume
    .ltorg

/* Reached in Thumb state (a fault of Thumb code answered by Reply, which sets
   the pc only): bx pc switches to ARM at the next word. */
    .thumb
    .balign 4
    .global hostile_after_fault_thumb
    .type   hostile_after_fault_thumb, %function
hostile_after_fault_thumb:
    .hword  0x4778                  @ bx pc
    .hword  0x46c0                  @ nop
    .arm
    b       hostile_after_fault

/* ---- system calls */
/* hostile_raw_syscall(u32 io[7]): r0-r5 = io[0..5], r7 = io[6]; r0-r5 back into io[0..5]. */
FUNC hostile_raw_syscall
    push    {r4-r8, lr}
    mov     r8, r0
    ldr     r7, [r8, #24]
    ldm     r8, {r0-r5}
    svc     #0
    stm     r8, {r0-r5}
    pop     {r4-r8, pc}

/* hostile_garbage_sp_syscall(u32 io[16]): as hostile_raw_syscall with sp = io[7]
   and r6, r8-r11, lr set to known values around the svc; afterwards io[8..13] =
   r6, r8, r9, r10, r11, lr and io[14] = sp as the kernel left them. */
FUNC hostile_garbage_sp_syscall
    push    {r4-r11, lr}
    sub     sp, sp, #4
    ldr     r1, =g_hostile_saved_sp
    str     sp, [r1]
    ldr     r1, =g_hostile_saved_io
    str     r0, [r1]
    ldr     r7, [r0, #24]
    ldr     sp, [r0, #28]
    ldr     r6, =0x66666666
    ldr     r8, =0x88888888
    ldr     r9, =0x99999999
    ldr     r10, =0xaaaaaaaa
    ldr     r11, =0xbbbbbbbb
    ldr     lr, =0xcccccccc
    ldm     r0, {r0-r5}
    svc     #0
    ldr     r12, =g_hostile_saved_io
    ldr     r12, [r12]
    stm     r12, {r0-r5}
    str     r6, [r12, #32]
    str     r8, [r12, #36]
    str     r9, [r12, #40]
    str     r10, [r12, #44]
    str     r11, [r12, #48]
    str     lr, [r12, #52]
    str     sp, [r12, #56]
    ldr     r12, =g_hostile_saved_sp
    ldr     sp, [r12]
    add     sp, sp, #4
    pop     {r4-r11, pc}
    .ltorg

/* hostile_svc(number, r0): svc with r7 = number: an unknown system call
   (UnknownSyscall, pc after the svc) or a receive on a bad cap (CapFault, pc
   the svc). */
FUNC hostile_svc
    push    {r7, lr}
    mov     r7, r0
    mov     r0, r1
INSN hostile_svc_insn
    svc     #0
    pop     {r7, pc}

/* hostile_garbage_sp_udf(sp): an undefined instruction with sp = garbage. */
FUNC hostile_garbage_sp_udf
    mov     sp, r0
INSN hostile_garbage_sp_udf_insn
    .word   0xe7f001f1              @ udf #0x11
    b       .

/* ---- memory */
FUNC hostile_load
INSN hostile_load_insn
    ldr     r0, [r0]
    bx      lr
FUNC hostile_store
INSN hostile_store_insn
    str     r1, [r0]
    bx      lr
FUNC hostile_jump                   @ to r0 in ARM state
    bx      r0
FUNC hostile_ldrd                   @ an unaligned doubleword load: alignment fault
INSN hostile_ldrd_insn
    ldrd    r2, r3, [r0]
    bx      lr
FUNC hostile_ldm                    @ an unaligned load multiple: alignment fault
INSN hostile_ldm_insn
    ldm     r0, {r2, r3}
    bx      lr

/* ---- undefined and privileged instructions */
FUNC hostile_udf
INSN hostile_udf_insn
    .word   0xe7f000f0              @ udf #0
    bx      lr
FUNC hostile_udf_big
INSN hostile_udf_big_insn
    .word   0xe7fdeafe              @ udf #0xdeae
    bx      lr
FUNC hostile_read_sctlr
INSN hostile_read_sctlr_insn
    mrc     p15, 0, r0, c1, c0, 0   @ SCTLR: PL1 only
    bx      lr
FUNC hostile_write_ttbr0
INSN hostile_write_ttbr0_insn
    mcr     p15, 0, r0, c2, c0, 0   @ TTBR0: PL1 only
    bx      lr
FUNC hostile_read_fpexc
INSN hostile_read_fpexc_insn
    vmrs    r0, fpexc               @ PL1 only (traps twice: the FPU is given first)
    bx      lr
FUNC hostile_smc
INSN hostile_smc_insn
    smc     #0
    bx      lr
FUNC hostile_hvc
INSN hostile_hvc_insn
    hvc     #0
    bx      lr
FUNC hostile_bkpt
INSN hostile_bkpt_insn
    bkpt    #0x42                   @ a debug event: prefetch abort
    bx      lr

/* Changes of mode and interrupt masks from user mode (ignored there); returns
   the CPSR afterwards. */
FUNC hostile_privileged
    cps     #0x13
    cpsid   aif
    msr     cpsr_c, #0xd3
    mrs     r0, cpsr
    bx      lr

/* FPU registers: d0-d31 and FPSCR from r0, r1. */
FUNC hostile_fpu_garbage
    vmov    d0, r0, r1
    vmov    d1, r1, r0
    vmov    d7, r0, r0
    vmov    d8, r1, r1
    vmov    d15, r0, r1
    vmov    d16, r1, r0
    vmov    d31, r0, r1
    vmsr    fpscr, r0
    bx      lr

/* ---- the first FPU instruction after another thread used the FPU: it traps,
   the kernel gives this thread the FPU and retries the instruction. Returns
   how often the add before it ran (1 if the retry resumed at the FPU instruction). */
FUNC hostile_arm_fpu_probe
    mov     r0, #0
    add     r0, r0, #1
    vmov    s0, r0
    bx      lr

/* A blocking receive the root stops (Suspend) and restarts (Resume): it must
   redo the svc, not the instruction before it. r0 = the notification's cap
   pointer; returns how often the add before the svc ran. */
FUNC hostile_arm_restart_probe
    push    {r6, r7, lr}
    mov     r6, #0
    mov     r7, #5                  @ Recv
    add     r6, r6, #1
INSN hostile_arm_restart_svc
    svc     #0
    mov     r0, r6
    pop     {r6, r7, pc}

/* ---- the jit page: every register GARBAGE, then the random instruction at
   JIT_SLOT, followed by an undefined instruction. */
FUNC hostile_jit_run
    ldr     r0, =GARBAGE
    mov     r1, r0
    mov     r2, r0
    mov     r3, r0
    mov     r4, r0
    mov     r5, r0
    mov     r6, r0
    mov     r7, r0
    mov     r8, r0
    mov     r9, r0
    mov     r10, r0
    mov     r11, r0
    mov     r12, r0
    mov     sp, r0
    mov     lr, r0
    ldr     pc, =JIT_SLOT
    .ltorg

/* ---- Thumb state */
    .thumb
    .balign 4
    .global hostile_thumb_udf
    .type   hostile_thumb_udf, %function
    .thumb_func
hostile_thumb_udf:
    .global hostile_thumb_udf_insn
hostile_thumb_udf_insn:
    udf     #7
    bx      lr

    .global hostile_thumb_svc
    .type   hostile_thumb_svc, %function
    .thumb_func
hostile_thumb_svc:                  @ as hostile_svc, in Thumb state
    push    {r7, lr}
    mov     r7, r0
    mov     r0, r1
    .global hostile_thumb_svc_insn
hostile_thumb_svc_insn:
    svc     #0
    pop     {r7, pc}

    .global hostile_thumb_fpu_probe
    .type   hostile_thumb_fpu_probe, %function
    .thumb_func
hostile_thumb_fpu_probe:            @ as hostile_arm_fpu_probe, in Thumb state
    movs    r0, #0
    adds    r0, #1
    vmov    s0, r0
    bx      lr

    .global hostile_thumb_restart_probe
    .type   hostile_thumb_restart_probe, %function
    .thumb_func
hostile_thumb_restart_probe:        @ as hostile_arm_restart_probe, in Thumb state
    push    {r6, r7, lr}
    movs    r6, #0
    movs    r7, #5
    adds    r6, #1
    .global hostile_thumb_restart_svc
hostile_thumb_restart_svc:
    svc     #0
    mov     r0, r6
    pop     {r6, r7, pc}
    .arm
