// SPDX-License-Identifier: BSD-2-Clause
// A small printf-style formatter, shared by the kernel console and the host tests.
//
// Contract: format() writes every produced character to `sink` and returns the
// count. Supported conversions: %d %i %u %x %X %o %c %s %p %% with the flags
// '-' and '0', a field width (digits or '*'), and the length modifiers 'l' (ignored:
// long is 32-bit on the target) and 'll' (64-bit). %s of a null pointer prints
// "(null)". An unknown conversion is printed verbatim, so a bad format string is
// visible in the log instead of silently eating arguments. No floating point.
#pragma once

#include <stdarg.h>

#include "petrel/types.hpp"

namespace petrel {

struct Sink {
    void (*put)(void *ctx, char c);
    void *ctx;
};

int vformat(Sink sink, const char *fmt, va_list args);
int format(Sink sink, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Formats into buf (always NUL-terminated when size > 0); returns the length the
// whole output would have had, like snprintf.
int snformat(char *buf, usize size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnformat(char *buf, usize size, const char *fmt, va_list args);

}  // namespace petrel
