// SPDX-License-Identifier: BSD-2-Clause
// Hosted-kernel test helpers (see harness.hpp).
#include "harness.hpp"

#include <algorithm>
#include <cstring>

unsigned long long g_random_seed = 0;
unsigned g_random_ops = 100000;

namespace test {

using namespace petrel;

std::string invariant_violation() {
    static std::vector<Slot *> a, b, c;
    const size_t cap = 1u << 20;
    if (a.size() < cap) {
        a.resize(cap);
        b.resize(cap);
        c.resize(cap);
    }
    char why[256] = {};
    InvariantScratch s{a.data(), b.data(), c.data(), static_cast<u32>(cap)};
    if (check_invariants(s, why, sizeof(why))) return {};
    return why;
}

unsigned first_untyped(const Machine &m) { return m.root.boot_info->untyped.start; }
unsigned first_free(const Machine &m) { return m.root.boot_info->empty.start; }

unsigned untyped_at_least(const Machine &m, unsigned bits) {
    const abi::BootInfo *bi = m.root.boot_info;
    for (unsigned i = 0; i < bi->untyped_count; ++i)
        if (!bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= bits) return bi->untyped.start + i;
    FAIL("no boot Untyped of 2^" << bits << " bytes");
    return 0;
}

Reply retype(Machine &m, unsigned ut, ObjectType type, unsigned size_bits, unsigned dest, unsigned count) {
    return m.call(ut, Label::UntypedRetype, {static_cast<u32>(type), size_bits, 0, 0, dest, count}, {kRootCNode});
}

Reply copy(Machine &m, unsigned dest, unsigned src, unsigned rights) {
    return m.call(kRootCNode, Label::CNodeCopy, {dest, 32, src, 32, rights}, {kRootCNode});
}
Reply mint(Machine &m, unsigned dest, unsigned src, unsigned rights, unsigned data) {
    return m.call(kRootCNode, Label::CNodeMint, {dest, 32, src, 32, rights, data}, {kRootCNode});
}
Reply move(Machine &m, unsigned dest, unsigned src) {
    return m.call(kRootCNode, Label::CNodeMove, {dest, 32, src, 32}, {kRootCNode});
}
Reply mutate(Machine &m, unsigned dest, unsigned src, unsigned data) {
    return m.call(kRootCNode, Label::CNodeMutate, {dest, 32, src, 32, data}, {kRootCNode});
}
Reply remove(Machine &m, unsigned slot) { return m.call(kRootCNode, Label::CNodeDelete, {slot, 32}); }
Reply revoke(Machine &m, unsigned slot) { return m.call(kRootCNode, Label::CNodeRevoke, {slot, 32}); }

const Cap &cap_at(const Machine &m, unsigned i) { return m.root_slot(i)->cap; }

std::string check_refusal(Machine &m, const Reply &r, Error code, std::initializer_list<unsigned> details,
                   std::initializer_list<const char *> log) {
    CHECK(r.error == code);
    CHECK(r.length == details.size());
    u32 i = 0;
    for (u32 d : details) {
        INFO("detail MR" << i);
        CHECK(r.mr[i] == d);
        ++i;
    }
    std::string con = m.take_console();
    INFO("console: " << con);
    CHECK(std::count(con.begin(), con.end(), '\n') == 1);
    for (const char *s : log) {
        INFO("log should contain: " << s);
        CHECK(con.find(s) != std::string::npos);
    }
    return con;
}

Status call_once(Machine &m, unsigned cptr, Label label, const std::vector<u32> &mrs,
                        const std::vector<u32> &extra_caps) {
    Tcb *t = m.root.tcb;
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    auto &r = t->context.r;
    for (u32 i = 0; i < mrs.size(); ++i) {
        if (i < abi::kMsgRegisters) r[arch::kRegMr0 + i] = mrs[i];
        else if (buf) buf->msg[i] = mrs[i];
    }
    for (u32 e = 0; e < extra_caps.size(); ++e)
        if (buf) buf->caps_or_badges[e] = extra_caps[e];
    r[arch::kRegCap] = cptr;
    r[arch::kRegInfo] = abi::MessageInfo{static_cast<u32>(label), 0, static_cast<u32>(extra_caps.size()),
                                         static_cast<u32>(mrs.size())}.word();
    return m.syscall(t, static_cast<u32>(abi::Syscall::Call));
}

Reply read_reply(Machine &m) { return Machine::reply_of(m.root.tcb); }

Reply call_checked(Machine &m, unsigned cptr, Label label, const std::vector<u32> &mrs,
                   const std::vector<u32> &extra_caps, unsigned irq_every, const std::function<void()> &between) {
    m.irq_after(irq_every, true);
    u32 restarts = 0;
    for (;;) {
        Status res = call_once(m, cptr, label, mrs, extra_caps);
        if (res == Status::Ok) break;
        REQUIRE(res == Status::Preempted);
        ++restarts;
        REQUIRE(restarts < 10'000'000);
        between();
        m.irq_after(irq_every, true);  // take the interrupt; the next one comes irq_every points later
    }
    m.irq_after(0);
    Reply reply = read_reply(m);
    reply.restarts = restarts;
    return reply;
}

unsigned count_caps() {
    unsigned n = 0;
    for (Slot *s = mdb_first(); s; s = s->next()) ++n;
    return n;
}

std::vector<u8> kernel_state_bytes() {
    std::vector<u8> v(sizeof(ks) + sizeof(ks_cores));
    std::memcpy(v.data(), &ks, sizeof(ks));
    std::memcpy(v.data() + sizeof(ks), static_cast<const void *>(ks_cores), sizeof(ks_cores));
    return v;
}

bool memory_is(const Machine &m, paddr_t p, u32 size, u8 value) {
    const u8 *b = m.at<u8>(p);
    for (u32 i = 0; i < size; ++i)
        if (b[i] != value) return false;
    return true;
}

}  // namespace test
