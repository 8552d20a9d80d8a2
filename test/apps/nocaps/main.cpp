// SPDX-License-Identifier: BSD-2-Clause
// nocaps: what a thread without a single cap can do to the others (README, "Security").
//
// The root makes one thread, "capless", whose CSpace is a CNode with every
// slot empty and which has no fault handler, and runs it once per row of
// kRows: the row's attempt, on the capless thread, at priority 100 above the
// root's 50. A row either returns (the thread then stops itself at
// nocaps_park with an undefined instruction) or must fault, and then the
// kernel stops the thread at the instruction of the attempt (no handler: it
// prints the fault and makes the thread inactive). Either way the root runs
// again only once the thread has stopped; it reads the thread's pc and checks
// where it stopped, the row's result and that its own state is intact: its
// TPIDRURW and FPU registers, which the capless thread overwrites with its
// own. One line per row, "nocaps: <row>: ok".
//
// The spin row has a witness: a second thread of priority 100 (the root's
// CSpace) starts the capless thread spinning with interrupts "masked", yields
// to it kSpinTurns times and then suspends it: it gets the processor back
// each time because user mode cannot mask interrupts.
//
// The capless thread runs in the root's own address space (its memory is not
// the question here: the hostile test checks memory of others); every other
// resource it could touch is here. The rows mirror the README's table.
#include "petrel/bootinfo.hpp"
#include "petrel/checks.hpp"
#include "petrel/invocations.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using abi::Syscall;

// probes.S
extern "C" {
[[noreturn]] void nocaps_park();
extern char nocaps_park_insn[];
u32 nocaps_svc(u32 cptr, u32 number);
extern char nocaps_svc_insn[];
u32 probe_sctlr(u32);
u32 probe_ttbr0(u32);
u32 probe_dacr(u32);
u32 probe_vbar(u32);
u32 probe_tlbiall(u32);
u32 probe_dcisw(u32);
u32 probe_tpidruro(u32);
u32 probe_smc(u32);
u32 probe_hvc(u32);
u32 probe_bkpt(u32);
extern char probe_sctlr_insn[], probe_ttbr0_insn[], probe_dacr_insn[], probe_vbar_insn[], probe_tlbiall_insn[],
    probe_dcisw_insn[], probe_tpidruro_insn[], probe_smc_insn[], probe_hvc_insn[], probe_bkpt_insn[];
u32 probe_load(u32 address);
u32 probe_store(u32 address, u32 value);
extern char probe_load_insn[], probe_store_insn[];
u32 probe_cpsr();
u32 probe_wfi();
[[noreturn]] void probe_spin(volatile u32 *counter);
u32 tpidrurw_write(u32 value);
u32 tpidrurw_read();
void fpu_write(u32 low, u32 high);
void fpu_read(u32 out[3]);
u64 probe_cntvct();
u32 probe_cntv_ctl(u32);
u32 probe_cntv_cval(u32);
extern char probe_cntv_ctl_insn[], probe_cntv_cval_insn[];
}

namespace {

constexpr u32 kRootPriority = 50;
constexpr u32 kPriority = 100;  // the capless thread and the witness
constexpr u32 kStackSize = 4096;
constexpr u32 kSpinTurns = 3;
constexpr u32 kRootTls = 0x7e57'0001;                              // the root's TPIDRURW
constexpr u32 kRootFpuLow = 0x1234'5678, kRootFpuHigh = 0x9abc'def0;  // the root's d0
constexpr u32 kCaplessTls = 0xc0ff'ee00;

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
Checks g_checks{"nocaps"};
u32 g_untyped, g_next_slot;
u32 g_capless, g_witness;  // their TCB caps

alignas(8) u8 g_capless_stack[kStackSize];
alignas(8) u8 g_witness_stack[kStackSize];

// Written by the capless thread (one address space), read by the root once it has stopped.
volatile u32 g_returned;  // the row that returned, ~0u if none
volatile u32 g_result;
volatile u32 g_spins;       // probe_spin's counter
volatile u32 g_witness_turns;

// ---------------------------------------------------------------- the rows
// Run on the capless thread; the result is judged by the row's `judge`.
enum class Expect { Returns, Stops };
struct Row {
    const char *what;
    Expect expect;
    u32 (*run)();
    bool (*judge)(u32 result);  // Returns: whether the result is right
    const char *stops_at;       // Stops: the instruction the kernel stops it at
};

// Call, Send and NBSend on cap pointers that name nothing: a Call gets an error, the others nothing.
constexpr u32 kCptrs[] = {0, 1, 2, 3, 0x1234, 0xffff'ffff};
u32 try_ipc() {
    u32 errors = 0;
    for (u32 cptr : kCptrs) {
        MessageRegs mr{1, 2, 3, 4};
        const u32 label = call(cptr, {0x42, 0, 0, 4}, mr).label;
        using abi::Error;
        if (label == static_cast<u32>(Error::FailedLookup) || label == static_cast<u32>(Error::InvalidCapability))
            ++errors;
        send(cptr, {0x42, 0, 0, 4}, mr);
        nb_send(cptr, {0x42, 0, 0, 4}, mr);
    }
    return errors;
}
u32 try_reply() { return nocaps_svc(0, static_cast<u32>(Syscall::Reply)), 1; }
u32 try_yield() {
    for (u32 i = 0; i < 10; ++i) yield();
    return 1;
}
u32 try_recv() { return nocaps_svc(5, static_cast<u32>(Syscall::Recv)); }
u32 try_nbrecv() { return nocaps_svc(0xffff'ffff, static_cast<u32>(Syscall::NBRecv)); }
u32 try_reply_recv() { return nocaps_svc(1, static_cast<u32>(Syscall::ReplyRecv)); }
u32 try_unknown() { return nocaps_svc(0, 99); }
u32 try_name_thread() {
    debug_name_thread(reinterpret_cast<abi::IpcBuffer *>(g_bi->ipc_buffer + 512), 1, "renamed");
    return 1;
}
u32 try_cap_identify() {
    u32 found = 0;
    for (u32 cptr : kCptrs) found |= debug_cap_identify(cptr);
    return found;
}
u32 try_null() {
    debug_null();
    return 1;
}
// DebugHalt and DebugDumpScheduler need a Debug cap: the root's slot (abi::kCapDebug) and others name nothing here.
constexpr u32 kDebugCptrs[] = {abi::kCapDebug, 0, 0xffff'ffff};
u32 try_halt() {
    u32 refused = 0;
    for (u32 cptr : kDebugCptrs)
        if (debug_try_halt(cptr, 77) == abi::Error::InvalidCapability) ++refused;
    return refused;
}
u32 try_dump() {
    u32 refused = 0;
    for (u32 cptr : kDebugCptrs)
        if (debug_dump_scheduler(cptr) == abi::Error::InvalidCapability) ++refused;
    return refused;
}
u32 try_sctlr() { return probe_sctlr(0); }
u32 try_ttbr0() { return probe_ttbr0(0); }
u32 try_dacr() { return probe_dacr(~0u); }
u32 try_vbar() { return probe_vbar(0); }
u32 try_tlbiall() { return probe_tlbiall(0); }
u32 try_dcisw() { return probe_dcisw(0); }
u32 try_tpidruro() { return probe_tpidruro(0); }
u32 try_smc() { return probe_smc(0); }
u32 try_hvc() { return probe_hvc(0); }
u32 try_bkpt() { return probe_bkpt(0); }
u32 try_kernel_read() { return probe_load(0x8000'0000); }
u32 try_kernel_read_high() { return probe_load(0xffff'0000); }
u32 try_kernel_write() { return probe_store(0x8000'0000, 0); }
u32 try_unmapped_read() { return probe_load(0x7000'0000); }
u32 try_cntv_ctl() { return probe_cntv_ctl(0); }
u32 try_cntv_cval() { return probe_cntv_cval(0); }
u32 try_cpsr() { return probe_cpsr(); }
u32 try_wfi() { return probe_wfi(); }
u32 try_tpidrurw() { return tpidrurw_write(kCaplessTls); }
u32 try_fpu() {
    fpu_write(0xbad0'bad0, 0x0bad'f00d);
    u32 v[3];
    fpu_read(v);
    return v[0];
}
u32 try_cntvct() {
    const u64 a = probe_cntvct();
    for (u32 i = 0; i < 1000; ++i) asm volatile("");
    return probe_cntvct() > a;
}

bool is(u32 want, u32 got) { return want == got; }

const Row kRows[] = {
    {"Call, Send and NBSend on any cap pointer: a Call gets an error, nothing is sent", Expect::Returns,
     try_ipc, [](u32 r) { return is(sizeof(kCptrs) / sizeof(kCptrs[0]), r); }, nullptr},
    {"Recv on any cap pointer: a cap fault, and without a fault handler it stops", Expect::Stops, try_recv,
     nullptr, nocaps_svc_insn},
    {"NBRecv likewise", Expect::Stops, try_nbrecv, nullptr, nocaps_svc_insn},
    {"ReplyRecv likewise", Expect::Stops, try_reply_recv, nullptr, nocaps_svc_insn},
    {"Reply with no caller: nothing happens", Expect::Returns, try_reply, [](u32 r) { return is(1, r); },
     nullptr},
    {"Yield: it gives up its own time only", Expect::Returns, try_yield, [](u32 r) { return is(1, r); }, nullptr},
    {"an unknown system call number: a fault, it stops", Expect::Stops, try_unknown, nullptr, nocaps_svc_insn},
    {"DebugNameThread on a cap it lacks: refused", Expect::Returns, try_name_thread,
     [](u32 r) { return is(1, r); }, nullptr},
    {"DebugCapIdentify: every cap pointer names nothing", Expect::Returns, try_cap_identify,
     [](u32 r) { return is(0, r); }, nullptr},
    {"DebugNull: returns", Expect::Returns, try_null, [](u32 r) { return is(1, r); }, nullptr},
    {"DebugHalt without a Debug cap: InvalidCapability, the system runs on", Expect::Returns, try_halt,
     [](u32 r) { return is(3, r); }, nullptr},
    {"DebugDumpScheduler without a Debug cap: InvalidCapability", Expect::Returns, try_dump,
     [](u32 r) { return is(3, r); }, nullptr},
    {"SCTLR write: undefined in user mode, it stops", Expect::Stops, try_sctlr, nullptr, probe_sctlr_insn},
    {"TTBR0 write likewise", Expect::Stops, try_ttbr0, nullptr, probe_ttbr0_insn},
    {"DACR write likewise", Expect::Stops, try_dacr, nullptr, probe_dacr_insn},
    {"VBAR write likewise", Expect::Stops, try_vbar, nullptr, probe_vbar_insn},
    {"TLBIALL likewise", Expect::Stops, try_tlbiall, nullptr, probe_tlbiall_insn},
    {"DCISW (discarding others' dirty lines) likewise", Expect::Stops, try_dcisw, nullptr, probe_dcisw_insn},
    {"TPIDRURO write likewise", Expect::Stops, try_tpidruro, nullptr, probe_tpidruro_insn},
    {"SMC likewise", Expect::Stops, try_smc, nullptr, probe_smc_insn},
    {"HVC likewise", Expect::Stops, try_hvc, nullptr, probe_hvc_insn},
    {"BKPT: a debug fault, it stops", Expect::Stops, try_bkpt, nullptr, probe_bkpt_insn},
    {"a read of kernel memory (0x80000000): a fault, it stops", Expect::Stops, try_kernel_read, nullptr,
     probe_load_insn},
    {"a read of the vector page (0xffff0000) likewise", Expect::Stops, try_kernel_read_high, nullptr,
     probe_load_insn},
    {"a write of kernel memory likewise", Expect::Stops, try_kernel_write, nullptr, probe_store_insn},
    {"a read of unmapped memory likewise", Expect::Stops, try_unmapped_read, nullptr, probe_load_insn},
    {"CNTV_CTL write (the virtual timer) without the access: undefined, it stops", Expect::Stops, try_cntv_ctl,
     nullptr, probe_cntv_ctl_insn},
    {"CNTV_CVAL write likewise", Expect::Stops, try_cntv_cval, nullptr, probe_cntv_cval_insn},
    {"cpsid and msr cpsr_c: still user mode, interrupts unmasked", Expect::Returns, try_cpsr,
     [](u32 r) { return (r & 0x1df) == 0x10; }, nullptr},
    {"WFI and WFE: return", Expect::Returns, try_wfi, [](u32 r) { return is(1, r); }, nullptr},
    {"TPIDRURW: its own; the root's value is unchanged", Expect::Returns, try_tpidrurw,
     [](u32 r) { return r == kCaplessTls && tpidrurw_read() == kRootTls; }, nullptr},
    {"FPU registers: its own; the root's d0 is unchanged", Expect::Returns, try_fpu,
     [](u32 r) {
         u32 v[3];
         fpu_read(v);
         return r == 0xbad0'bad0 && v[0] == kRootFpuLow && v[1] == kRootFpuHigh;
     },
     nullptr},
    {"CNTVCT: it may read the time", Expect::Returns, try_cntvct, [](u32 r) { return is(1, r); }, nullptr},
};
constexpr u32 kRowCount = sizeof(kRows) / sizeof(kRows[0]);

// The capless thread starts here with r0 = its row.
extern "C" [[noreturn]] void capless_entry(u32 row) {
    g_result = kRows[row].run();
    g_returned = row;
    nocaps_park();
}

// The witness: starts the capless thread (spinning), yields to it kSpinTurns times, stops it and itself.
extern "C" [[noreturn]] void witness_entry(u32) {
    tcb_resume(g_capless);
    for (u32 i = 0; i < kSpinTurns; ++i) {
        yield();
        g_witness_turns = g_witness_turns + 1;
    }
    tcb_suspend(g_capless);
    tcb_suspend(g_witness);
    for (;;) {}
}

// ---------------------------------------------------------------- the root
u32 alloc_slot() {
    if (g_next_slot >= g_bi->empty.end) g_checks.fatal("out of CNode slots");
    return g_next_slot++;
}

u32 make(abi::ObjectType type, u32 size_bits = 0) {
    const u32 slot = alloc_slot();
    if (!g_checks.expect_ok(untyped_retype(g_ipc, g_untyped, type, size_bits, abi::kCapInitCNode, 0, 0, slot, 1),
                            "Untyped.Retype"))
        g_checks.fatal("Untyped.Retype");
    return slot;
}

// A thread of the root's address space: IPC buffer slice `k` of the root's frame, at kPriority.
u32 make_thread(const char *name, u32 k, u32 cspace, u32 cspace_data) {
    const u32 tcb = make(abi::ObjectType::Tcb);
    g_checks.expect_ok(tcb_configure(g_ipc, tcb, 0, cspace, cspace_data, abi::kCapInitVSpace, 0,
                                     g_bi->ipc_buffer + 512 * k, abi::kCapInitIpcBuffer),
                       "TCB.Configure");
    g_checks.expect_ok(tcb_set_priority(g_ipc, tcb, abi::kCapInitTcb, kPriority), "TCB.SetPriority");
    debug_name_thread(g_ipc, tcb, name);
    return tcb;
}

// Sets `tcb` going at `pc` with r0 = `arg`; the root runs again once it has stopped (it is above the root).
void start(u32 tcb, u32 pc, u8 *stack, u32 arg, bool resume) {
    UserRegisters r{};
    r.pc = pc;
    r.sp = reinterpret_cast<u32>(stack + kStackSize);
    r.cpsr = kCpsrUserArm;
    r.r[0] = arg;
    g_checks.expect_ok(tcb_write_registers(g_ipc, tcb, resume, 5, r), "TCB.WriteRegisters");
}

u32 pc_of(u32 tcb) {
    UserRegisters r{};
    g_checks.expect_ok(tcb_read_registers(g_ipc, tcb, false, 1, r), "TCB.ReadRegisters");
    return r.pc;
}

// The root's own state the capless thread must not change; a line for each part that did.
bool root_state_intact(u32 row) {
    u32 v[3];
    fpu_read(v);
    const u32 tls = tpidrurw_read();
    if (tls != kRootTls) printf("nocaps:   row %u: the root's TPIDRURW is %08x, not %08x\n", row, tls, kRootTls);
    if (v[0] != kRootFpuLow || v[1] != kRootFpuHigh)
        printf("nocaps:   row %u: the root's d0 is %08x%08x, not %08x%08x\n", row, v[1], v[0], kRootFpuHigh,
               kRootFpuLow);
    return tls == kRootTls && v[0] == kRootFpuLow && v[1] == kRootFpuHigh;
}

void run_row(u32 i) {
    const Row &row = kRows[i];
    g_returned = ~0u;
    g_result = 0;
    start(g_capless, reinterpret_cast<u32>(capless_entry), g_capless_stack, i, true);
    const u32 pc = pc_of(g_capless);
    bool ok;
    if (row.expect == Expect::Returns) {
        ok = g_returned == i && pc == reinterpret_cast<u32>(nocaps_park_insn) && row.judge(g_result);
        if (!ok)
            printf("nocaps:   row %u: returned %d, result %08x, stopped at %08x\n", i, g_returned == i, g_result, pc);
    } else {
        // A fault of a system call may leave the pc at the svc or just past it.
        const u32 at = reinterpret_cast<u32>(row.stops_at);
        ok = g_returned == ~0u && (pc == at || (row.stops_at == nocaps_svc_insn && pc == at + 4));
        if (!ok) printf("nocaps:   row %u: returned %d, stopped at %08x, expected %08x\n", i, g_returned == i, pc, at);
    }
    if (!root_state_intact(i)) {
        tpidrurw_write(kRootTls);  // so that the next rows are judged on their own
        fpu_write(kRootFpuLow, kRootFpuHigh);
        ok = false;
    }
    g_checks.check(ok, row.what);
}

void spin_row() {
    g_spins = 0;
    g_witness_turns = 0;
    start(g_capless, reinterpret_cast<u32>(probe_spin), g_capless_stack, reinterpret_cast<u32>(&g_spins), false);
    start(g_witness, reinterpret_cast<u32>(witness_entry), g_witness_stack, 0, true);
    // Here both have stopped: the witness got the processor back kSpinTurns times.
    printf("nocaps: spinning with interrupts 'masked': %u turns of the witness, the spinner counted %u\n",
           g_witness_turns, g_spins);
    g_checks.check(g_witness_turns == kSpinTurns && g_spins > 0,
                   "a spin with cpsid if: a thread of its priority still runs each time slice");
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    g_ipc = root_ipc_buffer(bi);
    g_next_slot = bi->empty.start;
    g_untyped = smallest_ram_untyped(bi, 16);
    if (!g_untyped) g_checks.fatal("an Untyped of 64 KiB");
    printf("nocaps: a thread with an empty CSpace and no fault handler tries %u things\n", kRowCount + 1);

    // The capless thread's CSpace: 4 slots, all empty; a 30-bit guard, so any cap pointer reaches a slot.
    const u32 cnode = make(abi::ObjectType::CNode, 2);
    g_capless = make_thread("capless", 1, cnode, abi::cnode_cap_data(0, 30));
    g_witness = make_thread("witness", 2, abi::kCapInitCNode, abi::cnode_cap_data(0, 32 - bi->root_cnode_radix));
    g_checks.expect_ok(tcb_set_priority(g_ipc, abi::kCapInitTcb, abi::kCapInitTcb, kRootPriority),
                       "TCB.SetPriority (root)");

    tpidrurw_write(kRootTls);
    fpu_write(kRootFpuLow, kRootFpuHigh);
    for (u32 i = 0; i < kRowCount; ++i) run_row(i);
    spin_row();
    return g_checks.done();
}
