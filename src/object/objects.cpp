// SPDX-License-Identifier: BSD-2-Clause
// Object sizes and creation for Untyped.Retype (see objects.hpp).
#include "objects.hpp"

#include "panic.hpp"
#include "tcb.hpp"

namespace petrel {

using abi::ObjectType;

u32 object_size_bits(ObjectType type, u32 user_bits) {
    switch (type) {
    case ObjectType::Untyped: return user_bits;
    case ObjectType::Tcb: return abi::kTcbBits;
    case ObjectType::Endpoint: return abi::kEndpointBits;
    case ObjectType::Notification: return abi::kNotificationBits;
    case ObjectType::CNode: return user_bits + abi::kSlotBits;
    case ObjectType::PageDirectory: return abi::kPageDirectoryBits;
    case ObjectType::PageTable: return abi::kPageTableBits;
    case ObjectType::Frame4K: return 12;
    case ObjectType::Frame64K: return 16;
    case ObjectType::Frame1M: return 20;
    case ObjectType::Frame16M: return 24;
    case ObjectType::Count: break;
    }
    return 0;
}

bool is_frame_type(ObjectType type) {
    return type == ObjectType::Frame4K || type == ObjectType::Frame64K ||
           type == ObjectType::Frame1M || type == ObjectType::Frame16M;
}

const char *object_type_name(ObjectType type) {
    switch (type) {
    case ObjectType::Untyped: return "Untyped";
    case ObjectType::Tcb: return "TCB";
    case ObjectType::Endpoint: return "Endpoint";
    case ObjectType::Notification: return "Notification";
    case ObjectType::CNode: return "CNode";
    case ObjectType::PageDirectory: return "PageDirectory";
    case ObjectType::PageTable: return "PageTable";
    case ObjectType::Frame4K: return "Frame4K";
    case ObjectType::Frame64K: return "Frame64K";
    case ObjectType::Frame1M: return "Frame1M";
    case ObjectType::Frame16M: return "Frame16M";
    case ObjectType::Count: break;
    }
    return "unknown";
}

Cap create_object(ObjectType type, paddr_t obj, u32 user_bits, bool device) {
    switch (type) {
    case ObjectType::Untyped: return Cap::untyped(obj, user_bits, device, 0);
    case ObjectType::Tcb:
        tcb_init(kptr<Tcb>(obj));
        return Cap::thread(obj);
    case ObjectType::Endpoint: return Cap::endpoint(obj, 0, abi::kRightsAll);
    case ObjectType::Notification: return Cap::notification(obj, 0, abi::kRightsAll);
    case ObjectType::CNode: return Cap::cnode(obj, user_bits, 0, 0);
    case ObjectType::PageDirectory: return Cap::page_directory(obj);
    case ObjectType::PageTable: return Cap::page_table(obj);
    case ObjectType::Frame4K: return Cap::frame(CapType::Frame4K, obj, abi::kRightsAll, device);
    case ObjectType::Frame64K: return Cap::frame(CapType::Frame64K, obj, abi::kRightsAll, device);
    case ObjectType::Frame1M: return Cap::frame(CapType::Frame1M, obj, abi::kRightsAll, device);
    case ObjectType::Frame16M: return Cap::frame(CapType::Frame16M, obj, abi::kRightsAll, device);
    case ObjectType::Count: break;
    }
    panic("create_object: type %u", static_cast<u32>(type));
}

}  // namespace petrel
