// SPDX-License-Identifier: BSD-2-Clause
// Catch2 main for the host tests, with a --fixtures option naming the compiled device trees.
#define CATCH_CONFIG_RUNNER  // Catch2 v2: this file has main()
#include "catch.hpp"

#include "fixtures.hpp"

std::string g_fixtures_dir = ".";

int main(int argc, char *argv[]) {
    Catch::Session session;
    using petrel_clara::Opt;
    auto cli = session.cli() | Opt(g_fixtures_dir, "dir")["--fixtures"]("directory of the .dtb fixtures");
    session.cli(cli);
    if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    return session.run();
}
