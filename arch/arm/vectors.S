/* SPDX-License-Identifier: BSD-2-Clause */
/* Exception vectors: interrupts from kernel mode, and panics for everything unexpected. */
/*
 * The table is installed in VBAR. Until user mode exists (the threads issue)
 * every exception comes from the kernel itself: an IRQ is handled and returned
 * from; anything else is a kernel bug and ends in arm_kernel_exception(), which
 * prints the register frame and never returns.
 */
    .syntax unified
    .arch armv7-a
    .arm

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

/* Kinds, shared with arch/arm/exception.cpp. */
#define KIND_RESET    0
#define KIND_UNDEF    1
#define KIND_SVC      2
#define KIND_PABT     3
#define KIND_DABT     4
#define KIND_RESERVED 5
#define KIND_FIQ      7

/* Frame: r0-r12 then the faulting pc (14 words), at sp; r0 = kind, r1 = frame, r2 = SPSR. */
.macro PANIC_ENTRY name, kind, adjust
\name:
    sub     lr, lr, #\adjust
    push    {r0-r12, lr}
    mov     r0, #\kind
    mov     r1, sp
    mrs     r2, spsr
    b       arm_kernel_exception
.endm

    PANIC_ENTRY vec_reset, KIND_RESET, 0
    PANIC_ENTRY vec_undefined, KIND_UNDEF, 4
    PANIC_ENTRY vec_svc, KIND_SVC, 4
    PANIC_ENTRY vec_prefetch_abort, KIND_PABT, 4
    PANIC_ENTRY vec_data_abort, KIND_DABT, 8
    PANIC_ENTRY vec_reserved, KIND_RESERVED, 0
    PANIC_ENTRY vec_fiq, KIND_FIQ, 4

/* IRQ taken in the kernel (the idle loop): save the caller-saved state on the one
   kernel stack, handle, return to the interrupted instruction. */
vec_irq:
    sub     lr, lr, #4
    srsdb   sp!, #0x13                  @ push return pc and SPSR onto the SVC stack
    cps     #0x13
    push    {r0-r3, r12, lr}
    mov     r1, sp
    bic     sp, sp, #7                  @ AAPCS: 8-byte aligned stack at the call
    push    {r1, r2}
    bl      arm_handle_irq
    pop     {r1, r2}
    mov     sp, r1
    pop     {r0-r3, r12, lr}
    rfeia   sp!
