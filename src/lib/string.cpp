// SPDX-License-Identifier: BSD-2-Clause
// memset/memcpy/memmove/memcmp for freestanding code, kernel and libpetrel (GCC may emit calls to them).
#include "petrel/types.hpp"

extern "C" {

void *memset(void *dst, int c, usize n) {
    auto *d = static_cast<volatile u8 *>(dst);  // volatile: not turned back into a memset call
    for (usize i = 0; i < n; ++i) d[i] = static_cast<u8>(c);
    return dst;
}

void *memcpy(void *dst, const void *src, usize n) {
    auto *d = static_cast<volatile u8 *>(dst);
    const auto *s = static_cast<const u8 *>(src);
    for (usize i = 0; i < n; ++i) d[i] = s[i];
    return dst;
}

void *memmove(void *dst, const void *src, usize n) {
    auto *d = static_cast<volatile u8 *>(dst);
    const auto *s = static_cast<const u8 *>(src);
    if (d < s) {
        for (usize i = 0; i < n; ++i) d[i] = s[i];
    } else {
        for (usize i = n; i > 0; --i) d[i - 1] = s[i - 1];
    }
    return dst;
}

int memcmp(const void *a, const void *b, usize n) {
    const auto *x = static_cast<const u8 *>(a);
    const auto *y = static_cast<const u8 *>(b);
    for (usize i = 0; i < n; ++i) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

}
