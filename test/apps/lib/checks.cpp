// SPDX-License-Identifier: BSD-2-Clause
// test helpers: a test app's check lines and failure count (see checks.hpp).
#include "petrel/checks.hpp"

#include "petrel/errors.hpp"
#include "petrel/user.hpp"

namespace petrel {

bool Checks::check(bool ok, const char *what) {
    printf("%s: %s: %s\n", prefix_, what, ok ? "ok" : "FAILED");
    if (!ok) ++failures_;
    return ok;
}

bool Checks::expect_ok(abi::Error e, const char *what) {
    if (e == abi::Error::None) return true;
    if (errors_ == ErrorText::Number)
        printf("%s: %s: error %u: FAILED\n", prefix_, what, static_cast<u32>(e));
    else
        printf("%s: %s: error %s: FAILED\n", prefix_, what, error_name(e));
    ++failures_;
    return false;
}

void Checks::fatal(const char *what) {
    printf("%s: %s: FAILED (cannot go on)\n", prefix_, what);
    halt();
}

void Checks::halt() { debug_halt(abi::kCapDebug, static_cast<u32>(failures_ + 1)); }

int Checks::done() {
    printf("%s: done, %d check(s) failed\n", prefix_, failures_);
    return failures_;
}

}  // namespace petrel
