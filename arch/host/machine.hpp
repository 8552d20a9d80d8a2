// SPDX-License-Identifier: BSD-2-Clause
// The hosted kernel: the generic kernel in src/ running inside a test process.
//
// A Machine owns simulated physical memory, boots the root task into it with the
// same create_root_task() the ARM kernel uses, and lets a test make system calls
// as any thread: it loads the thread's simulated registers, enters the kernel's
// handle_syscall(), and, when the kernel asks for a restart because an interrupt
// was pending at a preemption point, "takes the interrupt" and enters again, as
// the CPU would on re-executing the svc instruction. Interrupts are simulated by
// irq_after(n): the n-th preemption point from now finds one pending.
// Kernel panics throw host::KernelPanic; the kernel console is captured.
// One Machine exists at a time (the kernel's state is global, as on a CPU).
//
// Several cores. The hosted kernel is built for four (PETREL_CORES=4,
// test/host/meson.build); every core boots with its own idle thread, and
// core 0 runs the root task. The cores take turns, as the kernel lock makes
// them: host::g_core is the core whose entry is simulated (core_id()), and
// every entry (enter, tick, interrupt, fault, syscall, call) is made as that
// core; on_core() or a host::OnCore guard changes it. A request one core makes
// of another (smp_stall, src/kernel/smp.cpp) is answered at once, as if the
// other core had been waiting for the lock; the inter-processor interrupts the
// kernel sends (platform::ipi_send) stay pending until a test delivers them
// with take_ipi() or take_ipis(): that core enters its kernel through the
// interrupt path (line board::kIpiIrq) and chooses again. (A preemption
// point does not see a pending IPI: only irq_after() makes one find an
// interrupt. Nor is an entry that waits for the lock modelled: a core another
// one makes let go of its thread is always in user mode or idle.) Threads
// start with affinity 0 (core 0), so a test that never changes core or
// affinity runs the kernel as a uniprocessor one.
#pragma once

#include <bitset>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "petrel/abi.hpp"
#include "root_task.hpp"
#include "entry.hpp"
#include "syscall.hpp"

namespace petrel::host {

// TLB and cache maintenance the kernel asked for (the simulated CPU has
// neither): counts, and the arguments of the last TLB flush.
struct Flushes {
    u32 pages;         // tlb_flush_page calls
    u32 asids;         // tlb_flush_asid calls
    u32 cache_ops;     // cache_maintain calls
    u32 last_vaddr;
    u32 last_hw_asid;
};
extern Flushes g_flushes;

// The simulated interrupt controller's state: which lines are masked (all
// after irq_init) and which were made edge-triggered.
struct IrqController {
    std::bitset<512> masked;
    std::bitset<512> edge;
};
extern IrqController g_irq;

// The simulated CNTKCTL.PL0VTEN of each core: whether user mode may program
// the virtual timer now (arch::set_user_timer_access), and how often the
// kernel wrote it. g_user_timer is core 0's.
struct UserTimer {
    bool access;
    u32 writes;
};
extern UserTimer g_user_timers[kCores];
inline UserTimer &g_user_timer = g_user_timers[0];

// The inter-processor interrupts the kernel sent (platform::ipi_send): whether
// one is pending at each core, and how many were sent in all.
struct Ipis {
    bool pending[kCores];
    u32 sent;
};
extern Ipis g_ipi;

// The hardware ASID each core's user mode runs with (arch::running_hw_asid),
// and the ASID it was lent to then: set by the exit of every simulated entry
// (Machine::activate), 0 for the idle thread or a thread without a valid
// address space. (A core must never run with a hardware ASID taken back since:
// kernel/smp.hpp, smp_stall_hw_asid_users.)
extern u32 g_running_hw_asid[kCores];
extern u32 g_running_asid[kCores];

struct KernelPanic : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The reply to a Call, as the calling thread sees it.
struct Reply {
    abi::Error error;     // the reply's label
    u32 length;
    u32 mr[abi::kMsgMaxLength];
    u32 restarts;         // times the call was preempted and re-entered
    bool ok() const { return error == abi::Error::None; }
};

struct MachineConfig {
    u32 ram_size = 64u << 20;
    paddr_t ram_phys = 0x4000'0000;
    u32 kernel_reserved = 1u << 20;   // bottom of RAM kept back, like the kernel image
    u32 root_cnode_radix = 12;
    std::vector<MemRegion> devices = {{0x0900'0000, 0x1000}, {0x0800'0000, 0x2'0000}};
};

class Machine {
  public:
    explicit Machine(const MachineConfig &cfg = {});
    ~Machine();
    Machine(const Machine &) = delete;
    Machine &operator=(const Machine &) = delete;

    RootTask root;
    const MachineConfig config;

    // A Call on `cptr` with `label`, message registers and extra-cap pointers, as `t`.
    Reply call(Tcb *t, u32 cptr, u32 label, std::initializer_list<u32> mrs,
               std::initializer_list<u32> extra_caps = {});
    Reply call(u32 cptr, abi::Label label, std::initializer_list<u32> mrs,
               std::initializer_list<u32> extra_caps = {}) {
        return call(root.tcb, cptr, static_cast<u32>(label), mrs, extra_caps);
    }
    // The reply a thread holds after a Call completed (from its registers and IPC buffer).
    static Reply reply_of(Tcb *t);
    // The CPU's view: `t` (which must be the running thread, here().current) executes
    // `svc` with number `number` and its registers as set; the kernel returns the
    // thread that runs next (entry_syscall). tick() is a timer interrupt; fault()
    // a fault taken by the running thread.
    // Each returns through the exit's address-space switch (activate()).
    Tcb *enter(Tcb *t, u32 number);
    Tcb *tick();
    Tcb *fault(const Fault &f);
    // A device interrupt on `line` (which must be unmasked), taken now.
    Tcb *interrupt(u32 line);
    // The running and the idle thread of the current core, or of core `core`.
    Tcb *running() const;
    Tcb *idle() const;
    Tcb *running(u32 core) const;
    Tcb *idle(u32 core) const;

    // ---- several cores (see the top of this file)
    // Subsequent entries are made as core `core` (below kCores; else std::out_of_range).
    void on_core(u32 core);
    u32 core() const;
    bool ipi_pending(u32 core) const;
    // Core `core` takes its pending IPI (std::logic_error if none is): it
    // enters its kernel through the interrupt path, as that core, and chooses
    // again; the current core is unchanged after. Returns the thread that core runs now.
    Tcb *take_ipi(u32 core);
    // Every pending IPI is taken (in core order, again while taking one left
    // another pending); returns how many were.
    u32 take_ipis();
    // The exit's address-space switch for the current core's running thread
    // (arch::resume): its space gets a hardware ASID (vspace_of), which
    // arch::running_hw_asid() reports for the core. The entries above do it;
    // a test that calls schedule() itself may. Returns that thread.
    Tcb *activate();
    // Any system call by number with the registers as given; returns the
    // kernel's result. White box: `t` becomes the current core's running
    // thread (it must be that core's) and nothing is scheduled on the way out.
    Status syscall(Tcb *t, u32 number);

    // Simulated interrupts for preemption: pending at the n-th preemption point
    // from now (and every n-th after that when `repeat`); 0 = never.
    void irq_after(u32 n, bool repeat = false);

    // Kernel console output since the last take_console().
    std::string take_console();

    // The slot with index i of the root CNode, and a physical address as a host pointer.
    Slot *root_slot(u32 i) const { return root.cnode + i; }
    template <typename T>
    T *at(paddr_t p) const { return kptr<T>(p); }

  private:
    Tcb *leave(Tcb *next);  // an entry's way out: `next` must be the core's current thread; activate()
};

// Entries are made as core `core` while it lives (the previous core after).
class OnCore {
  public:
    explicit OnCore(u32 core);
    ~OnCore();
    OnCore(const OnCore &) = delete;
    OnCore &operator=(const OnCore &) = delete;

  private:
    u32 was_;
};

}  // namespace petrel::host
