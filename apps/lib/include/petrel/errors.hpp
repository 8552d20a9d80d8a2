// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the names of abi::Error values, for the lines apps print.
#pragma once

#include "petrel/abi.hpp"

namespace petrel {

// The enumerator's own name ("None", "InvalidArgument", ... "NotEnoughMemory",
// as abi.hpp spells them); "unknown error" for a value abi::Error does not
// define (a reply label that is no error). Never null; the string is static.
const char *error_name(abi::Error e);

}  // namespace petrel
