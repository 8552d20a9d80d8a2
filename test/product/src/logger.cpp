// SPDX-License-Identifier: BSD-2-Clause
// The example product's logger: takes readings, keeps their total in the shared page, answers with it.
#include "product.hpp"

using namespace product;

extern "C" void petrel_app_main(u32, u32) {
    constexpr u32 kMe = app::logger;
    constexpr Endpoint kReadings{channel_slot(kSystem, kMe, channel::readings)};
    constexpr u32 kTotals = shared_vaddr(kSystem, kMe, shared::totals);
    static_assert(kReadings.valid() && kTotals, "the logger serves readings and writes totals");
    auto *totals = reinterpret_cast<volatile Totals *>(kTotals);
    uart::Client out = console<kMe>();
    out.printf("logger: ready, totals at %08x\n", kTotals);
    MessageRegs mr{};
    RecvResult r = kReadings.recv(mr);
    for (;;) {
        abi::MessageInfo answer{static_cast<u32>(abi::Error::IllegalOperation), 0, 0, 0};
        if (r.info.label == kReading && r.info.length == 1) {
            totals->count = totals->count + 1;
            totals->sum = totals->sum + mr[0];
            out.printf("logger: reading %u from badge %u: %u, total %u\n", totals->count, r.badge, mr[0],
                       totals->sum);
            mr[0] = totals->sum;
            answer = {0, 0, 0, 1};
        }
        r = kReadings.reply_recv(answer, mr);
    }
}
