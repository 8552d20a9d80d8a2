// SPDX-License-Identifier: BSD-2-Clause
// Notifications (see notification.hpp).
#include "notification.hpp"

#include "ipc.hpp"

namespace petrel {

void notification_prepare_destroy(Notification *n) {
    cancel_all_signals(n);
    if (auto *t = kptr<Tcb>(n->bound_tcb)) unbind_notification(t);
}

}  // namespace petrel
