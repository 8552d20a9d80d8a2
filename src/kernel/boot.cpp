// SPDX-License-Identifier: BSD-2-Clause
// kernel_main: from the first C++ code at virtual addresses to the root task in user mode.
//
// Order matters: the devices are mapped and the console set up first, so a
// fault while reading the device tree is reported, not a silent hang; then the
// device tree is mapped (wherever the loader put it) and read, the kernel
// window mapped for the RAM it reports, and the tree's mapping dropped. The
// root task's objects, CSpace and BootInfo come next, with the memory its
// image needs set aside before the rest of RAM becomes Untyped; then
// interrupts and the scheduler (with the idle thread).
//
// What runs then depends on the build:
//   normal (petrel)          the root task: its image is loaded and mapped, it
//                            is made Running and the kernel leaves for user mode.
//   PETREL_TEST              the target test cases (ktest) with interrupts on,
//                            then halt with their result (semihosting exit).
//   PETREL_TEST_ROOT too     the root task, as normal; DebugHalt and panics end
//                            QEMU with their status (halt() in a test build).
#include "arch.hpp"
#include "board.hpp"
#include "console.hpp"
#include "interrupt.hpp"
#include "panic.hpp"
#include "platform.hpp"
#include "ram_choice.hpp"
#include "root_task.hpp"
#include "scheduler.hpp"
#include "smp.hpp"

#if defined(PETREL_TEST) && !defined(PETREL_TEST_ROOT)
#include "ktest.hpp"
#endif

namespace petrel {
namespace {

void print_banner(const RamChoice &ram, u32 mapped, paddr_t dtb) {
    arch::CpuInfo cpu = arch::cpu_info();
    arch::ImageInfo img = arch::image_info();
    kprintf("\nPetrel microkernel on %s (%s)\n", board::kName, board::kDescription);
    kprintf("CPU: %s %s r%up%u (MIDR %08x), entered in %s mode, running in SVC\n", cpu.implementer, cpu.part,
            cpu.variant, cpu.revision, cpu.midr, cpu.entry_mode);
    char line[160];
    describe_ram(ram, dtb, line, sizeof line);
    kprintf("%s\n", line);
    if (mapped < ram.size) kprintf("RAM: only the first %u MiB fit the kernel window\n", mapped >> 20);
    kprintf("Kernel: %08x-%08x, %u KiB image, %u KiB text, %u KiB stack\n", img.phys_start, img.phys_end - 1,
            (img.phys_end - img.phys_start) >> 10, img.text_size >> 10, img.stack_size >> 10);
}

RootTask g_root;

// The idle threads, one per core: each runs (in the kernel, arch::resume)
// when no thread of its core is runnable. Only their scheduling fields are
// used; they have no user context.
struct alignas(1u << abi::kTcbBits) IdleThread {
    Tcb tcb;
};
IdleThread g_idle[kCores];

// The root task's objects, CSpace and BootInfo, from all RAM after the kernel
// image (the device tree and the loader's leftovers become Untyped too: nothing
// reads them after this point). It is started when threads run in user mode.
void build_root_task(u32 ram_mapped) {
    arch::ImageInfo img = arch::image_info();
    MemRegion ram{(img.phys_end + 0xfffu) & ~0xfffu, 0};
    ram.size = board::kRamBase + ram_mapped - ram.base;
    MemRegion devices[sizeof(board::kUserDevices) / sizeof(board::kUserDevices[0])];
    u32 ndev = 0;
    for (const auto &d : board::kUserDevices) devices[ndev++] = {d.base, d.size};
    arch::RootImageNeeds needs = arch::root_image_needs();
    RootTaskConfig cfg{&ram, 1, devices, ndev, kRootCNodeRadix, kRootIpcBuffer, img.phys_start, img.phys_end,
                       needs.user_memory_bytes, needs.page_table_bytes};
    const char *why = nullptr;
    if (!create_root_task(cfg, g_root, &why)) panic("root task: %s", why);
    const abi::BootInfo *bi = g_root.boot_info;
    u64 ram_bytes = 0, dev_bytes = 0;
    for (u32 i = 0; i < bi->untyped_count; ++i)
        (bi->untyped_list[i].is_device ? dev_bytes : ram_bytes) += u64{1} << bi->untyped_list[i].size_bits;
    kprintf("Root task: CNode of %u slots, %u Untyped (%llu KiB RAM, %llu KiB device), slots %u-%u free\n",
            1u << kRootCNodeRadix, bi->untyped_count, ram_bytes >> 10, dev_bytes >> 10, bi->empty.start,
            bi->empty.end - 1);
}

// Loads the root task's image, makes it the one runnable thread and leaves the
// kernel for it.
[[noreturn, maybe_unused]] void start_root_task() {  // unused by ktest builds
    arch::load_root_image(g_root);
    Tcb *root = g_root.tcb;
    kprintf("Root task: %u KiB image and stack, entry %08x, stack %08x, BootInfo at %08x\n",
            g_root.user_memory_bytes >> 10, arch::user_pc(root->context),
            arch::user_sp(root->context), arch::gp_register(root->context, arch::kRegCap));
    sched_set_state(root, ThreadState::Running);
    sched_enqueue(root);
    arch::stack_paint();  // from here on every kernel entry starts at the top of the stack
    arch::resume(schedule());
}

#if PETREL_CORES > 1
}  // namespace
extern "C" char _start_secondary[];  // entry.S (.boot: the symbol is its physical address)
namespace {

// The secondary cores. Each is started at _start_secondary (entry.S: at its
// physical address, in .boot), which turns its MMU on with the boot tables and
// calls kernel_secondary_main() on its own kernel stack. Core 0 starts them
// one at a time while the boot identity map still exists (map_boot_dt() drops
// it) and waits until each has counted itself in g_cores_up.
volatile u32 g_cores_up = 1;

void start_secondaries() {
    for (u32 core = 1; core < kCores; ++core) {
        if (!platform::start_core(core, reinterpret_cast<paddr_t>(_start_secondary)))
            panic("core %u: the board has no way to start it", core);
        for (u32 spins = 0; g_cores_up <= core; ++spins)
            if (spins > 200'000'000u) panic("core %u: started, but never reached the kernel", core);
    }
}
#endif

}  // namespace

const RootTask &root_task() { return g_root; }

extern "C" [[noreturn]] void kernel_main(paddr_t dtb) {
    kernel_enter(EntryKind::Other);  // (several cores: core 0 holds the lock until the first thread runs)
    arch::ImageInfo img = arch::image_info();
    arch::map_devices();
    platform::console_init();
#if PETREL_CORES > 1
    start_secondaries();
#endif
    arch::BootDt dt = arch::map_boot_dt(dtb);
    RamChoice ram = choose_ram(dt.blob, dt.readable, board::kRamBase, board::kRamDefaultSize, img.phys_end);
    u32 mapped = arch::map_kernel_window(ram.size);
    arch::drop_boot_identity();
    print_banner(ram, mapped, dtb);
    build_root_task(mapped);

    interrupts_init();
    arch::fpu_init();
    arch::pmu_init();  // the cycle counter, readable from user mode (benchmarks, the demo's figures)
    sched_init(&g_idle[0].tcb);

#if defined(PETREL_TEST) && !defined(PETREL_TEST_ROOT)
    arch::interrupts_on();
    halt(ktest::run_all());
#else
    start_root_task();
#endif
}

#if PETREL_CORES > 1
// A secondary core, on its own kernel stack at its kernel virtual addresses
// (entry.S set VBAR, its mode stacks and TPIDRPRW = core).
//
// It counts itself in and waits for the kernel lock, which core 0 holds until
// the root task first runs; then it sets up its own interrupts, timer, FPU,
// cycle counter and idle thread, and runs that idle thread until its first
// thread comes (a thread's affinity: TCB.SetAffinity).
extern "C" [[noreturn]] void kernel_secondary_main(u32 core) {
    kprintf("Core %u: up\n", core);
    __atomic_store_n(&g_cores_up, g_cores_up + 1, __ATOMIC_RELEASE);
    kernel_enter(EntryKind::Other);
    interrupts_init_core();
    arch::fpu_init();
    arch::pmu_init();
    sched_init(&g_idle[core].tcb);
    arch::resume(schedule());
}
#endif

}  // namespace petrel
