// SPDX-License-Identifier: BSD-2-Clause
// Kernel object types as Untyped.Retype sees them: sizes, and making a cap to a new object.
#pragma once

#include "cap.hpp"
#include "petrel/abi.hpp"

namespace petrel {

// log2 of the size of an object of `type`; `user_bits` is the caller's size
// argument, used by the variable-size types (Untyped: log2 bytes; CNode: radix).
u32 object_size_bits(abi::ObjectType type, u32 user_bits);
bool is_frame_type(abi::ObjectType type);
const char *object_type_name(abi::ObjectType type);

// Initialises the object at `obj` (its memory is already zero) and returns the
// original cap to it. `device` is set for frames made from device memory.
Cap create_object(abi::ObjectType type, paddr_t obj, u32 user_bits, bool device);

}  // namespace petrel
