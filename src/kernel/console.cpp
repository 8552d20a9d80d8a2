// SPDX-License-Identifier: BSD-2-Clause
// The kernel's debug console over platform::console_putc (see console.hpp).
#include "console.hpp"

#include "lib/format.hpp"
#include "platform.hpp"

namespace petrel {

void kputc(char c) {
    if (c == '\n') platform::console_putc('\r');
    platform::console_putc(c);
}

namespace {
void sink_put(void *, char c) { kputc(c); }
}  // namespace

int kvprintf(const char *fmt, va_list args) { return vformat(Sink{sink_put, nullptr}, fmt, args); }

int kprintf(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = kvprintf(fmt, args);
    va_end(args);
    return n;
}

}  // namespace petrel
