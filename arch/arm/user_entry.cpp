// SPDX-License-Identifier: BSD-2-Clause
// User mode: the C++ half of the entry stubs (vectors.S), the address-space switch and resume.
//
// vectors.S saves a user thread's registers into here().current->context, moves to
// the top of its core's kernel stack with interrupts masked and calls one of the
// arm_user_* functions below, which call the generic entry_* function and
// resume() the thread it returns: never returning to the stub. resume() ends in
// arm_resume_thread (vectors.S: the thread's address space and FPU, then
// arm_return_to_user restores the context and rfes to user mode) or, for the idle
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
#include "exit_layout.h"
#include "interrupt.hpp"
#include "kmem.hpp"
#include "mmu.hpp"
#include "scheduler.hpp"
#include "smp.hpp"
#include "state.hpp"
#include "vspace.hpp"

extern "C" {
extern u32 boot_identity_pd[];  // kernel_vspace.cpp: empty after boot
void arm_fpu_save(petrel::arch::FpuState *s);        // vfp.S
void arm_fpu_load(const petrel::arch::FpuState *s);  // vfp.S
u32 arm_fpexc_read();
[[noreturn]] void arm_resume_thread(petrel::Tcb *t);  // vectors.S (arm_return_to_user, arm_idle_loop too)
}

namespace petrel::arch {

// An address space as activation found it: the VSpace cap it was checked for
// (null: none live, the empty boot table), and the TTBR0 value (its Page
// Directory and the walk attributes) and hardware ASID it came to. It holds
// while the thread's VSpace cap is the same (both words: vectors.S's
// arm_resume_thread compares them) and no ASID or hardware ASID has been given
// up since: vspace.cpp calls forget_address_spaces() for each, which marks
// both spaces with a cap word no VSpace slot holds (a slot there holds a
// PageDirectory cap or nothing).
struct Space {
    Cap vtable;
    u32 ttbr0;
    u32 hw_asid;
};
constexpr Cap kForgotten{~0u, ~0u};
// What this file keeps of the CPU's state, in one object so that the exit
// path reaches all of it from one base address.
// (One per core, each in a cache line of its own with several: the exit finds
// its core's at arm_cpu + (core << CPU_STATE_SHIFT).)
struct alignas(kCores > 1 ? 1u << CPU_STATE_SHIFT : 8) CpuState {
    // The space in TTBR0 and CONTEXTIDR, *active, and the one before it,
    // *previous, both in spaces[] (a client and its server alternate:
    // switching back swaps the pointers, nothing is copied). Neither holds
    // for any thread before it is filled in.
    Space *active = &spaces[0];
    Space *previous = &spaces[1];
    Space spaces[2] = {{kForgotten, 0, 0}, {kForgotten, 0, 0}};
    Tcb *fpu_owner = nullptr;  // whose registers the FPU holds (null: nobody's)
    bool fpu_enabled = false;  // FPEXC.EN as last written
    bool idling = false;       // the idle loop runs: an interrupt is a kernel entry
};
constexpr u32 kFpexcEn = 1u << 30;  // (vectors.S's arm_resume_fpu_change makes it as 1 << 30 too)

// The exit path in vectors.S (arm_resume_thread) reads it as arm_cpu, at the
// offsets of exit_layout.h.
CpuState g_cpus[kCores] asm("arm_cpu");  // (set up by a static constructor: boot runs them)
static_assert(kCores == 1 || sizeof(CpuState) == 1u << CPU_STATE_SHIFT);
// This core's.
[[gnu::always_inline]] inline CpuState &cpu() { return g_cpus[core_id()]; }
#define PETREL_AT(type, member, offset) static_assert(__builtin_offsetof(type, member) == (offset))
PETREL_AT(CpuState, active, CPU_ACTIVE);
PETREL_AT(CpuState, previous, CPU_PREVIOUS);
PETREL_AT(CpuState, fpu_owner, CPU_FPU_OWNER);
PETREL_AT(CpuState, fpu_enabled, CPU_FPU_ENABLED);
PETREL_AT(Space, vtable, SPACE_VTABLE);
PETREL_AT(Space, ttbr0, SPACE_TTBR0);
PETREL_AT(Space, hw_asid, SPACE_HW_ASID);
PETREL_AT(Tcb, slots[kTcbVTable].cap, TCB_VTABLE_CAP);
PETREL_AT(Tcb, context, TCB_CONTEXT);
#undef PETREL_AT
static_assert(sizeof(Cap) == 8 && sizeof(bool) == 1);

namespace {

// FPEXC written in line (VMSR FPEXC in its coprocessor form, which the
// kernel's soft-float build assembles): the exit path makes no call for it.
[[gnu::always_inline]] inline void fpu_enable(bool on) {
    if (on == cpu().fpu_enabled) return;
    cpu().fpu_enabled = on;
    asm volatile("mcr p10, 7, %0, c8, c0, 0" : : "r"(on ? kFpexcEn : 0u) : "memory");
}

// The first FPU instruction of a thread that does not own the FPU traps as an
// undefined instruction: give it the FPU (saving the owner's registers) and
// let it retry. Returns false when the FPU was already on: a real undefined
// instruction.
bool fpu_trap(Tcb *t) {
    if (arm_fpexc_read() & kFpexcEn) return false;
    fpu_enable(true);
    if (cpu().fpu_owner != t) {
        if (cpu().fpu_owner) arm_fpu_save(&cpu().fpu_owner->fpu);
        arm_fpu_load(&t->fpu);
        cpu().fpu_owner = t;
    }
    return true;
}

}  // namespace

void fpu_init() {
    // CPACR: full access to CP10 and CP11 (VFP and NEON) at PL0 and PL1.
    u32 cpacr;
    asm volatile("mrc p15, 0, %0, c1, c0, 2" : "=r"(cpacr));
    cpacr |= 0xfu << 20;
    asm volatile("mcr p15, 0, %0, c1, c0, 2\n isb" : : "r"(cpacr) : "memory");
    cpu().fpu_enabled = true;  // force the write
    fpu_enable(false);
}

void forget_thread(Tcb *t) {
    if (cpu().fpu_owner != t) return;
    cpu().fpu_owner = nullptr;
    fpu_enable(false);
}

void fpu_release(Tcb *t) {
    if (cpu().fpu_owner != t) return;
    fpu_enable(true);  // (saving needs the FPU on)
    arm_fpu_save(&t->fpu);
    forget_thread(t);
}

const Tcb *fpu_owner(u32 core) { return g_cpus[core].fpu_owner; }

u32 running_hw_asid(u32 core) { return g_cpus[core].active->hw_asid; }

namespace {

// TTBR0 and CONTEXTIDR for `s`. ASID and TTBR0 change apart, so pass through
// the reserved ASID 0 (which tags no entries): no walk can mix the new table
// with the old ASID. The new ASID needs no isb of its own: the exception
// return to user mode that follows (rfe) is a context synchronisation event,
// and the kernel's own mappings are global (no ASID).
[[gnu::always_inline]] inline void load_space(const Space &s) {
    arm::write_contextidr(0);
    arm::isb();
    arm::write_ttbr0(s.ttbr0);
    arm::isb();
    arm::write_contextidr(s.hw_asid);
}

}  // namespace

namespace {

// A space not among the two cached: looked up, it replaces the one before.
[[gnu::always_inline]] inline void activate_new(Tcb *t, Space &s, const Space &running) {
    const Cap &vtable = t->slots[kTcbVTable].cap;
    paddr_t pd;
    const bool live = vspace_of(vtable, pd, s.hw_asid);  // (may take a hardware ASID back: both forgotten)
    s.vtable = live ? vtable : Cap::null();
    if (!live) {
        pd = kref(boot_identity_pd);  // empty: every user access faults
        s.hw_asid = 0;
    }
    s.ttbr0 = pd | arm::kTtbrWalkAttrs;
    if (s.ttbr0 != running.ttbr0 || s.hw_asid != running.hw_asid) load_space(s);
}

}  // namespace

void drop_hw_asid(u32 hw) {
    Space &s = *cpu().active;
    if (s.hw_asid != hw) return;
    s.vtable = kForgotten;
    s.ttbr0 = kref(boot_identity_pd) | arm::kTtbrWalkAttrs;  // empty: every user access faults
    s.hw_asid = 0;
    load_space(s);
}

void forget_address_spaces() {
    for (CpuState &c : g_cpus) {  // (each core's exit reads its own under the kernel lock)
        c.spaces[0].vtable = kForgotten;
        c.spaces[1].vtable = kForgotten;
    }
}

}  // namespace petrel::arch

// arm_resume_thread() for a space in neither cached slot (vectors.S calls it,
// then goes on to the FPU and the way out): looked up, it replaces the one
// before.
extern "C" void arm_activate_new(petrel::Tcb *t) {
    petrel::arch::CpuState &c = petrel::arch::cpu();
    petrel::arch::Space *before = c.previous, *running = c.active;
    c.active = before;
    c.previous = running;
    petrel::arch::activate_new(t, *before, *running);
}

// The exit of every kernel entry. The saved status needs no sanitising here:
// entries from user mode save a user-mode one and every write sanitises
// (arch::user_status_valid). cpu().idling is cleared where the idle loop is
// left (arm_kernel_irq), not on every exit.
namespace petrel::arch {

void resume(Tcb *t) {
    if (t == here().idle) [[unlikely]] {
        cpu().idling = true;
        asm volatile("b arm_idle_loop" : : : "memory");
        __builtin_unreachable();
    }
    arm_resume_thread(t);
}

}  // namespace petrel::arch

namespace petrel::arm {

// Kinds, as in vectors.S.
constexpr u32 kKindPrefetchAbort = 3, kKindDataAbort = 4;  // else undefined (1)

// vectors.S sends Call and ReplyRecv to their fastpaths (entry_syscall_fast()'s
// choice, made there by the number), every other system call here.
namespace {

// entry_syscall() for a number the stub has already told apart (constant: the
// choice folds away). Both ways out are branches: its thread to
// arm_resume_thread (never the idle thread), or the slow path through
// arm_user_syscall, which starts again from the top of the kernel stack.
// (With several cores the lock is taken first, and the slow path is entered
// past arm_user_syscall's own taking of it.)
#if PETREL_CORES > 1
#define PETREL_SLOW_SYSCALL "b arm_user_syscall_locked"
#else
#define PETREL_SLOW_SYSCALL "b arm_user_syscall"
#endif
template <abi::Syscall kNumber>
[[noreturn, gnu::always_inline]] inline void fastpath_entry() {
    constexpr u32 number = static_cast<u32>(kNumber);
    if (kernel_enter(EntryKind::Syscall)) [[unlikely]]
        arch::resume(schedule());
    register u32 r0 asm("r0");
    if (Tcb *next = entry_syscall_fast(number)) {
        r0 = reinterpret_cast<u32>(next);
        asm volatile("b arm_resume_thread" : : "r"(r0) : "memory");
    } else {
        r0 = number;
        asm volatile(PETREL_SLOW_SYSCALL : : "r"(r0) : "memory");
    }
    __builtin_unreachable();
}
#undef PETREL_SLOW_SYSCALL

}  // namespace

extern "C" [[noreturn]] void arm_fastpath_call() { fastpath_entry<abi::Syscall::Call>(); }
extern "C" [[noreturn]] void arm_fastpath_reply_recv() { fastpath_entry<abi::Syscall::ReplyRecv>(); }

// Each entry takes the kernel lock first (kernel_enter: nothing with one
// core); an entry another core made abandon its thread (smp.hpp) only chooses
// again.
extern "C" [[noreturn]] void arm_user_syscall(u32 number) {
    if (kernel_enter(EntryKind::Syscall)) [[unlikely]]
        arch::resume(schedule());
    arch::resume(entry_syscall_slow(number));
}

#if PETREL_CORES > 1
extern "C" [[noreturn]] void arm_user_syscall_locked(u32 number) { arch::resume(entry_syscall_slow(number)); }
#endif

extern "C" [[noreturn]] void arm_user_irq() {
    if (kernel_enter(EntryKind::Other)) [[unlikely]]
        arch::resume(schedule());
    arch::resume(entry_interrupt());
}

// The stub took 4 from the return address of an undefined instruction; a
// Thumb one is 2 bytes on. With several cores that is mended before the lock
// is taken: an abandoned entry runs the instruction again.
extern "C" [[noreturn]] void arm_user_fault(u32 kind) {
    arch::UserContext &c = here().current->context;
#if PETREL_CORES > 1
    if (kind != kKindDataAbort && kind != kKindPrefetchAbort && (c.cpsr & (1u << 5))) c.pc += 2;
    if (kernel_enter(EntryKind::Other)) [[unlikely]]
        arch::resume(schedule());
#endif
    Fault f{};
    switch (kind) {
    case kKindDataAbort: f = {FaultKind::VmFault, read_dfar(), read_dfsr(), false}; break;
    case kKindPrefetchAbort: f = {FaultKind::VmFault, read_ifar(), read_ifsr(), true}; break;
    default:
#if PETREL_CORES == 1
        if (c.cpsr & (1u << 5)) c.pc += 2;
#endif
        if (arch::fpu_trap(here().current)) arch::resume(here().current);  // retry with the FPU on
        f = {FaultKind::UserException, c.pc, 0, false};
        break;
    }
    arch::resume(entry_fault(f));
}

// An IRQ taken in kernel mode (vectors.S pushed the interrupted state on the kernel stack).
extern "C" void arm_kernel_irq() {
    if (!arch::cpu().idling) {
        handle_interrupt();
        return;
    }
    kernel_enter(EntryKind::Other);  // (the idle thread is never abandoned)
    Tcb *t = entry_interrupt();
    if (t != idle_thread()) {  // abandons the idle loop's frame
        arch::cpu().idling = false;
        arch::resume(t);
    }
    kernel_lock_release();  // back to the idle loop
}

}  // namespace petrel::arm
