// SPDX-License-Identifier: BSD-2-Clause
// Host: the simulated board's facts the generic kernel reads (see machine.hpp).
#pragma once

#include "petrel/types.hpp"

namespace petrel::board {

constexpr const char *kName = "host";
// The simulated timer's lines, numbered as on QEMU virt's GIC.
constexpr u32 kTimerIrqs[] = {29, 30};
// The simulated virtual timer's line (virt's PPI 11): the authority of TCB.SetTimerAccess.
constexpr u32 kVirtualTimerIrq = 27;
// Lines as on QEMU virt's GIC: 0-15 cannot be masked (SGIs), 16-287 can; lines
// 32 and up can be made edge-triggered.
constexpr u32 kIrqLines = 288;
// The inter-processor interrupt's line (platform::ipi_send; virt's SGI 0):
// never a user's, lines below 16 cannot be masked.
constexpr u32 kIpiIrq = 0;

}  // namespace petrel::board
