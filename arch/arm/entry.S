/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel entry stub: normalise the CPU state, build the boot page tables, turn the MMU on. */
/*
 * Entered at the physical load address with the MMU off, from QEMU (-kernel),
 * U-Boot's bootm or the Pi firmware, in SVC or HYP mode:
 *     r0 = 0, r1 = machine type (ignored), r2 = physical address of a device tree or 0.
 * Everything here runs at physical addresses until the jump to kernel_virtual_entry.
 *
 * With several cores (PETREL_CORES > 1, the build option cores) core 0 alone
 * enters at _start; each other core is started by platform::start_core() at
 * _start_secondary (MMU off, SVC or HYP mode, any register contents), once core
 * 0 has built the page tables and while their identity map of the image still
 * exists. It drops to SVC and turns its MMU on as core 0 does, and calls
 * kernel_secondary_main(core) on its own kernel stack, kernel_stack + (core + 1)
 * * 4096, with its own abort/undefined/FIQ stack, exception_stack + (core + 1) *
 * 1024, and TPIDRPRW = core (core 0's is 0). Core c is MPIDR.Aff0 = c.
 */
    .syntax unified
    .arch armv7-a
    .arch_extension sec
    .arch_extension virt
    .arm

#define MODE_SVC 0x13
#define MODE_HYP 0x1a
#define PSR_AIF  0x1c0

/* In HYP mode: hand PL1 the physical counter and timer, make MIDR/MPIDR reads
   at PL1 report the real values, trap nothing, then drop to SVC. Leaves r11 =
   the mode the core was entered in; clobbers r4, r5. (Every core, on entry.) */
    .macro  enter_svc
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
    .endm

/* Turn the MMU on with the boot tables (core 0 built them: boot_identity_pd in
   TTBR0, kernel_pd in TTBR1) and jump to \virt, a kernel virtual address.
   Needs r9 = __pv_offset; clobbers r0-r7. (Every core.) */
    .macro  mmu_on virt
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
    ldr     pc, =\virt
    .endm

/* Set the abort, undefined and FIQ mode stacks to r0, return to SVC mode and
   point VBAR at the kernel's vectors. (Every core.) */
    .macro  mode_stacks_and_vectors
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
    .endm

    .section .boot.entry, "ax"
    .global _start
_start:
    mov     r10, r2                     @ r10 = device tree (physical), kept until kernel_main
    cpsid   aif

    /* Park every core but core 0 (MPIDR.Aff0 = 0): the others are started at
       _start_secondary, if at all. The cluster number is not checked: the
       BCM2836 reports cluster 0xf. */
    mrc     p15, 0, r4, c0, c0, 5       @ MPIDR
    tst     r4, #0xff
    bne     park

    enter_svc                           @ HYP: hand PL1 the timer, drop to SVC

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

    /* Physical alias of core 0's kernel stack, for the C++ boot code. */
    ldr     sp, =kernel_stack_top
    sub     sp, sp, r9
    bl      boot_map_kernel             @ arch/arm/boot_mmu.cpp, runs at physical addresses

    mmu_on  kernel_virtual_entry

park:
#if PETREL_CORES > 1 && defined(PETREL_SPIN_MAILBOX)
    /* Where a boot loader lets every core run the image (QEMU does with an ELF
       -kernel on raspi2b), a parked core waits as the Pi firmware's spin code
       does: for a start address in its ARM-local mailbox 3 (read/clear register
       PETREL_SPIN_MAILBOX + 0x10 * core), which start_core() writes; it clears
       the mailbox and jumps there. */
    and     r4, r4, #0xff
    cmp     r4, #PETREL_CORES
    bhs     halt
    ldr     r5, =PETREL_SPIN_MAILBOX
    add     r5, r5, r4, lsl #4
5:  wfe
    ldr     r6, [r5]
    cmp     r6, #0
    beq     5b
    str     r6, [r5]
    bx      r6
#endif
halt:
    wfe
    b       halt

#if PETREL_CORES > 1
/* A secondary core's entry (see the top): r8 = core, kept until kernel_secondary_main. */
    .global _start_secondary
_start_secondary:
    cpsid   aif
    mrc     p15, 0, r8, c0, c0, 5       @ MPIDR
    and     r8, r8, #0xff
    cmp     r8, #PETREL_CORES
    bhs     halt
    enter_svc                           @ HYP: hand PL1 the timer, drop to SVC
    ldr     r9, =__pv_offset
    mmu_on  secondary_virtual_entry
#endif

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
    mode_stacks_and_vectors
#if PETREL_CORES > 1
    mov     r0, #0
    mcr     p15, 0, r0, c13, c0, 4      @ TPIDRPRW: core 0 (src/kernel/smp.hpp core_id())
#endif

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

#if PETREL_CORES > 1
/* A secondary core at the kernel's virtual addresses, r8 = core: its own stacks. */
secondary_virtual_entry:
    add     r4, r8, #1
    ldr     r0, =kernel_stack
    add     r0, r0, r4, lsl #12         @ kernel_stack + (core + 1) * 4096
    mov     sp, r0
    ldr     r0, =exception_stack
    add     r0, r0, r4, lsl #10         @ exception_stack + (core + 1) * 1024
    mode_stacks_and_vectors
    mcr     p15, 0, r8, c13, c0, 4      @ TPIDRPRW = core
    mov     r0, r8
    bl      kernel_secondary_main       @ never returns
    b       7b
#endif

    .bss
    .align  3
    .global kernel_stack, kernel_stack_top
kernel_stack:                           @ 4096 bytes a core
    .space  4096
kernel_stack_top:                       @ core 0's; core c's is kernel_stack + (c + 1) * 4096
#if PETREL_CORES > 1
    .space  4096 * (PETREL_CORES - 1)
#endif
    .global boot_entry_mode
boot_entry_mode:
    .space  8                           @ 4 used; 8 keeps the next stack 8-byte aligned
    .global exception_stack_top
exception_stack:                        @ 1024 bytes a core
    .space  1024
exception_stack_top:                    @ core 0's; core c's is exception_stack + (c + 1) * 1024
#if PETREL_CORES > 1
    .space  1024 * (PETREL_CORES - 1)
#endif
