// SPDX-License-Identifier: BSD-2-Clause
// The kernel's debug console: formatted output to the board's UART.
//
// kprintf() may be called from any kernel context once console_init() has run
// (the boot path calls it right after the device window is mapped). Output is
// synchronous and unbuffered; '\n' becomes "\r\n".
#pragma once

#include <stdarg.h>

#include "petrel/types.hpp"

namespace petrel {

void kputc(char c);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list args);

}  // namespace petrel
