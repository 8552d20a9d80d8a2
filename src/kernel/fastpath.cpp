// SPDX-License-Identifier: BSD-2-Clause
// The IPC fastpath's out-of-line part (the rest is inline in fastpath.hpp).
#include "fastpath.hpp"

namespace petrel::fastpath_detail {

Slot *general_lookup(const Cap &root, u32 cptr) {
    Lookup l = resolve(root, cptr, 32);
    return l.ok() ? l.slot : nullptr;
}

}  // namespace petrel::fastpath_detail
