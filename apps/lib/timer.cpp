// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the timer service's client side (see timer.hpp).
#include "petrel/timer.hpp"

namespace petrel::timer {

u64 sleep_us(u32 ep, u32 us) {
    MessageRegs mr{us, 0, 0, 0};
    const abi::MessageInfo r = call(ep, {kSleep, 0, 0, 1}, mr);
    if (r.label != 0 || r.length < 2) return 0;
    return u64{mr[1]} << 32 | mr[0];
}

abi::Error set_timeout(u32 ep, u32 us) {
    MessageRegs mr{us, 0, 0, 0};
    return static_cast<abi::Error>(call(ep, {kTimeout, 0, 0, 1}, mr).label);
}

abi::Error cancel_timeout(u32 ep, bool &was_pending) {
    MessageRegs mr{};
    const abi::MessageInfo r = call(ep, {kCancel, 0, 0, 0}, mr);
    was_pending = r.label == 0 && r.length >= 1 && mr[0] != 0;
    return static_cast<abi::Error>(r.label);
}

bool stats(u32 ep, Stats &s) {
    MessageRegs mr{};
    const abi::MessageInfo r = call(ep, {kStats, 0, 0, 0}, mr);
    if (r.label != 0 || r.length < 4) return false;
    s = {mr[0], mr[1], mr[2], mr[3]};
    return true;
}

bool now(u32 ep, u64 &count, u32 &hz) {
    MessageRegs mr{};
    const abi::MessageInfo r = call(ep, {kNow, 0, 0, 0}, mr);
    if (r.label != 0 || r.length < 3) return false;
    count = u64{mr[1]} << 32 | mr[0];
    hz = mr[2];
    return true;
}

}  // namespace petrel::timer
