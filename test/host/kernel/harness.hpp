// SPDX-License-Identifier: BSD-2-Clause
// Helpers for the hosted-kernel tests: a booted Machine and invariant checks.
//
// Every test boots a fresh host::Machine (the root task's CNode has radix 12,
// its guard makes slot indices cap pointers at depth 32) and should call
// REQUIRE_INVARIANTS() after each operation.
#pragma once

#include "../catch.hpp"

#include <functional>
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

// A refused call: the error code, exactly `details` as its detail registers, and
// one kernel log line that contains every string of `log`. Returns that line.
std::string check_refusal(Machine &m, const Reply &r, Error code, std::initializer_list<unsigned> details,
                   std::initializer_list<const char *> log);

// The cap in root CNode slot i.
const Cap &cap_at(const Machine &m, unsigned i);

// ---- driving a Call one system call at a time (preemption tests)
// Loads the root thread's registers for a Call on `cptr` and makes exactly one
// system call: Restart means it was preempted (the simulated interrupt is still
// pending: re-arm with m.irq_after() before the next call).
petrel::Status call_once(Machine &m, unsigned cptr, Label label, const std::vector<u32> &mrs,
                                const std::vector<u32> &extra_caps = {});
// The reply the root thread holds after a Call that completed.
Reply read_reply(Machine &m);
// A Call like Machine::call, with an interrupt every `irq_every` preemption points
// (0 = none); after each preempted attempt `between()` runs (check invariants
// there), then the interrupt is taken and the call re-entered. Reply::restarts
// counts the attempts that were preempted.
Reply call_checked(Machine &m, unsigned cptr, Label label, const std::vector<u32> &mrs,
                   const std::vector<u32> &extra_caps, unsigned irq_every,
                   const std::function<void()> &between);
// Number of caps in the derivation list.
unsigned count_caps();
// The kernel's global state as bytes (ks and every core's, ks_cores), to
// check that a refused call changed none of it.
std::vector<u8> kernel_state_bytes();
// True when every byte of [p, p + size) equals `value`.
bool memory_is(const Machine &m, paddr_t p, u32 size, u8 value);

}  // namespace test
