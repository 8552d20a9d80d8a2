// SPDX-License-Identifier: BSD-2-Clause
// The kernel panic: one fixed prefix, file and line, then halt (see panic.hpp).
#include "panic.hpp"

#include "arch.hpp"
#include "console.hpp"

namespace petrel {

void panic_at(const char *file, int line, const char *fmt, ...) {
    arch::interrupts_off();
    kprintf("\nPETREL PANIC at %s:%d: ", file, line);
    va_list args;
    va_start(args, fmt);
    kvprintf(fmt, args);
    va_end(args);
    kprintf("\n");
    halt(1);
}

void halt(int status) {
    arch::interrupts_off();
#ifdef PETREL_TEST
    arch::test_exit(status);
#else
    (void)status;
#endif
    for (;;) arch::idle();
}

}  // namespace petrel
