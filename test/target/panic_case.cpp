// SPDX-License-Identifier: BSD-2-Clause
// A deliberate kernel data abort, linked only into petrel-panic.elf to test the panic path.
#include "ktest.hpp"

namespace petrel {

// 0x7fff'fff0 is in the user half, whose walks are disabled (TTBCR.PD0): a
// translation fault. The runner expects the panic report and exit status 1.
KTEST(zz_deliberate_data_abort) {
    volatile u32 *p = reinterpret_cast<volatile u32 *>(0x7fff'fff0u);
    *p = 0xdead'beefu;
    KEXPECT(false);  // not reached
}

}  // namespace petrel
