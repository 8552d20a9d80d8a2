// SPDX-License-Identifier: BSD-2-Clause
// Host tests of the fault status decoder used by the panic report (arch/arm/fault_status.cpp).
#include "catch.hpp"
#include <string>

#include "fault_status.hpp"

using petrel::arm::decode_fault_status;

TEST_CASE("fault status: codes split across bit 10 and bits 3:0") {
    CHECK(std::string(decode_fault_status(0x005).what) == "translation fault (section)");
    CHECK(std::string(decode_fault_status(0x007).what) == "translation fault (page)");
    CHECK(std::string(decode_fault_status(0x00d).what) == "permission fault (section)");
    CHECK(std::string(decode_fault_status(0x001).what) == "alignment fault");
    CHECK(std::string(decode_fault_status(0x406).what) == "asynchronous external abort");
    CHECK(decode_fault_status(0x406).code == 0x16);
    CHECK(decode_fault_status(0x406).external);
    CHECK(std::string(decode_fault_status(0x000).what) == "reserved fault status");
}

TEST_CASE("fault status: WnR says read or write") {
    CHECK(decode_fault_status(0x805).write);
    CHECK(!decode_fault_status(0x005).write);
    CHECK(decode_fault_status(0x805).code == 5);
}
