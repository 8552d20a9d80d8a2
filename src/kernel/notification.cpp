// SPDX-License-Identifier: BSD-2-Clause
// Notifications (see notification.hpp).
#include "notification.hpp"

#include "panic.hpp"

namespace petrel {

void notification_prepare_destroy(Notification *n) {
    // No thread can wait on a notification until IPC exists; IPC adds the
    // cancellation of waiters and unbinding here.
    kassert(n->head_and_state == 0 && n->bound_tcb == 0);
    (void)n;
}

}  // namespace petrel
