// SPDX-License-Identifier: BSD-2-Clause
// demo: what the demo system's apps share: their tables, slots and the echo protocol.
//
// Every app of the demo is an ELF of its own (apps/demo/meson.build) whose
// petrel_app_main the system root task starts (apps/system/root_task.cpp); it
// finds its caps with petrel/system.hpp's functions over the demo's tables
// (system.toml).
#pragma once

#include PETREL_SYSTEM_TABLES
#include "petrel/system.hpp"

namespace demo {

using namespace petrel;
using namespace petrel::system;

// The echo server's protocol (channel "echo"; Calls):
//   kPing   no words; an empty reply (the shell's ping measures the round trip).
//   kUpper  MR0 n <= 4096: upper-cases the first n bytes of the shared
//           line_buffer in place; reply MR0 = n. InvalidArgument if n is larger.
enum EchoLabel : u32 { kPing = 1, kUpper = 2 };

}  // namespace demo
