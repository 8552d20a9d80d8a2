// SPDX-License-Identifier: BSD-2-Clause
// Catch2 for the host tests: v2 (Debian 12, one header) or v3 (Debian 13, a library), as Meson found it.
//
// test/host/meson.build defines PETREL_CATCH2_MAJOR from the version it found.
// The test files include this header only. The two mains define
// CATCH_CONFIG_RUNNER first (v2 then compiles its implementation there) and
// use petrel_clara, Catch2's command-line parser (Catch::clara in v2,
// Catch::Clara in v3), for their own options.
#pragma once

#if PETREL_CATCH2_MAJOR >= 3
#include <catch2/catch_all.hpp>
#ifdef CATCH_CONFIG_RUNNER
namespace petrel_clara = Catch::Clara;
#endif
#elif PETREL_CATCH2_MAJOR == 2
#include <catch2/catch.hpp>
#ifdef CATCH_CONFIG_RUNNER
namespace petrel_clara = Catch::clara;
#endif
#else
#error "PETREL_CATCH2_MAJOR must be 2 or 3 (test/host/meson.build sets it)"
#endif
