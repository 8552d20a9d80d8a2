// SPDX-License-Identifier: BSD-2-Clause
// The root task: the first user thread. Today it proves user mode works and ends the run.
//
// It prints the mode it runs in (read from CPSR: USR), its BootInfo, keeps
// every register in use across many loop iterations while the kernel tick
// interrupts it, makes a round trip of invocations (CNode Copy, DebugCapIdentify,
// CNode Delete, and a Copy onto an occupied slot that must fail), then prints
// "root: done" and ends the run with DebugHalt(0) through crt0 (status 1 if a
// check failed). Built with ROOT_FAULT = 1, 2 or 3 it instead ends in an
// undefined instruction, a write to its read-only BootInfo, or a jump into its
// never-executable IPC buffer, which the kernel must report and survive.
#include "petrel/user.hpp"

using namespace petrel;

extern "C" u32 register_soak(u32 iterations);  // 0 when every register survived

// Loads r0-r11 and lr with known values, counts down r12, then checks them all.
asm(R"(
    .text
    .arm
    .global register_soak
    .type register_soak, %function
register_soak:
    push    {r4-r11, lr}
    mov     r12, r0
    mov     r0, #1
    mov     r1, #2
    mov     r2, #3
    mov     r3, #4
    mov     r4, #5
    mov     r5, #6
    mov     r6, #7
    mov     r7, #8
    mov     r8, #9
    mov     r9, #10
    mov     r10, #11
    mov     r11, #12
    mov     lr, #13
1:  subs    r12, r12, #1
    bne     1b
    cmp     r0, #1
    cmpeq   r1, #2
    cmpeq   r2, #3
    cmpeq   r3, #4
    cmpeq   r4, #5
    cmpeq   r5, #6
    cmpeq   r6, #7
    cmpeq   r7, #8
    cmpeq   r8, #9
    cmpeq   r9, #10
    cmpeq   r10, #11
    cmpeq   r11, #12
    cmpeq   lr, #13
    moveq   r0, #0
    movne   r0, #1
    pop     {r4-r11, pc}
)");

namespace {

int g_failures;

void check(bool ok, const char *what) {
    printf("root: %s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) ++g_failures;
}

const char *mode_name(u32 mode) {
    switch (mode) {
    case 0x10: return "USR";
    case 0x13: return "SVC";
    case 0x1f: return "SYS";
    default: return "unexpected";
    }
}

void print_boot_info(const abi::BootInfo *bi) {
    printf("root: BootInfo at %p: magic %08x (%s), IPC buffer %08x, root CNode radix %u (%u slots)\n",
           static_cast<const void *>(bi), bi->magic, bi->magic == abi::kBootInfoMagic ? "ok" : "WRONG",
           bi->ipc_buffer, bi->root_cnode_radix, 1u << bi->root_cnode_radix);
    printf("root: kernel image %08x-%08x, empty slots %u-%u, Untyped in slots %u-%u\n", bi->kernel_phys_start,
           bi->kernel_phys_end - 1, bi->empty.start, bi->empty.end - 1, bi->untyped.start, bi->untyped.end - 1);
    u64 ram = 0, device = 0;
    for (u32 i = 0; i < bi->untyped_count; ++i) {
        const abi::UntypedDesc &u = bi->untyped_list[i];
        u64 size = u64{1} << u.size_bits;
        (u.is_device ? device : ram) += size;
        printf("root:   untyped %3u (slot %4u): %08x, 2^%u bytes (%7llu KiB)%s\n", i, bi->untyped.start + i,
               u.paddr, u.size_bits, size >> 10, u.is_device ? ", device" : "");
    }
    printf("root: %u Untyped: %llu KiB RAM, %llu KiB device\n", bi->untyped_count, ram >> 10, device >> 10);
}

// The generic timer's virtual counter, which the kernel lets user mode read.
u64 read_counter() {
    u32 lo, hi;
    asm volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return u64{hi} << 32 | lo;
}

// Keeps every register busy for 200 ms of counter time: about 20 kernel ticks
// interrupt the loop, and each entry and return must restore all of them.
void soak_through_ticks() {
    u32 freq;
    asm volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(freq));  // CNTFRQ
    const u64 start = read_counter(), span = freq / 5;
    u32 rounds = 0, bad = 0;
    while (read_counter() - start < span) {
        bad += register_soak(1'000'000);
        ++rounds;
    }
    printf("root: %u million loop iterations in 200 ms of counter time (%u Hz), about 20 ticks\n", rounds, freq);
    check(bad == 0 && rounds > 0, "r0-r12 and lr intact while the tick interrupts user mode");
}

// The FPU is switched lazily: the first VFP/NEON instruction traps into the
// kernel, which turns the FPU on for this thread and lets it retry. (This app is
// built soft-float, so the compiler never touches d0-d31 itself.)
void fpu_check() {
    const u32 a = 0x12345678, b = 0x9abcdef0;
    asm volatile(".fpu neon-vfpv4\n vmov d0, %0, %1\n vmov d31, %1, %0\n vadd.i32 q8, q0, q0" : : "r"(a), "r"(b));
    u32 freq;
    asm volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(freq));
    const u64 start = read_counter();
    while (read_counter() - start < freq / 20) {  // 50 ms: a few ticks go by
    }
    u32 d0_lo, d0_hi, d31_lo, d31_hi, d16_lo;
    asm volatile(".fpu neon-vfpv4\n vmov %0, %1, d0\n vmov %2, %3, d31\n vmov %4, s0\n vmov %4, d16[0]"
                 : "=r"(d0_lo), "=r"(d0_hi), "=r"(d31_lo), "=r"(d31_hi), "=r"(d16_lo));
    printf("root: VFP/NEON: d0 %08x%08x d31 %08x%08x, d16 lane 0 %08x\n", d0_hi, d0_lo, d31_hi, d31_lo, d16_lo);
    check(d0_lo == a && d0_hi == b && d31_lo == b && d31_hi == a && d16_lo == 2 * a,
          "VFP/NEON usable from user mode, registers kept across ticks");
}

// Invocations through the system-call interface and their replies.
void syscall_round_trip(const abi::BootInfo *bi) {
    auto *ipc = reinterpret_cast<abi::IpcBuffer *>(bi->ipc_buffer);
    const u32 slot = bi->empty.start;
    // CNode.Copy(dest index, dest depth, src index, src depth, rights; src root as extra cap)
    u32 mr[abi::kMsgRegisters] = {slot, 32, abi::kCapInitTcb, 32};
    ipc->msg[4] = abi::kRightsAll;
    ipc->caps_or_badges[0] = abi::kCapInitCNode;
    abi::MessageInfo r = call(abi::kCapInitCNode, {static_cast<u32>(abi::Label::CNodeCopy), 0, 1, 5}, mr);
    u32 type = debug_cap_identify(slot);
    printf("root: CNode.Copy of the TCB cap to slot %u: reply label %u, slot now holds cap type %u\n", slot,
           r.label, type);
    check(r.label == 0 && type == debug_cap_identify(abi::kCapInitTcb) && type != 0, "system call round trip");
    u32 del[abi::kMsgRegisters] = {slot, 32, 0, 0};
    r = call(abi::kCapInitCNode, {static_cast<u32>(abi::Label::CNodeDelete), 0, 0, 2}, del);
    check(r.label == 0 && debug_cap_identify(slot) == 0, "CNode.Delete empties the slot");
    // Copying onto an occupied slot must fail, and say which slot.
    u32 busy[abi::kMsgRegisters] = {abi::kCapInitTcb, 32, abi::kCapInitTcb, 32};
    r = call(abi::kCapInitCNode, {static_cast<u32>(abi::Label::CNodeCopy), 0, 1, 5}, busy);
    printf("root: CNode.Copy onto occupied slot %u: reply label %u (DeleteFirst is %u)\n", abi::kCapInitTcb,
           r.label, static_cast<u32>(abi::Error::DeleteFirst));
    check(r.label == static_cast<u32>(abi::Error::DeleteFirst), "an invocation error comes back as the reply label");
}

}  // namespace

int main(const abi::BootInfo *bi) {
    u32 cpsr;
    asm volatile("mrs %0, cpsr" : "=r"(cpsr));
    printf("root: hello from user mode: CPSR %08x, mode %s, IRQs %s\n", cpsr, mode_name(cpsr & 0x1f),
           (cpsr & 0x80) ? "masked" : "enabled");
    check((cpsr & 0x1f) == 0x10 && (cpsr & 0x80) == 0, "running in USR mode with interrupts enabled");
    print_boot_info(bi);
    check(bi->magic == abi::kBootInfoMagic && bi->ipc_buffer != 0 && bi->untyped_count > 0, "BootInfo");

    soak_through_ticks();
    fpu_check();
    syscall_round_trip(bi);

#if defined(ROOT_FAULT) && ROOT_FAULT == 1
    printf("root: now executing an undefined instruction\n");
    asm volatile(".word 0xe7f000f0");  // UDF #0
#elif defined(ROOT_FAULT) && ROOT_FAULT == 2
    printf("root: now writing to the read-only BootInfo at %p\n", static_cast<const void *>(bi));
    *const_cast<volatile u32 *>(&bi->magic) = 0;
#elif defined(ROOT_FAULT) && ROOT_FAULT == 3
    printf("root: now jumping into the never-executable IPC buffer at %08x\n", bi->ipc_buffer);
    reinterpret_cast<void (*)()>(bi->ipc_buffer)();
#endif
#ifdef ROOT_FAULT
    printf("root: still running after the fault: WRONG\n");
    return 1;
#else
    printf("root: done, %d check(s) failed\n", g_failures);
    return g_failures == 0 ? 0 : 1;
#endif
}
