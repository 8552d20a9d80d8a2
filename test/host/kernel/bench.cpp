// SPDX-License-Identifier: BSD-2-Clause
// kernel-bench: host timings of the capability layer (not a test; `meson test
// --benchmark` or run build/test/host/kernel-bench directly).
//
// The hosted kernel is the real kernel sources compiled for the host, so these
// are the costs of the generic code paths on the build machine, not of the ARM
// kernel: useful to compare one version of the code with the next.
//
//   lookup depth 32        resolve() through a chain of 32 radix-1 CNodes
//                          (guard 0: one bit per level), built with Retype and Mint;
//                          and, for comparison, through the root CNode (one level)
//   syscall ... depth 32   a whole Call (registers in, decode, reply out) by a thread
//                          whose CSpace root is the chain: DebugCapIdentify (the
//                          lookup only) and CNode.Delete of an empty slot
//   retype 1000 endpoints  4 Retype calls of 250 endpoints from an Untyped emptied
//                          by Revoke before each repetition (timed separately)
//
// Usage: kernel-bench [scale]   (scale multiplies the iteration counts; default 1)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "cspace.hpp"
#include "machine.hpp"
#include "slot.hpp"
#include "tcb.hpp"

using namespace petrel;
using petrel::host::Machine;
using petrel::host::Reply;
using abi::Label;
using abi::ObjectType;

namespace {

using Clock = std::chrono::steady_clock;

double ns_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::nano>(b - a).count();
}

void require(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "kernel-bench: %s\n", what);
        std::exit(1);
    }
}

void require_ok(const Reply &r, const char *what) {
    if (!r.ok()) {
        std::fprintf(stderr, "kernel-bench: %s failed with error %u\n", what, static_cast<unsigned>(r.error));
        std::exit(1);
    }
}

constexpr u32 kRoot = abi::kCapInitCNode;

// The index of a RAM boot Untyped of at least 2^bits bytes.
u32 boot_untyped(const Machine &m, u32 bits) {
    const abi::BootInfo *bi = m.root.boot_info;
    for (u32 i = 0; i < bi->untyped_count; ++i)
        if (!bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= bits) return bi->untyped.start + i;
    require(false, "no boot Untyped large enough");
    return 0;
}

Reply retype(Machine &m, u32 ut, ObjectType type, u32 bits, u32 dest, u32 count) {
    return m.call(ut, Label::UntypedRetype, {static_cast<u32>(type), bits, 0, 0, dest, count}, {kRoot});
}

volatile uptr g_sink;

void bench_lookup(u32 scale) {
    Machine m;
    const u32 u0 = m.root.boot_info->empty.start;
    const u32 ut = boot_untyped(m, 16);
    // C1..C32 in root slots u0..u0+31, and D (the cap the chain leads to) in u0+32.
    require_ok(retype(m, ut, ObjectType::CNode, 1, u0, 33), "Retype of 33 CNodes");
    for (u32 i = 0; i < 32; ++i)
        require_ok(m.call(u0 + i, Label::CNodeMint, {0, 1, u0 + i + 1, 32, abi::kRightsAll, abi::cnode_cap_data(0, 0)},
                          {kRoot}),
                   "Mint of a CNode cap into the chain");
    const Cap chain = m.root_slot(u0)->cap;
    Lookup l = resolve(chain, 0, 32);
    require(l.ok() && l.level == 32 && l.bits_left == 0 && l.slot->cap.type() == CapType::CNode &&
                l.slot->cap.object() == m.root_slot(u0 + 32)->cap.object(),
            "the chain does not resolve in 32 levels to D");

    // resolve() directly.
    const u32 n = 2'000'000 * scale;
    auto t0 = Clock::now();
    for (u32 i = 0; i < n; ++i) g_sink = reinterpret_cast<uptr>(resolve(chain, 0, 32).slot);
    auto t1 = Clock::now();
    std::printf("lookup depth 32 (32 levels of radix 1): %.1f ns/op (%u iterations)\n", ns_between(t0, t1) / n, n);
    const Cap root = m.root_slot(kRoot)->cap;
    t0 = Clock::now();
    for (u32 i = 0; i < n; ++i) g_sink = reinterpret_cast<uptr>(resolve(root, u0 + (i & 31), 32).slot);
    t1 = Clock::now();
    std::printf("lookup depth 32 (1 level, the root CNode, radix 12 guard 20): %.1f ns/op (%u iterations)\n",
                ns_between(t0, t1) / n, n);

    // Whole system calls by a thread whose CSpace root is C1. Its CSpace root is
    // installed directly (TCB configuration is not an invocation yet).
    const u32 tcb_slot = u0 + 40;
    require_ok(retype(m, ut, ObjectType::Tcb, 0, tcb_slot, 1), "Retype of a TCB");
    Tcb *t = kptr<Tcb>(m.root_slot(tcb_slot)->cap.object());
    insert_derived(m.root_slot(u0), t->slot(kTcbCTable), chain);

    const u32 calls = 500'000 * scale;
    t0 = Clock::now();
    u32 not_ok = 0;
    for (u32 i = 0; i < calls; ++i) {
        t->context.r[arch::kRegCap] = 0;
        not_ok += m.syscall(t, static_cast<u32>(abi::Syscall::DebugCapIdentify)) != Status::Ok;
    }
    t1 = Clock::now();
    require(not_ok == 0 && t->context.r[arch::kRegCap] == static_cast<u32>(CapType::CNode),
            "DebugCapIdentify through the chain");
    std::printf("syscall DebugCapIdentify, lookup depth 32 (32 levels): %.1f ns/op (%u iterations)\n",
                ns_between(t0, t1) / calls, calls);

    t0 = Clock::now();
    for (u32 i = 0; i < calls; ++i) require_ok(m.call(t, 0, static_cast<u32>(Label::CNodeDelete), {0, 1}), "Delete");
    t1 = Clock::now();
    std::printf("syscall CNode.Delete (empty slot) on a cap at depth 32 (32 levels): %.1f ns/op (%u iterations)\n",
                ns_between(t0, t1) / calls, calls);

    t0 = Clock::now();
    for (u32 i = 0; i < calls; ++i) require_ok(m.call(u0 + 32, Label::CNodeDelete, {0, 1}), "Delete");
    t1 = Clock::now();
    std::printf("syscall CNode.Delete (empty slot) on a cap at depth 32 (1 level): %.1f ns/op (%u iterations)\n",
                ns_between(t0, t1) / calls, calls);
}

void bench_retype(u32 scale) {
    Machine m;
    const u32 u0 = m.root.boot_info->empty.start;
    const u32 boot = boot_untyped(m, 16);
    const u32 ut = u0;           // the Untyped the endpoints come from: 2^14 bytes, 1024 endpoints
    const u32 dest = u0 + 16;    // 1000 slots for the endpoints
    require(dest + 1000 <= (1u << m.config.root_cnode_radix), "root CNode too small");
    require_ok(retype(m, boot, ObjectType::Untyped, 14, ut, 1), "Retype of the Untyped");

    const u32 reps = 200 * scale;
    double retype_ns = 0, revoke_ns = 0;
    for (u32 rep = 0; rep < reps; ++rep) {
        auto t0 = Clock::now();
        for (u32 k = 0; k < 4; ++k)
            require_ok(retype(m, ut, ObjectType::Endpoint, 0, dest + 250 * k, 250), "Retype of 250 endpoints");
        auto t1 = Clock::now();
        require(m.root_slot(dest)->cap.type() == CapType::Endpoint &&
                    m.root_slot(dest + 999)->cap.type() == CapType::Endpoint &&
                    m.root_slot(ut)->cap.untyped_free_bytes() == 1000u << abi::kEndpointBits,
                "Retype did not make 1000 endpoints");
        require_ok(m.call(kRoot, Label::CNodeRevoke, {ut, 32}), "Revoke of the Untyped");
        auto t2 = Clock::now();
        retype_ns += ns_between(t0, t1);
        revoke_ns += ns_between(t1, t2);
    }
    require(m.root_slot(ut)->cap.untyped_free_bytes() == 0 && m.root_slot(dest)->cap.is_null(), "Revoke left state");
    std::printf("retype 1000 endpoints (4 Retype calls of 250): %.0f ns per 1000, %.1f ns/endpoint (%u repetitions)\n",
                retype_ns / reps, retype_ns / reps / 1000, reps);
    std::printf("revoke 1000 endpoints (one Revoke, and the 16 KiB reset): %.0f ns per 1000, %.1f ns/endpoint "
                "(%u repetitions)\n",
                revoke_ns / reps, revoke_ns / reps / 1000, reps);
}

}  // namespace

int main(int argc, char **argv) {
    u32 scale = argc > 1 ? static_cast<u32>(std::strtoul(argv[1], nullptr, 10)) : 1;
    if (scale == 0) scale = 1;
    try {
        bench_lookup(scale);
        bench_retype(scale);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "kernel-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
