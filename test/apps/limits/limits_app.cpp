// SPDX-License-Identifier: BSD-2-Clause
// The limits system's app (gen_system.py describes the system): every app runs this ELF and checks its part.
//
// Each check prints one line "limits: APP: what: ok" (or ": FAILED") through
// the kernel's debug console; the runner counts them (test/qemu/meson.build).
//   u32      its CNode has more than 128 slots: it signals all 130 notification
//            channels through caps at slots up to 134
//   AppDesc  serves them: waits on the last, polls the others, each word must
//            be its channel's badge
//   Table    writes every page of the 80-page shared region, signals kSystem
//   kSystem  reads the pages back through its read-only mapping; reads the
//            device far into its device Untyped (on virt the PL061's
//            PeriphID0, 0x61)
//   deep     writes the lowest page of its 255-page stack
//   fillerN  say they run (25 apps in all)
//   last     lowest priority of those started, so it runs once every other
//            app waits or has returned: asks the root task for every app's
//            state (only 'huge', whose 2^29-byte budget no board holds, may
//            be "not started"), then prints "limits: done".
//   huge     never runs
#include PETREL_SYSTEM_TABLES
#include "petrel/system.hpp"

using namespace petrel;
using namespace petrel::system;

namespace {

constexpr u32 kPage = 4096;

void check(const char *app_name, bool ok, const char *what) {
    printf("limits: %s: %s: %s\n", app_name, what, ok ? "ok" : "FAILED");
}

bool is_name(const char *a, const char *b) {
    u32 k = 0;
    while (a[k] && a[k] == b[k]) ++k;
    return a[k] == b[k];
}

void signal_all(u32 me) {
    u32 highest = 0;
    for (u32 c = 0; c < kChannelsCount; ++c) {
        if (kChannels[c].server != app::AppDesc) continue;
        const u32 slot = channel_slot(kSystem, me, c);
        if (slot > highest) highest = slot;
        Notification{slot}.signal();
    }
    check(kApps[me].name, highest >= 128 && (1u << app_cnode_radix(kSystem, me)) > highest,
          "signalled 130 channels through CNode slots beyond 127");
}

void serve_all(u32 me) {
    u32 last = 0, good = 0, count = 0;
    for (u32 c = 0; c < kChannelsCount; ++c)
        if (kChannels[c].server == me && kChannels[c].kind == ChannelKind::Notification && c != channel::written)
            last = c;
    bool ok = Notification{channel_slot(kSystem, me, last)}.wait() == kClients[kChannels[last].first_client].badge;
    for (u32 c = 0; c < kChannelsCount; ++c) {
        if (kChannels[c].server != me || c == last) continue;
        ++count;
        if (Notification{channel_slot(kSystem, me, c)}.poll() == kClients[kChannels[c].first_client].badge) ++good;
    }
    check(kApps[me].name, ok && good == count && count + 1 == 130, "130 notifications each held its badge");
}

u32 pattern(u32 page, u32 word) { return page * 0x01000193u + word * 7u + 1u; }

void write_shared(u32 me) {
    volatile u32 *p = reinterpret_cast<volatile u32 *>(shared_vaddr(kSystem, me, shared::big));
    const u32 pages = kShared[shared::big].size / kPage;
    for (u32 pg = 0; pg < pages; ++pg)
        for (u32 w = 0; w < kPage / 4; w += 64) p[pg * kPage / 4 + w] = pattern(pg, w);
    Notification{channel_slot(kSystem, me, channel::written)}.signal();
}

void read_shared_and_device(u32 me) {
    static_cast<void>(Notification{channel_slot(kSystem, me, channel::written)}.wait());
    const volatile u32 *p = reinterpret_cast<const volatile u32 *>(shared_vaddr(kSystem, me, shared::big));
    const u32 pages = kShared[shared::big].size / kPage;
    u32 bad = 0;
    for (u32 pg = 0; pg < pages; ++pg)
        for (u32 w = 0; w < kPage / 4; w += 64) bad += p[pg * kPage / 4 + w] != pattern(pg, w);
    check(kApps[me].name, pages == 80 && bad == 0, "80 shared pages read back");
    const volatile u32 *dev = reinterpret_cast<const volatile u32 *>(device_vaddr(kSystem, device::far));
    // virt: the PL061's peripheral ID (0x61 in its low byte); a Pi: the EMMC
    // controller's first register (QEMU's model of it covers no more than that).
    const bool virt = is_name(kSystemPlatform, "qemu-virt");
    const u32 id = dev[virt ? 0xfe0 / 4 : 0];
    printf("limits: %s: device at %08x reads %08x\n", kApps[me].name, kDevices[device::far].paddr, id);
    check(kApps[me].name, !virt || (id & 0xff) == 0x61, "a device far into its device Untyped mapped");
}

void deep_stack(u32 me) {
    volatile u32 *low = reinterpret_cast<volatile u32 *>(kAppStackTop - kApps[me].stack_bytes);
    low[0] = 0x5eed;
    check(kApps[me].name, kApps[me].stack_bytes == 255 * kPage && low[0] == 0x5eed, "the lowest of 255 stack pages");
}

void last(u32 me) {
    u32 started = 0;
    for (u32 i = 0; i < kAppsCount; ++i) {
        MessageRegs mr{i, 0, 0, 0};
        const abi::MessageInfo r = call(kAppCapRoot, {kRootAppState, 0, 0, 1}, mr);
        if (r.label == 0 && (static_cast<AppState>(mr[0]) != AppState::NotStarted) == (i != app::huge)) ++started;
        else printf("limits: app '%s' is %s\n", kApps[i].name, app_state_name(static_cast<AppState>(mr[0])));
    }
    printf("limits: %u of %u apps as expected\n", started, kAppsCount);
    check(kApps[me].name, started == kAppsCount && kAppsCount == 25, "every app started but 'huge'");
    printf("limits: done\n");
}

}  // namespace

extern "C" void petrel_app_main(u32 me, u32) {
    if (me == app::u32) signal_all(me);
    else if (me == app::AppDesc) serve_all(me);
    else if (me == app::Table) write_shared(me);
    else if (me == app::kSystem) read_shared_and_device(me);
    else if (me == app::deep) deep_stack(me);
    else if (me == app::last) last(me);
    else check(kApps[me].name, me < kAppsCount, "running");
}
