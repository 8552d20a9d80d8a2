// SPDX-License-Identifier: BSD-2-Clause
// The kernel's global state, in one place (seL4's ks* variables).
#pragma once

#include "petrel/types.hpp"
#include "smp.hpp"

namespace petrel {

struct Tcb;

enum class SchedulerAction : u32 { ResumeCurrent = 0, ChooseNew, SwitchTo };

// irq_handler.hpp: a line is Inactive (no IrqHandler cap) or Signal (handed out).
enum class IrqState : u8 { Inactive = 0, Signal = 1 };
constexpr u32 kMaxIrqLines = 512;  // the kernel's table; board::kIrqLines <= this

// One core's scheduling state (seL4's per-node NODE_STATE variables). With one
// core there is one, at a fixed address; with more, each core has its own and
// reaches it through here(). Other cores read and write it too, under the
// kernel lock (smp.cpp): a wake-up enqueues into the woken thread's core.
struct CoreState {
    u32 index;               // which core (its place in ks_cores), set by sched_init
    Tcb *current;            // the thread the kernel runs for on this core (tcb.cpp)
    u32 preemption_points;   // preemption points passed, for figures and tests
    u32 preemptions;         // of which found an interrupt pending
    bool slowpath_only;      // the IPC fastpath off (tests compare both ways)
    u32 fastpath_hits;       // system calls the fastpath completed, for figures and tests

    // scheduler.cpp
    Tcb *idle;
    SchedulerAction action;
    Tcb *switch_to;                 // for SchedulerAction::SwitchTo
    u32 ready_top;                  // bit i: ready_bits[i] != 0
    u32 ready_bits[8];              // bit p % 32 of word p / 32: priority p has threads
    paddr_t ready_head[256], ready_tail[256];

    // timer_access.cpp: the Tcb::timer_access value switching to a thread
    // changes nothing for (that grant while user mode has the access on this
    // core, CNTKCTL.PL0VTEN set; 0 while not).
    u32 timer_access_cpu;
#if PETREL_CORES > 1
    // smp.cpp: a request of the lock holder, answered while this core waits
    // for the lock: let go of stall_thread (its registers, its FPU state; if
    // not null) and stop running with hardware ASID stall_hw_asid (if not 0).
    // request_pending is set last by the holder and cleared here when done.
    // entry_abandoned: this core's kernel entry lost its thread that way.
    Tcb *stall_thread;
    u32 stall_hw_asid;
    u32 request_pending;
    bool entry_abandoned;
#endif
};

struct KernelState {
    paddr_t mdb_head;        // first slot of the derivation list (slot.cpp)

    // The virtual-memory layer (arch/arm/vspace.cpp): the ASID pools by ASID >> 10.
    paddr_t asid_table[64];

    // irq_handler.cpp: each line's state, and the kernel memory holding one
    // Slot per line for the notification cap of its driver.
    IrqState irq_state[kMaxIrqLines];
    paddr_t irq_node;

    // The virtual-memory layer again: the software ASID holding each 8-bit
    // hardware ASID (0: free; hardware ASID 0 is reserved for switching and the
    // empty table), and the next one to lend.
    u16 hw_asid_owner[256];
    u32 next_hw_asid;

    // timer_access.cpp: grants of the virtual timer. A thread's
    // Tcb::timer_access is valid when it equals timer_grant + 1 (timer_grant
    // moves when the timer line's last IrqHandler cap goes, voiding every
    // grant made before).
    u32 timer_grant;
};

extern KernelState ks;
// Every core's scheduling state. (An array of its own, not a member of ks: the
// compiler then folds a field's offset into an index, as it did when these
// were members of ks, so the one-core kernel's code and figures are those of
// the kernel before there were several cores.)
extern CoreState ks_cores[kCores];

// This core's scheduling state.
inline CoreState &here() {
#if PETREL_CORES > 1
    return ks_cores[core_id()];
#else
    return ks_cores[0];
#endif
}

}  // namespace petrel
