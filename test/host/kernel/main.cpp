// SPDX-License-Identifier: BSD-2-Clause
// Catch2 main for the hosted-kernel tests; --seed is the randomised test's seed.
#define CATCH_CONFIG_RUNNER  // Catch2 v2: this file has main()
#include "../catch.hpp"

#include "harness.hpp"

int main(int argc, char *argv[]) {
    Catch::Session session;
    using petrel_clara::Opt;
    auto cli = session.cli() |
               Opt(g_random_seed, "seed")["--random-seed"]("seed of the randomised test (default: time)") |
               Opt(g_random_ops, "n")["--random-ops"]("operations of the randomised test");
    session.cli(cli);
    if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    return session.run();
}
