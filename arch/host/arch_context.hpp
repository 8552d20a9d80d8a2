// SPDX-License-Identifier: BSD-2-Clause
// Host: the simulated user register file of a thread. It mirrors the ARM one
// (arch/arm/arch_context.hpp) so the generic kernel sees the same system-call ABI.
#pragma once

#include "petrel/types.hpp"

namespace petrel::arch {

struct UserContext {
    u32 r[13];
    u32 sp;
    u32 lr;
    u32 pc;
    u32 cpsr;
};

constexpr u32 kRegCap = 0, kRegInfo = 1, kRegMr0 = 2, kRegSyscall = 7;
constexpr u32 kCpsrUser = 0x10;

}  // namespace petrel::arch
