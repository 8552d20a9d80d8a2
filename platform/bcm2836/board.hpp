// SPDX-License-Identifier: BSD-2-Clause
// Board facts for the Raspberry Pi 2 B (BCM2836, Cortex-A7) and 3 B in 32-bit mode (BCM2837, Cortex-A53).
//
// The two SoCs share the memory map and both interrupt controllers; the build
// differs only in CPU tuning (PETREL_RPI3) and in the U-Boot build on the card.
#pragma once

#include "petrel/types.hpp"

namespace petrel::board {

#ifdef PETREL_RPI3
constexpr const char *kName = "rpi3";
constexpr const char *kDescription = "Raspberry Pi 3 B (BCM2837) in 32-bit mode";
#else
constexpr const char *kName = "rpi2";
constexpr const char *kDescription = "Raspberry Pi 2 B (BCM2836)";
#endif

struct DeviceRegion {
    paddr_t base;
    u32 size;
};

// RAM from 0; the firmware keeps the top for the GPU and reports the ARM's
// share in the device tree. The default (no device tree) is the ARM's share with
// the firmware's default gpu_mem=64: 1 GiB - 64 MiB.
constexpr paddr_t kRamBase = PETREL_RAM_BASE;
constexpr u32 kRamDefaultSize = (1024u - 64u) << 20;

constexpr paddr_t kPeripherals = 0x3f00'0000;
constexpr paddr_t kArmIrqCtrl = 0x3f00'b200;
constexpr paddr_t kGpio = 0x3f20'0000;
constexpr paddr_t kUart0 = 0x3f20'1000;
constexpr u32 kUartClockHz = 48'000'000;
constexpr paddr_t kLocal = 0x4000'0000;  // BCM2836 per-core interrupt controller

constexpr DeviceRegion kDevices[] = {
    {kPeripherals, 0x100'0000},  // BCM283x peripherals (16 MiB)
    {kLocal, 0x10'0000},         // local (per-core) peripherals
};

// Device memory the root task gets as device Untyped: the peripherals except the
// page of the ARM interrupt controller; never the per-core local controller.
constexpr DeviceRegion kUserDevices[] = {
    {kPeripherals, 0xb000},
    {kPeripherals + 0xc000, 0x100'0000 - 0xc000},
};

// The physical timer's lines: core 0 local sources CNTPSIRQ (secure) and CNTPNSIRQ.
constexpr u32 kTimerIrqs[] = {0, 1};
// Interrupt lines, numbered as in platform/drivers/bcm2836_irq.hpp: uart0 is
// GPU interrupt 57 (line 89), the system timer's compare channels 1 and 3 GPU
// interrupts 1 and 3 (lines 33 and 35).
constexpr u32 kIrqLines = 104;
constexpr u32 kTimerDefaultHz = 19'200'000;

}  // namespace petrel::board
