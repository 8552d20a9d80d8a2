// SPDX-License-Identifier: BSD-2-Clause
// demo: an app that crashes on purpose (a write through a null pointer) after 15 s, or at once when signalled.
//
// Its description says restart = true: the root task reports each fault and
// makes it again, and it then counts its run from the restarts it is given.
#include "demo.hpp"
#include "petrel/timer.hpp"
#include "petrel/uart.hpp"

using namespace demo;

extern "C" void petrel_app_main(u32, u32 restarts) {
    constexpr u32 kMe = app::crasher;
    constexpr u32 kConsole = channel_slot(kSystem, kMe, channel::console);
    constexpr u32 kClock = channel_slot(kSystem, kMe, channel::clock);
    constexpr Notification kPoke{channel_slot(kSystem, kMe, channel::poke)};
    static_assert(kConsole && kClock && kPoke.valid());
    constexpr u32 kSeconds = 15, kStepMs = 100;
    uart::Client out(kConsole, 0, process_ipc_buffer());
    out.printf("crasher: run %u: crashing in %u s, or at once on a signal\n", restarts + 1, kSeconds);
    for (u32 t = 0; t < kSeconds * 1000 / kStepMs; ++t) {
        timer::sleep_us(kClock, kStepMs * 1000);
        if (const u32 w = kPoke.poll()) {
            out.printf("crasher: signalled (word %x), crashing now\n", w);
            break;
        }
    }
    // A data abort: nothing is mapped below 64 KiB. (The address goes through
    // a register the compiler cannot see into, so it does not reason about it.)
    u32 address = 0x10;
    asm volatile("" : "+r"(address));
    *reinterpret_cast<volatile u32 *>(address) = 0xdead;
}
