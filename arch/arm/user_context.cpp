// SPDX-License-Identifier: BSD-2-Clause
// ARM: the saved user register file printed (see arch_context.hpp); plain C++,
// so the hosted kernel (test/host) compiles it too.
#include "arch_context.hpp"

#include "console.hpp"

namespace petrel::arch {

void dump_user_context(const UserContext &c) {
    kprintf("  r0 %08x r1 %08x r2 %08x r3  %08x r4  %08x r5  %08x r6 %08x\n", c.r[0], c.r[1], c.r[2],
            c.r[3], c.r[4], c.r[5], c.r[6]);
    kprintf("  r7 %08x r8 %08x r9 %08x r10 %08x r11 %08x r12 %08x\n", c.r[7], c.r[8], c.r[9], c.r[10],
            c.r[11], c.r[12]);
    kprintf("  sp %08x lr %08x pc %08x cpsr %08x\n", c.sp, c.lr, c.pc, c.cpsr);
}

}  // namespace petrel::arch
