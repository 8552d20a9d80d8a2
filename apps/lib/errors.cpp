// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the names of abi::Error values (see errors.hpp).
#include "petrel/errors.hpp"

namespace petrel {

const char *error_name(abi::Error e) {
    // In abi::Error's order: the value is the index.
    static const char *const names[] = {
        "None",        "InvalidArgument", "InvalidCapability", "IllegalOperation",
        "RangeError",  "AlignmentError",  "FailedLookup",      "TruncatedMessage",
        "DeleteFirst", "RevokeFirst",     "NotEnoughMemory"};
    static_assert(sizeof(names) / sizeof(names[0]) == static_cast<u32>(abi::Error::NotEnoughMemory) + 1,
                  "a name for every abi::Error");
    const u32 i = static_cast<u32>(e);
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : "unknown error";
}

}  // namespace petrel
