// SPDX-License-Identifier: BSD-2-Clause
// ARM semihosting SYS_EXIT_EXTENDED: ends QEMU (-semihosting) with an exit status.
#include "arch.hpp"

namespace petrel::arch {

void test_exit(int status) {
    // SYS_EXIT_EXTENDED (0x20) takes {reason, subcode}; with the reason
    // ADP_Stopped_ApplicationExit QEMU exits with the subcode as its status.
    static volatile u32 block[2];
    block[0] = 0x20026;
    block[1] = static_cast<u32>(status);
    register u32 r0 asm("r0") = 0x20;
    register volatile u32 *r1 asm("r1") = block;
    asm volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) asm volatile("wfi");
}

}  // namespace petrel::arch
