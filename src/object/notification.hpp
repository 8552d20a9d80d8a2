// SPDX-License-Identifier: BSD-2-Clause
// Notifications (asynchronous endpoints): 16 bytes, a word of OR-ed badges,
// a queue of waiting threads and an optional bound thread.
#pragma once

#include "petrel/abi.hpp"
#include "petrel/types.hpp"

namespace petrel {

enum class NotificationState : u32 { Idle = 0, Waiting = 1, Active = 2 };

struct Notification {
    u32 head_and_state;  // first waiting TCB (physical) | state in bits 1..0
    u32 tail;
    u32 word;            // pending badge bits
    u32 bound_tcb;       // TCB (physical) bound with BindNotification, or 0
};
static_assert(sizeof(Notification) == 1u << abi::kNotificationBits);

// Called when the last cap to a notification goes.
void notification_prepare_destroy(Notification *n);

}  // namespace petrel
