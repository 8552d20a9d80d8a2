/* SPDX-License-Identifier: BSD-2-Clause */
/* crt0: a user program's first instructions: stack, constructors, main, exit. */
/*
 * The kernel starts a program in USR mode, ARM state, with
 *     r0 = its BootInfo (the root task), or r0-r2 = the arguments its creator
 *          set (a process made from an ELF: petrel/process.hpp),
 *     sp = the top of the stack it mapped, pc = the ELF entry (_start here).
 * Memory past each segment's file contents (.bss) is already zero.
 * main runs after the static constructors, with r0-r2 as they were at entry:
 * a root task's main(const petrel::abi::BootInfo *), or an app's (libpetrel's
 * app_start.cpp, which calls petrel_app_main). Its return value goes to
 * petrel::exit() (DebugHalt: ends the run).
 */
    .syntax unified
    .arch armv7-a
    .arm

    .section .text.crt0, "ax"
    .global _start
_start:
    bic     sp, sp, #7                  @ AAPCS: 8-byte aligned at public interfaces
    mov     fp, #0                      @ the end of every frame chain
    mov     lr, #0
    mov     r4, r0                      @ r4, r7, r8: the arguments, kept across the constructors
    mov     r7, r1
    mov     r8, r2
    ldr     r5, =__init_array_start
    ldr     r6, =__init_array_end
1:  cmp     r5, r6
    bhs     2f
    ldr     r3, [r5], #4
    blx     r3
    b       1b
2:  mov     r0, r4
    mov     r1, r7
    mov     r2, r8
    bl      main
    bl      petrel_exit                 @ never returns
3:  b       3b
    .ltorg
