// SPDX-License-Identifier: BSD-2-Clause
// Helpers for the hosted-kernel tests: a booted Machine and invariant checks.
//
// Every test boots a fresh host::Machine (the root task's CNode has radix 12,
// its guard makes slot indices cap pointers at depth 32) and should call
// REQUIRE_INVARIANTS() after each operation.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cap.hpp"
#include "invariants.hpp"
#include "machine.hpp"
#include "petrel/abi.hpp"

extern unsigned long long g_random_seed;
extern unsigned g_random_ops;

namespace test {

using petrel::Cap;
using petrel::CapType;
using petrel::Slot;
using petrel::abi::Error;
using petrel::abi::Label;
using petrel::abi::ObjectType;
using petrel::host::Machine;
using petrel::host::Reply;

// An empty string when every invariant holds, else the first violation.
std::string invariant_violation();

#define REQUIRE_INVARIANTS()                        \
    do {                                            \
        std::string why_ = test::invariant_violation(); \
        INFO(why_);                                 \
        REQUIRE(why_.empty());                      \
    } while (0)

constexpr unsigned kRootCNode = petrel::abi::kCapInitCNode;

// Slot index of the first Untyped the root task got, and of the first free slot.
unsigned first_untyped(const Machine &m);
unsigned first_free(const Machine &m);

// The index of a boot Untyped of at least 2^bits bytes (RAM, not device).
unsigned untyped_at_least(const Machine &m, unsigned bits);

// Retype `count` objects into root CNode slots dest.. from the Untyped in slot `ut`.
Reply retype(Machine &m, unsigned ut, ObjectType type, unsigned size_bits, unsigned dest, unsigned count = 1);

// CNode operations on the root CNode, with depth 32 for every slot argument.
Reply copy(Machine &m, unsigned dest, unsigned src, unsigned rights = petrel::abi::kRightsAll);
Reply mint(Machine &m, unsigned dest, unsigned src, unsigned rights, unsigned data);
Reply move(Machine &m, unsigned dest, unsigned src);
Reply mutate(Machine &m, unsigned dest, unsigned src, unsigned data);
Reply remove(Machine &m, unsigned slot);   // CNode.Delete
Reply revoke(Machine &m, unsigned slot);

// The cap in root CNode slot i.
const Cap &cap_at(const Machine &m, unsigned i);

}  // namespace test
