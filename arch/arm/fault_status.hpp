// SPDX-License-Identifier: BSD-2-Clause
// Decoding of ARMv7 short-descriptor fault status registers (DFSR, IFSR) into words.
#pragma once

#include "petrel/types.hpp"

namespace petrel::arm {

struct FaultStatus {
    u32 code;           // FS[4:0], from bits 10 and 3:0
    const char *what;   // e.g. "translation fault (page)"
    bool write;         // DFSR.WnR: the access was a write (data aborts only)
    bool external;      // an external abort
};

// Decodes a DFSR or IFSR value. Unknown codes decode to "reserved fault status".
FaultStatus decode_fault_status(u32 fsr);

}  // namespace petrel::arm
