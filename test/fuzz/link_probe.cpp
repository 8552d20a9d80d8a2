// SPDX-License-Identifier: BSD-2-Clause
// The smallest libFuzzer target: test/fuzz/meson.build links it to learn whether clang++ has libFuzzer.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *, std::size_t) { return 0; }
