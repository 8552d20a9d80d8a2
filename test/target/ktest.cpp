// SPDX-License-Identifier: BSD-2-Clause
// The ktest runner (see ktest.hpp).
#include "ktest.hpp"

#include "console.hpp"

extern "C" {
extern const petrel::ktest::Case __ktest_start[];
extern const petrel::ktest::Case __ktest_end[];
}

namespace petrel::ktest {

bool Context::expect(bool ok, const char *expr, const char *file, int line) {
    if (!ok) {
        ++failures_;
        kprintf("KTEST FAIL %s at %s:%d: %s\n", name_, file, line, expr);
    }
    return ok;
}

int run_all() {
    int passed = 0, failed = 0;
    for (const Case *c = __ktest_start; c < __ktest_end; ++c) {
        Context ctx;
        ctx.set_name(c->name);
        c->run(ctx);
        if (ctx.failed()) {
            ++failed;
        } else {
            ++passed;
            kprintf("KTEST ok %s\n", c->name);
        }
    }
    kprintf("KTEST DONE passed=%d failed=%d\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace petrel::ktest
