// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: what an app of a system finds in its CSpace and address space, computed from its system's tables.
//
// The system root task (apps/system/root_task.cpp) makes every app of a system
// description as a process (petrel/process.hpp) and gives it its caps in one
// fixed order, which the functions here compute from the tables at compile
// time. An app includes its system's tables (PETREL_SYSTEM_TABLES, the
// generated NAME_system.hpp) and this header, and names its caps as, e.g.,
//
//   constexpr u32 kConsole = channel_slot(kSystem, app::shell, channel::console);
//
// or, typed (petrel/caps.hpp, included here), as the object it is:
//
//   constexpr Endpoint kConsole{channel_slot(kSystem, app::shell, channel::console)};
//
// An app's CNode has 2^app_cnode_radix() slots (2^kAppCNodeRadix, or more when
// its caps need more); a slot index is a cap pointer:
//   1  kProcessCapTcb     its TCB
//   2  kProcessCapCNode   its CNode (for SaveCaller, Copy, Delete in it)
//   3  kProcessCapFault   its fault endpoint (a Write cap; the kernel uses it)
//   4  kAppCapRoot        the root task's endpoint (Call it: kRootAppState)
//   5.. one slot per channel the app is in, in the description's order:
//         endpoint, server:       the endpoint (all rights; Recv on it)
//         endpoint, client:       the endpoint minted with the client's badge
//                                 (Write and GrantReply: Call on it)
//         notification, server:   the notification (Read: Wait/Poll on it)
//         notification, client:   the notification minted with the client's
//                                 badge (Write: Signal on it)
//   then, if some app names it as its fault_handler: the fault endpoint it
//         serves (Read); a fault arrives as a Call with an abi::FaultLabel,
//         badged with the faulting app's index + 1;
//   then, if it has interrupt lines: its interrupt notification (Read),
//         which the root bound to its thread (so interrupts also end a Recv
//         on an endpoint, with label abi::kNotificationLabel and the badges
//         as the word), and one IrqHandler per [[irq]] of the app, in the
//         description's order (Ack it after each interrupt);
//   then free slots up to slots_end() .. 2^app_cnode_radix() - 1.
// Shared regions and devices have no caps: they are mapped at the vaddr the
// description gives (shared_vaddr(), device_vaddr()).
//
// The entry point: each app is an ELF executable of its own (the description's
// `elf` names it; the build gives the tool every app's ELF, and the tool packs
// them into the root task's image: system::kImageFiles). The root task loads
// it into a fresh address space and starts it at crt0, which runs the static
// constructors and then libpetrel's app_start.cpp, which calls
//   extern "C" void petrel_app_main(u32 app_index, u32 restarts);
// which the app defines: its index in kApps (several apps may run one ELF)
// and how often the root task has restarted it. It runs on its own stack with
// interrupts on; if it returns, the root task is told and its thread stops
// (state "exited").
#pragma once

#include "petrel/caps.hpp"
#include "petrel/process.hpp"
#include "petrel/system_tables.hpp"

// Every app's ELF defines this (see above).
extern "C" void petrel_app_main(u32 app_index, u32 restarts);

namespace petrel::system {

// kAppCNodeRadix (system_tables.hpp): an app's CNode has at least 2^7 slots.
constexpr u32 kAppCapRoot = kProcessFirstFreeSlot;
constexpr u32 kAppFirstChannelSlot = kAppCapRoot + 1;

// The root task's protocol on kAppCapRoot (Call; a reply labelled with an
// abi::Error is a refusal):
//   kRootAppState  MR0 an app index. Reply MR0 its AppState, MR1 how often the
//                  root restarted it, MR2 how many faults it took.
//                  InvalidArgument: no such app.
//   kRootAppExited Sent (not called) for the app when its entry returns.
enum RootLabel : u32 { kRootAppState = 1, kRootAppExited = 2 };
enum class AppState : u32 {
    NotStarted = 0,  // not made yet, or making it failed (the root said why)
    Running = 1,
    Faulted = 2,  // stopped by a fault and not restarted (restart = false)
    Exited = 3,   // its entry function returned
};
constexpr const char *app_state_name(AppState s) {
    switch (s) {
    case AppState::NotStarted: return "not started";
    case AppState::Running: return "running";
    case AppState::Faulted: return "faulted";
    case AppState::Exited: return "exited";
    }
    return "?";
}

// Whether `app` is in channel `ch` (as its server or a client).
constexpr bool in_channel(const SystemDesc &s, u32 app, u32 ch) {
    if (s.channels[ch].server == app) return true;
    const ChannelDesc &c = s.channels[ch];
    for (u32 i = c.first_client; i < c.first_client + c.client_count; ++i)
        if (s.clients[i].app == app) return true;
    return false;
}

// The client badge of `app` in channel `ch` (0: not a client).
constexpr u32 client_badge(const SystemDesc &s, u32 app, u32 ch) {
    const ChannelDesc &c = s.channels[ch];
    for (u32 i = c.first_client; i < c.first_client + c.client_count; ++i)
        if (s.clients[i].app == app) return s.clients[i].badge;
    return 0;
}

// The slot of channel `ch` in `app`'s CNode; 0 if the app is not in it.
constexpr u32 channel_slot(const SystemDesc &s, u32 app, u32 ch) {
    u32 slot = kAppFirstChannelSlot;
    for (u32 c = 0; c < s.channels.count; ++c) {
        const bool in = in_channel(s, app, c);
        if (c == ch) return in ? slot : 0;
        if (in) ++slot;
    }
    return 0;
}

constexpr u32 channels_end(const SystemDesc &s, u32 app) {
    u32 slot = kAppFirstChannelSlot;
    for (u32 c = 0; c < s.channels.count; ++c)
        if (in_channel(s, app, c)) ++slot;
    return slot;
}

constexpr bool handles_faults(const SystemDesc &s, u32 app) {
    if (app >= s.apps.count) return false;  // kRootTask is no app
    for (const AppDesc &a : s.apps)
        if (a.fault_handler == app) return true;
    return false;
}

// The fault endpoint `app` serves for others; 0 if none names it.
constexpr u32 fault_server_slot(const SystemDesc &s, u32 app) {
    return handles_faults(s, app) ? channels_end(s, app) : 0;
}

constexpr u32 irq_count(const SystemDesc &s, u32 app) {
    u32 n = 0;
    for (const IrqDesc &q : s.irqs)
        if (q.app == app) ++n;
    return n;
}

// The app's interrupt notification; 0 if it has no lines.
constexpr u32 irq_ntfn_slot(const SystemDesc &s, u32 app) {
    return irq_count(s, app) ? channels_end(s, app) + (handles_faults(s, app) ? 1 : 0) : 0;
}

// The IrqHandler of [[irq]] number `irq` (an index into kIrqs); 0 if not the app's.
constexpr u32 irq_slot(const SystemDesc &s, u32 app, u32 irq) {
    if (irq >= s.irqs.count || s.irqs[irq].app != app) return 0;
    u32 slot = irq_ntfn_slot(s, app) + 1;
    for (u32 i = 0; i < irq; ++i)
        if (s.irqs[i].app == app) ++slot;
    return slot;
}

// The first slot the root task leaves free.
constexpr u32 slots_end(const SystemDesc &s, u32 app) {
    const u32 n = irq_count(s, app);
    return channels_end(s, app) + (handles_faults(s, app) ? 1 : 0) + (n ? n + 1 : 0);
}

// The radix of the app's CNode: kAppCNodeRadix (128 slots), or as many more
// bits as its caps need (the tool refuses more than 16 bits, libpetrel's limit).
constexpr u32 app_cnode_radix(const SystemDesc &s, u32 app) {
    u32 r = kAppCNodeRadix;
    while ((1u << r) < slots_end(s, app)) ++r;
    return r;
}

// Where shared region `sh` is mapped in `app` (0: not mapped there).
constexpr u32 shared_vaddr(const SystemDesc &s, u32 app, u32 sh) {
    const SharedDesc &d = s.shared[sh];
    for (u32 i = d.first_map; i < d.first_map + d.map_count; ++i)
        if (s.maps[i].app == app) return s.maps[i].vaddr;
    return 0;
}

// Where device `dev` is mapped (in its app).
constexpr u32 device_vaddr(const SystemDesc &s, u32 dev) { return s.devices[dev].vaddr; }

// The index of the app named `name` (kSystem.apps.count if none).
constexpr u32 app_index(const SystemDesc &s, const char *name) {
    for (u32 i = 0; i < s.apps.count; ++i) {
        const char *a = s.apps[i].name;
        u32 k = 0;
        while (a[k] && a[k] == name[k]) ++k;
        if (a[k] == name[k]) return i;
    }
    return s.apps.count;
}

// ---------------------------------------------------------------- for components
// Petrel's reusable apps (apps/drivers: the UART driver and the timer service,
// apps/README.md "Components") run in any system: they find their interrupt
// line, device and channels in the tables at run time with these.

// The index of the first [[irq]] of `app` (s.irqs.count if none).
constexpr u32 first_irq(const SystemDesc &s, u32 app) {
    for (u32 q = 0; q < s.irqs.count; ++q)
        if (s.irqs[q].app == app) return q;
    return s.irqs.count;
}

// The index of the first [[device]] of `app` (s.devices.count if none).
constexpr u32 first_device(const SystemDesc &s, u32 app) {
    for (u32 d = 0; d < s.devices.count; ++d)
        if (s.devices[d].app == app) return d;
    return s.devices.count;
}

// The first endpoint channel `app` serves (s.channels.count if none).
constexpr u32 served_endpoint(const SystemDesc &s, u32 app) {
    for (u32 c = 0; c < s.channels.count; ++c)
        if (s.channels[c].kind == ChannelKind::Endpoint && s.channels[c].server == app) return c;
    return s.channels.count;
}

// The notification through which `from` (a server of endpoint channels) tells
// app `client` that something is ready: the notification channel that `client`
// serves and `from` is a client of. Its slot in `from`'s CNode, 0 if none.
constexpr u32 notify_slot(const SystemDesc &s, u32 from, u32 client) {
    for (u32 c = 0; c < s.channels.count; ++c)
        if (s.channels[c].kind == ChannelKind::Notification && s.channels[c].server == client &&
            client_badge(s, from, c))
            return channel_slot(s, from, c);
    return 0;
}

// For `server` of endpoint channel `ch`: per client badge 1..8, the slot of the
// notification through which it tells that client something is ready
// (notify_slot), 0 if none. Clients with larger badges get none.
constexpr void notify_slots(const SystemDesc &s, u32 server, u32 ch, u32 (&ntfn)[8]) {
    const ChannelDesc &c = s.channels[ch];
    for (u32 i = c.first_client; i < c.first_client + c.client_count; ++i) {
        const ClientDesc &cl = s.clients[i];
        if (cl.badge >= 1 && cl.badge <= 8) ntfn[cl.badge - 1] = notify_slot(s, server, cl.app);
    }
}

}  // namespace petrel::system
