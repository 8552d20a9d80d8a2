// SPDX-License-Identifier: BSD-2-Clause
// The system root task: makes every app of a system description from its tables, starts them, handles their faults.
//
// Compiled once per system with -DPETREL_SYSTEM_TABLES="NAME_system.hpp" (the
// tables scripts/petrel-system.py emits) and linked with NAME_images.cpp (the
// apps' ELF files, which `petrel-system.py pack` packs in as kImageFiles).
// Using kernel invocations only (petrel/caps.hpp's typed wrappers), it:
//   1. makes, from the largest RAM Untyped, the system's objects: an
//      endpoint per endpoint channel, a notification per notification channel,
//      the frames of every shared region, the device frames of every device
//      (from the device Untyped), a fault endpoint for every app that handles
//      others' faults, an interrupt notification per app with lines, and its
//      own endpoint (faults of the apps it handles, and kRootAppState queries);
//   2. gives each app an Untyped of its memory budget (rounded up to a power of
//      two): the app's address space, CNode, thread, stack, IPC buffer and the
//      frames of its ELF's segments come from it, so an app that would not fit
//      is refused (NotEnoughMemory) instead of eating the others' memory, and
//      one whose Untyped cannot be made is not started (the others are);
//   3. makes each app a process (petrel/process.hpp) from its ELF: each
//      PT_LOAD segment copied into new frames, mapped with the segment's own
//      permissions (text read-only and executable, data read-write and never
//      executable); at its priority with its stack; puts its thread on its
//      core (TCB.SetAffinity, for a core other than 0, before it first runs);
//      gives it its caps in the order petrel/system.hpp computes,
//      binds its interrupt notification, takes its lines from IRQ Control
//      (with the trigger asked for) and moves their handlers in (an app with
//      the virtual timer's line is also granted the timer's registers:
//      TCB.SetTimerAccess with that line's handler), maps its
//      shared regions (with their rights, cacheable, never executable) and
//      devices (uncached, never executable), and starts it;
//   4. waits on its endpoint forever: a fault of an app it handles prints
//      a report (app, fault kind, address, decoded status, every register)
//      and, if the description says `restart = true`, destroys the app,
//      revokes its Untyped and makes it again from scratch; otherwise the app
//      stays stopped ("faulted"). Queries get the app's state and counts.
// A step that fails prints "root: app 'NAME': <step>: <error>" and leaves that
// app not started; the others still start.
#include PETREL_SYSTEM_TABLES
#include "petrel/caps.hpp"
#include "petrel/elf.hpp"
#include "petrel/devices.hpp"
#include "petrel/errors.hpp"
#include "petrel/system.hpp"

using namespace petrel;
using namespace petrel::system;
using abi::Error;

namespace {

// Every table and slot range is sized from the system's tables: no fixed
// number of apps, pages or slots. What remains a limit (the root CNode's
// slots, an app's CNode, memory) the tool checks (apps/README.md's limits).
constexpr u32 kPageBytes = 1u << abi::kPageBits;

// The pages of all shared regions and devices.
constexpr u32 count_pages() {
    u32 n = 0;
    for (const SharedDesc &sh : kSystem.shared) n += sh.size / kPageBytes;
    for (const DeviceDesc &d : kSystem.devices) n += d.size / kPageBytes;
    return n;
}
constexpr u32 kPages = count_pages();

// The root slots of the system's own objects: an Untyped per app, the copy
// window's PageTable, the root's endpoint, the channels, the fault endpoints,
// the interrupt notifications and the shared and device frames, and with
// devices the 256 slots libpetrel's device_frame may use while it makes one.
constexpr u32 count_pool_slots() {
    u32 n = kAppsCount + 2 + kChannelsCount + kPages + (kDevicesCount ? 256 : 0);
    for (u32 i = 0; i < kAppsCount; ++i) n += (handles_faults(kSystem, i) ? 1 : 0) + (irq_count(kSystem, i) ? 1 : 0);
    return n;
}
constexpr u32 kPoolSlots = count_pool_slots();
constexpr u32 kQueryBadge = 1u << 20;  // root caps for queries: kQueryBadge | (index + 1)
constexpr u32 kCall = abi::kRightWrite | abi::kRightGrantReply;
static_assert(kAppsCount < kQueryBadge, "an app's index + 1 must fit below kQueryBadge");

struct App {
    Allocator alloc;
    Process p;
    u32 untyped = 0, first_slot = 0, slots = 0;
    AppState state = AppState::NotStarted;
    u32 restarts = 0, faults = 0;
};

const abi::BootInfo *g_bi;
abi::IpcBuffer *g_ipc;
Allocator g_pool;
App g_apps[kAppsCount];
Endpoint g_root_ep;
u32 g_channel[kChannelsCount];        // an Endpoint or a Notification, as the channel's kind says
Endpoint g_fault_ep[kAppsCount];      // the endpoint an app serves for others' faults
Notification g_irq_ntfn[kAppsCount];  // bound to an app with lines; its IrqHandlers signal badged copies
u32 g_page[kPages ? kPages : 1];      // shared regions' then devices' frames
u32 g_shared_first[kSharedCount + 1], g_device_first[kDevicesCount + 1];  // first page of each in g_page

[[noreturn]] void fatal(const char *what, Error e) {
    printf("root: %s: %s; the system cannot start\n", what, error_name(e));
    petrel_exit(1);
}

u32 pool_make(abi::ObjectType t, const char *what) {
    const u32 s = g_pool.make(t);
    if (!s) fatal(what, g_pool.error());
    return s;
}

// ---------------------------------------------------------------- making an app
// Each step returns false after printing what failed.
struct Maker {
    u32 index;
    App &a;
    bool ok = true;

    bool check(Error e, const char *step) {
        if (e != Error::None && ok) {
            printf("root: app '%s': %s: %s\n", kApps[index].name, step, error_name(e));
            ok = false;
        }
        return ok;
    }

    void give(u32 src, u32 rights, u32 badge, u32 expect, const char *step) {
        if (!ok) return;
        u32 slot = 0;
        if (check(process_give(a.alloc, a.p, src, rights, badge, slot), step) && slot != expect)
            check(Error::RangeError, "a cap landed in the wrong slot");
    }
};

// Makes app i; starts it too unless `start` is false (the first start-up
// starts every app after the last one's line: on several cores an app
// started early would print in the middle of the root's lines).
bool make_app(u32 i, bool start = true) {
    App &a = g_apps[i];
    const AppDesc &d = kApps[i];
    Maker m{i, a};
    if (!a.untyped) {
        printf("root: app '%s': its Untyped of %u bytes was not made (see above): not started\n", d.name,
               d.memory_budget);
        return false;
    }
    a.alloc.init(g_bi, g_ipc, a.untyped, a.first_slot, a.first_slot + a.slots);

    ProcessSpec spec;
    spec.name = d.name;
    spec.elf_begin = kImageFiles[d.image].begin;
    spec.elf_end = kImageFiles[d.image].end;
    spec.arg[0] = i;
    spec.arg[1] = a.restarts;
    spec.arg[2] = debug_calls_present() ? 1 : 0;  // app_start.cpp: whether libpetrel may print (user.hpp)
    spec.priority = d.priority;
    spec.cnode_radix = app_cnode_radix(kSystem, i);
    spec.stack_pages = d.stack_bytes >> abi::kPageBits;
    spec.fault_ep = (d.fault_handler == kRootTask ? g_root_ep : g_fault_ep[d.fault_handler]).cptr();
    spec.fault_badge = i + 1;
    const Error made = process_create(a.alloc, spec, a.p);
    if (made != Error::None && a.p.why) {
        printf("root: app '%s': its ELF '%s': %s\n", d.name, kImages[d.image].elf, a.p.why);
        m.ok = false;
    }
    if (!m.check(made, "making its process")) return false;
    // Its core before anything else of its thread, and before it first runs: it never starts on
    // core 0 to be moved. The tool checked the core against the build's; a kernel of fewer cores
    // refuses it (RangeError), and the app is not started.
    if (d.core != 0) {
        const Error e = Tcb{a.p.tcb}.set_affinity(d.core);
        if (e != Error::None) {
            printf("root: app '%s': moving it to core %u (TCB.SetAffinity; the kernel has %u core%s): %s\n",
                   d.name, d.core, g_bi->num_nodes, g_bi->num_nodes == 1 ? "" : "s", error_name(e));
            m.ok = false;
        }
    }

    m.give(g_root_ep.cptr(), kCall, kQueryBadge | (i + 1), kAppCapRoot, "its root-task cap");
    for (u32 c = 0; c < kChannelsCount; ++c) {
        const ChannelDesc &ch = kChannels[c];
        const bool ep = ch.kind == ChannelKind::Endpoint;
        if (ch.server == i)
            m.give(g_channel[c], ep ? abi::kRightsAll : abi::kRightRead, 0, channel_slot(kSystem, i, c),
                   "a channel it serves");
        else if (const u32 b = client_badge(kSystem, i, c))
            m.give(g_channel[c], ep ? kCall : abi::kRightWrite, b, channel_slot(kSystem, i, c),
                   "a channel it is a client of");
    }
    if (handles_faults(kSystem, i))
        m.give(g_fault_ep[i].cptr(), abi::kRightRead, 0, fault_server_slot(kSystem, i),
               "the fault endpoint it serves");
    if (irq_count(kSystem, i) && m.ok) {
        m.give(g_irq_ntfn[i].cptr(), abi::kRightRead, 0, irq_ntfn_slot(kSystem, i),
               "its interrupt notification");
        if (m.ok)
            m.check(Tcb{a.p.tcb}.bind_notification(g_ipc, g_irq_ntfn[i]),
                    "binding its interrupt notification");
        for (u32 q = 0; q < kIrqsCount && m.ok; ++q) {
            const IrqDesc &irq = kIrqs[q];
            if (irq.app != i) continue;
            const u32 h = a.alloc.slot(),
                      badged = a.alloc.copy(g_irq_ntfn[i].cptr(), abi::kRightWrite, irq.badge);
            if (!h || !badged) {
                m.check(a.alloc.error(), "slots for an interrupt line");
                break;
            }
            const Error e =
                irq.trigger == Trigger::Default
                    ? kInitIrqControl.get(g_ipc, irq.line, kInitCNode, h, 32)
                    : kInitIrqControl.get_trigger(g_ipc, irq.line, irq.trigger == Trigger::Edge ? 1 : 0,
                                                  kInitCNode, h, 32);
            if (!m.check(e, "IrqControl.Get of its line")) break;
            m.check(IrqHandler{h}.set_notification(g_ipc, Notification{badged}),
                    "IrqHandler.SetNotification");
            // Who owns the virtual timer's interrupt owns the timer: its registers too.
            if (m.ok && irq.line == devices::kVirtualTimerIrq)
                m.check(Tcb{a.p.tcb}.set_timer_access(g_ipc, IrqHandler{h}), "TCB.SetTimerAccess with its line");
            static_cast<void>(kInitCNode.remove(badged, 32));  // the kernel keeps its own copy
            u32 slot = 0;
            if (m.check(process_move(a.alloc, a.p, h, slot), "moving its IrqHandler in") &&
                slot != irq_slot(kSystem, i, q))
                m.check(Error::RangeError, "an IrqHandler landed in the wrong slot");
        }
    }
    constexpr u32 kDataAttr = abi::kVmCacheable | abi::kVmExecuteNever;
    for (u32 s = 0; s < kSharedCount && m.ok; ++s) {
        const SharedDesc &sh = kShared[s];
        for (u32 k = sh.first_map; k < sh.first_map + sh.map_count && m.ok; ++k) {
            const MapDesc &map = kMaps[k];
            if (map.app != i) continue;
            const u32 rights = map.writable ? abi::kRightRead | abi::kRightWrite : u32{abi::kRightRead};
            for (u32 pg = g_shared_first[s]; pg < g_shared_first[s + 1] && m.ok; ++pg)
                m.check(process_map(a.alloc, a.p, g_page[pg],
                                    map.vaddr + ((pg - g_shared_first[s]) << abi::kPageBits), rights, kDataAttr),
                        "mapping a shared region");
        }
    }
    for (u32 v = 0; v < kDevicesCount && m.ok; ++v) {
        if (kDevices[v].app != i) continue;
        for (u32 pg = g_device_first[v]; pg < g_device_first[v] + kDevices[v].size / kPageBytes && m.ok; ++pg)
            m.check(process_map(a.alloc, a.p, g_page[pg],
                                kDevices[v].vaddr + ((pg - g_device_first[v]) << abi::kPageBits),
                                abi::kRightRead | abi::kRightWrite, abi::kVmExecuteNever),
                    "mapping a device");
    }
    if (m.ok && start) m.check(process_start(a.p), "starting it");
    a.state = m.ok ? AppState::Running : AppState::NotStarted;
    return m.ok;
}

// Destroys the app and gives its Untyped back whole.
void unmake_app(u32 i) {
    App &a = g_apps[i];
    Error e = process_destroy(a.p);
    const Error r = kInitCNode.revoke(a.untyped, 32);
    if (e == Error::None) e = r;
    if (e != Error::None) printf("root: app '%s': destroying it: %s\n", kApps[i].name, error_name(e));
}

// ---------------------------------------------------------------- faults
const char *fault_kind(u32 label) {
    switch (static_cast<abi::FaultLabel>(label)) {
    case abi::FaultLabel::CapFault: return "capability fault";
    case abi::FaultLabel::UnknownSyscall: return "unknown system call";
    case abi::FaultLabel::UserException: return "undefined instruction";
    case abi::FaultLabel::VmFault: return "page fault";
    }
    return "unknown fault";
}

// The ARMv7 short-descriptor fault status (FS bits), as the kernel reports it.
const char *status_text(u32 fsr) {
    switch ((fsr & 0xf) | ((fsr >> 6) & 0x10)) {
    case 0x01: return "alignment fault";
    case 0x05: return "translation fault (section)";
    case 0x07: return "translation fault (page)";
    case 0x09: return "domain fault (section)";
    case 0x0b: return "domain fault (page)";
    case 0x0d: return "permission fault (section)";
    case 0x0f: return "permission fault (page)";
    case 0x08: return "synchronous external abort";
    default: return "other fault status";
    }
}

void report_fault(u32 i, u32 label, const MessageRegs &mr) {
    const App &a = g_apps[i];
    const u32 l = label;
    printf("root: app '%s' faulted: %s", kApps[i].name, fault_kind(l));
    switch (static_cast<abi::FaultLabel>(l)) {
    case abi::FaultLabel::VmFault:
        printf(" at address %08x (%s, %s%s), pc %08x\n", mr[1], mr[2] ? "instruction fetch" : "data access",
               status_text(mr[3]), !mr[2] && (mr[3] & (1u << 11)) ? " on a write" : "", mr[0]);
        break;
    case abi::FaultLabel::CapFault:
        printf(" on cap pointer %08x (lookup failure %u), pc %08x\n", mr[1], mr[2], mr[0]);
        break;
    case abi::FaultLabel::UnknownSyscall:
        printf(": number %u, pc %08x\n", mr[2], mr[0]);
        break;
    default:
        printf(" at pc %08x\n", mr[0]);
        break;
    }
    UserRegisters r{};
    if (Tcb{a.p.tcb}.read_registers(g_ipc, false, 17, r) == Error::None) {
        printf("root:   pc %08x  sp %08x  lr %08x  cpsr %08x\n", r.pc, r.sp, r.lr, r.cpsr);
        for (u32 k = 0; k < 13; k += 4) {
            printf("root:  ");
            for (u32 j = k; j < k + 4 && j < 13; ++j) printf(j < 10 ? " r%u  %08x" : " r%u %08x", j, r.r[j]);
            printf("\n");
        }
    }
}

void handle_fault(u32 i, u32 label, const MessageRegs &mr) {
    App &a = g_apps[i];
    ++a.faults;
    report_fault(i, label, mr);
    if (!kApps[i].restart) {
        a.state = AppState::Faulted;
        printf("root: app '%s' stays stopped (restart = false)\n", kApps[i].name);
        return;
    }
    unmake_app(i);
    ++a.restarts;
    printf("root: restarting app '%s' (restart %u)\n", kApps[i].name, a.restarts);
    make_app(i);
}

// Picks the largest RAM Untyped (the pool) and carves each app's from it.
u32 largest_untyped() {
    u32 best = ~0u;
    for (u32 i = 0; i < g_bi->untyped_count; ++i) {
        const abi::UntypedDesc &u = g_bi->untyped_list[i];
        if (u.is_device) continue;
        if (best == ~0u || u.size_bits > g_bi->untyped_list[best].size_bits) best = i;
    }
    return best == ~0u ? 0 : g_bi->untyped.start + best;
}

// The bits of the smallest power of two >= v (at least a page); 32 for more than 2^31.
u32 log2_up(u32 v) {
    u32 b = abi::kPageBits;
    while (b < 32 && (1u << b) < v) ++b;
    return b;
}

// The pages of the app's ELF (as process_create loads them); 0 if it does not parse
// (process_create then says why).
u32 image_pages(const AppDesc &d) {
    ElfFile elf;
    if (!elf.parse(kImageFiles[d.image].begin, kImageFiles[d.image].end)) return 0;
    u32 n = 0;
    for (u32 k = 0; k < elf.segment_count(); ++k) n += (elf.segment(k).memsz + kPageBytes - 1) / kPageBytes;
    return n;
}

// The root slots an app's objects take (the tool counts the same,
// checks.Checker.count_slots): its page directory, CNode and TCB, four
// PageTables (image, IPC buffer, the stack's one or two MiB), its image, IPC
// buffer and stack frames, two per page mapped into it (the frame's copy and
// at most one PageTable), two per interrupt line (its handler and a badged
// notification, both moved or deleted again).
u32 app_slots(u32 i) {
    const AppDesc &d = kApps[i];
    u32 mapped = 0;
    for (u32 s = 0; s < kSharedCount; ++s)
        for (u32 k = kShared[s].first_map; k < kShared[s].first_map + kShared[s].map_count; ++k)
            if (kMaps[k].app == i) mapped += kShared[s].size / kPageBytes;
    for (const DeviceDesc &v : kSystem.devices)
        if (v.app == i) mapped += v.size / kPageBytes;
    return 3 + 4 + image_pages(d) + 1 + d.stack_bytes / kPageBytes + 2 * mapped + 2 * irq_count(kSystem, i);
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_bi = bi;
    debug_calls_from(bi);
    g_ipc = reinterpret_cast<abi::IpcBuffer *>(bi->ipc_buffer);
    printf("root: system '%s' on %s: %u apps, %u channels, %u shared regions, %u interrupt lines, %u devices\n",
           kSystemName, kSystemPlatform, kAppsCount, kChannelsCount, kSharedCount, kIrqsCount, kDevicesCount);
    const u32 ut = largest_untyped();
    if (!ut) fatal("no RAM Untyped", Error::NotEnoughMemory);
    u32 next = bi->empty.start + kPoolSlots;
    for (u32 i = 0; i < kAppsCount; ++i) {
        g_apps[i].slots = app_slots(i);
        g_apps[i].first_slot = next;
        next += g_apps[i].slots;
    }
    if (next > bi->empty.end) {
        printf("root: the system needs %u slots of the root CNode (%u for its objects, the rest for the apps'), "
               "%u are free (slots %u-%u)\n", next - bi->empty.start, kPoolSlots, bi->empty.end - bi->empty.start,
               bi->empty.start, bi->empty.end - 1);
        fatal("not enough free slots in the root CNode", Error::RangeError);
    }
    g_pool.init(bi, g_ipc, ut, bi->empty.start, bi->empty.start + kPoolSlots);

    // Each app's Untyped first (largest alignment first would waste less; the pool is large).
    // An app whose Untyped cannot be made is not started; the others still are.
    for (u32 i = 0; i < kAppsCount; ++i) {
        const u32 bits = log2_up(kApps[i].memory_budget);
        g_apps[i].untyped = bits <= abi::kMaxUntypedBits ? g_pool.make(abi::ObjectType::Untyped, bits) : 0;
        if (!g_apps[i].untyped)
            printf("root: app '%s': its Untyped of 2^%u bytes (memory budget %u bytes): %s\n", kApps[i].name, bits,
                   kApps[i].memory_budget,
                   error_name(bits <= abi::kMaxUntypedBits ? g_pool.error() : Error::InvalidArgument));
    }
    const Error prep = process_prepare(g_pool);
    if (prep != Error::None) fatal("the copy window's PageTable", prep);
    g_root_ep = Endpoint{pool_make(abi::ObjectType::Endpoint, "the root's endpoint")};
    for (u32 c = 0; c < kChannelsCount; ++c)
        g_channel[c] = pool_make(kChannels[c].kind == ChannelKind::Endpoint ? abi::ObjectType::Endpoint
                                                                             : abi::ObjectType::Notification,
                                 "a channel");
    for (u32 i = 0; i < kAppsCount; ++i) {
        if (handles_faults(kSystem, i))
            g_fault_ep[i] = Endpoint{pool_make(abi::ObjectType::Endpoint, "a fault endpoint")};
        if (irq_count(kSystem, i))
            g_irq_ntfn[i] =
                Notification{pool_make(abi::ObjectType::Notification, "an interrupt notification")};
    }
    u32 pages = 0;
    for (u32 s = 0; s < kSharedCount; ++s) {
        g_shared_first[s] = pages;
        for (u32 off = 0; off < kShared[s].size; off += 1u << abi::kPageBits) {
            g_page[pages++] = pool_make(abi::ObjectType::Frame4K, "a shared region's frame");
        }
    }
    g_shared_first[kSharedCount] = pages;
    // Device frames in address order: libpetrel's device_frame makes the frames of
    // a device Untyped upwards and cannot go back below one it made.
    bool done[kDevicesCount ? kDevicesCount : 1] = {};
    for (u32 n = 0; n < kDevicesCount; ++n) {
        u32 v = kDevicesCount;
        for (u32 k = 0; k < kDevicesCount; ++k)
            if (!done[k] && (v == kDevicesCount || kDevices[k].paddr < kDevices[v].paddr)) v = k;
        done[v] = true;
        g_device_first[v] = pages;
        for (u32 off = 0; off < kDevices[v].size; off += 1u << abi::kPageBits) {
            g_page[pages] = g_pool.device_frame(kDevices[v].paddr + off);
            if (!g_page[pages++]) fatal("a device frame", g_pool.error());
        }
    }
    g_device_first[kDevicesCount] = pages;

    u32 started = 0;
    for (u32 i = 0; i < kAppsCount; ++i) {
        if (make_app(i, false)) ++started;
        const AppDesc &d = kApps[i];
        printf("root: app '%s': %s, priority %u, ", d.name, app_state_name(g_apps[i].state), d.priority);
        if (d.core != 0) printf("core %u, ", d.core);
        printf("stack %u KiB, memory budget %u KiB, ELF '%s' (%u page%s)\n", d.stack_bytes / 1024,
               d.memory_budget / 1024, kImages[d.image].elf, g_apps[i].p.image_pages,
               g_apps[i].p.image_pages == 1 ? "" : "s");
    }
    printf("root: %u of %u apps started; handling faults\n", started, kAppsCount);
    for (u32 i = 0; i < kAppsCount; ++i) {
        if (g_apps[i].state != AppState::Running) continue;
        const Error e = process_start(g_apps[i].p);
        if (e == Error::None) continue;
        printf("root: app '%s': starting it: %s\n", kApps[i].name, error_name(e));
        g_apps[i].state = AppState::NotStarted;
    }

    Message m(g_ipc);
    for (;;) {
        const RecvResult r = g_root_ep.recv(m.regs);
        const u32 who = (r.badge & ~kQueryBadge) - 1;
        if (who >= kAppsCount) continue;
        if (r.badge & kQueryBadge) {
            abi::MessageInfo info{static_cast<u32>(Error::InvalidArgument), 0, 0, 0};
            if (r.info.label == kRootAppState && r.info.length >= 1 && m.regs[0] < kAppsCount) {
                const App &a = g_apps[m.regs[0]];
                m.regs[0] = static_cast<u32>(a.state);
                m.regs[1] = a.restarts;
                m.regs[2] = a.faults;
                info = {0, 0, 0, 3};
            } else if (r.info.label == kRootAppExited) {
                g_apps[who].state = AppState::Exited;
                printf("root: app '%s' returned from its entry function\n", kApps[who].name);
                continue;
            } else if (r.info.label != kRootAppState) {
                info = {static_cast<u32>(Error::IllegalOperation), 0, 0, 0};
            }
            reply(info, m.regs);
            continue;
        }
        handle_fault(who, r.info.label, m.regs);
    }
}
