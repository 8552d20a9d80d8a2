// SPDX-License-Identifier: BSD-2-Clause
// Host: the simulated user register file of a thread is the ARM one, so the
// generic kernel sees the same system-call ABI in tests as on the target.
#pragma once

#include "../arm/arch_context.hpp"
