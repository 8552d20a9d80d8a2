// SPDX-License-Identifier: BSD-2-Clause
// The root task's initial CSpace and BootInfo, as create_root_task() builds them.
#include "harness.hpp"

using namespace test;
using namespace petrel;

TEST_CASE("boot: the root CSpace holds the initial caps and passes the checker", "[boot]") {
    Machine m;
    REQUIRE_INVARIANTS();
    CHECK(cap_at(m, abi::kCapInitTcb).type() == CapType::Thread);
    CHECK(cap_at(m, abi::kCapInitCNode).type() == CapType::CNode);
    CHECK(cap_at(m, abi::kCapInitCNode).cnode_radix() == 12);
    CHECK(cap_at(m, abi::kCapInitCNode).cnode_guard_size() == 20);
    CHECK(cap_at(m, abi::kCapInitVSpace).type() == CapType::PageDirectory);
    CHECK(cap_at(m, abi::kCapIrqControl).type() == CapType::IrqControl);
    CHECK(cap_at(m, abi::kCapAsidControl).type() == CapType::AsidControl);
    CHECK(cap_at(m, abi::kCapBootInfoFrame).type() == CapType::Frame4K);
    CHECK(cap_at(m, abi::kCapInitIpcBuffer).type() == CapType::Frame4K);
    CHECK(m.root.boot_info->magic == abi::kBootInfoMagic);
}
