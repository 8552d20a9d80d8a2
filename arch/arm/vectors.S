/* SPDX-License-Identifier: BSD-2-Clause */
/* Exception vectors: kernel entry from user mode, interrupts in the kernel, panics for the rest. */
/*
 * The table is installed in VBAR. What each exception does depends on the mode
 * it interrupted (the saved SPSR):
 *
 *   from USR   SVC, IRQ, data abort, prefetch abort, undefined instruction:
 *              save the thread's user registers into its TCB, then call
 *              arm_user_syscall(r7) (Call and ReplyRecv: arm_fastpath_call,
 *              arm_fastpath_reply_recv) / arm_user_irq() / arm_user_fault(kind)
 *              (user_entry.cpp) on the empty kernel stack with IRQs masked;
 *              they never return (they resume a thread, or the idle loop).
 *   from SVC   IRQ: the kernel was interruptible (the idle loop, or boot and
 *              the target tests): arm_kernel_irq() with the caller-saved state
 *              on the kernel stack, and back to the interrupted instruction
 *              unless it resumes a thread. Anything else is a kernel bug:
 *              arm_kernel_exception() prints the frame and halts.
 *
 * Saving the user context (seL4's trick). While a thread runs in user mode,
 * sp_svc points just past its register area, Tcb::context (an
 * arch::UserContext: TPIDRURW, r0-r12, sp, lr, pc, cpsr, 18 words):
 * arm_return_to_user leaves it there with its final rfeia. On entry, `srsdb
 * sp!, #SVC` stores the return pc and the SPSR into the last two words (from
 * any exception mode, onto the SVC stack), `stmdb sp, {r0-lr}^` the user
 * r0-r12, sp and lr below them; no register is touched before, and no stack
 * is used. Then TPIDRURW, which user mode writes freely, goes below those
 * (STORE_TPIDRURW) and arm_return_to_user loads it back: each thread has its
 * own, as in seL4 (two instructions each way). sp_svc is then
 * reset to the top of this core's kernel stack (KERNEL_SP). Abort and undefined entries first
 * check the SPSR on their own small stack (exception_stack) so a kernel fault
 * with a broken sp_svc still reaches the panic report.
 *
 * Return pc per exception (the ARM ARM's offsets): SVC lr; IRQ and prefetch
 * abort lr - 4; data abort lr - 8; undefined lr - 4 in ARM state (the C++
 * side adds 2 back for Thumb).
 */
    .syntax unified
    .arch armv7-a
    .arm

#include "exit_layout.h"

#define MODE_USR 0x10
#define MODE_SVC 0x13

/* Kinds, shared with arch/arm/exception.cpp and user_entry.cpp. */
#define KIND_RESET    0
#define KIND_UNDEF    1
#define KIND_SVC      2
#define KIND_PABT     3
#define KIND_DABT     4
#define KIND_RESERVED 5
#define KIND_FIQ      7

#define CONTEXT_WORDS 18

    .section .text.vectors, "ax"
    .align  5
    .global vector_table
vector_table:
    b       vec_reset
    b       vec_undefined
    b       vec_svc
    b       vec_prefetch_abort
    b       vec_data_abort
    b       vec_reserved
    b       vec_irq
    b       vec_fiq

/* Panic frame: r0-r12 then the faulting pc (14 words), at sp; r0 = kind, r1 = frame, r2 = SPSR. */
.macro PANIC name, kind
    push    {r0-r12, lr}
    mov     r0, #\kind
    mov     r1, sp
    mrs     r2, spsr
    b       arm_kernel_exception
.endm

.macro PANIC_ENTRY name, kind, adjust
\name:
    sub     lr, lr, #\adjust
    PANIC   \name, \kind
.endm

/* sp = the top of this core's kernel stack (entry.S: core c's is kernel_stack
   + (c + 1) * 4096; TPIDRPRW holds c). Clobbers \reg with several cores. */
.macro KERNEL_SP reg
#if PETREL_CORES > 1
    mrc     p15, 0, \reg, c13, c0, 4    @ TPIDRPRW: this core
    ldr     sp, =kernel_stack_top
    add     sp, sp, \reg, lsl #12
#else
    ldr     sp, =kernel_stack_top
#endif
.endm

/* ip = this core's arch::CpuState (user_entry.cpp), arm_cpu with one core.
   Clobbers \reg with several cores. */
.macro CPU_STATE reg
    movw    ip, #:lower16:arm_cpu
    movt    ip, #:upper16:arm_cpu
#if PETREL_CORES > 1
    mrc     p15, 0, \reg, c13, c0, 4
    add     ip, ip, \reg, lsl #CPU_STATE_SHIFT
#endif
.endm

/* Several cores: the kernel lock's release (smp.cpp's kernel_lock_release, in
   line): the next ticket holds it, then the waiting cores are woken. */
.macro KERNEL_UNLOCK ra, rb
#if PETREL_CORES > 1
    movw    \ra, #:lower16:kernel_lock
    movt    \ra, #:upper16:kernel_lock
    ldr     \rb, [\ra, #LOCK_OWNER]
    add     \rb, \rb, #1
    dmb     ish
    str     \rb, [\ra, #LOCK_OWNER]
    dsb     ish
    sev
#endif
.endm

/* After the srs frame and stmdb: TPIDRURW into the context's first word (r1 is saved). */
.macro STORE_TPIDRURW
    mrc     p15, 0, r1, c13, c0, 2
    str     r1, [sp, #-64]              @ below r0: 8 + 15 * 4 bytes before the context's end
.endm

/* Save the user registers into the TCB; sp_svc points just past its context. */
.macro SAVE_USER_CONTEXT
    srsdb   sp!, #MODE_SVC              @ pc and cpsr (sp_svc -= 8)
    cps     #MODE_SVC
    stmdb   sp, {r0-lr}^                @ r0-r12, sp_usr, lr_usr
    STORE_TPIDRURW
    KERNEL_SP r1
.endm

/* Undefined instruction and aborts: from user mode a fault, else a panic. */
.macro FAULT_ENTRY name, kind, adjust
\name:
    sub     lr, lr, #\adjust
    push    {r0}                        @ this mode's own stack (entry.S)
    mrs     r0, spsr
    and     r0, r0, #0x1f
    cmp     r0, #MODE_USR
    pop     {r0}
    bne     1f
    SAVE_USER_CONTEXT
    mov     r0, #\kind
    b       arm_user_fault
1:  PANIC   \name, \kind
.endm

    PANIC_ENTRY vec_reset, KIND_RESET, 0
    FAULT_ENTRY vec_undefined, KIND_UNDEF, 4
    FAULT_ENTRY vec_prefetch_abort, KIND_PABT, 4
    FAULT_ENTRY vec_data_abort, KIND_DABT, 8
    PANIC_ENTRY vec_reserved, KIND_RESERVED, 0
    PANIC_ENTRY vec_fiq, KIND_FIQ, 4

/* System call: already in SVC mode. The registers are stored first (from
   the kernel, a bug, they land in free stack below sp), then the SPSR's
   mode is checked with r0: USR (0x10) is the only mode whose low four bits
   are clear. */
vec_svc:
    srsdb   sp!, #MODE_SVC
    stmdb   sp, {r0-lr}^
    mrs     r0, spsr
    tst     r0, #0xf
    bne     svc_from_kernel
    STORE_TPIDRURW
    KERNEL_SP r1
    cmp     r7, #1                      @ Call and ReplyRecv: straight to their fastpaths
    beq     arm_fastpath_call
    cmp     r7, #2
    beq     arm_fastpath_reply_recv
    mov     r0, r7                      @ the system-call number
    b       arm_user_syscall
svc_from_kernel:
    ldr     r0, [sp, #-60]              @ r0 as stmdb stored it
    add     sp, sp, #8                  @ drop the srs frame
    sub     lr, lr, #4
    PANIC   vec_svc, KIND_SVC

/* IRQ: moves to SVC mode at once (IRQ mode has no stack). The registers are
   stored first, as for a system call (from the kernel, into free stack below
   sp), then the interrupted mode is checked in the CPSR srs stored. */
vec_irq:
    sub     lr, lr, #4
    srsdb   sp!, #MODE_SVC              @ return pc and SPSR onto the SVC stack (or into the TCB)
    cps     #MODE_SVC
    stmdb   sp, {r0-lr}^
    ldr     r0, [sp, #4]                @ the interrupted CPSR, as srs stored it
    tst     r0, #0xf                    @ USR: the low four bits clear
    bne     irq_from_kernel
    STORE_TPIDRURW
    KERNEL_SP r1
    b       arm_user_irq
irq_from_kernel:
    ldr     r0, [sp, #-60]              @ r0 as stmdb stored it
    push    {r0-r3, r12, lr}
    mov     r1, sp
    bic     sp, sp, #7                  @ AAPCS: 8-byte aligned stack at the call
    push    {r1, r2}
    bl      arm_kernel_irq
    pop     {r1, r2}
    mov     sp, r1
    pop     {r0-r3, r12, lr}
    rfeia   sp!

    .text
/* arm_resume_thread(Tcb *t): resume() of a thread known not to be the idle
   thread (the fastpath's, by a branch; resume()'s after its idle check): its
   address space, its FPU and arm_return_to_user. Registers are free: the
   thread's own come back from its context. The offsets are exit_layout.h's.

   Its address space is the running one when its VSpace cap is the running
   space's (both words); else, the common switch, the space before (a client
   and its server alternate): the two pointers swap and CONTEXTIDR, TTBR0 and
   CONTEXTIDR are written through the reserved ASID 0, with an isb after each
   of the first two (no walk pairs a table with the wrong ASID; the rfe below
   synchronises the last). Any other space is looked up by arm_activate_new
   (user_entry.cpp, called). Then FPEXC.EN: set for the
   FPU's owner, clear for anyone else (who traps on first use), written only
   when it changes. */
    .global arm_resume_thread
arm_resume_thread:
    CPU_STATE r1
    ldr     r6, [ip, #CPU_ACTIVE]
    ldrd    r2, r3, [r0, #TCB_VTABLE_CAP]
    ldrd    r4, r5, [r6, #SPACE_VTABLE]
    cmp     r2, r4
    cmpeq   r3, r5
    bne     arm_resume_switch
arm_resume_fpu:
    ldr     r2, [ip, #CPU_FPU_OWNER]
    ldrb    r3, [ip, #CPU_FPU_ENABLED]
    cmp     r2, r0
    moveq   r2, #1
    movne   r2, #0
    cmp     r2, r3
    bne     arm_resume_fpu_change
    add     r0, r0, #TCB_CONTEXT        @ on into arm_return_to_user

/* arm_return_to_user(UserContext *context): restore and enter user mode.
   Leaves sp_svc just past the context, for the next entry. */
    .global arm_return_to_user
arm_return_to_user:
    KERNEL_UNLOCK r1, r2
    clrex                               @ no exclusive access survives a kernel entry
    ldr     r1, [r0], #4                @ TPIDRURW
    mcr     p15, 0, r1, c13, c0, 2
    mov     sp, r0
    ldmia   sp, {r0-lr}^                @ r0-r12, sp_usr, lr_usr
    nop
    add     sp, sp, #(15 * 4)
    rfeia   sp!                         @ pc and cpsr; sp = context + CONTEXT_WORDS * 4

/* arm_resume_thread's other ways: a switch to the space before, a change of FPEXC.EN. */
arm_resume_switch:
    ldr     r1, [ip, #CPU_PREVIOUS]
    ldrd    r4, r5, [r1, #SPACE_VTABLE]
    cmp     r2, r4
    cmpeq   r3, r5
    bne     arm_resume_new
    stm     ip, {r1, r6}                @ active = the space before, previous = the running one
    mov     r2, #0
    mcr     p15, 0, r2, c13, c0, 1      @ CONTEXTIDR: the reserved ASID
    isb
    ldr     r2, [r1, #SPACE_TTBR0]
    mcr     p15, 0, r2, c2, c0, 0       @ TTBR0
    isb
    ldr     r2, [r1, #SPACE_HW_ASID]
    mcr     p15, 0, r2, c13, c0, 1      @ CONTEXTIDR: its hardware ASID
    b       arm_resume_fpu
arm_resume_new:
    mov     r4, r0                      @ (callee-saved across the call)
    bl      arm_activate_new
    mov     r0, r4
    CPU_STATE r1
    b       arm_resume_fpu
arm_resume_fpu_change:
    strb    r2, [ip, #CPU_FPU_ENABLED]
    lsl     r2, r2, #30                 @ FPEXC.EN
    mcr     p10, 7, r2, c8, c0, 0       @ VMSR FPEXC (the soft-float build's form)
    add     r0, r0, #TCB_CONTEXT
    b       arm_return_to_user

/* arm_idle_loop(): the idle thread. The kernel stack is empty again. */
    .global arm_idle_loop
arm_idle_loop:
    KERNEL_SP r1
    KERNEL_UNLOCK r1, r2
    cpsie   i
1:  dsb
    wfi
    b       1b
    .ltorg
