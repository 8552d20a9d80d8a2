// SPDX-License-Identifier: BSD-2-Clause
// Target tests of the boot foundation: tick, kernel window, formatting on the target ABI.
#include "arch.hpp"
#include "interrupt.hpp"
#include "ktest.hpp"
#include "lib/format.hpp"

namespace petrel {
namespace {

bool str_eq(const char *a, const char *b) {
    while (*a != '\0' && *a == *b) ++a, ++b;
    return *a == *b;
}

}  // namespace

// The timer interrupt is live: ticks advance while the CPU sleeps, at the rate
// the counter says: never faster, and at most 3x slower (a loaded host running
// QEMU delays ticks; a wrong interval would be off by far more).
KTEST(tick_advances) {
    u64 freq = arch::timer_frequency();
    u64 start_ticks = tick_count(), start_count = arch::timer_count();
    u64 limit = start_count + 5 * freq;  // 5 s of counter time at most
    while (tick_count() < start_ticks + 20 && arch::timer_count() < limit) arch::idle();
    u64 ticks = tick_count() - start_ticks, elapsed = arch::timer_count() - start_count;
    KEXPECT(ticks >= 20);
    u64 expected = 20 * freq / kTickHz;
    KEXPECT(elapsed * 4 >= expected * 3);
    KEXPECT(elapsed <= expected * 3);  // generous: a loaded host delays ticks, never hastens them
}

// The formatter on the target (32-bit longs, 64-bit division through libgcc).
KTEST(format_on_target) {
    char buf[64];
    snformat(buf, sizeof buf, "%u %d %08x %llu %llx %s", 4000000000u, -42, 0xbeefu,
             18446744073709551615ull, 0x123456789abcdefull, "ok");
    KEXPECT(str_eq(buf, "4000000000 -42 0000beef 18446744073709551615 123456789abcdef ok"));
}

}  // namespace petrel
