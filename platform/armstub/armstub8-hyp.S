// SPDX-License-Identifier: BSD-2-Clause
// armstub8-hyp: start a 32-bit kernel in HYP mode on a 64-bit Pi, as the Pi
// firmware's own stub does with arm_64bit=0. For QEMU only (raspi3b, raspi4b):
// on a board the firmware does this itself.
//
// QEMU starts every core of those machines in AArch64 at EL3 at the entry of
// an AArch64 ELF given as -kernel (this file, linked by platform/meson.build).
// The secondary cores wait here for good (wfe: Petrel runs on core 0). Core 0
// makes EL2 non-secure and AArch32 (SCR_EL3: NS and HCE, RW clear), zeroes the
// virtual counter's offset as the firmware does (QEMU's CNTFRQ is already its
// counter's frequency: left alone), and returns from EL3 to
// AArch32 HYP mode with A, I and F masked, at ENTRY (given when assembling:
// the kernel's load address, or U-Boot's 0x8000), with r0 = 0, r1 = ~0 (no
// machine id) and r2 = DTB (the device tree's address, 0 for none), as the Pi
// firmware enters a 32-bit kernel. The image itself goes in with QEMU's
// -device loader. The Pi 4 firmware's stub also hands the GIC-400's lines to
// the non-secure side (group 1); QEMU's GIC-400 has no Security Extensions,
// so there is nothing to hand over.
    .text
    .global _start
_start:
    mrs     x0, mpidr_el1
    tst     x0, #0xff                   // Aff0: the core's number in its cluster
    b.eq    1f
0:  wfe                                 // a secondary core: parked
    b       0b
1:  msr     cntvoff_el2, xzr            // virtual counter = physical counter
    mov     x0, #(1 << 0) | (1 << 8)    // SCR_EL3: NS, HCE; RW clear: EL2 and below AArch32
    msr     scr_el3, x0
    mov     x0, #0x1da                  // SPSR_EL3: AArch32 HYP (0x1a), A I F masked (0x1c0)
    msr     spsr_el3, x0
    ldr     x0, =ENTRY
    msr     elr_el3, x0
    mov     x0, #0
    mov     x1, #0xffffffff
    ldr     x2, =DTB
    eret
