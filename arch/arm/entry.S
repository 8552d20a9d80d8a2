/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel entry stub: normalise the CPU state, build the boot page tables, turn the MMU on. */
/*
 * Entered at the physical load address with the MMU off, from QEMU (-kernel),
 * U-Boot's bootm or the Pi firmware, in SVC or HYP mode:
 *     r0 = 0, r1 = machine type (ignored), r2 = physical address of a device tree or 0.
 * Everything here runs at physical addresses until the jump to kernel_virtual_entry.
 */
    .syntax unified
    .arch armv7-a
    .arch_extension sec
    .arch_extension virt
    .arm

#define MODE_SVC 0x13
#define MODE_HYP 0x1a
#define PSR_AIF  0x1c0

    .section .boot.entry, "ax"
    .global _start
_start:
    mov     r10, r2                     @ r10 = device tree (physical), kept until kernel_main
    cpsid   aif

    /* Park every core but core 0 (MPIDR.Aff0 = 0): Petrel is uniprocessor. The
       cluster number is not checked: the BCM2836 reports cluster 0xf. */
    mrc     p15, 0, r4, c0, c0, 5       @ MPIDR
    tst     r4, #0xff
    bne     park

    /* In HYP mode: hand PL1 the physical counter and timer, make MIDR/MPIDR reads
       at PL1 report the real values, trap nothing, then drop to SVC. */
    mrs     r4, cpsr
    and     r4, r4, #0x1f
    mov     r11, r4                     @ r11 = the mode we were entered in, for the banner
    cmp     r4, #MODE_HYP
    bne     1f
    mrc     p15, 4, r5, c14, c1, 0      @ CNTHCTL
    orr     r5, r5, #3                  @ PL1PCTEN | PL1PCEN
    mcr     p15, 4, r5, c14, c1, 0
    mov     r5, #0
    mcrr    p15, 4, r5, r5, c14         @ CNTVOFF = 0
    mcr     p15, 4, r5, c1, c1, 0       @ HCR = 0: no virtualisation traps
    mcr     p15, 4, r5, c1, c1, 3       @ HSTR = 0
    ldr     r5, =0x33ff                 @ HCPTR: RES1 bits only, CP10/CP11 not trapped
    mcr     p15, 4, r5, c1, c1, 2
    mrc     p15, 0, r5, c0, c0, 0
    mcr     p15, 4, r5, c0, c0, 0       @ VPIDR = MIDR
    mrc     p15, 0, r5, c0, c0, 5
    mcr     p15, 4, r5, c0, c0, 5       @ VMPIDR = MPIDR
    mov     r5, #(MODE_SVC | PSR_AIF)
    msr     spsr_cxsf, r5               @ SPSR_hyp: the banked form is UNPREDICTABLE in HYP
    adr     r5, 1f
    msr     elr_hyp, r5
    eret
1:  cps     #MODE_SVC

    /* r9 = virtual - physical offset of the kernel image */
    ldr     r9, =__pv_offset

    /* Clear .bss (it holds the page tables built next). */
    ldr     r4, =__bss_start
    ldr     r5, =__bss_end
    sub     r4, r4, r9
    sub     r5, r5, r9
    mov     r6, #0
2:  cmp     r4, r5
    strlo   r6, [r4], #4
    blo     2b

    ldr     r4, =boot_entry_mode
    sub     r4, r4, r9
    str     r11, [r4]

    /* Physical alias of the one kernel stack, for the C++ boot code. */
    ldr     sp, =kernel_stack_top
    sub     sp, sp, r9
    bl      boot_map_kernel             @ arch/arm/boot_mmu.cpp, runs at physical addresses

    /* Start from clean caches and TLBs whatever the loader left behind. */
    bl      invalidate_l1_dcache
    mov     r0, #0
    mcr     p15, 0, r0, c7, c5, 0       @ ICIALLU
    mcr     p15, 0, r0, c7, c5, 6       @ BPIALL
    mcr     p15, 0, r0, c8, c7, 0       @ TLBIALL
    dsb
    isb

    mov     r0, #1                      @ TTBCR.N = 1: TTBR1 above 2 GiB (see mmu.hpp)
    mcr     p15, 0, r0, c2, c0, 2
    ldr     r0, =boot_identity_pd
    sub     r0, r0, r9
    orr     r0, r0, #0x4a               @ walks: inner/outer WBWA, shareable
    mcr     p15, 0, r0, c2, c0, 0       @ TTBR0: identity map of the image
    ldr     r0, =kernel_pd
    sub     r0, r0, r9
    orr     r0, r0, #0x4a
    mcr     p15, 0, r0, c2, c0, 1       @ TTBR1: the kernel's own table
    mov     r0, #1
    mcr     p15, 0, r0, c3, c0, 0       @ DACR: domain 0 client, all others no access
    mov     r0, #0
    mcr     p15, 0, r0, c13, c0, 1      @ CONTEXTIDR: ASID 0
    isb

    mrc     p15, 0, r0, c1, c0, 0       @ SCTLR
    ldr     r1, =0x30002002             @ clear AFE, TRE, V (vectors from VBAR), A
    bic     r0, r0, r1
    ldr     r1, =0x00001805             @ set I, Z (branch prediction), C, M
    orr     r0, r0, r1
    mcr     p15, 0, r0, c1, c0, 0
    isb
    ldr     pc, =kernel_virtual_entry

park:
    wfe
    b       park

/* Invalidate (without cleaning) the level-1 data cache by set/way. Clobbers r0-r7. */
invalidate_l1_dcache:
    mov     r0, #0
    mcr     p15, 2, r0, c0, c0, 0       @ CSSELR = L1 data
    isb
    mrc     p15, 1, r0, c0, c0, 0       @ CCSIDR
    and     r1, r0, #7
    add     r1, r1, #4                  @ r1 = log2(line size in bytes)
    ldr     r3, =0x3ff
    and     r2, r3, r0, lsr #3          @ r2 = ways - 1
    ldr     r3, =0x7fff
    and     r3, r3, r0, lsr #13         @ r3 = sets - 1
    clz     r4, r2                      @ r4 = shift of the way field
3:  mov     r5, r2                      @ way counter
4:  lsl     r6, r5, r4
    lsl     r7, r3, r1
    orr     r6, r6, r7
    mcr     p15, 0, r6, c7, c6, 2       @ DCISW
    subs    r5, r5, #1
    bge     4b
    subs    r3, r3, #1
    bge     3b
    dsb
    bx      lr
    .ltorg

    .text
/* Now at the kernel's virtual addresses. */
kernel_virtual_entry:
    ldr     sp, =kernel_stack_top
    /* Abort, undefined and FIQ entries panic on a stack of their own, so a
       broken SVC stack pointer still gives a readable report. IRQ mode needs none:
       its entry moves straight to SVC mode (vectors.S). */
    ldr     r0, =exception_stack_top
    cps     #0x17                       @ ABT
    mov     sp, r0
    cps     #0x1b                       @ UND
    mov     sp, r0
    cps     #0x11                       @ FIQ
    mov     sp, r0
    cps     #MODE_SVC
    ldr     r0, =vector_table
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR
    isb

    /* Run C++ static constructors. */
    ldr     r4, =__init_array_start
    ldr     r5, =__init_array_end
5:  cmp     r4, r5
    bhs     6f
    ldr     r0, [r4], #4
    blx     r0
    b       5b
6:  mov     r0, r10
    bl      kernel_main                 @ never returns
7:  wfe
    b       7b

    .bss
    .align  3
    .global kernel_stack, kernel_stack_top
kernel_stack:
    .space  4096
kernel_stack_top:
    .global boot_entry_mode
boot_entry_mode:
    .space  8                           @ 4 used; 8 keeps the next stack 8-byte aligned
    .global exception_stack_top
exception_stack:
    .space  1024
exception_stack_top:
