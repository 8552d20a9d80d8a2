// SPDX-License-Identifier: BSD-2-Clause
// hostile: the innocent app, which answers the root's pings while the hostile app attacks.
//
// It serves one endpoint (cap pointer `ep`, Read only: it can send to no one)
// with ReplyRecv. A ping (badge kPingBadge, label kPing, kPingWords words) gets
// kPongWords words back: the words transformed (pong_word), then whether its
// secret page still holds what the root wrote there (the word the ping's
// number picks, and a full check every 64 pings), whether its FPU registers
// d8-d15 still hold its pattern, how many messages the hostile app has sent it
// and how many of them asked it to use the FPU. Anything else (the hostile
// app's messages, badge kHostileBadge, whatever they say) gets an empty reply;
// kTouchFpu makes it use the FPU first, so the FPU belongs to it when the
// hostile app runs next.
//
// Its state is in its own data (a copy of the image's, made for it by the root).
#include "common.hpp"
#include "petrel/user.hpp"

using namespace petrel;
using namespace hostile;

namespace {

constexpr u32 kFpuPattern = 0x1220'cafe;

void fpu_set_pattern() {
    asm volatile(
        ".fpu neon-vfpv4\n"
        " vmov d8, %0, %1\n vmov d9, %1, %0\n vmov d10, %0, %0\n vmov d11, %1, %1\n"
        " vmov d12, %0, %1\n vmov d13, %1, %0\n vmov d14, %0, %0\n vmov d15, %1, %1"
        :
        : "r"(kFpuPattern), "r"(~kFpuPattern));
}

bool fpu_holds_pattern() {
    u32 a, b, c, d, e, f;
    asm volatile(
        ".fpu neon-vfpv4\n vmov %0, %1, d8\n vmov %2, %3, d11\n vmov %4, %5, d14"
        : "=r"(a), "=r"(b), "=r"(c), "=r"(d), "=r"(e), "=r"(f));
    return a == kFpuPattern && b == ~kFpuPattern && c == ~kFpuPattern && d == ~kFpuPattern && e == kFpuPattern &&
           f == kFpuPattern;
}

void fpu_touch(u32 v) { asm volatile(".fpu neon-vfpv4\n vmov s0, %0" : : "r"(v)); }

u32 g_pings, g_hostile_messages, g_touches, g_secret_bad, g_fpu_bad;

bool secret_ok(u32 i) { return reinterpret_cast<const volatile u32 *>(kSecret)[i] == secret_word(i); }

}  // namespace

extern "C" [[noreturn]] void innocent_main(u32 ep) {
    auto *ipc = reinterpret_cast<abi::IpcBuffer *>(kIpcBuffer);
    g_pings = g_hostile_messages = g_touches = g_secret_bad = g_fpu_bad = 0;
    fpu_set_pattern();
    Message m(ipc);
    RecvResult r = recv(ep, m.regs);
    for (;;) {
        u32 label = 0, length = 0;
        if (r.badge == kPingBadge && r.info.label == kPing && r.info.length == kPingWords) {
            ++g_pings;
            for (u32 i = 0; i < kPingWords; ++i) m.set(i, pong_word(m.get(i), i));
            bool secret = secret_ok(g_pings % kSecretWords);
            if (g_pings % 64 == 0)
                for (u32 i = 0; i < kSecretWords; ++i) secret = secret && secret_ok(i);
            if (!secret) ++g_secret_bad;
            if (!fpu_holds_pattern()) {
                ++g_fpu_bad;
                fpu_set_pattern();
            }
            m.set(kPingWords, g_secret_bad);
            m.set(kPingWords + 1, g_fpu_bad);
            m.set(kPingWords + 2, g_hostile_messages);
            m.set(kPingWords + 3, g_touches);
            label = kPong;
            length = kPongWords;
        } else {
            ++g_hostile_messages;
            if (r.info.label == kTouchFpu) {
                ++g_touches;
                fpu_touch(g_touches);
            }
        }
        r = reply_recv(ep, {label, 0, 0, length}, m.regs);
    }
}
