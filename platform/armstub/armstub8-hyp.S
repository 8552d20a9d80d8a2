// SPDX-License-Identifier: BSD-2-Clause
// armstub8-hyp: start a 32-bit kernel in HYP mode on a 64-bit Pi, as the Pi
// firmware's own stub does with arm_64bit=0. For QEMU only (raspi3b, raspi4b):
// on a board the firmware does this itself.
//
// QEMU starts every core of those machines in AArch64 at EL3 at the entry of
// an AArch64 ELF given as -kernel (this file, linked by platform/meson.build).
// Core 0 makes EL2 non-secure and AArch32 (SCR_EL3: NS and HCE, RW clear),
// zeroes the virtual counter's offset as the firmware does (QEMU's CNTFRQ is
// already its counter's frequency: left alone), and returns from EL3 to
// AArch32 HYP mode with A, I and F masked, at ENTRY (given when assembling:
// the kernel's load address, or U-Boot's 0x8000), with r0 = 0, r1 = ~0 (no
// machine id) and r2 = DTB (the device tree's address, 0 for none), as the Pi
// firmware enters a 32-bit kernel. The image itself goes in with QEMU's
// -device loader. The Pi 4 firmware's stub also hands the GIC-400's lines to
// the non-secure side (group 1); QEMU's GIC-400 has no Security Extensions,
// so there is nothing to hand over.
//
// The secondary cores (MPIDR Aff0 != 0): with MAILBOX = 0 (given when
// assembling: a one-core kernel) they wait here for good. Otherwise they wait
// as the firmware's spin code does, for a kernel of several cores to start
// them: core c polls its ARM-local mailbox 3, whose read/clear register is
// MAILBOX + 0x10 * c (board.toml [smp] spin_mailbox), between wfe's (the
// kernel writes the mailbox, then sev), and once it reads an address other
// than 0 it clears the mailbox (writes the value back) and enters that address
// exactly as core 0 enters ENTRY, with r2 = 0.
    .text
    .global _start
_start:
    b       start

// The code lies away from the stub's first words, where nothing may be kept
// that the secondary cores need later: Debian's rpi_3_32b U-Boot stores the SD
// clock at 0x1c (through a null pointer) while they wait. (0-0xfff is reserved
// for the firmware's stub in the Pi's device tree: nothing else goes there.)
    .org    0x800
start:
    mrs     x0, mpidr_el1
    ands    x6, x0, #0xff               // Aff0: the core's number in its cluster
    b.ne    secondary
    ldr     x4, =ENTRY
    ldr     x2, =DTB
enter:                                  // x4 = the 32-bit entry, x2 = the kernel's r2
    msr     cntvoff_el2, xzr            // virtual counter = physical counter
    mov     x0, #(1 << 0) | (1 << 8)    // SCR_EL3: NS, HCE; RW clear: EL2 and below AArch32
    msr     scr_el3, x0
    mov     x0, #0x1da                  // SPSR_EL3: AArch32 HYP (0x1a), A I F masked (0x1c0)
    msr     spsr_el3, x0
    msr     elr_el3, x4
    mov     x0, #0
    mov     x1, #0xffffffff
    eret

secondary:
.if MAILBOX
    ldr     x5, =MAILBOX
    add     x5, x5, x6, lsl #4          // this core's mailbox 3 read/clear register
0:  wfe
    ldr     w4, [x5]
    cbz     w4, 0b
    str     w4, [x5]                    // clear it: the bits written are cleared
    mov     x2, #0                      // no device tree
    b       enter
.endif
1:  wfe                                 // parked
    b       1b
