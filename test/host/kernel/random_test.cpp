// SPDX-License-Identifier: BSD-2-Clause
// The randomised test: g_random_ops random capability operations from one seed,
// with the invariant checker after every one.
//
// Operations: Untyped.Retype, CNode Copy, Mint, Move, Mutate, Rotate, Delete,
// Revoke, CancelBadgedSends, raw calls with random labels and message registers,
// and (rarely) a Revoke of a whole boot Untyped. Slot arguments come from a
// bounded universe: 48 to 200 slots (by seed) of the root CNode from its first free slot,
// and the slots of CNodes retyped into it, reached through their guards and
// radices (up to three levels), with wrong depths and garbage addresses mixed in.
// TCB.SetAffinity moves the universe's threads between the four cores of the
// hosted kernel (arch/host/machine.hpp); now and then the root thread moves
// itself to another core (SetAffinity through the real entry), whose calls the
// operations after are, and cores take the inter-processor interrupts the
// kernel left pending (a thread some call resumed may then run there, to be
// stopped again by a deletion from another core).
// Simulated interrupts come in stretches (irq_after(k, true)), so delete, revoke
// and reset are preempted and restarted; the invariants are checked at those
// preemption points too, and sometimes another random operation runs before the
// preempted call is re-entered (as another thread would).
//
// Beyond the invariant checker: the root task's caps never change, the reply
// label is a defined error, a Delete of a non-final CNode cap (or a Revoke of a
// CNode cap) leaves that CNode's other slots alone, and at the end, after
// deleting the universe and revoking every boot Untyped, only the root task's
// caps are left and every boot Untyped is empty and retypes whole again. The
// test also asserts that each kind of operation succeeded and that most error
// codes were produced, so it cannot quietly do nothing.
//
// The root task's own caps (slots below the universe) are never the target of an
// operation: every slot argument is resolved by the test first, and one that
// would name a root CNode slot outside the universe is drawn again. They may be
// the source of Copy and Mint.
//
// A failure prints the seed, the operation number and the last operations; rerun
// with --random-seed N (and --random-ops M to stop right after the failing one).
#include "harness.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <sstream>
#include <utility>

#include "cspace.hpp"
#include "objects.hpp"
#include "scheduler.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "tcb.hpp"

using namespace petrel;
using namespace test;

namespace {

// Root CNode slots in the universe, by seed: a small universe makes operations
// meet each other's caps more often, a large one grows deeper trees.
constexpr u32 kUniverseSizes[] = {200, 48, 120};
constexpr u32 kMaxMrs = 8;
constexpr u32 kNumErrors = 11;  // abi::Error values 0..10

enum Op : u32 {
    OpRetype,
    OpCopy,
    OpMint,
    OpMove,
    OpMutate,
    OpRotate,
    OpDelete,
    OpRevoke,
    OpCancelBadgedSends,
    OpGarbage,
    OpBootRevoke,
    OpVm,
    OpSetAffinity,
    kNumOps,
};
const char *const kOpNames[kNumOps] = {"Retype", "Copy",    "Mint",       "Move", "Mutate",  "Rotate", "Delete",
                                       "Revoke", "Cancel", "Garbage", "BootRevoke", "Vm", "Affinity"};
const char *const kErrorNames[kNumErrors] = {"ok",       "InvalidArg", "InvalidCap", "Illegal",   "Range",  "Align",
                                             "Lookup",   "Truncated",  "DeleteFirst", "RevokeFirst", "NoMemory"};

// A watchdog: a kernel loop without a preemption point would hang the test with
// nothing said. Each operation re-arms alarm(); the handler prints which
// operation of which seed hung and exits.
constexpr unsigned kWatchdogSeconds = 60;
char g_watch[600];

void on_watchdog(int) {
    ssize_t ignored = write(2, g_watch, std::strlen(g_watch));
    (void)ignored;
    _exit(3);
}

struct Msg {
    u32 cptr = 0;
    u32 label = 0;
    u32 mr[kMaxMrs] = {};
    u32 n_mr = 0;
    u32 extra[3] = {};
    u32 n_extra = 0;

    void push(u32 v) { mr[n_mr++] = v; }
    void push_extra(u32 c) { extra[n_extra++] = c; }
};

struct Addr {
    u32 root;   // cap pointer (in the root CSpace) of the CNode cap the address starts from
    u32 index;
    u32 depth;
};

enum class Want { Any, Empty, Full };

class RandomRun {
  public:
    explicit RandomRun(u64 seed) : rng_(seed), universe_(kUniverseSizes[seed % 3]) {}

    void run(u32 ops);

  private:
    Machine m_;
    std::mt19937_64 rng_;
    u32 u0_ = first_free(m_);
    u32 universe_;
    std::vector<u32> boot_ram_;     // slots of RAM boot Untyped
    std::vector<u32> boot_dev_;     // slots of device boot Untyped
    std::array<Cap, abi::kNumInitialCaps> initial_{};
    Cap tcb_ctable_;

    // The universe as the kernel has it, refreshed before every operation.
    std::vector<u32> empty_, full_, untyped_, cnodes_, endpoints_, frames_, page_tables_, page_dirs_, tcbs_;

    // Bookkeeping.
    u32 op_index_ = 0;
    u32 irq_left_ = 0;
    u64 counts_[kNumOps][kNumErrors] = {};
    bool abandoned_ = false;  // do_call gave up on the call (see there)
    u64 skipped_ = 0, restarts_ = 0, deep_ok_ = 0, irq_calls_ = 0, interleaved_ = 0;
    u64 root_moves_ = 0, ipis_taken_ = 0;
    u32 irq_every_ = 0;             // the current stretch's interrupt period (0: none)
    u64 retyped_[static_cast<u32>(ObjectType::Count)] = {};
    std::deque<std::string> log_;
    std::string last_console_;

    // ---- randomness
    u32 below(u32 n) { return n ? static_cast<u32>(rng_() % n) : 0; }
    bool chance(u32 percent) { return below(1000) < percent * 10; }
    u32 word() { return static_cast<u32>(rng_()); }
    template <typename T>
    T pick(const std::vector<T> &v) { return v[below(static_cast<u32>(v.size()))]; }

    // ---- peeking at the kernel (read only)
    Slot *peek(u32 cptr) const {
        Lookup l = resolve(m_.root.tcb->slots[kTcbCTable].cap, cptr, 32);
        return l.ok() ? l.slot : nullptr;
    }
    bool allowed(const Slot *s) const {
        const Slot *base = m_.root.cnode;
        if (s < base || s >= base + (1u << m_.config.root_cnode_radix)) return true;
        u32 i = static_cast<u32>(s - base);
        return i >= u0_ && i < u0_ + universe_;
    }
    // True when (root, index, depth) cannot name a protected slot.
    bool safe(u32 root, u32 index, u32 depth) const {
        Slot *r = peek(root);
        if (!r || depth < 1 || depth > 32) return true;
        Lookup l = lookup_exact(r->cap, index, depth);
        return !l.ok() || allowed(l.slot);
    }
    bool safe(const Addr &a) const { return safe(a.root, a.index, a.depth); }
    const Slot *target(const Addr &a) const {
        Slot *r = peek(a.root);
        if (!r || a.depth < 1 || a.depth > 32) return nullptr;
        Lookup l = lookup_exact(r->cap, a.index, a.depth);
        return l.ok() ? l.slot : nullptr;
    }
    bool in_sub_cnode(const Addr &a) const {
        const Slot *s = target(a);
        return s && !(s >= m_.root.cnode && s < m_.root.cnode + (1u << m_.config.root_cnode_radix));
    }

    // Another cap (not a Zombie) names the object of the cap in `s`: found by
    // walking the whole list, independently of the kernel's neighbour rule.
    static bool has_other_cap(const Slot *s) {
        for (const Slot *x = mdb_first(); x; x = x->next())
            if (x != s && x->cap.type() != CapType::Zombie && same_object(s->cap, x->cap)) return true;
        return false;
    }
    void scan();
    u32 universe_slot(Want w);
    Addr pick_addr(Want w);
    Addr pick_addr_once(Want w);
    u32 cap_data(const Cap &c, bool badge_ok);
    u32 rights_arg();
    void maybe_truncate(Msg &msg);

    bool make_op(Op op, Msg &msg, std::string &what);
    bool is_ipc_cap(u32 cptr);
    bool moves_root(const Msg &msg);
    Op pick_op();
    Reply do_call(const Msg &msg, bool nested);
    void one_op(bool nested);
    void check_after(const std::string &what);
    void toggle_irqs();
    void core_op();
    void move_root(u32 core);
    void final_cleanup();
    [[noreturn]] void fail(const std::string &why);
    std::string describe(const Msg &msg) const;
};

void RandomRun::scan() {
    empty_.clear();
    full_.clear();
    untyped_.clear();
    cnodes_.clear();
    endpoints_.clear();
    frames_.clear();
    page_tables_.clear();
    page_dirs_.clear();
    tcbs_.clear();
    for (u32 i = u0_; i < u0_ + universe_; ++i) {
        const Cap &c = cap_at(m_, i);
        if (c.is_null()) {
            empty_.push_back(i);
            continue;
        }
        full_.push_back(i);
        if (c.type() == CapType::Untyped) untyped_.push_back(i);
        if (c.type() == CapType::CNode) cnodes_.push_back(i);
        if (c.type() == CapType::Endpoint) endpoints_.push_back(i);
        if (c.is_frame()) frames_.push_back(i);
        if (c.type() == CapType::PageTable) page_tables_.push_back(i);
        if (c.type() == CapType::PageDirectory) page_dirs_.push_back(i);
        if (c.type() == CapType::Thread) tcbs_.push_back(i);
    }
}

u32 RandomRun::universe_slot(Want w) {
    if (w == Want::Empty && !empty_.empty() && !chance(10)) return pick(empty_);
    if (w == Want::Full && !full_.empty() && !chance(10)) return pick(full_);
    return u0_ + below(universe_);
}

// A slot address: mostly a universe slot through the root CNode at depth 32,
// often a slot of a retyped CNode through its guard(s), sometimes garbage.
Addr RandomRun::pick_addr_once(Want w) {
    u32 r = below(100);
    if (r < 68 || cnodes_.empty()) return {kRootCNode, universe_slot(w), 32};
    if (r < 93) {
        u32 start = pick(cnodes_);
        Cap c = cap_at(m_, start);
        u64 index = 0;
        u32 depth = 0;
        for (u32 level = 0; level < 3; ++level) {
            u32 g = c.cnode_guard_size(), radix = c.cnode_radix();
            if (depth + g + radix > 32) break;
            u32 j = c.object() == kref(m_.root.cnode) ? u0_ + below(universe_) : below(1u << radix);
            index = (index << (g + radix)) | (u64{c.cnode_guard()} << radix) | j;
            depth += g + radix;
            const Cap &next = kptr<Slot>(c.object())[j].cap;
            if (next.type() != CapType::CNode || !chance(35)) break;
            c = next;
        }
        if (depth == 0) return {kRootCNode, universe_slot(w), 32};
        return {start, static_cast<u32>(index), depth};
    }
    // Garbage.
    u32 root = chance(50) ? kRootCNode : u0_ + below(universe_);
    u32 index = chance(50) ? below(1u << 12) : word();
    u32 depth = chance(50) ? 32 : below(40);
    return {root, index, depth};
}

Addr RandomRun::pick_addr(Want w) {
    for (int tries = 0; tries < 20; ++tries) {
        Addr a = pick_addr_once(w);
        if (chance(6)) {  // a plausible mistake
            switch (below(5)) {
            case 0: a.depth = a.depth + 1; break;
            case 1: a.depth = a.depth - 1; break;
            case 2: a.depth = chance(50) ? 0 : 33; break;
            case 3: a.index ^= 1u << below(32); break;
            default: a.root = u0_ + below(universe_); break;
            }
        }
        if (safe(a)) return a;
    }
    return {kRootCNode, u0_ + below(universe_), 32};
}

u32 RandomRun::rights_arg() {
    if (chance(3)) return 16 + below(240);  // invalid
    if (chance(50)) return abi::kRightsAll;
    return below(16);
}

// The data word of a Mint/Mutate/Rotate for cap `c`: a badge (when `badge_ok`),
// a guard for CNodes, 0 for the rest; sometimes something invalid.
u32 RandomRun::cap_data(const Cap &c, bool badge_ok) {
    if (chance(4)) return chance(50) ? word() : below(64);
    switch (c.type()) {
    case CapType::Endpoint:
    case CapType::Notification:
        if (!badge_ok || chance(25)) return 0;
        if (chance(3)) return (1u << 28) + below(1u << 20);  // too wide
        return chance(60) ? 1 + below(7) : 1 + below((1u << 28) - 1);
    case CapType::CNode: {
        u32 radix = c.cnode_radix();
        u32 max_size = 32 - radix;
        if (chance(40)) return 0;
        u32 size = below(max_size + 1);
        if (chance(70) && size > 4) size = below(5);
        u32 width = size < abi::kCNodeGuardBits ? size : abi::kCNodeGuardBits;
        u32 guard = chance(50) ? 0 : (word() & mask_bits(width));
        if (chance(3)) size = max_size + 1 + below(4);  // too big
        return abi::cnode_cap_data(guard, size);
    }
    default: return 0;
    }
}

void RandomRun::maybe_truncate(Msg &msg) {
    if (!chance(2)) return;
    if (chance(50) && msg.n_mr > 0) msg.n_mr = below(msg.n_mr);
    else if (msg.n_extra > 0) msg.n_extra = below(msg.n_extra);
}

// Builds the message of one operation; false to skip it (no safe form found).
// A Call on an Endpoint or Notification cap is IPC, not an invocation: it would
// block the one calling thread. This test is about the capability layer;
// ipc_test.cpp covers IPC.
bool RandomRun::is_ipc_cap(u32 cptr) {
    Lookup l = resolve(m_.root.tcb->slots[kTcbCTable].cap, cptr, 32);
    return l.ok() && (l.slot->cap.type() == CapType::Endpoint || l.slot->cap.type() == CapType::Notification);
}

// A SetAffinity of the root thread (through a copy of its TCB cap): the root
// thread's calls are made white box (Machine::syscall, no schedule() on the
// way out), so such a move would leave it running on its old core; move_root()
// makes that move through the real entry instead.
bool RandomRun::moves_root(const Msg &msg) {
    if (msg.label != static_cast<u32>(Label::TcbSetAffinity)) return false;
    Lookup l = resolve(m_.root.tcb->slots[kTcbCTable].cap, msg.cptr, 32);
    return l.ok() && l.slot->cap.type() == CapType::Thread && l.slot->cap.object() == kref(m_.root.tcb);
}

bool RandomRun::make_op(Op op, Msg &msg, std::string &what) {
    std::ostringstream os;
    auto addr_text = [](const Addr &a) {
        char b[48];
        std::snprintf(b, sizeof(b), "(%u,0x%x,%u)", a.root, a.index, a.depth);
        return std::string(b);
    };
    switch (op) {
    case OpRetype: {
        u32 ut;
        u32 r = below(100);
        if (r < 72 && !untyped_.empty()) ut = pick(untyped_);
        else if (r < 88 || untyped_.empty()) ut = chance(90) || boot_dev_.empty() ? pick(boot_ram_) : pick(boot_dev_);
        else ut = u0_ + below(universe_);
        const Cap &uc = cap_at(m_, ut);
        u32 ubits = uc.type() == CapType::Untyped ? uc.untyped_size_bits() : 16;
        bool boot = ut < u0_;

        // Type and size.
        u32 t = below(100);
        ObjectType type;
        if (t < 22) type = ObjectType::Untyped;
        else if (t < 36) type = ObjectType::CNode;
        else if (t < 52) type = ObjectType::Endpoint;
        else if (t < 62) type = ObjectType::Notification;
        else if (t < 72) type = ObjectType::Tcb;
        else if (t < 82) type = ObjectType::Frame4K;
        else if (t < 86) type = ObjectType::Frame64K;
        else if (t < 89) type = ObjectType::PageDirectory;
        else if (t < 93) type = ObjectType::PageTable;
        else if (t < 95) type = ObjectType::Frame1M;
        else if (t < 96) type = ObjectType::Frame16M;
        else type = static_cast<ObjectType>(static_cast<u32>(ObjectType::Count) + below(chance(50) ? 4 : 1000));
        u32 size_bits = below(32);
        if (type == ObjectType::Untyped && !chance(5)) {
            u32 hi = boot ? 18 : (ubits > 5 ? ubits - 1 : 4);
            if (hi > 18) hi = 18;
            size_bits = 4 + below(hi - 3);
        } else if (type == ObjectType::CNode && !chance(5)) {
            size_bits = chance(70) ? 1 + below(3) : 1 + below(6);
        } else if (chance(5)) {
            size_bits = below(40);
        }
        u32 count = chance(60) ? 1 : 1 + below(chance(80) ? 4 : 16);
        if (chance(2)) count = chance(50) ? 0 : 257 + below(100);

        // Destination CNode.
        u32 root = kRootCNode, node_index = 0, node_depth = 0, offset = 0;
        u32 d = below(100);
        Cap node = cap_at(m_, kRootCNode);
        if (d < 72 || cnodes_.empty()) {
            offset = pick(empty_.empty() ? full_ : empty_);
        } else if (d < 90) {
            node_index = pick(cnodes_);
            node_depth = 32;
            node = cap_at(m_, node_index);
        } else {
            Addr a = pick_addr(Want::Full);
            root = a.root;
            node_index = a.index;
            node_depth = a.depth;
            const Slot *s = target(a);
            node = s ? s->cap : Cap::null();
        }
        if (node.type() == CapType::CNode && node.object() != kref(m_.root.cnode))
            offset = below(1u << node.cnode_radix()) + (chance(3) ? (1u << node.cnode_radix()) : 0);
        if (node.type() == CapType::CNode && node.object() == kref(m_.root.cnode)) {
            if (offset < u0_ || offset >= u0_ + universe_) offset = u0_ + below(universe_);
            if (count >= 1 && count <= 256 && offset + count > u0_ + universe_) count = u0_ + universe_ - offset;
        }
        if (chance(3)) node_depth = below(40);
        if (node_depth != 0 && !safe(root, node_index, node_depth)) return false;
        // Guard the root CNode once more, for the depth-0 and mistaken forms.
        {
            Slot *rs = peek(root);
            Cap n2 = rs ? rs->cap : Cap::null();
            if (node_depth != 0 && node_depth <= 32 && rs) {
                Lookup l = lookup_exact(rs->cap, node_index, node_depth);
                n2 = l.ok() ? l.slot->cap : Cap::null();
            }
            if (n2.type() == CapType::CNode && n2.object() == kref(m_.root.cnode) &&
                (offset < u0_ || u64{offset} + count > u0_ + universe_) && count >= 1 && count <= 256)
                return false;
        }
        msg.cptr = ut;
        msg.label = static_cast<u32>(Label::UntypedRetype);
        msg.push(static_cast<u32>(type));
        msg.push(size_bits);
        msg.push(node_index);
        msg.push(node_depth);
        msg.push(offset);
        msg.push(count);
        msg.push_extra(root);
        os << "Retype ut " << ut << " type " << static_cast<u32>(type) << " bits " << size_bits << " node (" << root
           << ",0x" << std::hex << node_index << std::dec << "," << node_depth << ") offset " << offset << " count "
           << count;
        break;
    }
    case OpCopy:
    case OpMint:
    case OpMove:
    case OpMutate: {
        Addr dest = pick_addr(Want::Empty);
        Addr src;
        bool initial = (op == OpCopy || op == OpMint) && chance(8);
        if (initial) {
            static constexpr u32 kSources[] = {abi::kCapInitTcb, abi::kCapInitCNode, abi::kCapInitVSpace,
                                               abi::kCapIrqControl, abi::kCapAsidControl, abi::kCapBootInfoFrame,
                                               abi::kCapInitIpcBuffer};
            src = {kRootCNode, kSources[below(7)], 32};
        } else {
            src = pick_addr(Want::Full);
        }
        const Slot *s = target(src);
        Cap sc = s ? s->cap : Cap::null();
        msg.cptr = dest.root;
        msg.label = static_cast<u32>(op == OpCopy ? Label::CNodeCopy
                                     : op == OpMint ? Label::CNodeMint
                                     : op == OpMove ? Label::CNodeMove
                                                    : Label::CNodeMutate);
        msg.push(dest.index);
        msg.push(dest.depth);
        msg.push(src.index);
        msg.push(src.depth);
        if (op == OpCopy || op == OpMint) msg.push(rights_arg());
        if (op == OpMint) msg.push(cap_data(sc, true));
        if (op == OpMutate) msg.push(cap_data(sc, false));
        msg.push_extra(src.root);
        os << kOpNames[op] << " dest " << addr_text(dest) << " src " << addr_text(src);
        for (u32 i = 4; i < msg.n_mr; ++i) os << " 0x" << std::hex << msg.mr[i] << std::dec;
        break;
    }
    case OpRotate: {
        Addr src = pick_addr(Want::Full);
        Addr pivot = pick_addr(Want::Full);
        Addr dest = chance(25) ? src : pick_addr(Want::Empty);
        const Slot *ps = target(pivot), *ss = target(src);
        msg.cptr = dest.root;
        msg.label = static_cast<u32>(Label::CNodeRotate);
        msg.push(dest.index);
        msg.push(dest.depth);
        msg.push(pivot.index);
        msg.push(pivot.depth);
        msg.push(cap_data(ps ? ps->cap : Cap::null(), false));
        msg.push(src.index);
        msg.push(src.depth);
        msg.push(cap_data(ss ? ss->cap : Cap::null(), false));
        msg.push_extra(pivot.root);
        msg.push_extra(src.root);
        os << "Rotate dest " << addr_text(dest) << " pivot " << addr_text(pivot) << " src " << addr_text(src)
           << " data 0x" << std::hex << msg.mr[4] << " 0x" << msg.mr[7] << std::dec;
        break;
    }
    case OpDelete:
    case OpRevoke:
    case OpCancelBadgedSends: {
        Addr a = op == OpCancelBadgedSends && !endpoints_.empty() && chance(70)
                     ? Addr{kRootCNode, pick(endpoints_), 32}
                     : pick_addr(Want::Full);
        msg.cptr = a.root;
        msg.label = static_cast<u32>(op == OpDelete   ? Label::CNodeDelete
                                     : op == OpRevoke ? Label::CNodeRevoke
                                                      : Label::CNodeCancelBadgedSends);
        msg.push(a.index);
        msg.push(a.depth);
        os << kOpNames[op] << " " << addr_text(a);
        break;
    }
    case OpGarbage: {
        // A raw call: random label, cap and message. Rejected unless it happens to
        // be well formed, in which case it must not touch the root task's caps.
        msg.label = chance(70) ? below(static_cast<u32>(Label::Count) + 3) : word() & 0xfffffu;
        u32 c = below(4);
        msg.cptr = c == 0 ? kRootCNode : c == 1 ? word() : u0_ + below(universe_);
        if (c == 3 && !boot_ram_.empty() && chance(30)) msg.cptr = pick(boot_ram_);
        msg.n_mr = below(kMaxMrs + 1);
        for (u32 i = 0; i < msg.n_mr; ++i) {
            u32 k = below(5);
            msg.mr[i] = k == 0 ? word() : k == 1 ? 32 : k == 2 ? u0_ + below(universe_) : below(64);
        }
        msg.n_extra = below(4);
        for (u32 i = 0; i < msg.n_extra; ++i) msg.extra[i] = chance(40) ? kRootCNode : u0_ + below(universe_);
        // Any (root, index, depth) triple the CNode methods could read must be safe.
        if (msg.label >= static_cast<u32>(Label::CNodeRevoke) &&
            msg.label <= static_cast<u32>(Label::CNodeSaveCaller)) {
            std::vector<u32> roots = {msg.cptr};
            for (u32 i = 0; i < msg.n_extra; ++i) roots.push_back(msg.extra[i]);
            for (u32 k : {0u, 2u, 5u})
                for (u32 root : roots)
                    if (!safe(root, msg.mr[k], msg.mr[k + 1])) return false;
        }
        if (msg.label == static_cast<u32>(Label::UntypedRetype)) {
            // Retype only fills empty slots; keep it out of the root task's part of the root CNode.
            for (u32 i = 0; i < msg.n_extra; ++i) {
                Slot *rs = peek(msg.extra[i]);
                if (rs && rs->cap.type() == CapType::CNode && rs->cap.object() == kref(m_.root.cnode)) return false;
                if (!safe(msg.extra[i], msg.mr[2], msg.mr[3])) return false;
                if (rs && msg.mr[3] >= 1 && msg.mr[3] <= 32) {
                    Lookup l = lookup_exact(rs->cap, msg.mr[2], msg.mr[3]);
                    if (l.ok() && l.slot->cap.type() == CapType::CNode && l.slot->cap.object() == kref(m_.root.cnode))
                        return false;
                }
            }
        }
        os << "Garbage cptr " << msg.cptr << " label " << msg.label;
        break;
    }
    case OpBootRevoke: {
        msg.cptr = kRootCNode;
        msg.label = static_cast<u32>(Label::CNodeRevoke);
        u32 ut = chance(90) || boot_dev_.empty() ? pick(boot_ram_) : pick(boot_dev_);
        msg.push(ut);
        msg.push(32);
        os << "BootRevoke " << ut;
        break;
    }
    case OpVm: {
        // Address-space operations on the universe's frames, tables and
        // directories: mostly well formed, over a few megabytes so that they
        // meet each other (and sometimes the kernel half, or misaligned).
        auto some = [&](const std::vector<u32> &v) {
            return v.empty() || chance(8) ? universe_slot(Want::Any) : pick(v);
        };
        auto vaddr = [&](u32 align_bits) {
            u32 k = below(10);
            if (k == 0) return word();
            if (k == 1) return abi::kUserTop - (1u << 20) * below(3);
            return (below(24) << 20 | below(256) << 12) & ~((1u << align_bits) - 1);
        };
        u32 k = below(100);
        if (k < 15) {
            msg.cptr = chance(90) ? abi::kCapInitAsidPool : some(frames_);
            msg.label = static_cast<u32>(Label::AsidPoolAssign);
            msg.push_extra(some(page_dirs_));
            os << "AsidPool.Assign " << msg.extra[0];
        } else if (k < 35) {
            msg.cptr = some(page_tables_);
            msg.label = static_cast<u32>(Label::PageTableMap);
            msg.push(vaddr(20));
            msg.push_extra(chance(10) ? abi::kCapInitVSpace : some(page_dirs_));
            os << "PageTable.Map " << msg.cptr << " at 0x" << std::hex << msg.mr[0] << std::dec;
        } else if (k < 70) {
            msg.cptr = some(frames_);
            msg.label = static_cast<u32>(Label::PageMap);
            const Cap &c = cap_at(m_, msg.cptr);
            msg.push(vaddr(c.is_frame() && chance(90) ? frame_size_bits(c.type()) : 12));
            msg.push(chance(80) ? abi::kRightsAll : below(4));
            msg.push(chance(80) ? below(2) | (chance(30) ? u32{abi::kVmExecuteNever} : 0u) : word());
            msg.push_extra(chance(10) ? abi::kCapInitVSpace : some(page_dirs_));
            os << "Page.Map " << msg.cptr << " at 0x" << std::hex << msg.mr[0] << std::dec;
        } else if (k < 85) {
            msg.cptr = some(frames_);
            msg.label = static_cast<u32>(Label::PageUnmap);
            os << "Page.Unmap " << msg.cptr;
        } else if (k < 95) {
            msg.cptr = some(page_tables_);
            msg.label = static_cast<u32>(Label::PageTableUnmap);
            os << "PageTable.Unmap " << msg.cptr;
        } else {
            msg.cptr = some(frames_);
            msg.label = static_cast<u32>(chance(50) ? Label::PageCleanInvalidate : Label::PageUnify);
            msg.push(below(0x2000));
            msg.push(below(0x2000));
            os << "Page.cache " << msg.cptr;
        }
        break;
    }
    case OpSetAffinity: {
        // A universe thread (mostly) to a core, now and then one beyond the last.
        msg.cptr = !tcbs_.empty() && chance(85) ? pick(tcbs_) : universe_slot(Want::Any);
        msg.label = static_cast<u32>(Label::TcbSetAffinity);
        msg.push(chance(90) ? below(kCores) : kCores + below(chance(50) ? 2 : 1000));
        os << "SetAffinity " << msg.cptr << " core " << msg.mr[0];
        break;
    }
    case kNumOps: break;
    }
    if (op != OpGarbage && op != OpBootRevoke) maybe_truncate(msg);
    what = os.str();
    return true;
}

std::string RandomRun::describe(const Msg &msg) const {
    std::ostringstream os;
    os << "[cptr " << msg.cptr << " label " << msg.label << " mr";
    for (u32 i = 0; i < msg.n_mr; ++i) os << " 0x" << std::hex << msg.mr[i] << std::dec;
    os << " extra";
    for (u32 i = 0; i < msg.n_extra; ++i) os << " " << msg.extra[i];
    os << "]";
    return os.str();
}

void RandomRun::fail(const std::string &why) {
    std::ostringstream os;
    os << "random test failed at operation " << op_index_ << " (seed " << g_random_seed << "): " << why
       << "\nlast operations (oldest first):\n";
    for (const std::string &l : log_) os << "  " << l << "\n";
    os << "kernel console of the last operation:\n" << last_console_;
    FAIL(os.str());
    throw std::logic_error("unreachable");
}

void RandomRun::check_after(const std::string &what) {
    std::string why = invariant_violation();
    if (!why.empty()) fail("invariant violated after " + what + ": " + why);
    // The root task's own caps are untouched.
    for (u32 i = 1; i < abi::kNumInitialCaps; ++i)
        if (!(cap_at(m_, i) == initial_[i])) fail("root task cap " + std::to_string(i) + " changed by " + what);
    if (!(m_.root.tcb->slots[kTcbCTable].cap == tcb_ctable_)) fail("the root thread's CSpace root changed");
    for (u32 s : boot_ram_)
        if (cap_at(m_, s).type() != CapType::Untyped) fail("boot Untyped " + std::to_string(s) + " is gone");
}

void RandomRun::toggle_irqs() {
    if (irq_left_ > 0) {
        if (--irq_left_ == 0) m_.irq_after(irq_every_ = 0);
        return;
    }
    if (!chance(2)) return;
    static constexpr u32 kEvery[] = {1, 1, 2, 3, 4, 7, 16, 100};
    irq_left_ = 20 + below(400);
    irq_every_ = kEvery[below(8)];
    m_.irq_after(irq_every_, true);
}

// The root thread moves to core `core`: TCB.SetAffinity on itself through the
// real entry (it leaves its core when that core chooses again), its new core
// takes the IPI and runs it, and the operations after are that core's calls.
void RandomRun::move_root(u32 core) {
    Tcb *t = m_.root.tcb;
    // (A call through a copy of its TCB cap may have stopped or lowered it: it stays.)
    if (t->state != ThreadState::Running || t->priority != kMaxPriority || m_.running() != t) return;
    auto &r = t->context.r;
    r[arch::kRegCap] = abi::kCapInitTcb;
    r[arch::kRegMr0] = core;
    r[arch::kRegInfo] = abi::MessageInfo{static_cast<u32>(Label::TcbSetAffinity), 0, 0, 1}.word();
    const u32 from = m_.core();
    log_.push_back("root moves from core " + std::to_string(from) + " to core " + std::to_string(core));
    if (log_.size() > 60) log_.pop_front();
    try {
        m_.enter(t, static_cast<u32>(abi::Syscall::Call));
        if (abi::MessageInfo::from_word(r[arch::kRegInfo]).label != 0) fail("SetAffinity of the root thread failed");
        ipis_taken_ += m_.take_ipis();
        // A thread of its priority queued there first (a call raised one to
        // 255) runs until it yields, as the CPU would run it.
        for (u32 i = 0; i < 1000 && m_.running(core) != t; ++i) {
            host::OnCore as(core);
            if (m_.running() == m_.idle()) break;
            m_.enter(m_.running(), static_cast<u32>(abi::Syscall::Yield));
        }
    } catch (const host::KernelPanic &e) {
        fail(std::string("kernel panic: ") + e.what());
    }
    if (m_.running(core) != t) fail("the root thread does not run on its new core " + std::to_string(core));
    m_.on_core(core);
    ++root_moves_;
    check_after("the root's move to core " + std::to_string(core));
}

// Now and then: the root thread moves to another core, or the cores take
// their pending IPIs.
void RandomRun::core_op() {
    if (below(1000) < 4) {
        move_root(below(kCores));
    } else if (chance(1)) {
        try {
            u32 n = m_.take_ipis();
            ipis_taken_ += n;
            if (n) log_.push_back(std::to_string(n) + " cores took their IPIs");
        } catch (const host::KernelPanic &e) {
            fail(std::string("kernel panic: ") + e.what());
        }
        check_after("IPIs taken");
    }
}

void RandomRun::final_cleanup() {
    // Delete everything in the universe (with interrupts, so the big deletes are
    // preempted too), then revoke every boot Untyped: all memory must be free again.
    m_.irq_after(5, true);
    for (u32 pass = 0; pass < 2; ++pass)
        for (u32 i = u0_; i < u0_ + universe_; ++i) {
            Reply r = remove(m_, i);
            if (!r.ok()) fail("final Delete of slot " + std::to_string(i) + " failed");
        }
    check_after("final deletes");
    for (u32 i = u0_; i < u0_ + universe_; ++i)
        if (!cap_at(m_, i).is_null()) fail("slot " + std::to_string(i) + " not empty after Delete");
    std::vector<u32> boot = boot_ram_;
    boot.insert(boot.end(), boot_dev_.begin(), boot_dev_.end());
    for (u32 s : boot) {
        Reply r = revoke(m_, s);
        if (!r.ok()) fail("final Revoke of boot Untyped " + std::to_string(s) + " failed");
        check_after("final Revoke of boot Untyped " + std::to_string(s));
        const Cap &c = cap_at(m_, s);
        INFO("boot Untyped slot " << s);
        REQUIRE(c.type() == CapType::Untyped);
        REQUIRE(c.untyped_free_bytes() == 0);
        REQUIRE_FALSE(has_children(m_.root_slot(s)));
    }
    m_.irq_after(0);
    // Only the root task's caps are left: its CNode slots below the universe and
    // its TCB's slots.
    u32 n = 0;
    for (Slot *s = mdb_first(); s; s = s->next()) {
        ++n;
        bool in_root = s >= m_.root.cnode && s < m_.root.cnode + u0_;
        bool in_tcb = s >= m_.root.tcb->slots && s < m_.root.tcb->slots + kTcbSlots;
        INFO("leftover " << cap_type_name(s->cap.type()) << " cap at 0x" << std::hex << kref(s));
        REQUIRE((in_root || in_tcb));
    }
    CHECK(n == (u0_ - 1) + 3);  // slots 1..u0-1, plus the TCB's three
    // And every boot RAM Untyped can be retyped into one Untyped of its full size.
    for (u32 s : boot_ram_) {
        u32 bits = cap_at(m_, s).untyped_size_bits();
        Reply r = retype(m_, s, ObjectType::Untyped, bits, u0_, 1);
        INFO("boot Untyped slot " << s << " 2^" << bits);
        REQUIRE(r.ok());
        REQUIRE(cap_at(m_, u0_).untyped_size_bits() == bits);
        REQUIRE(remove(m_, u0_).ok());
    }
    REQUIRE_INVARIANTS();
}

Op RandomRun::pick_op() {
    // Weights of the operations, per thousand.
    static constexpr std::pair<Op, u32> kWeights[] = {
        {OpRetype, 200}, {OpCopy, 110}, {OpMint, 120}, {OpMove, 90},  {OpMutate, 70},  {OpRotate, 70},
        {OpDelete, 150}, {OpRevoke, 90}, {OpCancelBadgedSends, 40},   {OpGarbage, 59}, {OpBootRevoke, 1},
        {OpVm, 120},     {OpSetAffinity, 20},
    };
    static_assert(std::size(kWeights) == kNumOps);
    u32 w = below(1140), acc = 0;
    for (auto [o, weight] : kWeights) {
        acc += weight;
        if (w < acc) return o;
    }
    return OpGarbage;
}

// A Call as the root thread, re-entered after each preemption as the CPU would
// re-execute svc. Between a preemption and the re-entry the invariants must hold
// (the kernel's state at a preemption point is a state the rest of the system
// sees), and sometimes another operation runs first, as another thread would.
Reply RandomRun::do_call(const Msg &msg, bool nested) {
    Tcb *t = m_.root.tcb;
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    if (!buf) fail("the root thread has no IPC buffer");
    auto &r = t->context.r;
    Reply reply{};
    for (;;) {
        for (u32 i = 0; i < msg.n_mr; ++i) {
            if (i < abi::kMsgRegisters) r[arch::kRegMr0 + i] = msg.mr[i];
            else buf->msg[i] = msg.mr[i];
        }
        for (u32 e = 0; e < msg.n_extra; ++e) buf->caps_or_badges[e] = msg.extra[e];
        r[arch::kRegCap] = msg.cptr;
        r[arch::kRegInfo] = abi::MessageInfo{msg.label, 0, msg.n_extra, msg.n_mr}.word();
        Status res = m_.syscall(t, static_cast<u32>(abi::Syscall::Call));
        if (res == Status::Ok) break;
        if (res != Status::Preempted) fail("a Call was not handled");
        if (++reply.restarts > 10'000'000) fail("a Call restarted without end");
        m_.irq_after(irq_every_, true);  // the interrupt is taken
        // Checked at the first preemption points of a call and then now and again:
        // resetting a 32 MiB boot Untyped one interrupt per 4 KiB chunk is 8192 restarts.
        const bool early = reply.restarts <= 32;
        if (early || (reply.restarts & 255) == 0) {
            std::string why = invariant_violation();
            if (!why.empty()) fail("invariant violated at a preemption point: " + why);
        }
        if (!nested && early && chance(25)) {
            ++interleaved_;
            log_.push_back("  (preempted; another operation runs first:)");
            one_op(true);
            if (is_ipc_cap(msg.cptr)) {
                // The other operation put an endpoint or notification cap where the
                // call's cap pointer leads: re-executing the svc would be IPC, which
                // this one-thread driver does not model. The call is abandoned.
                log_.push_back("  (the cap pointer now names an IPC cap: the call is abandoned)");
                abandoned_ = true;
                return reply;
            }
            log_.push_back("  (the preempted call is re-entered)");
        }
    }
    auto info = abi::MessageInfo::from_word(r[arch::kRegInfo]);
    reply.error = static_cast<Error>(info.label);
    reply.length = info.length;
    for (u32 k = 0; k < info.length && k < abi::kMsgMaxLength; ++k)
        reply.mr[k] = k < abi::kMsgRegisters ? r[arch::kRegMr0 + k] : buf->msg[k];
    return reply;
}

void RandomRun::one_op(bool nested) {
    scan();
    Op op = pick_op();
    Msg msg;
    std::string what;
    if (!make_op(op, msg, what) || is_ipc_cap(msg.cptr) || moves_root(msg)) {
        ++skipped_;
        return;
    }
    if (nested) what = "  " + what;
    if (!nested) {
        std::snprintf(g_watch, sizeof(g_watch),
                      "\nrandom test: operation %u (seed %llu) did not finish in %u s: %s\n", op_index_,
                      g_random_seed, kWatchdogSeconds, what.c_str());
        alarm(kWatchdogSeconds);
    }
    Addr first_arg{msg.cptr, msg.n_mr > 0 ? msg.mr[0] : 0, msg.n_mr > 1 ? msg.mr[1] : 0};
    bool deep = op != OpRetype && op != OpGarbage && in_sub_cnode(first_arg);
    // A model check the invariants cannot make: deleting a cap that is not the
    // last to its CNode, or revoking one, leaves the CNode's other slots alone
    // (unless another operation ran while the call was preempted).
    const Slot *snap_target = nullptr;
    Slot *snap_obj = nullptr;
    std::vector<Cap> snapshot;
    if ((op == OpDelete || op == OpRevoke) && msg.n_mr >= 2) {
        const Slot *s = target(first_arg);
        if (s && s->cap.type() == CapType::CNode && (op == OpRevoke || has_other_cap(s))) {
            snap_target = s;
            snap_obj = kptr<Slot>(s->cap.object());
            for (u32 i = 0; i < (1u << s->cap.cnode_radix()); ++i) snapshot.push_back(snap_obj[i].cap);
        }
    }
    Cap snap_cap = snap_target ? snap_target->cap : Cap::null();
    u64 interleaved_before = interleaved_;
    log_.push_back(what + " " + describe(msg) + " ...");
    if (log_.size() > 60) log_.pop_front();
    Reply r{};
    abandoned_ = false;
    try {
        r = do_call(msg, nested);
    } catch (const host::KernelPanic &e) {
        last_console_ = m_.take_console();
        log_.push_back(what + " -> KERNEL PANIC");
        fail(std::string("kernel panic: ") + e.what());
    }
    last_console_ = m_.take_console();
    if (abandoned_) {
        ++skipped_;
        check_after(what);
        return;
    }
    u32 code = static_cast<u32>(r.error);
    if (code >= kNumErrors) fail("reply with an unknown error code " + std::to_string(code));
    ++counts_[op][code];
    restarts_ += r.restarts;
    if (r.restarts) ++irq_calls_;
    if (r.ok() && deep) ++deep_ok_;
    if (r.ok() && op == OpRetype && msg.mr[0] < static_cast<u32>(ObjectType::Count)) ++retyped_[msg.mr[0]];
    log_.push_back(what + " -> " + kErrorNames[code] +
                   (r.restarts ? " (restarts " + std::to_string(r.restarts) + ")" : ""));
    if (log_.size() > 60) log_.pop_front();
    if (snap_obj && r.ok() && interleaved_ == interleaved_before) {
        for (u32 i = 0; i < snapshot.size(); ++i) {
            if (&snap_obj[i] == snap_target || snap_obj[i].cap == snapshot[i]) continue;
            if (op == OpRevoke && same_object(snap_cap, snapshot[i])) continue;  // a revoked copy
            fail(what + ": slot " + std::to_string(i) + " of a CNode that lives on changed (a " +
                 cap_type_name(snapshot[i].type()) + " cap became a " + cap_type_name(snap_obj[i].cap.type()) + ")");
        }
    }
    check_after(what);
    if (nested) scan();
}

void RandomRun::run(u32 ops) {
    const abi::BootInfo *bi = m_.root.boot_info;
    for (u32 i = 0; i < bi->untyped_count; ++i)
        (bi->untyped_list[i].is_device ? boot_dev_ : boot_ram_).push_back(bi->untyped.start + i);
    REQUIRE(!boot_ram_.empty());
    REQUIRE(u0_ + universe_ <= (1u << m_.config.root_cnode_radix));
    for (u32 i = 0; i < abi::kNumInitialCaps; ++i) initial_[i] = cap_at(m_, i);
    tcb_ctable_ = m_.root.tcb->slots[kTcbCTable].cap;
    REQUIRE_INVARIANTS();

    struct sigaction sa {}, old_sa{};
    sa.sa_handler = on_watchdog;
    sigaction(SIGALRM, &sa, &old_sa);
    for (op_index_ = 0; op_index_ < ops; ++op_index_) {
        toggle_irqs();
        core_op();
        one_op(false);
    }
    alarm(0);
    sigaction(SIGALRM, &old_sa, nullptr);
    m_.irq_after(0);

    // The mix that happened.
    std::printf("random test: universe of %u root slots from slot %u\n", universe_, u0_);
    std::printf("random test: %u operations, %llu skipped, %llu calls preempted (%llu restarts, %llu times another "
                "operation ran in between), %llu ok in sub-CNodes\n",
                ops, static_cast<unsigned long long>(skipped_), static_cast<unsigned long long>(irq_calls_),
                static_cast<unsigned long long>(restarts_), static_cast<unsigned long long>(interleaved_),
                static_cast<unsigned long long>(deep_ok_));
    std::printf("random test: the root thread moved core %llu times (on core %u now); %llu IPIs taken\n",
                static_cast<unsigned long long>(root_moves_), m_.core(), static_cast<unsigned long long>(ipis_taken_));
    std::printf("  %-10s", "");
    for (u32 e = 0; e < kNumErrors; ++e) std::printf(" %11s", kErrorNames[e]);
    std::printf("\n");
    u64 by_error[kNumErrors] = {};
    for (u32 o = 0; o < kNumOps; ++o) {
        std::printf("  %-10s", kOpNames[o]);
        for (u32 e = 0; e < kNumErrors; ++e) {
            std::printf(" %11llu", static_cast<unsigned long long>(counts_[o][e]));
            by_error[e] += counts_[o][e];
        }
        std::printf("\n");
    }
    std::printf("  retyped ok per type:");
    for (u32 t = 0; t < static_cast<u32>(ObjectType::Count); ++t)
        std::printf(" %s=%llu", object_type_name(static_cast<ObjectType>(t)),
                    static_cast<unsigned long long>(retyped_[t]));
    std::printf("\n");
    std::fflush(stdout);

    if (ops >= 5000) {
        // Every kind of operation succeeded some of the time, and failed in several ways.
        for (Op o : {OpRetype, OpCopy, OpMint, OpMove, OpMutate, OpRotate, OpDelete, OpRevoke, OpCancelBadgedSends,
                     OpVm, OpSetAffinity}) {
            INFO("successes of " << kOpNames[o]);
            CHECK(counts_[o][0] >= ops / 2000);
        }
        for (Error e : {Error::InvalidArgument, Error::InvalidCapability, Error::IllegalOperation, Error::RangeError,
                        Error::FailedLookup, Error::TruncatedMessage, Error::DeleteFirst, Error::RevokeFirst,
                        Error::NotEnoughMemory}) {
            INFO("replies with error " << kErrorNames[static_cast<u32>(e)]);
            CHECK(by_error[static_cast<u32>(e)] > 0);
        }
        for (ObjectType t : {ObjectType::Untyped, ObjectType::CNode, ObjectType::Endpoint, ObjectType::Notification,
                             ObjectType::Tcb, ObjectType::Frame4K, ObjectType::PageTable, ObjectType::PageDirectory}) {
            INFO("successful Retypes of " << object_type_name(t));
            CHECK(retyped_[static_cast<u32>(t)] > 0);
        }
        CHECK(irq_calls_ > 0);
        CHECK(root_moves_ > 0);
        CHECK(interleaved_ > 0);
        CHECK(deep_ok_ > 0);
        CHECK(by_error[0] > ops / 10);
        CHECK(skipped_ < ops / 10);
    }
    final_cleanup();
}

}  // namespace

TEST_CASE("random: random capability operations keep every invariant", "[random]") {
    if (g_random_seed == 0) {
        g_random_seed = static_cast<unsigned long long>(std::chrono::system_clock::now().time_since_epoch().count()) ^
                        std::random_device{}();
        if (g_random_seed == 0) g_random_seed = 1;
    }
    std::printf("random test: seed=%llu ops=%u; rerun with --random-seed %llu\n", g_random_seed, g_random_ops,
                g_random_seed);
    std::fflush(stdout);
    auto start = std::chrono::steady_clock::now();
    {
        RandomRun run(g_random_seed);
        run.run(g_random_ops);
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("random test: %u operations in %.2f s (seed %llu)\n", g_random_ops, s, g_random_seed);
    std::fflush(stdout);
}
