// SPDX-License-Identifier: BSD-2-Clause
// Fixed-width integer types shared by the kernel, the host build and (later) user code.
//
// The kernel is 32-bit ARM, the host tests are 64-bit x86: `u32` is spelled as
// `unsigned int` on both so printf-style formats (%x, %u) mean the same thing
// everywhere (arm-none-eabi's uint32_t is `unsigned long`).
#pragma once

using u8 = unsigned char;
using u16 = unsigned short;
using u32 = unsigned int;
using u64 = unsigned long long;
using i32 = int;
using i64 = long long;
using usize = decltype(sizeof(0));
using uptr = __UINTPTR_TYPE__;

static_assert(sizeof(u32) == 4 && sizeof(u64) == 8 && sizeof(u16) == 2);

// A physical address on the target. 32 bits: Petrel uses the short-descriptor
// translation format, so no physical address above 4 GiB is reachable.
using paddr_t = u32;
