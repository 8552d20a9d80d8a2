// SPDX-License-Identifier: BSD-2-Clause
// Kernel-mode exceptions other than IRQ: the readable panic report (IRQs: user_entry.cpp).
#include "arch.hpp"
#include "console.hpp"
#include "cpu.hpp"
#include "fault_status.hpp"
#include "panic.hpp"

namespace petrel::arm {
namespace {

// Must match the kinds in vectors.S.
const char *kind_name(u32 kind) {
    switch (kind) {
    case 0: return "reset vector taken";
    case 1: return "undefined instruction";
    case 2: return "supervisor call from the kernel";
    case 3: return "prefetch abort";
    case 4: return "data abort";
    case 5: return "reserved (hypervisor trap) vector";
    case 7: return "FIQ";
    default: return "unknown exception";
    }
}

// The pushed frame of vectors.S's PANIC_ENTRY: r0-r12 then the faulting pc.
struct Frame {
    u32 r[13];
    u32 pc;
};

// Reads sp and lr of the interrupted mode by switching to it for two
// instructions with interrupts masked (user mode's are read from SYS mode, which
// shares them). Returns false when the interrupted mode is the current one,
// whose sp and lr the exception itself has replaced, or one PL1 cannot enter.
bool banked_sp_lr(u32 current, u32 mode, u32 *sp, u32 *lr) {
    if (mode == current || mode == kModeHyp || mode == kModeMon) return false;
    if (mode == kModeUsr) mode = kModeSys;
    u32 here = read_cpsr() | 0xc0;
    u32 there = (here & ~0x1fu) | mode;
    u32 s, l;
    asm volatile("msr cpsr_c, %2\n\tmov %0, sp\n\tmov %1, lr\n\tmsr cpsr_c, %3"
                 : "=&r"(s), "=&r"(l)
                 : "r"(there), "r"(here)
                 : "memory");
    *sp = s;
    *lr = l;
    return true;
}

}  // namespace

extern "C" [[noreturn]] void arm_kernel_exception(u32 kind, Frame *frame, u32 spsr) {
    irq_disable();
    u32 current = read_cpsr() & 0x1f, interrupted = spsr & 0x1f;
    kprintf("\nPETREL PANIC: %s in kernel mode\n", kind_name(kind));
    kprintf("  taken in %s mode from %s mode, SPSR %08x (%s state, IRQs %s)\n", mode_name(current),
            mode_name(interrupted), spsr, (spsr & (1u << 5)) ? "Thumb" : "ARM",
            (spsr & (1u << 7)) ? "masked" : "enabled");
    u32 sp = 0, lr = 0;
    bool have = banked_sp_lr(current, interrupted, &sp, &lr);
    if (have) {
        kprintf("  pc %08x  lr %08x  sp %08x\n", frame->pc, lr, sp);
    } else {
        kprintf("  pc %08x  lr and sp of the interrupted mode replaced by the exception\n", frame->pc);
    }
    for (int i = 0; i < 13; ++i) {
        kprintf("  r%-2d %08x%s", i, frame->r[i], (i % 4 == 3 || i == 12) ? "\n" : "");
    }
    if (kind == 3 || kind == 4) {
        u32 fsr = kind == 4 ? read_dfsr() : read_ifsr();
        u32 far = kind == 4 ? read_dfar() : read_ifar();
        FaultStatus fs = decode_fault_status(fsr);
        kprintf("  fault address %08x, status %08x: %s%s\n", far, fsr, fs.what,
                kind == 4 ? (fs.write ? " on a write" : " on a read") : " on an instruction fetch");
    }
    halt(1);
}

}  // namespace petrel::arm
