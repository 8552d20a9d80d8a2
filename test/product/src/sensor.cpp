// SPDX-License-Identifier: BSD-2-Clause
// The example product's sensor: sends five readings to the logger and checks its answers against the shared page.
#include "product.hpp"

using namespace product;

extern "C" void petrel_app_main(u32 index, u32) {
    constexpr u32 kMe = app::sensor;
    constexpr Endpoint kReadings{channel_slot(kSystem, kMe, channel::readings)};
    constexpr u32 kTotals = shared_vaddr(kSystem, kMe, shared::totals);
    static_assert(kReadings.valid() && kTotals, "the sensor calls the logger and reads totals");
    const auto *totals = reinterpret_cast<const volatile Totals *>(kTotals);
    printf("sensor: app %u of system '%s', %u apps\n", index, kSystemName, kAppsCount);
    u32 expected = 0, agree = 0;
    for (u32 i = 1; i <= 5; ++i) {
        MessageRegs mr{i * i};
        const abi::MessageInfo answer = kReadings.call({kReading, 0, 0, 1}, mr);
        expected += i * i;
        if (answer.label == 0 && mr[0] == expected && totals->sum == expected && totals->count == i) ++agree;
    }
    printf("sensor: 5 readings sent, total %u; %u of 5 answers agree with the shared page\n", expected, agree);
}
