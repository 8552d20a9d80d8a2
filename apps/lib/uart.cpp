// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the UART driver's client side (see uart.hpp).
#include "petrel/uart.hpp"

namespace petrel::uart {

u32 Client::write(const char *s, u32 n) {
    u32 done = 0;
    while (done < n) {
        const u32 chunk = n - done < kMaxBytes ? n - done : kMaxBytes;
        Message m(ipc_);
        m.set(0, chunk);
        const u32 words = (chunk + 3) / 4;
        for (u32 w = 0; w < words; ++w) {
            u32 v = 0;
            for (u32 b = 0; b < 4 && w * 4 + b < chunk; ++b)
                v |= static_cast<u32>(static_cast<u8>(s[done + w * 4 + b])) << (8 * b);
            m.set(1 + w, v);
        }
        const abi::MessageInfo r = call(ep_, {kWrite, 0, 0, 1 + words}, m.regs);
        if (r.label != 0) break;
        done += m.get(0) < chunk ? m.get(0) : chunk;
        if (m.get(0) < chunk) break;
    }
    return done;
}

u32 Client::read(char *buf, u32 max) {
    if (max > kMaxBytes) max = kMaxBytes;
    Message m(ipc_);
    m.set(0, max);
    const abi::MessageInfo r = call(ep_, {kRead, 0, 0, 1}, m.regs);
    if (r.label != 0 || r.length < 1) return 0;
    u32 n = m.get(0);
    if (n > max || (n + 3) / 4 + 1 > r.length) return 0;
    for (u32 i = 0; i < n; ++i) buf[i] = static_cast<char>(m.get(1 + i / 4) >> (8 * (i % 4)));
    return n;
}

u32 Client::read_wait(char *buf, u32 max) {
    for (;;) {
        const u32 n = read(buf, max);
        if (n || !ntfn_) return n;
        wait(ntfn_);
    }
}

namespace {

// printf's output, gathered into messages.
struct Gather {
    Client *client;
    char buf[128];
    u32 n = 0, written = 0;
    void flush() {
        written += client->write(buf, n);
        n = 0;
    }
};

void gather(void *ctx, char c) {
    Gather *g = static_cast<Gather *>(ctx);
    if (g->n == sizeof(g->buf)) g->flush();
    g->buf[g->n++] = c;
}

}  // namespace

int Client::printf(const char *fmt, ...) {
    Gather g{this, {}};
    va_list ap;
    va_start(ap, fmt);
    vformat(gather, &g, fmt, ap);
    va_end(ap);
    g.flush();
    return static_cast<int>(g.written);
}

bool Client::stats(Stats &s) {
    Message m(ipc_);
    const abi::MessageInfo r = call(ep_, {kStats, 0, 0, 0}, m.regs);
    if (r.label != 0 || r.length < 5) return false;
    s = {m.get(0), m.get(1), m.get(2), m.get(3), m.get(4)};
    return true;
}

}  // namespace petrel::uart
