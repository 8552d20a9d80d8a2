// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the types of a system's tables, which scripts/petrel-system.py emits from a system description for the
// root task.
//
// A system description (one TOML file per system, e.g. apps/demo/system.toml)
// lists the apps, the channels between them, shared memory, interrupt lines
// and device MMIO given to apps, and who handles each app's faults. At build
// time `scripts/petrel-system.py emit` checks it and writes a header (e.g.
// demo_system.hpp) that includes this one and defines, in petrel::system:
//
//   kSystemName, kSystemPlatform      the [system] name, the platform built for
//   kImages[] / kImagesCount          the distinct ELF images, by `elf` name
//   kApps[] / kAppsCount              one per [[app]], in file order: an app's
//                                     index is its position here
//   kChannels[], kClients[]           one per [[channel]]; its clients are
//                                     kClients[first_client .. +client_count)
//   kShared[], kMaps[]                one per [[shared]]; its mappings are
//                                     kMaps[first_map .. +map_count)
//   kIrqs[], kDevices[]               one per [[irq]], [[device]]
//   kSystem                           all of the above as one SystemDesc
//   app::NAME, channel::NAME, shared::NAME, device::NAME, image::NAME
//                                     the index of each by name
//
// An empty table is emitted as a one-element array of zeros with count 0: use
// the counts (or kSystem's Tables), never sizeof. Per-platform values in the
// description are already resolved for kSystemPlatform.
//
// Images: every app is an ELF executable of its own (linked with
// apps/lib/user.ld), and an app's `elf` names its file. Apps include the
// emitted header for their cap slots, so it is made without the ELF files.
// `scripts/petrel-system.py pack` then checks the description again with
// every image's ELF and writes NAME_images.cpp, which packs the files into the
// root task's image and defines kImageFiles below: kImages[i]'s ELF file is
// kImageFiles[i]. The root task loads each app from it (petrel/process.hpp);
// petrel/system.hpp says how an app finds its caps.
//
// What the tool has checked, so the root task need not check it again: every
// name refers to an app of the system; priorities are 1..254; cores are below
// the kernel's (the tool's --cores, the build's -Dcores); stacks are at
// most 255 pages; badges are 1..2^28-1 and distinct within a channel (and
// share no bits within a notification, or among one app's interrupts); no app
// is its own server; sizes and addresses are page aligned and below the
// kernel's half; each app's regions overlap neither each other nor the fixed
// layout below; interrupt lines are ones IRQ Control hands out on the
// platform (not the kernel's timer) and each is given once; device ranges lie
// in the device memory the root task gets as device Untyped and no two
// overlap; an app restarted after a fault has the root task as its fault
// handler; no two fault handlers handle each other's faults in a cycle; an app
// is a client of a channel once; the limits of apps/README.md's "Limits" (the
// root task's CNode, an app's CNode of at most 2^16 slots, budgets of at most
// 2^29 bytes, page tables for at most 32 MiB an app maps); and each app's
// memory budget holds what is made from it (below).
// With the ELF files (pack) it has also checked each image: a 32-bit
// little-endian ARM executable whose PT_LOAD segments lie in the image
// window, start on a page, have their file bytes inside the file (filesz <=
// memsz), are never both writable and executable and share no page, and whose
// entry point is in an executable segment.
//
// An app's address space (every app; the constants below):
//   0x00000000-0x0000ffff  never mapped (null pointers fault)
//   0x00010000-0x000fffff  the image window: the ELF's PT_LOAD segments
//                          (apps/lib/user.ld links there and keeps below 1 MiB)
//   0x00100000-0x00100fff  the IPC buffer
//   kAppStackTop - stack_bytes .. kAppStackTop
//                          the stack, with one unmapped guard page below it
//   anywhere else below 0x80000000: the shared regions and devices it maps
//
// An app's memory budget (memory_budget) is a RAM Untyped the root task makes
// everything of the app from, in this order, each object at the Untyped's
// watermark rounded up to the object's size (a power of two):
//   1. its page directory, 8 KiB       2. its CNode, 2^app_cnode_radix() slots
//                                         (system.hpp) of 16 bytes, 2 KiB or more
//   3. its TCB, 512 bytes              4. 1 KiB page tables for MiB 0 (the
//      image), MiB 1 (the IPC buffer) and the stack's one or two MiB
//   5. a 4 KiB frame per page its ELF's PT_LOAD segments cover
//   6. the IPC buffer frame            7. stack_bytes / 4 KiB stack frames
//   8. a 1 KiB page table per further MiB its shared-region mappings and
//      devices touch, in description order (shared regions, then devices).
// The tool checks the final watermark is within the budget (with the image
// only when given the ELF: `pack` always is). Shared regions are not charged
// to any app: the root task makes their frames from its own memory, so they
// outlive an app's restart (SharedDesc::owner only names the first app that
// maps one). Device memory is not charged.
#pragma once

#include "petrel/types.hpp"

namespace petrel::system {

// Bumped with every change to these types; the emitted header checks it.
constexpr u32 kTablesVersion = 3;

// The app address-space layout (scripts/petrel_system/layout.py has the same numbers).
constexpr u32 kAppImageBase = 0x0001'0000;
constexpr u32 kAppImageLimit = 0x0010'0000;  // the image ends at or below this
constexpr u32 kAppIpcBuffer = 0x0010'0000;
constexpr u32 kAppStackTop = 0x7fff'0000;
constexpr u32 kAppStackGuard = 0x1000;  // unmapped, below the stack
constexpr u32 kAppStackPagesMax = 255;  // stack_bytes is at most this many pages
constexpr u32 kAppCNodeRadix = 7;       // an app's CNode: at least 2^7 slots (charged to its budget)
constexpr u32 kUserTop = 0x8000'0000;

// AppDesc::fault_handler when the root task handles the app's faults.
constexpr u32 kRootTask = 0xffff'ffff;

enum class ChannelKind : u8 {
    Endpoint,      // synchronous: clients Call (or Send), the server receives
    Notification,  // asynchronous: clients Signal, the server waits
};

enum class Trigger : u8 {
    Default,  // leave the line as the controller has it (IrqControl.Get)
    Level,    // IrqControl.GetTrigger, level-sensitive
    Edge,     // IrqControl.GetTrigger, edge-triggered
};

// A run of consecutive table entries: for (const AppDesc &a : kSystem.apps).
template <typename T>
struct Table {
    const T *items;
    u32 count;
    constexpr const T *begin() const { return items; }
    constexpr const T *end() const { return items + count; }
    constexpr const T &operator[](u32 i) const { return items[i]; }
};

struct ImageDesc {
    const char *elf;  // the `elf` name; the image's ELF file is kImageFiles[i]
};

// One app's ELF file, packed into the root task's image by `petrel-system.py pack`.
struct ImageFile {
    const u8 *begin;
    const u8 *end;
};
// kImagesCount entries in kImages order; defined by the generated NAME_images.cpp.
extern const ImageFile kImageFiles[];

struct AppDesc {
    const char *name;    // also the thread's debug name (at most 15 characters)
    u32 image;           // index into kImages
    u32 priority;        // 1..254
    u32 core;            // the core its thread runs on: 0..the build's cores - 1 (TCB.SetAffinity)
    u32 stack_bytes;     // a multiple of 4 KiB, ending at kAppStackTop
    u32 memory_budget;   // bytes: the RAM Untyped everything of the app is made from (above)
    u32 fault_handler;   // an index into kApps, or kRootTask
    bool restart;        // the root task restarts the app after a fault
};

struct ChannelDesc {
    const char *name;
    ChannelKind kind;
    u32 server;        // the app that receives (endpoint) or waits (notification)
    u32 first_client;  // index into kClients
    u32 client_count;  // at least 1
};

struct ClientDesc {
    u32 channel;  // index into kChannels
    u32 app;      // never the channel's server
    u32 badge;    // 1..2^28-1, distinct within the channel
};

struct SharedDesc {
    const char *name;
    u32 size;       // bytes, a multiple of 4 KiB
    u32 owner;      // its first map's app (the root task pays for its frames, not an app)
    u32 first_map;  // index into kMaps
    u32 map_count;  // at least 1
};

struct MapDesc {
    u32 shared;     // index into kShared
    u32 app;
    u32 vaddr;      // page aligned; vaddr + size <= kUserTop
    bool writable;  // "rw" (else "r": read-only); never executable
};

struct IrqDesc {
    u32 app;        // the app whose notification receives the line
    u32 line;       // the IRQ Control line number on the platform
    u32 badge;      // the notification badge its interrupts come with
    Trigger trigger;
};

struct DeviceDesc {
    const char *name;
    u32 app;
    paddr_t paddr;  // page aligned, inside the root task's device Untyped
    u32 size;       // bytes, a multiple of 4 KiB
    u32 vaddr;      // where the app sees it, mapped as device memory, never executable
};

struct SystemDesc {
    const char *name;
    const char *platform;
    Table<ImageDesc> images;
    Table<AppDesc> apps;
    Table<ChannelDesc> channels;
    Table<ClientDesc> clients;
    Table<SharedDesc> shared;
    Table<MapDesc> maps;
    Table<IrqDesc> irqs;
    Table<DeviceDesc> devices;
};

}  // namespace petrel::system
