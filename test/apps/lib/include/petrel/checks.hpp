// SPDX-License-Identifier: BSD-2-Clause
// test helpers: a test app's checks: one line each ("PREFIX: what: ok" or "... FAILED"), the failures counted.
//
// A test root task (test/apps: threads, vm, hostile, drivers) proves one
// property per line and ends with a count of the checks that failed, which is
// also its DebugHalt status (main returns it). The QEMU test runner
// (test/qemu/runner.py --checks N --sentinel) counts the lines that end in
// ": ok" (exactly N, as test/qemu/meson.build lists for the app; lines of the
// app's own in that form count too), fails on any holding ": FAILED", and
// wants the done line with 0 failed, so their text is fixed here:
//   check(ok, what)      "PREFIX: what: ok", or "PREFIX: what: FAILED" (counted)
//   expect_ok(e, what)   nothing when e is Error::None; otherwise
//                        "PREFIX: what: error NAME: FAILED" (counted), NAME being
//                        error_name(e), or e's number with ErrorText::Number
//   fatal(what)          "PREFIX: what: FAILED (cannot go on)", then DebugHalt(failures + 1)
//   done()               "PREFIX: done, N check(s) failed"; returns N
// A failure the app reports in a line of its own (with more detail than these
// give) it counts with fail(); halt() ends the run as fatal() does after a
// line of the app's own.
//
// A Checks is plain data (constexpr constructor, so a global one needs no
// constructor run). Nothing is locked: threads of one address space may share
// one, but two threads that preempt each other may mix their lines' characters
// and lose a count, as with printf and a plain int.
#pragma once

#include "petrel/abi.hpp"

namespace petrel {

class Checks {
  public:
    // How expect_ok() names an error: error_name()'s text, or the number.
    enum class ErrorText { Name, Number };

    // `prefix`: what every line starts with (before ": "), such as the app's name.
    explicit constexpr Checks(const char *prefix, ErrorText errors = ErrorText::Name)
        : prefix_(prefix), errors_(errors) {}

    // Prints the check's line; counts it if !ok. Returns ok.
    bool check(bool ok, const char *what);
    // An invocation that must succeed: silent on Error::None, else a FAILED
    // line (counted). Returns e == Error::None.
    bool expect_ok(abi::Error e, const char *what);
    // Counts one failure the caller has printed itself.
    void fail() { ++failures_; }
    // Prints "PREFIX: what: FAILED (cannot go on)" and ends the run: halt().
    [[noreturn]] void fatal(const char *what);
    // Ends the run with DebugHalt(failures + 1): never 0, whatever was counted.
    [[noreturn]] void halt();
    // Prints "PREFIX: done, N check(s) failed" and returns N.
    int done();

    int failures() const { return failures_; }
    const char *prefix() const { return prefix_; }

  private:
    const char *prefix_;
    ErrorText errors_;
    int failures_ = 0;
};

}  // namespace petrel
