// SPDX-License-Identifier: BSD-2-Clause
// The hosted kernel (see machine.hpp), and the host's side of the arch and
// platform interfaces the generic kernel calls.
#include "machine.hpp"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "console.hpp"
#include "ipc.hpp"
#include "panic.hpp"
#include "platform.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "arch.hpp"
#include "board.hpp"
#include "vspace.hpp"

namespace petrel {

namespace host {
u8 *g_ram;
paddr_t g_ram_phys;
u64 g_ram_size;

namespace {
std::string g_console;
bool g_echo = std::getenv("PETREL_HOST_CONSOLE") != nullptr;
u32 g_irq_every;      // 0: no simulated interrupts
u32 g_irq_countdown;
bool g_irq_repeat;
bool g_irq_pending;
bool g_machine_live;
}  // namespace
u32 g_irq_line = ~0u;  // the line irq_claim() returns next
Flushes g_flushes;
IrqController g_irq;
u32 g_core;  // the core the test enters the kernel as (smp.hpp core_id())
UserTimer g_user_timers[kCores];
Ipis g_ipi;
u32 g_running_hw_asid[kCores];
u32 g_running_asid[kCores];

void bad_physical(u64 address, const char *what) {
    char buf[120];
    std::snprintf(buf, sizeof(buf), "%s: 0x%llx", what, static_cast<unsigned long long>(address));
    throw KernelPanic(buf);
}

Machine::Machine(const MachineConfig &cfg) : config(cfg) {
    if (g_machine_live) throw std::logic_error("one host::Machine at a time");
    void *mem = mmap(nullptr, cfg.ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::runtime_error("cannot map simulated RAM");
    g_ram = static_cast<u8 *>(mem);
    g_ram_phys = cfg.ram_phys;
    g_ram_size = cfg.ram_size;
    // Boot leaves garbage in RAM on real hardware; so does this, so nothing
    // relies on memory it did not clear.
    std::memset(g_ram, 0xa5, cfg.ram_size);
    g_machine_live = true;
    ks = {};
    for (CoreState &c : ks_cores) {
        c = {};
        c.slowpath_only = std::getenv("PETREL_SLOWPATH") != nullptr;  // the IPC tests run both ways
    }
    g_flushes = {};
    g_irq = {};
    g_irq.masked.set();
    for (UserTimer &u : g_user_timers) u = {};
    g_ipi = {};
    for (u32 &hw : g_running_hw_asid) hw = 0;
    for (u32 &asid : g_running_asid) asid = 0;
    g_core = 0;
    g_console.clear();
    irq_after(0);

    MemRegion ram{cfg.ram_phys + cfg.kernel_reserved, cfg.ram_size - cfg.kernel_reserved};
    RootTaskConfig rc{&ram, 1, cfg.devices.data(), static_cast<u32>(cfg.devices.size()),
                      cfg.root_cnode_radix, 0x1000'0000, cfg.ram_phys, cfg.ram_phys + cfg.kernel_reserved};
    const char *why = nullptr;
    if (!create_root_task(rc, root, &why)) {
        munmap(g_ram, g_ram_size);  // a constructor that throws gets no destructor call
        g_ram = nullptr;
        g_ram_size = 0;
        g_machine_live = false;
        throw std::runtime_error(why);
    }
    // The idle threads live in the reserved "kernel image" area, as on ARM,
    // one per core (boot.cpp: core 0's here, each other core's when it comes
    // up, kernel_secondary_main, as that core).
    static_assert(kCores * (1u << abi::kTcbBits) <= 0x1000, "the idle threads fit the first page");
    for (u32 core = 0; core < kCores; ++core) {
        auto *idle_tcb = reinterpret_cast<Tcb *>(g_ram + core * (1u << abi::kTcbBits));
        std::memset(static_cast<void *>(idle_tcb), 0, sizeof(Tcb));
        std::strcpy(idle_tcb->name, "idle");
        if (core > 0) idle_tcb->name[4] = static_cast<char>('0' + core);  // idle1, idle2, ...
        g_core = core;
        if (core == 0) {
            set_current_thread(root.tcb);
            root.tcb->state = ThreadState::Running;
        }
        sched_init(idle_tcb);
    }
    g_core = 0;
}

Tcb *Machine::enter(Tcb *t, u32 number) {
    if (t != here().current) throw std::logic_error(std::string("enter: thread '") + t->name + "' is not running");
    t->context.r[arch::kRegSyscall] = number;
    t->context.pc += 4;  // as the CPU leaves it: after the svc
    return leave(entry_syscall(number));
}

Tcb *Machine::tick() {
    g_irq_line = board::kTimerIrqs[1];
    return leave(entry_interrupt());
}

Tcb *Machine::interrupt(u32 line) {
    if (g_irq.masked.test(line)) throw std::logic_error("interrupt on a masked line " + std::to_string(line));
    g_irq_line = line;
    return leave(entry_interrupt());
}

Tcb *Machine::fault(const Fault &f) { return leave(entry_fault(f)); }
Tcb *Machine::running() const { return here().current; }
Tcb *Machine::idle() const { return idle_thread(); }

namespace {
u32 checked_core(u32 core) {
    if (core >= kCores)
        throw std::out_of_range("core " + std::to_string(core) + " of " + std::to_string(kCores));
    return core;
}
}  // namespace

Tcb *Machine::running(u32 core) const { return ks_cores[checked_core(core)].current; }
Tcb *Machine::idle(u32 core) const { return ks_cores[checked_core(core)].idle; }
void Machine::on_core(u32 core) { g_core = checked_core(core); }
u32 Machine::core() const { return g_core; }
bool Machine::ipi_pending(u32 core) const { return g_ipi.pending[checked_core(core)]; }

Tcb *Machine::take_ipi(u32 core) {
    if (!g_ipi.pending[checked_core(core)])
        throw std::logic_error("take_ipi: no IPI pending at core " + std::to_string(core));
    OnCore as(core);
    g_ipi.pending[core] = false;
    g_irq_line = board::kIpiIrq;
    return leave(entry_interrupt());
}

u32 Machine::take_ipis() {
    u32 taken = 0;
    for (bool again = true; again;) {
        again = false;
        for (u32 core = 0; core < kCores; ++core) {
            if (!g_ipi.pending[core]) continue;
            take_ipi(core);
            again = true;
            if (++taken > 1000) throw KernelPanic("IPIs keep coming: 1000 taken");
        }
    }
    return taken;
}

Tcb *Machine::leave(Tcb *next) {
    // (The architecture resumes what the entry returned: the core's current thread.)
    if (next != here().current)
        throw KernelPanic(std::string("an entry returned '") + next->name + "' while core " +
                          std::to_string(core_id()) + " runs '" + here().current->name + "'");
    return activate();
}

Tcb *Machine::activate() {
    Tcb *t = here().current;
    const Cap &vtable = t->slots[kTcbVTable].cap;
    u32 hw = 0;
    paddr_t pd;
    if (t == here().idle || !vspace_of(vtable, pd, hw)) hw = 0;
    g_running_hw_asid[core_id()] = hw;
    g_running_asid[core_id()] = hw ? vtable.pd_asid() : 0;
    return t;
}

OnCore::OnCore(u32 core) : was_(g_core) { g_core = checked_core(core); }
OnCore::~OnCore() { g_core = was_; }

Machine::~Machine() {
    if (!g_machine_live) return;
    munmap(g_ram, g_ram_size);
    g_ram = nullptr;
    g_ram_size = 0;
    g_machine_live = false;
}

void Machine::irq_after(u32 n, bool repeat) {
    g_irq_every = n;
    g_irq_countdown = n;
    g_irq_repeat = repeat;
    g_irq_pending = false;
}

std::string Machine::take_console() {
    std::string s;
    s.swap(g_console);
    return s;
}

Status Machine::syscall(Tcb *t, u32 number) {
    if (t->affinity != core_id())  // (it would run on another core's behalf)
        throw std::logic_error(std::string("syscall: thread '") + t->name + "' is core " +
                               std::to_string(t->affinity) + "'s, not core " + std::to_string(core_id()) + "'s");
    set_current_thread(t);
    t->context.r[arch::kRegSyscall] = number;
    return handle_syscall(number);
}

Reply Machine::call(Tcb *t, u32 cptr, u32 label, std::initializer_list<u32> mrs,
                    std::initializer_list<u32> extra_caps) {
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    auto &r = t->context.r;
    u32 i = 0;
    for (u32 v : mrs) {
        if (i < abi::kMsgRegisters) r[arch::kRegMr0 + i] = v;
        else if (buf) buf->msg[i] = v;
        ++i;
    }
    u32 e = 0;
    for (u32 c : extra_caps) {
        if (buf) buf->caps_or_badges[e] = c;
        ++e;
    }
    Reply reply{};
    for (;;) {
        r[arch::kRegCap] = cptr;
        r[arch::kRegInfo] = abi::MessageInfo{label, 0, e, i}.word();
        Status res = syscall(t, static_cast<u32>(abi::Syscall::Call));
        if (res == Status::Preempted) {
            g_irq_pending = false;  // the CPU takes the interrupt, then re-executes svc
            ++reply.restarts;
            if (reply.restarts > 10'000'000) throw KernelPanic("call restarted without end");
            continue;
        }
        if (res != Status::Ok) throw std::logic_error("Call was not handled");
        break;
    }
    u32 restarts = reply.restarts;
    reply = reply_of(t);
    reply.restarts = restarts;
    return reply;
}

Reply Machine::reply_of(Tcb *t) {
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    const auto &r = t->context.r;
    Reply reply{};
    auto info = abi::MessageInfo::from_word(r[arch::kRegInfo]);
    reply.error = static_cast<abi::Error>(info.label);
    reply.length = info.length;
    for (u32 k = 0; k < info.length && k < abi::kMsgMaxLength; ++k) reply.mr[k] = get_mr(t, buf, k);
    return reply;
}

}  // namespace host

// ---- the platform and arch interfaces, as the hosted kernel needs them
namespace platform {
void console_putc(char c) {
    if (c == '\r') return;  // the console's line ending; tests compare plain '\n' text
    host::g_console.push_back(c);
    if (host::g_echo) std::fputc(c, stderr);
}
// The simulated interrupt controller: one pending line at a time (see Machine::tick).
void irq_init() { host::g_irq.masked.set(); }
void irq_unmask(u32 line) { host::g_irq.masked.reset(line); }
void irq_mask(u32 line) { host::g_irq.masked.set(line); }
bool irq_maskable(u32 line) { return line >= 16 && line < board::kIrqLines; }
bool irq_trigger_settable(u32 line) { return line >= 32 && line < board::kIrqLines; }
void irq_set_trigger(u32 line, bool edge) { host::g_irq.edge[line] = edge; }
u32 irq_claim() {
    u32 line = host::g_irq_line;
    host::g_irq_line = kNoIrq;
    return line;
}
void irq_complete(u32) {}
// Several cores: the hosted ones are never started (Machine boots them all),
// have no controller interface of their own, and keep IPIs pending until a
// test takes them (Machine::take_ipi).
bool start_core(u32, paddr_t) { return false; }
void irq_init_core() {}
void ipi_send(u32 core) {
    if (core >= kCores || core == core_id())
        throw host::KernelPanic("ipi_send(" + std::to_string(core) + ") from core " + std::to_string(core_id()));
    host::g_ipi.pending[core] = true;
    ++host::g_ipi.sent;
}
u32 timer_default_hz() { return 1'000'000; }
bool irq_pending() {
    using namespace host;
    if (g_irq_pending) return true;
    if (g_irq_every == 0) return false;
    if (--g_irq_countdown == 0) {
        g_irq_pending = true;
        if (g_irq_repeat) g_irq_countdown = g_irq_every; else g_irq_every = 0;
    }
    return g_irq_pending;
}
}  // namespace platform

namespace arch {
void forget_thread(Tcb *) {}  // the simulated CPU has no FPU state to switch
void fpu_release(Tcb *) {}
const Tcb *fpu_owner(u32) { return nullptr; }
u32 running_hw_asid(u32 core) { return host::g_running_hw_asid[core]; }
void drop_hw_asid(u32 hw) {
    if (host::g_running_hw_asid[core_id()] != hw) return;
    host::g_running_hw_asid[core_id()] = 0;
    host::g_running_asid[core_id()] = 0;
}
void forget_address_spaces() {}  // the simulated CPU keeps no activation
void stack_paint() {}
u32 stack_deepest_use() { return 0; }  // the host's kernel runs on the test's own stack
ImageInfo image_info() { return ImageInfo{}; }
// The simulated CPU has no TLB or caches: maintenance is counted for the tests.
void tlb_flush_page(u32 vaddr, u32 hw_asid) {
    ++host::g_flushes.pages;
    host::g_flushes.last_vaddr = vaddr;
    host::g_flushes.last_hw_asid = hw_asid;
}
void tlb_flush_asid(u32 hw_asid) {
    ++host::g_flushes.asids;
    host::g_flushes.last_hw_asid = hw_asid;
}
void clean_tables(paddr_t p, u32 bytes) { (void)arch::phys_to_kernel(p + bytes - 1); }  // must be RAM
void cache_maintain(CacheOp, paddr_t p, u32 bytes) {
    (void)arch::phys_to_kernel(p + bytes - 1);
    ++host::g_flushes.cache_ops;
}
u32 timer_start(u32, u32 default_hz) { return default_hz; }
void timer_rearm() {}
void set_user_timer_access(bool on) {
    host::g_user_timers[core_id()].access = on;
    ++host::g_user_timers[core_id()].writes;
}
}  // namespace arch

void panic_at(const char *file, int line, const char *fmt, ...) {
    char msg[400];
    int n = std::snprintf(msg, sizeof(msg), "PETREL PANIC at %s:%d: ", file, line);
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(msg + n, sizeof(msg) - static_cast<usize>(n), fmt, args);
    va_end(args);
    throw host::KernelPanic(msg);
}

void halt(int status) {
    throw host::KernelPanic("halt(" + std::to_string(status) + ")");
}

}  // namespace petrel
