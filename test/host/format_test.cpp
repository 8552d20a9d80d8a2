// SPDX-License-Identifier: BSD-2-Clause
// Host tests of the kernel's printf-style formatter (src/lib/format.cpp).
#include "catch.hpp"
#include <string>

#include "lib/format.hpp"

using petrel::snformat;

namespace {
template <typename... Args>
std::string fmt(const char *f, Args... args) {
    char buf[128];
    snformat(buf, sizeof buf, f, args...);
    return buf;
}
}  // namespace

TEST_CASE("format: integers in every base, signed and unsigned") {
    CHECK(fmt("%d %i %u", -2147483647 - 1, 42, 4294967295u) == "-2147483648 42 4294967295");
    CHECK(fmt("%x %X %o", 0xdeadbeefu, 0xabcu, 8u) == "deadbeef ABC 10");
    CHECK(fmt("%llu %lld %llx", 18446744073709551615ull, -9223372036854775807ll - 1, 0x123456789abcdefull) ==
          "18446744073709551615 -9223372036854775808 123456789abcdef");
    CHECK(fmt("%u", 0u) == "0");
}

TEST_CASE("format: width, zero padding and left alignment") {
    CHECK(fmt("%08x", 0xbeefu) == "0000beef");
    CHECK(fmt("[%5d]", -42) == "[  -42]");
    CHECK(fmt("[%05d]", -42) == "[-0042]");
    CHECK(fmt("[%-5d]", 7) == "[7    ]");
    CHECK(fmt("[%-05d]", 7) == "[7    ]");  // '-' wins over '0'
    CHECK(fmt("[%*u]", 4, 9u) == "[   9]");
    CHECK(fmt("[%*u]", -4, 9u) == "[9   ]");
    CHECK(fmt("[%-3s|%3s]", "a", "b") == "[a  |  b]");
    CHECK(fmt("[%3c]", 'z') == "[  z]");
}

TEST_CASE("format: strings, characters, pointers, percent") {
    CHECK(fmt("%s-%c-%%", "abc", 'x') == "abc-x-%");
    const char *volatile null_string = nullptr;  // volatile: hide it from -Wformat-overflow
    CHECK(fmt("%s", null_string) == "(null)");
    CHECK(fmt("%p", reinterpret_cast<void *>(0x1234)) == std::string(2 * sizeof(void *) - 4, '0') + "1234");
}

TEST_CASE("format: unknown conversions are shown, not swallowed") {
    CHECK(fmt("a%qb") == "a%qb");
    CHECK(fmt("end%") == "end%");
}

TEST_CASE("snformat truncates safely and reports the full length") {
    char buf[6];
    int n = snformat(buf, sizeof buf, "%s", "hello world");
    CHECK(n == 11);
    CHECK(std::string(buf) == "hello");
    char one[1] = {'x'};
    CHECK(snformat(one, sizeof one, "abc") == 3);
    CHECK(one[0] == '\0');
}
