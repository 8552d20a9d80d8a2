// SPDX-License-Identifier: BSD-2-Clause
// panic(), check() and debug-only assert(): the kernel's two kinds of assertion and one way to die.
//
// panic() prints "PETREL PANIC at file:line: message", then halts the machine;
// in test builds (PETREL_TEST) it ends QEMU with a failing exit status through
// semihosting, so a test run can never mistake a panic for a pass.
#pragma once

#include "petrel/types.hpp"

namespace petrel {

[[noreturn]] void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Halts the machine for good: test builds end QEMU with `status`, other builds
// mask interrupts and wait forever. Used after a panic report or a test run.
[[noreturn]] void halt(int status);

}  // namespace petrel

#define panic(...) ::petrel::panic_at(__FILE__, __LINE__, __VA_ARGS__)

// Always checked, in every build.
#define check(cond)                                                  \
    do {                                                             \
        if (!(cond)) ::petrel::panic_at(__FILE__, __LINE__, "check failed: %s", #cond); \
    } while (0)

// Checked in debug builds only.
#ifdef NDEBUG
#define kassert(cond) ((void)0)
#else
#define kassert(cond) check(cond)
#endif
