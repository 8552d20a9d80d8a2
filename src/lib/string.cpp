// SPDX-License-Identifier: BSD-2-Clause
// memset/memcpy/memmove/memcmp for freestanding code, kernel and libpetrel (GCC may emit calls to them).
#include "petrel/types.hpp"

namespace {

// Words of any type (memset and memcpy write objects of every type).
using Word = u32 __attribute__((may_alias));
// The stores and loads are volatile, so that GCC does not turn the loops back
// into calls of these very functions; four words a turn while at least 16
// bytes remain, then words, then bytes.
bool aligned(const void *p) { return (reinterpret_cast<uptr>(p) & 3) == 0; }

}  // namespace

extern "C" {

// Word stores when `dst` is word-aligned (a kernel object, a structure on the
// stack: nearly always), byte stores for the rest.
void *memset(void *dst, int c, usize n) {
    auto *d = static_cast<u8 *>(dst);
    if (aligned(d)) {
        const u32 w = static_cast<u8>(c) * 0x0101'0101u;
        auto *dw = reinterpret_cast<volatile Word *>(d);
        for (; n >= 16; n -= 16, dw += 4) {
            dw[0] = w;
            dw[1] = w;
            dw[2] = w;
            dw[3] = w;
        }
        for (; n >= 4; n -= 4) *dw++ = w;
        d = const_cast<u8 *>(reinterpret_cast<volatile u8 *>(dw));
    }
    auto *db = reinterpret_cast<volatile u8 *>(d);
    for (usize i = 0; i < n; ++i) db[i] = static_cast<u8>(c);
    return dst;
}

// Word copies when both are word-aligned, else byte copies.
void *memcpy(void *dst, const void *src, usize n) {
    auto *d = static_cast<u8 *>(dst);
    const auto *s = static_cast<const u8 *>(src);
    if (aligned(d) && aligned(s)) {
        auto *dw = reinterpret_cast<volatile Word *>(d);
        const auto *sw = reinterpret_cast<const Word *>(s);
        for (; n >= 16; n -= 16, dw += 4, sw += 4) {
            dw[0] = sw[0];
            dw[1] = sw[1];
            dw[2] = sw[2];
            dw[3] = sw[3];
        }
        for (; n >= 4; n -= 4) *dw++ = *sw++;
        d = const_cast<u8 *>(reinterpret_cast<volatile u8 *>(dw));
        s = reinterpret_cast<const u8 *>(sw);
    }
    auto *db = reinterpret_cast<volatile u8 *>(d);
    for (usize i = 0; i < n; ++i) db[i] = s[i];
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
