// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the timer service's IPC protocol and its client side (sleeps and timeouts).
//
// The kernel has no IPC timeouts; time comes from a user-level service
// (apps/drivers/timer_service.cpp) that owns the generic timer's virtual timer
// and its interrupt line. Times are in the virtual counter's ticks (CNTVCT, at
// CNTFRQ Hz, which clients may read themselves: petrel/counters.hpp), asked for
// in microseconds. Each client holds a cap to the service's endpoint minted
// with its own badge b (1..kMaxClients) and, for timeouts, a notification the
// service can signal (it holds a Write cap to it for badge b). Requests are
// Calls; a reply labelled with an abi::Error is a refusal.
//
//   kSleep    MR0 microseconds. The reply comes once CNTVCT has reached the
//             deadline (the counter at the request plus the microseconds,
//             rounded up to a tick): MR0, MR1 = the counter when it was sent
//             (low, high). Several clients may sleep at once (up to
//             kMaxPending); more: NotEnoughMemory at once.
//   kTimeout  MR0 microseconds. Arms the client's one timeout (replacing one
//             pending): when due, the service signals the client's
//             notification. Reply at once, MR0 = 1 if an earlier one was replaced.
//   kCancel   Disarms the client's timeout. Reply MR0 = 1 if one was pending.
//   kNow      Reply MR0, MR1 = the counter now (low, high), MR2 = its frequency in Hz.
//   kStats    Reply MR0 timer interrupts taken, MR1 the OR of the notification
//             words they came with (the IrqHandler's badge), MR2 sleeps
//             answered, MR3 timeouts signalled.
// A timeout without a notification for the client's badge is InvalidArgument.
#pragma once

#include "petrel/user.hpp"

namespace petrel::timer {

enum Label : u32 { kSleep = 1, kTimeout = 2, kCancel = 3, kStats = 4, kNow = 5 };
constexpr u32 kMaxClients = 8;  // badges 1..8
constexpr u32 kMaxPending = 16;

struct Stats {
    u32 interrupts, irq_badges, sleeps, timeouts;
};

// Sleeps `us` microseconds through the service at `ep`; returns the counter
// value the service replied with (0 if it refused).
u64 sleep_us(u32 ep, u32 us);
// Arms (or re-arms) the caller's timeout: its notification is signalled in `us`
// microseconds. Returns abi::Error::None or the refusal.
abi::Error set_timeout(u32 ep, u32 us);
// Disarms it; `was_pending` says whether one was armed.
abi::Error cancel_timeout(u32 ep, bool &was_pending);
bool stats(u32 ep, Stats &s);
// The service's counter and its frequency (kNow); false if it refused.
bool now(u32 ep, u64 &count, u32 &hz);

}  // namespace petrel::timer
