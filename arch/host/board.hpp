// SPDX-License-Identifier: BSD-2-Clause
// Host: the simulated board's facts the generic kernel reads (see machine.hpp).
#pragma once

#include "petrel/types.hpp"

namespace petrel::board {

constexpr const char *kName = "host";
// The simulated timer's lines, numbered as on QEMU virt's GIC.
constexpr u32 kTimerIrqs[] = {29, 30};

}  // namespace petrel::board
