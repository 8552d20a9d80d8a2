// SPDX-License-Identifier: BSD-2-Clause
// ktest: a tiny framework for test cases that run inside the kernel on the target.
//
// A test build (PETREL_TEST) links every KTEST case into a .ktest section; the
// kernel runs them after boot and prints one parseable line per case and a sentinel:
//     KTEST ok <name>
//     KTEST FAIL <name> at <file>:<line>: <expression>
//     KTEST DONE passed=<n> failed=<m>
// then exits QEMU with status 0 only if every case passed. The QEMU runner
// (test/qemu/runner.py) fails on a FAIL line, a missing DONE line, a panic, a
// non-zero exit status or a timeout. A new case needs no new machinery.
#pragma once

#include "petrel/types.hpp"

namespace petrel::ktest {

class Context {
  public:
    // Records a failed expectation; the case goes on so one run shows them all.
    bool expect(bool ok, const char *expr, const char *file, int line);
    bool failed() const { return failures_ != 0; }
    void set_name(const char *name) { name_ = name; }

  private:
    const char *name_ = "";
    int failures_ = 0;
};

struct Case {
    const char *name;
    void (*run)(Context &);
};

// Runs every registered case; returns the number that failed.
int run_all();

}  // namespace petrel::ktest

#define KTEST(name)                                                                    \
    static void ktest_fn_##name(::petrel::ktest::Context &);                           \
    [[gnu::used, gnu::section(".ktest")]] static const ::petrel::ktest::Case           \
        ktest_case_##name{#name, ktest_fn_##name};                                     \
    static void ktest_fn_##name([[maybe_unused]] ::petrel::ktest::Context &ktest_ctx)

#define KEXPECT(cond) ktest_ctx.expect(static_cast<bool>(cond), #cond, __FILE__, __LINE__)
