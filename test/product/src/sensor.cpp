// SPDX-License-Identifier: BSD-2-Clause
// The example product's sensor: sends five readings to the logger, 10 ms apart (Petrel's timer service),
// and checks its answers against the shared page.
#include "petrel/timer.hpp"
#include "product.hpp"

using namespace product;

extern "C" void petrel_app_main(u32 index, u32) {
    constexpr u32 kMe = app::sensor;
    constexpr Endpoint kReadings{channel_slot(kSystem, kMe, channel::readings)};
    constexpr u32 kTotals = shared_vaddr(kSystem, kMe, shared::totals);
    constexpr u32 kTime = channel_slot(kSystem, kMe, channel::time);
    static_assert(kReadings.valid() && kTotals && kTime, "the sensor calls the logger and the clock, reads totals");
    const auto *totals = reinterpret_cast<const volatile Totals *>(kTotals);
    uart::Client out = console<kMe>();
    out.printf("sensor: app %u of system '%s', %u apps\n", index, kSystemName, kAppsCount);
    u32 expected = 0, agree = 0, slept = 0;
    u64 start = 0;
    u32 hz = 0;
    timer::now(kTime, start, hz);
    for (u32 i = 1; i <= 5; ++i) {
        if (timer::sleep_us(kTime, 10'000) != 0) ++slept;
        MessageRegs mr{i * i};
        const abi::MessageInfo answer = kReadings.call({kReading, 0, 0, 1}, mr);
        expected += i * i;
        if (answer.label == 0 && mr[0] == expected && totals->sum == expected && totals->count == i) ++agree;
    }
    u64 end = 0;
    timer::now(kTime, end, hz);
    const u64 ms = hz ? (end - start) * 1000 / hz : 0;
    out.printf("sensor: 5 readings sent, total %u; %u of 5 answers agree with the shared page\n", expected, agree);
    out.printf("sensor: %u of 5 sleeps of 10 ms answered by the timer service; %s 50 ms passed\n", slept,
               ms >= 50 ? "at least" : "FAILED: less than");
}
