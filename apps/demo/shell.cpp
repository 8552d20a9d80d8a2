// SPDX-License-Identifier: BSD-2-Clause
// demo: the shell: reads lines through the UART driver and runs a few commands.
//
// Commands (help lists them):
//   apps           every app of the system, its state (asked of the root task:
//                  kRootAppState), priority, restarts, faults and core (the
//                  tables': the root task moved it there before it first ran)
//   uptime         the timer service's counter, in seconds since it started
//   ping [N]       N (default 100, at most 1000) Calls to the echo server; the
//                  minimum and median round trip in PMU cycle-counter counts
//                  (instructions under QEMU -icount shift=0, cycles on a board)
//   signal APP     signals the notification channel APP serves and the shell
//                  is a client of (the demo's: crasher, through "poke")
//   upper TEXT     writes TEXT into the shared line buffer, has the echo server
//                  upper-case it there, prints the buffer
//   help
#include "demo.hpp"
#include "petrel/counters.hpp"
#include "petrel/timer.hpp"
#include "petrel/uart.hpp"

using namespace demo;

namespace {

constexpr u32 kMe = app::shell;
constexpr u32 kConsole = channel_slot(kSystem, kMe, channel::console);
constexpr u32 kInput = channel_slot(kSystem, kMe, channel::console_input);
constexpr u32 kClock = channel_slot(kSystem, kMe, channel::clock);
constexpr u32 kEcho = channel_slot(kSystem, kMe, channel::echo);
constexpr u32 kBuffer = shared_vaddr(kSystem, kMe, shared::line_buffer);
static_assert(kConsole && kInput && kClock && kEcho && kBuffer);

bool same(const char *a, const char *b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

// The next word of `s` (NUL-terminated in place); `s` moves past it.
char *word(char *&s) {
    while (*s == ' ') ++s;
    char *w = s;
    while (*s && *s != ' ') ++s;
    if (*s) *s++ = 0;
    return w;
}

u32 number(const char *s, u32 fallback) {
    if (!*s) return fallback;
    u32 v = 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + static_cast<u32>(*s - '0');
    }
    return v;
}

// Spaces that take `s` to `width` characters (printf has no '-' flag).
const char *pad(const char *s, u32 width) {
    static const char kSpaces[] = "                ";
    u32 n = 0;
    while (s[n]) ++n;
    const u32 want = n < width ? width - n : 0;
    return kSpaces + (sizeof(kSpaces) - 1 - (want < sizeof(kSpaces) - 1 ? want : sizeof(kSpaces) - 1));
}

struct Shell {
    uart::Client out{kConsole, kInput, process_ipc_buffer()};

    void help() {
        out.printf("commands:\n"
                   "  apps          list the apps, their state, restarts and core\n"
                   "  uptime        time since boot, from the timer service\n"
                   "  ping [N]      N IPC round trips to echo, in PMU counts\n"
                   "  upper TEXT    echo upper-cases TEXT in shared memory\n"
                   "  signal APP    signal APP's notification channel\n");
    }

    void apps() {
        for (u32 i = 0; i < kAppsCount; ++i) {
            MessageRegs mr{i, 0, 0, 0};
            const abi::MessageInfo r = call(kAppCapRoot, {kRootAppState, 0, 0, 1}, mr);
            if (r.label != 0) {
                out.printf("apps: the root task refused: error %u\n", r.label);
                return;
            }
            const char *state = app_state_name(static_cast<AppState>(mr[0]));
            out.printf("  %s%s %s%s priority %3u  restarts %u  faults %u  core %u\n", kApps[i].name,
                       pad(kApps[i].name, 8), state, pad(state, 12), kApps[i].priority, mr[1], mr[2], kApps[i].core);
        }
    }

    void uptime() {
        u64 count = 0;
        u32 hz = 0;
        if (!timer::now(kClock, count, hz) || hz == 0) {
            out.printf("uptime: the timer service refused\n");
            return;
        }
        const u64 ms = count * 1000 / hz;
        out.printf("uptime: %u.%03u s (counter %llu at %u Hz)\n", static_cast<u32>(ms / 1000),
                   static_cast<u32>(ms % 1000), count, hz);
    }

    void ping(u32 n) {
        constexpr u32 kMax = 1000;
        if (n == 0 || n > kMax) {
            out.printf("ping: N must be 1..%u\n", kMax);
            return;
        }
        if (!pmu_user_enabled()) {
            out.printf("ping: the PMU cycle counter is not open to user mode\n");
            return;
        }
        static u32 t[kMax];
        for (u32 i = 0; i < n; ++i) {
            MessageRegs mr{};
            const u32 t0 = pmccntr();
            const abi::MessageInfo r = call(kEcho, {kPing, 0, 0, 0}, mr);
            t[i] = pmccntr() - t0;
            if (r.label != 0) {
                out.printf("ping: echo refused: error %u\n", r.label);
                return;
            }
        }
        for (u32 i = 1; i < n; ++i)  // insertion sort: n is small
            for (u32 j = i; j > 0 && t[j - 1] > t[j]; --j) {
                const u32 x = t[j];
                t[j] = t[j - 1];
                t[j - 1] = x;
            }
        out.printf("ping: %u round trips to echo: min %u, median %u, max %u PMU counts "
                   "(instructions under QEMU -icount, else cycles)\n",
                   n, t[0], t[n / 2], t[n - 1]);
    }

    void upper(const char *text) {
        char *buf = reinterpret_cast<char *>(kBuffer);
        u32 n = 0;
        while (text[n] && n + 1 < kShared[shared::line_buffer].size) buf[n] = text[n], ++n;
        buf[n] = 0;
        MessageRegs mr{n, 0, 0, 0};
        const abi::MessageInfo r = call(kEcho, {kUpper, 0, 0, 1}, mr);
        if (r.label != 0) out.printf("upper: echo refused: error %u\n", r.label);
        else out.printf("upper: %s\n", buf);
    }

    void signal_app(const char *name) {
        const u32 target = app_index(kSystem, name);
        if (target == kAppsCount) {
            out.printf("signal: no app '%s'\n", name);
            return;
        }
        for (u32 c = 0; c < kChannelsCount; ++c)
            if (kChannels[c].kind == ChannelKind::Notification && kChannels[c].server == target &&
                client_badge(kSystem, kMe, c)) {
                signal(channel_slot(kSystem, kMe, c));
                out.printf("signal: signalled '%s' through channel '%s'\n", name, kChannels[c].name);
                return;
            }
        out.printf("signal: the shell has no notification channel to '%s'\n", name);
    }

    void run(char *line) {
        char *rest = line;
        const char *cmd = word(rest);
        if (!*cmd) return;
        if (same(cmd, "help")) help();
        else if (same(cmd, "apps")) apps();
        else if (same(cmd, "uptime")) uptime();
        else if (same(cmd, "ping")) ping(number(word(rest), 100));
        else if (same(cmd, "signal")) signal_app(word(rest));
        else if (same(cmd, "upper")) {
            while (*rest == ' ') ++rest;
            upper(rest);
        } else out.printf("%s: unknown command (try help)\n", cmd);
    }

    // Reads one line, echoing what is typed (Backspace and Delete erase).
    u32 read_line(char *line, u32 size) {
        u32 n = 0;
        for (;;) {
            char buf[32];
            const u32 got = out.read_wait(buf, sizeof(buf));
            for (u32 i = 0; i < got; ++i) {
                const char c = buf[i];
                if (c == '\r' || c == '\n') {
                    out.write("\r\n", 2);
                    line[n] = 0;
                    return n;
                }
                if (c == 0x7f || c == '\b') {
                    if (n) --n, out.write("\b \b", 3);
                } else if (c >= ' ' && n + 1 < size) {
                    line[n++] = c;
                    out.write(&c, 1);
                }
            }
        }
    }
};

}  // namespace

extern "C" void petrel_app_main(u32, u32) {
    Shell sh;
    sh.out.printf("shell: ready on system '%s' (%u apps); type help\n", kSystemName, kAppsCount);
    for (;;) {
        char line[128];
        sh.out.printf("petrel> ");
        sh.read_line(line, sizeof(line));
        sh.run(line);
    }
}
