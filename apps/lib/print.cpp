// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: puts and a small printf over DebugPutChar, and the formatter behind it (see user.hpp).
#include <stdarg.h>

#include "petrel/user.hpp"

namespace petrel {
namespace {

// Counts what the formatter writes, passing each character to the sink.
struct Out {
    void (*sink)(void *, char);
    void *ctx;
    int count = 0;
    void put(char c) {
        sink(ctx, c);
        ++count;
    }
};

void debug_sink(void *, char c) { debug_put_char(c); }

void put_number(Out &o, u64 v, u32 base, bool upper, bool negative, u32 width, char pad) {
    char digits[24];
    u32 n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[v % base];
        v /= base;
    } while (v != 0);
    u32 len = n + (negative ? 1 : 0);
    if (negative && pad == '0') o.put('-');
    for (; len < width; ++len) o.put(pad);
    if (negative && pad != '0') o.put('-');
    while (n > 0) o.put(digits[--n]);
}

}  // namespace

void puts(const char *s) {
    while (*s) debug_put_char(*s++);
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const int n = vformat(debug_sink, nullptr, fmt, ap);
    va_end(ap);
    return n;
}

int vformat(void (*sink)(void *ctx, char c), void *ctx, const char *fmt, va_list ap) {
    Out o{sink, ctx};
    for (const char *p = fmt; *p; ++p) {
        if (*p != '%') {
            o.put(*p);
            continue;
        }
        ++p;
        char pad = ' ';
        if (*p == '0') {
            pad = '0';
            ++p;
        }
        u32 width = 0;
        while (*p >= '0' && *p <= '9') width = width * 10 + static_cast<u32>(*p++ - '0');
        int longs = 0;
        while (*p == 'l') {
            ++longs;
            ++p;
        }
        switch (*p) {
        case 'd': {
            i64 v = longs >= 2 ? va_arg(ap, i64) : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
            put_number(o, v < 0 ? static_cast<u64>(-v) : static_cast<u64>(v), 10, false, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            u64 v = longs >= 2 ? va_arg(ap, u64) : longs == 1 ? va_arg(ap, unsigned long) : va_arg(ap, u32);
            put_number(o, v, *p == 'u' ? 10 : 16, *p == 'X', false, width, pad);
            break;
        }
        case 'p':
            put_number(o, reinterpret_cast<uptr>(va_arg(ap, void *)), 16, false, false, 8, '0');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            u32 len = 0;
            while (s[len]) ++len;
            for (; len < width; ++len) o.put(' ');
            while (*s) o.put(*s++);
            break;
        }
        case 'c': o.put(static_cast<char>(va_arg(ap, int))); break;
        case '%': o.put('%'); break;
        case '\0': --p; break;
        default:
            o.put('%');
            o.put(*p);
            break;
        }
    }
    return o.count;
}

}  // namespace petrel
