// SPDX-License-Identifier: BSD-2-Clause
// User mode: the C++ half of the entry stubs (vectors.S), the address-space switch and resume.
//
// vectors.S saves a user thread's registers into ks.current->context, moves to
// the top of the one kernel stack with interrupts masked and calls one of the
// arm_user_* functions below, which call the generic entry_* function and
// resume() the thread it returns: never returning to the stub. resume() ends in
// arm_return_to_user (restore the context, rfe to user mode) or, for the idle
// thread, arm_idle_loop (reset the kernel stack, interrupts on, wfi). An
// interrupt taken in the idle loop comes to arm_kernel_irq(), which enters the
// kernel through entry_interrupt() and resumes its choice; interrupts taken in
// the kernel outside the idle loop (boot, target tests) are only handled.
//
// Address spaces: TTBR0 holds the running thread's Page Directory (its
// kTcbVTable cap) and CONTEXTIDR the hardware ASID lent to it (vspace.hpp); a
// thread without a live directory gets the empty boot table and the reserved
// ASID 0, so every user access faults. A switch flushes nothing: TLB entries
// are tagged with the hardware ASID.
#include "arch.hpp"
#include "cap.hpp"
#include "cpu.hpp"
#include "entry.hpp"
#include "interrupt.hpp"
#include "kmem.hpp"
#include "mmu.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "vspace.hpp"

extern "C" {
extern u32 boot_identity_pd[];  // kernel_vspace.cpp: empty after boot
void arm_fpu_save(petrel::arch::FpuState *s);        // vfp.S
void arm_fpu_load(const petrel::arch::FpuState *s);  // vfp.S
u32 arm_fpexc_read();
void arm_fpexc_write(u32 v);
[[noreturn]] void arm_return_to_user(petrel::arch::UserContext *context);  // vectors.S
[[noreturn]] void arm_idle_loop();                                        // vectors.S
}

namespace petrel::arch {
namespace {

paddr_t g_active_pd;  // physical address in TTBR0, 0 before the first switch
u32 g_active_hw_asid;  // in CONTEXTIDR
u32 g_active_epoch;    // ks.vspace_epoch when the active address space was checked
Cap g_active_vtable;   // the VSpace cap it was checked for (null: none live)
Tcb *g_fpu_owner;     // whose registers the FPU holds (null: nobody's)
bool g_fpu_enabled;   // FPEXC.EN as last written
constexpr u32 kFpexcEn = 1u << 30;

void fpu_enable(bool on) {
    if (on == g_fpu_enabled) return;
    g_fpu_enabled = on;
    arm_fpexc_write(on ? kFpexcEn : 0);
}

// The first FPU instruction of a thread that does not own the FPU traps as an
// undefined instruction: give it the FPU (saving the owner's registers) and
// let it retry. Returns false when the FPU was already on: a real undefined
// instruction.
bool fpu_trap(Tcb *t) {
    if (arm_fpexc_read() & kFpexcEn) return false;
    fpu_enable(true);
    if (g_fpu_owner != t) {
        if (g_fpu_owner) arm_fpu_save(&g_fpu_owner->fpu);
        arm_fpu_load(&t->fpu);
        g_fpu_owner = t;
    }
    return true;
}
bool g_idling;        // the idle loop runs: an interrupt is a kernel entry

// The CPSR bits a thread keeps: flags, GE, IT, E and T. Mode is forced to
// USR and the A, I, F masks clear, whatever a register write put there.
constexpr u32 kCpsrUserBits = 0xfe0f'fe20u;

}  // namespace

void fpu_init() {
    // CPACR: full access to CP10 and CP11 (VFP and NEON) at PL0 and PL1.
    u32 cpacr;
    asm volatile("mrc p15, 0, %0, c1, c0, 2" : "=r"(cpacr));
    cpacr |= 0xfu << 20;
    asm volatile("mcr p15, 0, %0, c1, c0, 2\n isb" : : "r"(cpacr) : "memory");
    g_fpu_enabled = true;  // force the write
    fpu_enable(false);
}

void fpu_release(Tcb *t) {
    if (g_fpu_owner != t) return;
    g_fpu_owner = nullptr;
    fpu_enable(false);
}

namespace {
// The same VSpace cap (directory and ASID) as the running address space, and
// no ASID given up since it was checked (vspace.cpp counts ks.vspace_epoch):
// nothing to do. Inlined into resume(), the exit path of every system call.
inline bool vspace_unchanged(const Tcb *t) {
    const Cap &vtable = t->slots[kTcbVTable].cap;
    return vtable.w0 == g_active_vtable.w0 && vtable.w1 == g_active_vtable.w1 && ks.vspace_epoch == g_active_epoch;
}
}  // namespace

void activate_thread(Tcb *t) {  // (resume() calls it only when !vspace_unchanged(t))
    const Cap &vtable = t->slots[kTcbVTable].cap;
    paddr_t pd;
    u32 hw_asid;
    const bool live = vspace_of(vtable, pd, hw_asid);  // (may take a hardware ASID back: the epoch moves)
    g_active_epoch = ks.vspace_epoch;
    g_active_vtable = live ? vtable : Cap::null();
    if (!live) {
        pd = kref(boot_identity_pd);  // empty: every user access faults
        hw_asid = 0;
    }
    if (pd == g_active_pd && hw_asid == g_active_hw_asid) return;
    g_active_pd = pd;
    g_active_hw_asid = hw_asid;
    // ASID and TTBR0 change apart, so pass through the reserved ASID 0 (which
    // tags no entries): no walk can mix the new table with the old ASID.
    arm::write_contextidr(0);
    arm::isb();
    arm::write_ttbr0(pd | arm::kTtbrWalkAttrs);
    arm::isb();
    arm::write_contextidr(hw_asid);
    arm::isb();
}

void resume(Tcb *t) {
    if (t == ks.idle) {
        g_idling = true;
        arm_idle_loop();
    }
    g_idling = false;
    if (!vspace_unchanged(t)) activate_thread(t);
    fpu_enable(t == g_fpu_owner);  // anyone else traps on first use
    t->context.cpsr = (t->context.cpsr & kCpsrUserBits) | arm::kModeUsr;
    arm_return_to_user(&t->context);
}

}  // namespace petrel::arch

namespace petrel::arm {

// Kinds, as in vectors.S.
constexpr u32 kKindPrefetchAbort = 3, kKindDataAbort = 4;  // else undefined (1)

extern "C" [[noreturn]] void arm_user_syscall(u32 number) { arch::resume(entry_syscall(number)); }

extern "C" [[noreturn]] void arm_user_irq() { arch::resume(entry_interrupt()); }

extern "C" [[noreturn]] void arm_user_fault(u32 kind) {
    arch::UserContext &c = ks.current->context;
    Fault f{};
    switch (kind) {
    case kKindDataAbort: f = {FaultKind::VmFault, read_dfar(), read_dfsr(), false}; break;
    case kKindPrefetchAbort: f = {FaultKind::VmFault, read_ifar(), read_ifsr(), true}; break;
    default:
        // The stub took 4 from the return address; a Thumb instruction is 2 bytes on.
        if (c.cpsr & (1u << 5)) c.pc += 2;
        if (arch::fpu_trap(ks.current)) arch::resume(ks.current);  // retry with the FPU on
        f = {FaultKind::UserException, c.pc, 0, false};
        break;
    }
    arch::resume(entry_fault(f));
}

// An IRQ taken in kernel mode (vectors.S pushed the interrupted state on the kernel stack).
extern "C" void arm_kernel_irq() {
    if (!arch::g_idling) {
        handle_interrupt();
        return;
    }
    Tcb *t = entry_interrupt();
    if (t != idle_thread()) arch::resume(t);  // abandons the idle loop's frame
}

}  // namespace petrel::arm
