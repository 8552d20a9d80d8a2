// SPDX-License-Identifier: BSD-2-Clause
// Fault delivery (see fault.hpp).
#include "fault.hpp"

#include "cspace.hpp"
#include "endpoint.hpp"
#include "ipc.hpp"

namespace petrel {

bool send_fault(Tcb *t, const Fault &f) {
    t->fault_kind = static_cast<u32>(f.kind);
    t->fault_address = f.address;
    t->fault_status = f.status;
    t->fault_instruction = f.instruction ? 1 : 0;
    Lookup l = lookup_cap(t, t->fault_ep);
    if (!l.ok() || l.bits_left != 0) return false;
    const Cap &ep = l.slot->cap;
    if (ep.type() != CapType::Endpoint) return false;
    const u32 r = ep.ipc_rights();
    if (!(r & abi::kRightWrite) ||
        !(r & (abi::kRightGrant | abi::kRightGrantReply)))
        return false;
    send_ipc(t, ep, true, true);
    return true;
}

}  // namespace petrel
