// SPDX-License-Identifier: BSD-2-Clause
// The example product's prober: checks that its ELF was loaded with each segment's own permissions.
//
// The root task restarts it after each fault (restart = true), and each run
// tries one thing: run 1 writes to its own code (read-only: a permission
// fault on a write), run 2 jumps into its own data (never executable: a
// permission fault on an instruction fetch), run 3 reports and returns.
#include "product.hpp"

using namespace product;

namespace {

u32 g_data[4];  // .bss: the ELF's writable segment

}  // namespace

extern "C" void petrel_app_main(u32, u32 restarts) {
    const u32 text = reinterpret_cast<u32>(&petrel_app_main) & ~3u;
    const u32 data = reinterpret_cast<u32>(&g_data[0]);
    uart::Client out = console<app::prober>();
    switch (restarts) {
    case 0:
        out.printf("prober: run 1: writing to my code at %08x\n", text);
        *reinterpret_cast<volatile u32 *>(text) = 0;
        out.printf("prober: FAILED: my code is writable\n");
        break;
    case 1:
        g_data[0] = 0xe12fff1e;  // bx lr
        out.printf("prober: run 2: jumping to my data at %08x\n", data);
        asm volatile("blx %0" : : "r"(data) : "lr", "memory");
        out.printf("prober: FAILED: my data is executable\n");
        break;
    default:
        out.printf("prober: run %u: my code is read-only and my data never executable\n", restarts + 1);
        break;
    }
}
