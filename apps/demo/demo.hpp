// SPDX-License-Identifier: BSD-2-Clause
// demo: what the demo system's apps share: their tables, slots and the echo protocol.
//
// Every app of the demo is an ELF of its own (apps/demo/meson.build) whose
// petrel_app_main the system root task starts (apps/system/root_task.cpp); it
// finds its caps with petrel/system.hpp's functions over the demo's tables
// (system.toml).
#pragma once

#include PETREL_SYSTEM_TABLES
#include "petrel/system.hpp"

namespace demo {

using namespace petrel;
using namespace petrel::system;

// The echo server's protocol (channel "echo"; Calls):
//   kPing   no words; an empty reply (the shell's ping measures the round trip).
//   kUpper  MR0 n <= 4096: upper-cases the first n bytes of the shared
//           line_buffer in place; reply MR0 = n. InvalidArgument if n is larger.
enum EchoLabel : u32 { kPing = 1, kUpper = 2 };

// The notification through which `from` (a server of endpoint channels) tells
// client app `client` that something is ready: the notification channel that
// `client` serves and `from` is a client of. Its slot in `from`'s CNode, 0 if none.
constexpr u32 notify_slot(u32 from, u32 client) {
    for (u32 c = 0; c < kSystem.channels.count; ++c)
        if (kSystem.channels[c].kind == ChannelKind::Notification && kSystem.channels[c].server == client &&
            client_badge(kSystem, from, c))
            return channel_slot(kSystem, from, c);
    return 0;
}

// For a server of endpoint channel kChannel: per client badge 1..8, the slot of
// the notification through which the server tells that client something is
// ready (notify_slot), 0 if none.
template <u32 kServer, u32 kChannel>
void fill_clients(u32 (&ntfn)[8]) {
    const ChannelDesc &ch = kSystem.channels[kChannel];
    for (u32 i = ch.first_client; i < ch.first_client + ch.client_count; ++i) {
        const ClientDesc &c = kSystem.clients[i];
        if (c.badge >= 1 && c.badge <= 8) ntfn[c.badge - 1] = notify_slot(kServer, c.app);
    }
}

// The index of the first [[irq]] of `app` (kSystem.irqs.count if none).
constexpr u32 first_irq(u32 app) {
    for (u32 q = 0; q < kSystem.irqs.count; ++q)
        if (kSystem.irqs[q].app == app) return q;
    return kSystem.irqs.count;
}

}  // namespace demo
