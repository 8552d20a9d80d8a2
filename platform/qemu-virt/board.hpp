// SPDX-License-Identifier: BSD-2-Clause
// Board facts for QEMU's `virt` machine (Cortex-A15, GICv2, PL011).
#pragma once

#include "petrel/types.hpp"

namespace petrel::board {

constexpr const char *kName = "qemu-virt";
constexpr const char *kDescription = "QEMU virt, GICv2, PL011";

struct DeviceRegion {
    paddr_t base;
    u32 size;
};

// RAM starts at 1 GiB. QEMU's default is 128 MiB; the kernel is loaded at
// RAM + 1 MiB (PETREL_LOAD_PHYS, set in this directory's meson.build), leaving
// the bottom for the device tree QEMU places there.
constexpr paddr_t kRamBase = PETREL_RAM_BASE;
constexpr u32 kRamDefaultSize = 128u << 20;

constexpr paddr_t kGicDist = 0x0800'0000;
constexpr paddr_t kGicCpu = 0x0801'0000;
constexpr paddr_t kUart0 = 0x0900'0000;
constexpr u32 kUartClockHz = 24'000'000;

// Device regions the kernel maps (1 MiB granules).
constexpr DeviceRegion kDevices[] = {
    {0x0800'0000, 0x10'0000},  // GIC distributor and CPU interface
    {0x0900'0000, 0x10'0000},  // PL011 UART0
};

// Device memory the root task gets as device Untyped: the UART, RTC, fw_cfg and
// GPIO page block, and the virtio-mmio transports. Never the interrupt controller.
constexpr DeviceRegion kUserDevices[] = {
    {0x0900'0000, 0x4'0000},
    {0x0a00'0000, 0x4000},
};

// The physical timer's lines: PPI 13 (secure) and PPI 14 (non-secure).
constexpr u32 kTimerIrqs[] = {29, 30};
// Interrupt lines (GIC IDs): 32 internal (SGIs, PPIs) and QEMU virt's 256 SPIs.
// The PL011's is SPI 1 (33), the PL031 RTC's SPI 2 (34), the virtual timer PPI 11 (27).
constexpr u32 kIrqLines = 288;
constexpr u32 kTimerDefaultHz = 62'500'000;

}  // namespace petrel::board
