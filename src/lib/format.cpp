// SPDX-License-Identifier: BSD-2-Clause
// The printf-style formatter behind the kernel console (see format.hpp).
#include "format.hpp"

namespace petrel {
namespace {

struct Out {
    Sink sink;
    int count;
    void put(char c) {
        sink.put(sink.ctx, c);
        ++count;
    }
    void pad(int n, char c) {
        while (n-- > 0) put(c);
    }
};

struct Spec {
    bool left = false;
    bool zero = false;
    int width = 0;
};

// Writes `digits` (not NUL-terminated, `len` long) honouring width and flags.
void emit_field(Out &out, const Spec &spec, const char *sign, const char *digits, int len) {
    int sign_len = 0;
    while (sign[sign_len] != '\0') ++sign_len;
    int fill = spec.width - len - sign_len;
    if (!spec.left && !spec.zero) out.pad(fill, ' ');
    for (int i = 0; i < sign_len; ++i) out.put(sign[i]);
    if (!spec.left && spec.zero) out.pad(fill, '0');
    for (int i = 0; i < len; ++i) out.put(digits[i]);
    if (spec.left) out.pad(fill, ' ');
}

void emit_unsigned(Out &out, const Spec &spec, const char *sign, u64 value, unsigned base, bool upper) {
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int len = 0;
    do {
        tmp[sizeof(tmp) - 1 - len] = set[value % base];
        value /= base;
        ++len;
    } while (value != 0);
    emit_field(out, spec, sign, &tmp[sizeof(tmp) - len], len);
}

// Reads a conversion's flags, width (digits, or '*': the next argument) and
// length modifiers ('l' each) from `p`, just after the '%'; returns where the
// conversion character is.
const char *parse_spec(const char *p, Spec &spec, int &longs, va_list *args) {
    for (;; ++p) {
        if (*p == '-') spec.left = true;
        else if (*p == '0') spec.zero = true;
        else break;
    }
    if (*p == '*') {
        spec.width = va_arg(*args, int);
        if (spec.width < 0) {
            spec.left = true;
            spec.width = -spec.width;
        }
        ++p;
    } else {
        while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    }
    if (spec.left) spec.zero = false;
    longs = 0;
    while (*p == 'l') {
        ++longs;
        ++p;
    }
    return p;
}

// Writes the conversion `*p` of the directive that starts at `start` (its
// '%'), taking its argument from `args`; an unknown or truncated conversion is
// written as it stands. Returns false when the format string ends inside it.
bool emit_conversion(Out &out, Spec spec, int longs, const char *start, const char *p, va_list *args) {
    switch (*p) {
    case 'd':
    case 'i': {
        i64 v = longs >= 2 ? va_arg(*args, i64) : longs == 1 ? va_arg(*args, long) : va_arg(*args, int);
        u64 mag = v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v);
        emit_unsigned(out, spec, v < 0 ? "-" : "", mag, 10, false);
        break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
        u64 v = longs >= 2 ? va_arg(*args, u64)
                : longs == 1 ? va_arg(*args, unsigned long)
                             : va_arg(*args, unsigned int);
        unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
        emit_unsigned(out, spec, "", v, base, *p == 'X');
        break;
    }
    case 'p': {
        auto v = reinterpret_cast<uptr>(va_arg(*args, void *));
        Spec ptr_spec{spec.left, true, spec.width ? spec.width : static_cast<int>(2 * sizeof(void *))};
        emit_unsigned(out, ptr_spec, "", v, 16, false);
        break;
    }
    case 'c': {
        char c = static_cast<char>(va_arg(*args, int));
        spec.zero = false;
        emit_field(out, spec, "", &c, 1);
        break;
    }
    case 's': {
        const char *s = va_arg(*args, const char *);
        if (s == nullptr) s = "(null)";
        int len = 0;
        while (s[len] != '\0') ++len;
        spec.zero = false;
        emit_field(out, spec, "", s, len);
        break;
    }
    case '%':
        out.put('%');
        break;
    default:
        // Unknown or truncated conversion: print it as written.
        for (const char *q = start; q <= p && *q != '\0'; ++q) out.put(*q);
        if (*p == '\0') return false;
        break;
    }
    return true;
}

}  // namespace

int vformat(Sink sink, const char *fmt, va_list args) {
    Out out{sink, 0};
    va_list ap;  // the helpers take the arguments by pointer (a va_list parameter may be an array)
    va_copy(ap, args);
    for (const char *p = fmt; *p != '\0'; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        const char *start = p;
        Spec spec;
        int longs = 0;
        p = parse_spec(p + 1, spec, longs, &ap);
        if (!emit_conversion(out, spec, longs, start, p, &ap)) break;
    }
    va_end(ap);
    return out.count;
}

int format(Sink sink, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vformat(sink, fmt, args);
    va_end(args);
    return n;
}

namespace {
struct Buffer {
    char *buf;
    usize size;
    usize used;
};
void buffer_put(void *ctx, char c) {
    auto *b = static_cast<Buffer *>(ctx);
    if (b->used + 1 < b->size) b->buf[b->used] = c;
    ++b->used;
}
}  // namespace

int vsnformat(char *buf, usize size, const char *fmt, va_list args) {
    Buffer b{buf, size, 0};
    int n = vformat(Sink{buffer_put, &b}, fmt, args);
    if (size > 0) buf[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

int snformat(char *buf, usize size, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vsnformat(buf, size, fmt, args);
    va_end(args);
    return n;
}

}  // namespace petrel
