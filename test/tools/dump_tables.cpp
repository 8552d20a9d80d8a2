// SPDX-License-Identifier: BSD-2-Clause
// dump_tables: prints an emitted system header's tables, one line per entry (test/tools, host).
//
// Built by test_petrel_system.py with -DPETREL_SYSTEM_TABLES="path/to/NAME_system.hpp"; a fault handler
// of -1 is the root task (kRootTask).
// Its static_asserts check the tables are usable at compile time and that
// every index in them is in range.
#include <cstdio>

#include PETREL_SYSTEM_TABLES

using namespace petrel::system;

namespace {

constexpr bool indexes_in_range() {
    for (const AppDesc &a : kSystem.apps)
        if (a.image >= kImagesCount || (a.fault_handler != kRootTask && a.fault_handler >= kAppsCount)) return false;
    for (u32 c = 0; c < kChannelsCount; c++) {
        const ChannelDesc &ch = kChannels[c];
        if (ch.server >= kAppsCount || ch.client_count == 0 || ch.first_client + ch.client_count > kClientsCount)
            return false;
        for (u32 i = ch.first_client; i < ch.first_client + ch.client_count; i++)
            if (kClients[i].channel != c || kClients[i].app >= kAppsCount || kClients[i].app == ch.server) return false;
    }
    for (u32 s = 0; s < kSharedCount; s++) {
        const SharedDesc &sh = kShared[s];
        if (sh.owner >= kAppsCount || sh.first_map + sh.map_count > kMapsCount) return false;
        for (u32 i = sh.first_map; i < sh.first_map + sh.map_count; i++)
            if (kMaps[i].shared != s || kMaps[i].app >= kAppsCount) return false;
    }
    for (const IrqDesc &q : kSystem.irqs)
        if (q.app >= kAppsCount) return false;
    for (const DeviceDesc &d : kSystem.devices)
        if (d.app >= kAppsCount) return false;
    return true;
}
static_assert(indexes_in_range());
static_assert(kSystem.apps.count == kAppsCount && kSystem.apps.items == kApps);
static_assert(kAppsCount >= 1);

static_assert(kTablesVersion == 3);
// The images' files are kImageFiles, defined by pack's NAME_images.cpp (not linked here).
static_assert(sizeof kImageFiles[0] == 2 * sizeof(const u8 *));

const char *kind_name(ChannelKind k) { return k == ChannelKind::Endpoint ? "endpoint" : "notification"; }
const char *trigger_name(Trigger t) {
    return t == Trigger::Default ? "default" : t == Trigger::Level ? "level" : "edge";
}

}  // namespace

int main() {
    std::printf("system %s on %s\n", kSystem.name, kSystem.platform);
    for (u32 i = 0; i < kSystem.images.count; i++) std::printf("image %u %s\n", i, kImages[i].elf);
    for (u32 i = 0; i < kSystem.apps.count; i++) {
        const AppDesc &a = kSystem.apps[i];
        std::printf("app %u %s image %u priority %u core %u stack_bytes %u memory_budget %u fault_handler %d "
                    "restart %d\n",
                    i, a.name, a.image, a.priority, a.core, a.stack_bytes, a.memory_budget,
                    a.fault_handler == kRootTask ? -1 : static_cast<int>(a.fault_handler), a.restart ? 1 : 0);
    }
    for (u32 i = 0; i < kSystem.channels.count; i++) {
        const ChannelDesc &c = kSystem.channels[i];
        std::printf("channel %u %s %s server %u clients %u+%u\n", i, c.name, kind_name(c.kind), c.server,
                    c.first_client, c.client_count);
    }
    for (const ClientDesc &c : kSystem.clients)
        std::printf("client channel %u app %u badge %u\n", c.channel, c.app, c.badge);
    for (u32 i = 0; i < kSystem.shared.count; i++) {
        const SharedDesc &s = kSystem.shared[i];
        std::printf("shared %u %s size %u owner %u maps %u+%u\n", i, s.name, s.size, s.owner, s.first_map,
                    s.map_count);
    }
    for (const MapDesc &m : kSystem.maps)
        std::printf("map shared %u app %u vaddr %08x %s\n", m.shared, m.app, m.vaddr, m.writable ? "rw" : "r");
    for (const IrqDesc &q : kSystem.irqs)
        std::printf("irq line %u app %u badge %u trigger %s\n", q.line, q.app, q.badge, trigger_name(q.trigger));
    for (u32 i = 0; i < kSystem.devices.count; i++) {
        const DeviceDesc &d = kSystem.devices[i];
        std::printf("device %u %s app %u paddr %08x size %u vaddr %08x\n", i, d.name, d.app, d.paddr, d.size,
                    d.vaddr);
    }
    return 0;
}
