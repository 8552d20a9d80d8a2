// SPDX-License-Identifier: BSD-2-Clause
// Access to the test fixtures built by test/fixtures/meson.build.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern std::string g_fixtures_dir;

inline std::vector<unsigned char> read_fixture(const std::string &name) {
    std::ifstream in(g_fixtures_dir + "/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open fixture " + name + " in " + g_fixtures_dir);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
