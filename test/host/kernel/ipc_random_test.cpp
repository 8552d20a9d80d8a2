// SPDX-License-Identifier: BSD-2-Clause
// A randomised state-machine test of threads, scheduling and IPC.
//
// Seven threads at a few priorities (some equal) share the root task's CSpace;
// three endpoints and two notifications with badged copies of various rights,
// fault endpoints for some threads (usable, without grant, of the wrong type),
// one notification bound at the start. Each step, whichever thread the kernel
// runs (the only one that can act) makes a random system call through the real
// entry (Machine::enter): Send/NBSend/Call/Recv/NBRecv/Reply/ReplyRecv/Yield on
// random caps (wrong types, empty slots and missing rights included),
// Signal/Wait/Poll, TCB Suspend/Resume/SetPriority/Bind/UnbindNotification,
// CNode SaveCaller/Delete/CancelBadgedSends, a Send on a saved reply cap,
// Untyped.Retype to re-create deleted objects; or it faults (Machine::fault),
// makes an unknown system call, or the timer ticks. When the idle thread runs,
// a white-box "root task" resumes a thread, signals a notification (as an
// interrupt would) or moves a blocked thread on with a new pc, or the timer ticks.
//
// Several cores (the hosted kernel has four, arch/host/machine.hpp): the
// threads start on random cores, and TCB.SetAffinity (with cores out of range
// too) moves them. The kernel lock serialises entries, so a step is made as
// one core: now and then the test switches to another core (the steps after
// are that core's: its running thread acts, or its idle agent), or cores take
// the inter-processor interrupts the kernel left pending (each an entry that
// chooses again). A core with no IPI pending must have settled.
//
// A thread is modelled as a CPU would run it: a thread whose pc is back on its
// last svc (a cancelled or suspended blocking call) re-executes that call with
// its registers as they are, and one back on its faulting instruction faults
// again; otherwise its last operation completed and is checked (a Call on an
// endpoint got a reply or an error; a Recv got a message, a fault, a bound
// notification or, for NBRecv, nothing; a Wait got a signal word), then it
// chooses anew.
//
// After every step: no kernel panic, the invariant checker passes, on every
// core with no IPI pending (and on the core that just made an entry) the
// running thread is runnable (or idle) and outranks every ready thread of its
// core, no thread runs on two cores, and no thread is lost: each live thread
// is running, in its ready queue, in the queue of a live
// object it is blocked on, waiting for a reply whose Reply cap names it from a
// live slot, or inactive. A failure prints the seed, the step and the last
// actions; rerun with --random-seed N.
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "endpoint.hpp"
#include "harness.hpp"
#include "ipc.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "slot.hpp"
#include "state.hpp"
#include "tcb.hpp"

using namespace test;
using namespace petrel;

namespace {

using abi::MessageInfo;
using abi::Syscall;

constexpr u32 kBufVaddr = 0x2000'0000;
constexpr u32 kSendLabel = 0x100;   // labels of sent messages: [0x100, 0x200)
constexpr u32 kReplyLabel = 0x800;  // labels of replies: [0x800, 0x900)
constexpr u32 kNumThreads = 7;
constexpr u32 kNumEps = 3, kEpVariants = 6;
constexpr u32 kNumNtfns = 2, kNtfnVariants = 4;
constexpr u32 kNumSave = 4;
constexpr u32 kIrqBadge = 0x40;  // the white-box root task's "interrupt" signal

// Endpoint variants: 0 the original (all rights, no badge), then badged copies.
constexpr u32 kEpRights[kEpVariants] = {
    abi::kRightsAll,
    abi::kRightsAll,
    abi::kRightRead | abi::kRightWrite,
    abi::kRightWrite | abi::kRightGrantReply,
    abi::kRightRead,
    abi::kRightWrite | abi::kRightGrant,
};
constexpr u32 kNtfnRights[kNtfnVariants] = {abi::kRightsAll, abi::kRightWrite, abi::kRightRead | abi::kRightWrite,
                                            abi::kRightRead};
u32 ep_badge(u32 e, u32 v) { return v == 0 ? 0 : ((e + 1) << 4) | v; }
u32 ntfn_badge(u32 n, u32 v) { return v == 0 ? 0 : 1u << (n * 3 + v - 1); }

enum Act : u32 {
    ASend, ANBSend, ACall, ARecv, ANBRecv, AReply, AReplyRecv, AYield, ASignal, AWait, APoll,
    AFault, AUnknownSyscall, ATick, ASuspend, AResume, ASetPriority, ABind, AUnbind, ASaveCaller,
    ASendSaved, ACancelBadged, ADelete, ARecreate, ARedo, ARefault, AIdleTick, AIdleResume,
    AIdleSignal, AIdleRepc, ASetAffinity, ASwitchCore, ATakeIpi, kNumActs,
};
const char *const kActNames[kNumActs] = {
    "Send", "NBSend", "Call", "Recv", "NBRecv", "Reply", "ReplyRecv", "Yield", "Signal", "Wait", "Poll",
    "Fault", "UnknownSyscall", "Tick", "TCB.Suspend", "TCB.Resume", "TCB.SetPriority", "TCB.Bind",
    "TCB.Unbind", "SaveCaller", "SendSaved", "CancelBadged", "Delete", "Recreate", "redo svc",
    "re-fault", "idle: tick", "idle: Resume", "idle: Signal", "idle: new pc", "TCB.SetAffinity",
    "switch core", "take IPIs",
};
// Actions that must succeed at least once in a run (the idle ones depend on luck).
constexpr Act kMustSucceed[] = {ASend, ANBSend, ACall, ARecv, ANBRecv, AReply, AReplyRecv, AYield,
                                ASignal, AWait, APoll, AFault, AUnknownSyscall, ATick, ASuspend,
                                AResume, ASetPriority, ABind, AUnbind, ASaveCaller, ASendSaved,
                                ACancelBadged, ADelete, ARecreate, ARedo, AIdleTick, ASetAffinity,
                                ASwitchCore, ATakeIpi};

enum class Expect { None, IpcCall, Invocation, EpRecv, NBEpRecv, NtfnRecv };
enum Outcome2 : u32 {
    OCallReplied, OCallError, ORecvMsg, ORecvFault, ORecvBound, ORecvNothing, OWaitSignal, ONumOutcomes
};
const char *const kOutcomeNames[ONumOutcomes] = {"Call got a reply", "Call got an error", "Recv got a message",
                                                 "Recv got a fault", "Recv got a bound signal",
                                                 "NBRecv got nothing", "Wait got a signal"};

struct ThreadRec {
    unsigned tcb_slot = 0, frame_slot = 0, recv_slot = 0;
    Tcb *tcb = nullptr;
    u32 prio = 0, mcp = 0, fault_ep = 0;
    char name[16] = {};
    // The operation last started at pending_pc (a svc, or a faulting instruction).
    enum class Kind { None, Syscall, Fault } kind = Kind::None;
    u32 pending_pc = ~0u;
    u32 syscall = 0;
    Fault fault{};
    Expect expect = Expect::None;
    bool unchecked = true;  // faulted, or resumed or suspended from outside: no completion check
};

u32 pattern(u32 id, u32 i) { return i == 0 ? id : id * 0x9E37'79B1u + i; }

class IpcRandom {
  public:
    explicit IpcRandom(u64 seed) : seed_(seed), rng_(seed) {}
    // `slowpath`: run with the IPC fastpath off (else as PETREL_SLOWPATH says).
    IpcRandom(u64 seed, bool slowpath) : IpcRandom(seed) {
        for (CoreState &c : ks_cores) c.slowpath_only = slowpath;
    }
    // `steps` random steps, each followed by the invariant checks. With
    // `require_coverage`, every action that must succeed did and every outcome
    // happened at least once (a long run's claim; a short one may miss some).
    void run(u32 steps, bool require_coverage = true);
    // A digest of every thread's state and registers after every step: equal
    // digests mean the runs went the same way, step by step.
    u64 digest() const { return digest_; }

  private:
    Machine m_;
    u64 seed_;
    std::mt19937_64 rng_;
    unsigned ut_ = 0, base_ = 0, next_ = 0;
    unsigned ep_[kNumEps][kEpVariants] = {};
    unsigned ntfn_[kNumNtfns][kNtfnVariants] = {};
    unsigned save_[kNumSave] = {};
    unsigned empty_slot_ = 0;
    ThreadRec th_[kNumThreads];
    std::vector<u32> pool_;  // every cap pointer IPC may name
    u32 step_ = 0;
    u64 digest_ = 0xcbf2'9ce4'8422'2325ull;
    u32 pc_counter_ = 0x1000, id_counter_ = 0;
    void fold(u32 v) {
        for (u32 i = 0; i < 4; ++i) digest_ = (digest_ ^ ((v >> (8 * i)) & 0xffu)) * 0x100'0000'01b3ull;
    }
    u32 tries_[kNumActs] = {}, oks_[kNumActs] = {}, outcomes_[ONumOutcomes] = {};
    bool settled_here_ = false;  // this step made an entry on the current core (which ends in schedule())
    std::deque<std::string> history_;
    // Objects named by caps in the universe, rebuilt before each check.
    std::vector<std::pair<CapType, u32>> live_;

    u32 rand(u32 n) { return static_cast<u32>(rng_() % n); }
    bool chance(u32 percent) { return rand(100) < percent; }
    u32 fresh_pc() { return pc_counter_ += 8; }
    u32 fresh_id() { return 0x8000'0000u | ++id_counter_; }

    [[noreturn]] void fail(const std::string &what);
    void note(const char *fmt, ...) __attribute__((format(printf, 2, 3)));

    ThreadRec *rec_of(const Tcb *t) {
        for (auto &r : th_)
            if (r.tcb == t) return &r;
        return nullptr;
    }
    bool alive(const Tcb *t) const { return object_live(CapType::Thread, kref(t)); }
    bool object_live(CapType type, u32 obj) const {
        for (auto &[ty, o] : live_)
            if (ty == type && o == obj) return true;
        return false;
    }
    void scan_live();

    void setup();
    void wire_thread(ThreadRec &r);
    u32 pick_ep_cap() { return chance(80) ? ep_[rand(kNumEps)][rand(kEpVariants)] : pool_[rand(pool_.size())]; }
    u32 pick_ntfn_cap() { return chance(80) ? ntfn_[rand(kNumNtfns)][rand(kNtfnVariants)] : pool_[rand(pool_.size())]; }
    u32 pick_tcb_cap() { return chance(95) ? th_[rand(kNumThreads)].tcb_slot : pool_[rand(pool_.size())]; }

    const Cap &cap_named(u32 cptr) {
        static const Cap null = Cap::null();
        return cptr >= base_ && cptr < next_ ? m_.root_slot(cptr)->cap : null;
    }
    void fill_message(Tcb *t, u32 label, u32 len, u32 extra);
    void issue(ThreadRec &r, Syscall n, Expect e);
    void complete(ThreadRec &r);
    bool invoke(ThreadRec &r, u32 cptr, Label label, std::initializer_list<u32> mrs, std::initializer_list<u32> caps);

    void thread_step(ThreadRec &r);
    void idle_step();
    bool core_step();  // switch core or take IPIs, now and then; false when it did neither
    bool recreate(ThreadRec *actor);
    void check();
};

void IpcRandom::note(const char *fmt, ...) {
    char buf[200];
    int n = std::snprintf(buf, sizeof(buf), "%6u ", step_);
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf + n, sizeof(buf) - static_cast<size_t>(n), fmt, ap);
    va_end(ap);
    history_.emplace_back(buf);
    if (history_.size() > 40) history_.pop_front();
}

void IpcRandom::fail(const std::string &what) {
    std::string s = "ipc-random: seed " + std::to_string(seed_) + ", step " + std::to_string(step_) + ": " + what +
                    "\nlast actions:\n";
    for (auto &h : history_) s += "  " + h + "\n";
    s += "entries as core " + std::to_string(m_.core()) + "; cores run";
    for (u32 c = 0; c < kCores; ++c)
        s += std::string(" '") + ks_cores[c].current->name + "'" + (host::g_ipi.pending[c] ? " (IPI pending)" : "");
    s += "\nthreads:\n";
    for (auto &r : th_) {
        char buf[160];
        std::snprintf(buf, sizeof(buf),
                      "  %-8s state %u prio %u core %u queued %u blocked_on %x fault %u bound %x\n", r.name,
                      static_cast<u32>(r.tcb->state), r.tcb->priority, r.tcb->affinity, r.tcb->in_ready_queue,
                      r.tcb->blocked_on, r.tcb->fault_kind, r.tcb->bound_ntfn);
        s += buf;
    }
    s += "rerun: kernel-tests \"[ipc-random]\" --random-seed " + std::to_string(seed_);
    FAIL(s);
    throw std::logic_error("unreachable");
}

void IpcRandom::scan_live() {
    live_.clear();
    for (unsigned i = base_; i < next_; ++i) {
        const Cap &c = m_.root_slot(i)->cap;
        if (!c.is_null()) live_.emplace_back(c.type(), c.object());
    }
}

// The root task's part of making a thread: its CSpace (the root CNode), its IPC
// buffer frame, name, priority, fault endpoint. It starts Inactive.
void IpcRandom::wire_thread(ThreadRec &r) {
    Tcb *t = m_.at<Tcb>(cap_at(m_, r.tcb_slot).object());
    r.tcb = t;
    insert_derived(m_.root_slot(kRootCNode), t->slot(kTcbCTable), cap_at(m_, kRootCNode));
    insert_derived(m_.root_slot(r.frame_slot), t->slot(kTcbIpcBuffer), cap_at(m_, r.frame_slot));
    t->ipc_buffer = kBufVaddr;
    tcb_set_name(t, r.name);
    t->priority = r.prio;
    t->mcp = r.mcp;
    t->fault_ep = r.fault_ep;
    abi::IpcBuffer *b = t->ipc_buffer_ptr();
    b->receive_cnode = kRootCNode;
    b->receive_index = r.recv_slot;
    b->receive_depth = 32;
    r.kind = ThreadRec::Kind::None;
    r.pending_pc = ~0u;
    r.unchecked = true;
    t->context.pc = fresh_pc();
}

void IpcRandom::setup() {
    ut_ = untyped_at_least(m_, 22);
    base_ = next_ = first_free(m_);
    auto make = [&](ObjectType type) {
        unsigned s = next_++;
        REQUIRE(retype(m_, ut_, type, 0, s).ok());
        return s;
    };
    for (u32 e = 0; e < kNumEps; ++e) {
        ep_[e][0] = make(ObjectType::Endpoint);
        for (u32 v = 1; v < kEpVariants; ++v) {
            ep_[e][v] = next_++;
            REQUIRE(mint(m_, ep_[e][v], ep_[e][0], kEpRights[v], ep_badge(e, v)).ok());
        }
    }
    for (u32 n = 0; n < kNumNtfns; ++n) {
        ntfn_[n][0] = make(ObjectType::Notification);
        for (u32 v = 1; v < kNtfnVariants; ++v) {
            ntfn_[n][v] = next_++;
            REQUIRE(mint(m_, ntfn_[n][v], ntfn_[n][0], kNtfnRights[v], ntfn_badge(n, v)).ok());
        }
    }
    for (auto &s : save_) s = next_++;
    empty_slot_ = next_++;
    static const u32 prios[kNumThreads] = {70, 60, 60, 50, 50, 50, 40};
    static const u32 mcps[kNumThreads] = {70, 60, 75, 50, 60, 50, 40};
    const u32 fault_eps[kNumThreads] = {ep_[0][0], ep_[1][3], ep_[2][2], 0, ep_[0][5], ntfn_[0][0], ep_[1][0]};
    for (u32 i = 0; i < kNumThreads; ++i) {
        ThreadRec &r = th_[i];
        r.tcb_slot = make(ObjectType::Tcb);
        r.frame_slot = make(ObjectType::Frame4K);
        r.recv_slot = next_++;
        r.prio = prios[i];
        r.mcp = mcps[i];
        r.fault_ep = fault_eps[i];
        std::snprintf(r.name, sizeof(r.name), "t%u-p%u", i, prios[i]);
        wire_thread(r);
        r.tcb->affinity = static_cast<u8>(rand(kCores));
        r.tcb->state = ThreadState::Running;
        sched_enqueue(r.tcb);  // (another core is told: an IPI)
    }
    bind_notification(th_[1].tcb, m_.at<Notification>(cap_at(m_, ntfn_[1][0]).object()));
    for (unsigned i = base_; i < next_; ++i) pool_.push_back(i);
    pool_.push_back(kRootCNode);
    pool_.push_back(ut_);
    pool_.push_back(0xdead'beefu);  // no such slot
    pool_.push_back(0);             // the null slot
    // The root task steps aside: it outranks everyone. The other cores choose.
    sched_set_state(m_.root.tcb, ThreadState::Inactive);
    schedule();
    m_.activate();
    m_.take_ipis();
    REQUIRE_INVARIANTS();
}

void IpcRandom::fill_message(Tcb *t, u32 label, u32 len, u32 extra) {
    abi::IpcBuffer *b = t->ipc_buffer_ptr();
    u32 id = fresh_id();
    u32 words = len > abi::kMsgMaxLength ? abi::kMsgMaxLength : len;
    for (u32 i = 0; i < words; ++i) set_mr(t, b, i, pattern(id, i));
    for (u32 i = 0; i < extra; ++i) b->caps_or_badges[i] = pool_[rand(pool_.size())];
    t->context.r[arch::kRegInfo] = MessageInfo{label, 0, extra, len}.word();
}

// Starts system call `n` with the thread's registers as set; records it.
void IpcRandom::issue(ThreadRec &r, Syscall n, Expect e) {
    Tcb *t = r.tcb;
    r.kind = ThreadRec::Kind::Syscall;
    r.syscall = static_cast<u32>(n);
    r.pending_pc = t->context.pc;
    r.expect = e;
    (void)m_.take_console();
    m_.enter(t, static_cast<u32>(n));
    settled_here_ = true;
    r.unchecked = t->fault_kind != 0 || m_.take_console().find(" stopped: ") != std::string::npos;
}

// A Call invocation (TCB, CNode, Untyped) by the running thread; true when the reply is label 0.
bool IpcRandom::invoke(ThreadRec &r, u32 cptr, Label label, std::initializer_list<u32> mrs,
                       std::initializer_list<u32> caps) {
    Tcb *t = r.tcb;
    abi::IpcBuffer *b = t->ipc_buffer_ptr();
    u32 i = 0;
    for (u32 v : mrs) set_mr(t, b, i++, v);
    u32 e = 0;
    for (u32 c : caps) b->caps_or_badges[e++] = c;
    t->context.r[arch::kRegCap] = cptr;
    t->context.r[arch::kRegInfo] = MessageInfo{static_cast<u32>(label), 0, e, i}.word();
    CapType type = cap_named(cptr).type();
    if (type == CapType::Endpoint || type == CapType::Notification || type == CapType::Reply) {
        fill_message(t, (type == CapType::Reply ? kReplyLabel : kSendLabel) + rand(0x100), i,
                     e);                                                                      // as receivers expect
        issue(r, Syscall::Call, type == CapType::Endpoint ? Expect::IpcCall : Expect::None);  // IPC after all
        return false;
    }
    issue(r, Syscall::Call, Expect::Invocation);
    // The reply is in the registers now, whoever runs next.
    u32 got = MessageInfo::from_word(t->context.r[arch::kRegInfo]).label;
    if (got > static_cast<u32>(Error::NotEnoughMemory)) fail("an invocation replied with label " + std::to_string(got));
    return got == 0;
}

// The thread's last operation completed (its pc left the svc): check what it got.
void IpcRandom::complete(ThreadRec &r) {
    Tcb *t = r.tcb;
    if (t->fault_kind != 0)
        fail(std::string(r.name) + " runs a new operation with a stale fault " + std::to_string(t->fault_kind));
    if (r.kind != ThreadRec::Kind::Syscall || r.unchecked) return;
    MessageInfo info = MessageInfo::from_word(t->context.r[arch::kRegInfo]);
    u32 badge = t->context.r[arch::kRegCap];
    abi::IpcBuffer *b = t->ipc_buffer_ptr();
    auto bad = [&](const char *what) {
        char buf[200];
        std::snprintf(buf, sizeof(buf), "%s: %s: label 0x%x length %u extra %u badge 0x%x", r.name, what, info.label,
                      info.length, info.extra_caps, badge);
        fail(buf);
    };
    auto intact = [&]() {
        if (info.length > abi::kMsgMaxLength) bad("length over 120");
        for (u32 i = 1; i < info.length; ++i)
            if (get_mr(t, b, i) != pattern(get_mr(t, b, 0), i)) bad("message words corrupted");
    };
    auto known_ep_badge = [&]() {
        if (badge == 0) return true;
        for (u32 e = 0; e < kNumEps; ++e)
            for (u32 v = 1; v < kEpVariants; ++v)
                if (badge == ep_badge(e, v)) return true;
        return false;
    };
    switch (r.expect) {
    case Expect::None: return;
    case Expect::Invocation:
        if (info.label > static_cast<u32>(Error::NotEnoughMemory)) bad("an invocation's reply is no error code");
        return;
    case Expect::IpcCall:
        if (info.label >= kReplyLabel && info.label < kReplyLabel + 0x100) {
            intact();
            if (badge != 0) bad("a reply carries a badge");
            ++outcomes_[OCallReplied];
        } else if (info.label == static_cast<u32>(Error::InvalidCapability) && info.length == 1 &&
                   get_mr(t, b, 0) == 0) {
            ++outcomes_[OCallError];
        } else {
            bad("a Call completed with neither a reply nor an error");
        }
        return;
    case Expect::EpRecv:
    case Expect::NBEpRecv:
        if (info.label >= kSendLabel && info.label < kSendLabel + 0x100) {
            intact();
            if (!known_ep_badge()) bad("unknown badge");
            if (info.extra_caps > 3 || (info.caps_unwrapped >> info.extra_caps) != 0) bad("extra caps");
            ++outcomes_[ORecvMsg];
        } else if (info.label >= 1 && info.label <= 4) {
            if (info.length > 11 || info.extra_caps != 0) bad("a fault message");
            if (!known_ep_badge()) bad("unknown badge");
            ++outcomes_[ORecvFault];
        } else if (info.label == abi::kNotificationLabel) {
            if (info.length != 0 || (badge & ~0x7fu) != 0) bad("a bound notification's signal");
            ++outcomes_[ORecvBound];
        } else if (r.expect == Expect::NBEpRecv && info.label == 0 && info.length == 0 && badge == 0) {
            ++outcomes_[ORecvNothing];
        } else {
            bad("a Recv completed with a senseless tag");
        }
        return;
    case Expect::NtfnRecv:
        if (info.label != 0 || info.length != 0 || (badge & ~0x7fu) != 0) bad("a Wait/Poll got a senseless tag");
        if (badge) ++outcomes_[OWaitSignal];
        return;
    }
}

bool IpcRandom::recreate(ThreadRec *actor) {
    // Empty slots that held an original object, a badged copy, or a dead thread's TCB.
    struct Want {
        int kind;  // 0 endpoint/notification original, 1 badged copy, 2 thread
        unsigned slot, src, rights, badge;
        ObjectType type;
        ThreadRec *th;
    };
    std::vector<Want> wants;
    for (u32 e = 0; e < kNumEps; ++e)
        for (u32 v = 0; v < kEpVariants; ++v)
            if (cap_at(m_, ep_[e][v]).is_null()) {
                if (v == 0) wants.push_back({0, ep_[e][0], 0, 0, 0, ObjectType::Endpoint, nullptr});
                else if (cap_at(m_, ep_[e][0]).type() == CapType::Endpoint)
                    wants.push_back(
                        {1, ep_[e][v], ep_[e][0], kEpRights[v], ep_badge(e, v), ObjectType::Endpoint, nullptr});
            }
    for (u32 n = 0; n < kNumNtfns; ++n)
        for (u32 v = 0; v < kNtfnVariants; ++v)
            if (cap_at(m_, ntfn_[n][v]).is_null()) {
                if (v == 0) wants.push_back({0, ntfn_[n][0], 0, 0, 0, ObjectType::Notification, nullptr});
                else if (cap_at(m_, ntfn_[n][0]).type() == CapType::Notification)
                    wants.push_back({1, ntfn_[n][v], ntfn_[n][0], kNtfnRights[v], ntfn_badge(n, v),
                                     ObjectType::Notification, nullptr});
            }
    scan_live();
    for (auto &r : th_)
        if (!alive(r.tcb) && cap_at(m_, r.tcb_slot).is_null())
            wants.push_back({2, r.tcb_slot, 0, 0, 0, ObjectType::Tcb, &r});
    if (wants.empty()) return false;
    const Want w = wants[rand(wants.size())];
    bool ok;
    if (actor) {  // the running thread does it through its own CSpace
        if (w.kind == 1)
            ok = invoke(*actor, kRootCNode, Label::CNodeMint, {w.slot, 32, w.src, 32, w.rights, w.badge}, {kRootCNode});
        else
            ok =
                invoke(*actor, ut_, Label::UntypedRetype, {static_cast<u32>(w.type), 0, 0, 0, w.slot, 1}, {kRootCNode});
    } else {  // the root task (white box: it is not scheduled; core 0's)
        host::OnCore as(0);
        Tcb *cur = here().current;
        if (w.kind == 1) ok = mint(m_, w.slot, w.src, w.rights, w.badge).ok();
        else ok = retype(m_, ut_, w.type, 0, w.slot).ok();
        set_current_thread(cur);
    }
    if (!ok) fail("re-creating slot " + std::to_string(w.slot) + " failed");
    if (w.kind == 2) wire_thread(*w.th);  // Inactive until someone resumes it
    note("  re-created slot %u (%s)", w.slot, w.kind == 2 ? w.th->name : w.kind == 1 ? "badged copy" : "object");
    return true;
}

void IpcRandom::thread_step(ThreadRec &r) {
    Tcb *t = r.tcb;
    // Back on its svc or faulting instruction: the CPU executes it again.
    if (r.kind != ThreadRec::Kind::None && t->context.pc == r.pending_pc) {
        if (r.kind == ThreadRec::Kind::Syscall) {
            note("%s: redo svc %u cap %u", r.name, r.syscall, t->context.r[arch::kRegCap]);
            ++tries_[ARedo];
            ++oks_[ARedo];
            // The cap may be gone since (deleted): a Call is then an invocation that fails.
            CapType now = cap_named(t->context.r[arch::kRegCap]).type();
            if (r.expect == Expect::IpcCall && now != CapType::Endpoint)
                r.expect = now == CapType::Notification || now == CapType::Reply ? Expect::None : Expect::Invocation;
            issue(r, static_cast<Syscall>(r.syscall), r.expect);
        } else {
            note("%s: re-fault", r.name);
            ++tries_[ARefault];
            ++oks_[ARefault];
            m_.fault(r.fault);
            settled_here_ = true;
            r.unchecked = true;
        }
        return;
    }
    complete(r);
    r.kind = ThreadRec::Kind::None;
    r.unchecked = false;
    t->context.pc = fresh_pc();

    static const std::pair<Act, u32> weights[] = {
        {ASend, 8},    {ANBSend, 4},  {ACall, 10},     {ARecv, 10},        {ANBRecv, 3},   {AReply, 4},
        {AReplyRecv, 6}, {AYield, 3}, {ASignal, 5},    {AWait, 3},         {APoll, 3},     {AFault, 3},
        {AUnknownSyscall, 1}, {ATick, 8}, {ASuspend, 2}, {AResume, 4},    {ASetPriority, 2}, {ABind, 2},
        {AUnbind, 2},  {ASaveCaller, 2}, {ASendSaved, 3}, {ACancelBadged, 1}, {ADelete, 1}, {ARecreate, 2},
        {ASetAffinity, 3},
    };
    static const u32 total = [] {
        u32 s = 0;
        for (auto &w : weights) s += w.second;
        return s;
    }();
    Act a = ASend;
    bool has_caller = t->slot(kTcbCaller)->cap.type() == CapType::Reply;
    if (has_caller && chance(40)) {
        a = chance(40) ? AReplyRecv : chance(50) ? AReply : ASaveCaller;
    } else {
        u32 x = rand(total);
        for (auto &w : weights) {
            if (x < w.second) {
                a = w.first;
                break;
            }
            x -= w.second;
        }
    }
    ++tries_[a];
    auto &reg = t->context.r;
    auto len = [&]() { return chance(60) ? rand(6) : rand(131) & 0x7f; };  // 128..130 wrap in the 7-bit field
    switch (a) {
    case ASend:
    case ANBSend:
    case ACall:
    case ASignal: {
        u32 cptr = a == ASignal ? pick_ntfn_cap() : pick_ep_cap();
        const Cap c = cap_named(cptr);
        // A Send on a saved reply cap is a reply: it carries a reply's label.
        fill_message(t, (c.type() == CapType::Reply ? kReplyLabel : kSendLabel) + rand(0x100), len(),
                     chance(70) ? 0 : rand(4));
        reg[arch::kRegCap] = cptr;
        Syscall n = a == ACall                                     ? Syscall::Call
                    : a == ANBSend || (a == ASignal && chance(50)) ? Syscall::NBSend
                                                                   : Syscall::Send;
        bool ipc = c.type() == CapType::Endpoint || c.type() == CapType::Notification || c.type() == CapType::Reply;
        Expect e = n == Syscall::Call ? (c.type() == CapType::Endpoint ? Expect::IpcCall
                                         : ipc                         ? Expect::None
                                                                       : Expect::Invocation)
                                      : Expect::None;
        note("%s: %s cap %u (%s)", r.name, kActNames[a], cptr, cap_type_name(c.type()));
        issue(r, n, e);
        if (!r.unchecked && (c.type() == (a == ASignal ? CapType::Notification : CapType::Endpoint))) ++oks_[a];
        break;
    }
    case ARecv:
    case ANBRecv:
    case AWait:
    case APoll: {
        u32 cptr = a == AWait || a == APoll ? pick_ntfn_cap() : pick_ep_cap();
        const Cap c = cap_named(cptr);
        reg[arch::kRegCap] = cptr;
        bool nb = a == ANBRecv || a == APoll;
        Expect e = c.type() == CapType::Endpoint ? (nb ? Expect::NBEpRecv : Expect::EpRecv)
                   : c.type() == CapType::Notification ? Expect::NtfnRecv : Expect::None;
        note("%s: %s cap %u (%s)", r.name, kActNames[a], cptr, cap_type_name(c.type()));
        issue(r, nb ? Syscall::NBRecv : Syscall::Recv, e);
        bool want = a == AWait || a == APoll ? c.type() == CapType::Notification : c.type() == CapType::Endpoint;
        if (!r.unchecked && want) ++oks_[a];
        break;
    }
    case AReply:
    case AReplyRecv: {
        fill_message(t, kReplyLabel + rand(0x100), len(), chance(80) ? 0 : rand(4));
        u32 cptr = pick_ep_cap();
        const Cap c = cap_named(cptr);
        reg[arch::kRegCap] = cptr;
        note("%s: %s%s cap %u (%s)", r.name, kActNames[a], has_caller ? "" : " (no caller)", cptr,
             cap_type_name(c.type()));
        issue(r, a == AReply ? Syscall::Reply : Syscall::ReplyRecv,
              a == AReply ? Expect::None : c.type() == CapType::Endpoint ? Expect::EpRecv
                                         : c.type() == CapType::Notification ? Expect::NtfnRecv : Expect::None);
        if (has_caller && !r.unchecked) ++oks_[a];
        break;
    }
    case AYield:
        note("%s: Yield", r.name);
        issue(r, Syscall::Yield, Expect::None);
        ++oks_[a];
        break;
    case AFault: {
        Fault f = chance(50) ? Fault{FaultKind::VmFault, rand(0x1000'0000), 0x805, chance(30)}
                             : Fault{FaultKind::UserException, t->context.pc, 0, false};
        note("%s: %s fault", r.name, fault_kind_name(f.kind));
        r.kind = ThreadRec::Kind::Fault;
        r.fault = f;
        r.pending_pc = t->context.pc;
        r.unchecked = true;
        m_.fault(f);
        settled_here_ = true;
        if (t->fault_kind != 0) ++oks_[a];  // a handler has it (or will)
        break;
    }
    case AUnknownSyscall:
        note("%s: unknown system call", r.name);
        issue(r, static_cast<Syscall>(40 + rand(10)), Expect::None);
        if (t->fault_kind != 0) ++oks_[a];
        break;
    case ATick:
        note("%s: tick", r.name);
        m_.tick();
        settled_here_ = true;
        ++oks_[a];
        break;
    case ASuspend:
    case AResume: {
        u32 cptr = pick_tcb_cap();
        note("%s: %s cap %u", r.name, kActNames[a], cptr);
        if (ThreadRec *x =
                rec_of(cap_named(cptr).type() == CapType::Thread ? m_.at<Tcb>(cap_named(cptr).object()) : nullptr))
            x->unchecked = true;
        if (invoke(r, cptr, a == ASuspend ? Label::TcbSuspend : Label::TcbResume, {}, {})) ++oks_[a];
        break;
    }
    case ASetPriority: {
        u32 cptr = pick_tcb_cap(), auth = chance(50) ? r.tcb_slot : pick_tcb_cap(), prio = 35 + rand(45);
        note("%s: SetPriority cap %u auth %u prio %u", r.name, cptr, auth, prio);
        if (invoke(r, cptr, Label::TcbSetPriority, {prio}, {auth})) ++oks_[a];
        break;
    }
    case ABind: {
        u32 cptr = pick_tcb_cap(), n = pick_ntfn_cap();
        note("%s: Bind cap %u ntfn %u", r.name, cptr, n);
        if (invoke(r, cptr, Label::TcbBindNotification, {}, {n})) ++oks_[a];
        break;
    }
    case AUnbind: {
        u32 cptr = pick_tcb_cap();
        note("%s: Unbind cap %u", r.name, cptr);
        if (invoke(r, cptr, Label::TcbUnbindNotification, {}, {})) ++oks_[a];
        break;
    }
    case ASaveCaller: {
        u32 s = save_[rand(kNumSave)];
        note("%s: SaveCaller into %u%s", r.name, s, has_caller ? "" : " (no caller)");
        if (invoke(r, kRootCNode, Label::CNodeSaveCaller, {s, 32}, {}) && has_caller) {
            if (cap_at(m_, s).type() != CapType::Reply) fail("SaveCaller left no Reply cap");
            ++oks_[a];
        }
        break;
    }
    case ASendSaved: {
        u32 s = save_[rand(kNumSave)];
        for (u32 k = 0; k < kNumSave && chance(80); ++k)  // mostly one that holds a reply cap
            if (cap_at(m_, save_[k]).type() == CapType::Reply) s = save_[k];
        bool had = cap_at(m_, s).type() == CapType::Reply;
        fill_message(t, kReplyLabel + rand(0x100), len(), chance(80) ? 0 : rand(4));
        reg[arch::kRegCap] = s;
        Syscall n = chance(60) ? Syscall::Send : chance(50) ? Syscall::NBSend : Syscall::Call;
        note("%s: SendSaved %u via svc %u%s", r.name, s, static_cast<u32>(n), had ? "" : " (empty)");
        issue(r, n, had ? Expect::None : n == Syscall::Call ? Expect::Invocation : Expect::None);
        if (had) {
            if (!cap_at(m_, s).is_null()) fail("a Send on a saved reply cap left it in place");
            ++oks_[a];
        }
        break;
    }
    case ACancelBadged: {
        u32 s = ep_[rand(kNumEps)][chance(80) ? 1 : rand(kEpVariants)];
        note("%s: CancelBadgedSends %u", r.name, s);
        if (invoke(r, kRootCNode, Label::CNodeCancelBadgedSends, {s, 32}, {})) ++oks_[a];
        break;
    }
    case ADelete: {
        u32 pick = rand(10), s;
        if (pick < 3) s = ep_[rand(kNumEps)][rand(kEpVariants)];
        else if (pick < 5) s = ntfn_[rand(kNumNtfns)][rand(kNtfnVariants)];
        else if (pick < 6) s = th_[rand(kNumThreads)].tcb_slot;
        else if (pick < 8) s = th_[rand(kNumThreads)].recv_slot;
        else s = save_[rand(kNumSave)];
        bool full = !cap_at(m_, s).is_null();
        note("%s: Delete %u (%s)", r.name, s, cap_type_name(cap_at(m_, s).type()));
        if (invoke(r, kRootCNode, Label::CNodeDelete, {s, 32}, {}) && full) {
            if (!cap_at(m_, s).is_null()) fail("Delete left the slot full");
            ++oks_[a];
        }
        break;
    }
    case ARecreate:
        note("%s: Recreate", r.name);
        if (recreate(&r)) ++oks_[a];
        break;
    case ASetAffinity: {
        // Mostly a core that exists (the running thread itself at times), now and then one that does not.
        u32 cptr = chance(20) ? r.tcb_slot : pick_tcb_cap(), core = chance(90) ? rand(kCores) : kCores + rand(3);
        note("%s: SetAffinity cap %u core %u", r.name, cptr, core);
        if (invoke(r, cptr, Label::TcbSetAffinity, {core}, {})) {
            const Cap &c = cap_named(cptr);
            if (c.type() == CapType::Thread && m_.at<Tcb>(c.object())->affinity != core)
                fail("SetAffinity succeeded, but the thread is not on its new core");
            ++oks_[a];
        } else if (core < kCores && cap_named(cptr).type() == CapType::Thread) {
            fail("SetAffinity of a thread to core " + std::to_string(core) + " was refused");
        }
        break;
    }
    default: fail("bad action");
    }
}

void IpcRandom::idle_step() {
    scan_live();
    std::vector<ThreadRec *> stopped, blocked;
    for (auto &r : th_) {
        if (!alive(r.tcb)) continue;
        ThreadState s = r.tcb->state;
        if (s == ThreadState::Inactive || s == ThreadState::BlockedOnReply) stopped.push_back(&r);
        else if (!is_runnable(r.tcb)) blocked.push_back(&r);
    }
    u32 x = rand(100);
    if (x < 30) {
        ++tries_[AIdleTick];
        ++oks_[AIdleTick];
        note("idle: tick");
        m_.tick();
        return;
    }
    if (x < 45 && stopped.empty() && blocked.empty()) {
        note("idle: root re-creates");
        recreate(nullptr);
        return;
    }
    if (x < 70 && !stopped.empty()) {
        ThreadRec *r = stopped[rand(stopped.size())];
        ++tries_[AIdleResume];
        ++oks_[AIdleResume];
        note("idle: root resumes %s", r->name);
        r->unchecked = true;
        if (chance(70)) {  // mostly with a new pc, or a thread without a fault handler re-faults at once
            tcb_suspend(r->tcb);
            u32 pc = fresh_pc();
            invoke_tcb_write_registers(r->tcb, false, 1, &pc);
        }
        tcb_resume(r->tcb);
        schedule();
        m_.activate();
        return;
    }
    if (x < 85) {
        u32 n = rand(kNumNtfns);
        const Cap &c = cap_at(m_, ntfn_[n][0]);
        ++tries_[AIdleSignal];
        if (c.type() == CapType::Notification) {
            ++oks_[AIdleSignal];
            note("idle: interrupt signals notification %u", n);
            signal_notification(m_.at<Notification>(c.object()), kIrqBadge);
            schedule();
            m_.activate();
        }
        return;
    }
    if (!blocked.empty()) {  // the root task moves a blocked thread on (WriteRegisters with resume)
        ThreadRec *r = blocked[rand(blocked.size())];
        ++tries_[AIdleRepc];
        ++oks_[AIdleRepc];
        note("idle: root gives %s a new pc", r->name);
        r->unchecked = true;
        tcb_suspend(r->tcb);
        u32 pc = fresh_pc();
        invoke_tcb_write_registers(r->tcb, true, 1, &pc);
        schedule();
        m_.activate();
    }
}

bool IpcRandom::core_step() {
    u32 x = rand(100);
    // An idle core has little to do: the test moves on from it more often,
    // mostly to a core that runs a thread.
    const bool idle = here().current == m_.idle();
    if (x < 5 || (idle && x < 40)) {
        std::vector<u32> busy;
        for (u32 c = 0; c < kCores; ++c)
            if (ks_cores[c].current != ks_cores[c].idle) busy.push_back(c);
        u32 core = !busy.empty() && chance(70) ? busy[rand(busy.size())] : rand(kCores);
        ++tries_[ASwitchCore];
        ++oks_[ASwitchCore];
        note("switch to core %u (it runs '%s')", core, ks_cores[core].current->name);
        m_.on_core(core);
        return true;
    }
    // An IPI reaches its core within moments: mostly it is taken before the
    // core's next entry (else that entry comes first, as it may).
    if (m_.ipi_pending(m_.core()) && chance(80)) {
        ++tries_[ATakeIpi];
        ++oks_[ATakeIpi];
        Tcb *t = m_.take_ipi(m_.core());
        note("core %u takes its IPI: it runs '%s'", m_.core(), t->name);
        return true;
    }
    std::vector<u32> pending;
    for (u32 c = 0; c < kCores; ++c)
        if (m_.ipi_pending(c)) pending.push_back(c);
    if ((x < 12 || (idle && x < 50)) && !pending.empty()) {
        ++tries_[ATakeIpi];
        ++oks_[ATakeIpi];
        if (chance(50)) {
            u32 core = pending[rand(pending.size())];
            note("core %u takes its IPI", core);
            Tcb *t = m_.take_ipi(core);
            note("  core %u runs '%s'", core, t->name);
        } else {
            note("every pending IPI is taken (%zu cores)", pending.size());
            m_.take_ipis();
        }
        return true;
    }
    return false;
}

void IpcRandom::check() {
    std::string why = invariant_violation();
    if (!why.empty()) fail("invariant: " + why);
    scan_live();
    if (here().current != m_.running()) fail("running() disagrees with here().current");
    // Each core: settled unless it has an IPI to take (the core that just
    // made an entry has settled either way).
    auto running_on = [](const Tcb *t) {
        for (u32 c = 0; c < kCores; ++c)
            if (ks_cores[c].current == t) return static_cast<int>(c);
        return -1;
    };
    for (u32 core = 0; core < kCores; ++core) {
        const CoreState &c = ks_cores[core];
        Tcb *cur = c.current;
        const std::string on = "core " + std::to_string(core) + ": ";
        if (cur != c.idle) {
            ThreadRec *r = rec_of(cur);
            if (!r || !alive(cur)) fail(on + "the running thread '" + cur->name + "' is not a live thread");
            if (cur->affinity != core) fail(on + "runs '" + cur->name + "' of another core");
            for (u32 d = core + 1; d < kCores; ++d)
                if (ks_cores[d].current == cur) fail(on + "'" + cur->name + "' runs on two cores");
        }
        if (m_.ipi_pending(core) && !(core == m_.core() && settled_here_)) continue;
        if (c.action != SchedulerAction::ResumeCurrent) fail(on + "a scheduler action is left pending");
        int hi = -1;
        for (int p = kMaxPriority; p >= 0 && hi < 0; --p)
            if (c.ready_head[p]) hi = p;
        if (cur == c.idle) {
            if (hi >= 0) fail(on + "idle runs while priority " + std::to_string(hi) + " is ready");
        } else {
            if (!is_runnable(cur)) fail(on + "the running thread '" + cur->name + "' is not runnable");
            if (cur->in_ready_queue) fail(on + "the running thread is queued");
            if (hi > static_cast<int>(cur->priority))
                fail(on + "'" + cur->name + "' at priority " + std::to_string(cur->priority) +
                     " runs while priority " + std::to_string(hi) + " is ready");
        }
    }
    auto in_queue = [](u32 head, const Tcb *t) {
        for (Tcb *q = kptr<Tcb>(head); q; q = kptr<Tcb>(q->ep_next))
            if (q == t) return true;
        return false;
    };
    for (auto &r : th_) {
        Tcb *t = r.tcb;
        std::string who = std::string("thread '") + r.name + "'";
        if (!alive(t)) {
            if (running_on(t) >= 0 || t->in_ready_queue || is_runnable(t) || t->bound_ntfn)
                fail(who + " was destroyed but is still scheduled or bound");
            continue;
        }
        switch (t->state) {
        case ThreadState::Running:
        case ThreadState::Restart:
            if (running_on(t) < 0 && !t->in_ready_queue) fail(who + " is runnable but in no ready queue: lost");
            break;
        case ThreadState::BlockedOnSend:
        case ThreadState::BlockedOnRecv:
            if (!object_live(CapType::Endpoint, t->blocked_on) || !in_queue(kptr<Endpoint>(t->blocked_on)->head, t))
                fail(who + " is blocked on an endpoint that is gone or does not queue it: lost");
            break;
        case ThreadState::BlockedOnNotification:
            if (!object_live(CapType::Notification, t->blocked_on) ||
                !in_queue(kptr<Notification>(t->blocked_on)->head_and_state & ~3u, t))
                fail(who + " waits on a notification that is gone or does not queue it: lost");
            break;
        case ThreadState::BlockedOnReply: {
            Slot *h = kptr<Slot>(t->reply_holder);
            if (!h || h->cap.type() != CapType::Reply || h->cap.object() != kref(t))
                fail(who + " waits for a reply that no Reply cap promises: lost");
            bool live_holder = h >= m_.root_slot(base_) && h < m_.root_slot(next_);
            for (auto &o : th_)
                if (h == o.tcb->slot(kTcbCaller) && alive(o.tcb)) live_holder = true;
            if (!live_holder) fail(who + " waits for a reply held in a dead slot: lost");
            break;
        }
        case ThreadState::Inactive: break;
        default: fail(who + " is in state " + std::to_string(static_cast<u32>(t->state)));
        }
        if (t->in_ready_queue && !is_runnable(t)) fail(who + " is queued but not runnable");
        if (t->bound_ntfn) {
            if (!object_live(CapType::Notification, t->bound_ntfn) ||
                kptr<Notification>(t->bound_ntfn)->bound_tcb != kref(t))
                fail(who + " is bound to a notification that is gone or not bound to it");
        }
    }
}

void IpcRandom::run(u32 steps, bool require_coverage) {
    setup();
    for (step_ = 0; step_ < steps; ++step_) {
        try {
            settled_here_ = false;
            if (!core_step()) {
                Tcb *cur = here().current;
                if (cur == m_.idle()) {
                    idle_step();
                } else {
                    ThreadRec *r = rec_of(cur);
                    if (!r) fail("an unknown thread runs");
                    thread_step(*r);
                }
            }
        } catch (const host::KernelPanic &p) {
            fail(std::string("kernel panic: ") + p.what());
        } catch (const std::logic_error &e) {
            fail(std::string("harness: ") + e.what());
        }
        check();
        ThreadRec *running = rec_of(here().current);
        fold(running ? static_cast<u32>(running - th_) : 0xffu);
        fold(m_.core());
        for (u32 c = 0; c < kCores; ++c) {
            ThreadRec *there = rec_of(ks_cores[c].current);
            fold((there ? static_cast<u32>(there - th_) : 0xffu) | (m_.ipi_pending(c) ? 0x100u : 0));
        }
        for (const ThreadRec &r : th_) {
            if (!r.tcb || !alive(r.tcb)) continue;
            fold(static_cast<u32>(r.tcb->state));
            fold(r.tcb->context.pc);
            for (u32 i = 0; i < 6; ++i) fold(r.tcb->context.r[i]);
            fold(r.tcb->affinity);
        }
    }
    std::printf("ipc-random: %-16s %7s %7s\n", "action", "tried", "ok");
    for (u32 a = 0; a < kNumActs; ++a) std::printf("ipc-random: %-16s %7u %7u\n", kActNames[a], tries_[a], oks_[a]);
    for (u32 o = 0; o < ONumOutcomes; ++o) std::printf("ipc-random: %-24s %7u\n", kOutcomeNames[o], outcomes_[o]);
    std::fflush(stdout);
    if (!require_coverage) return;
    for (Act a : kMustSucceed) {
        INFO("action " << kActNames[a] << " never succeeded (seed " << seed_ << ")");
        CHECK(oks_[a] > 0);
    }
    for (u32 o = 0; o < ONumOutcomes; ++o) {
        INFO("outcome '" << kOutcomeNames[o] << "' never happened (seed " << seed_ << ")");
        CHECK(outcomes_[o] > 0);
    }
}

}  // namespace

TEST_CASE("ipc-random: random threads, scheduling and IPC keep every invariant", "[ipc-random]") {
    u64 seed = g_random_seed;
    if (seed == 0) {
        seed = static_cast<u64>(std::chrono::system_clock::now().time_since_epoch().count()) ^ std::random_device{}();
        if (seed == 0) seed = 1;
    }
    // (Spread over four cores, a run needs more steps than one core did to cover every outcome.)
    u32 steps = g_random_ops / 3 > 30'000 ? g_random_ops / 3 : 30'000;
    std::printf("ipc-random: seed=%llu steps=%u; rerun with --random-seed %llu\n",
                static_cast<unsigned long long>(seed), steps, static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    auto start = std::chrono::steady_clock::now();
    {
        IpcRandom run(seed);
        run.run(steps);
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("ipc-random: %u steps in %.2f s (seed %llu)\n", steps, s, static_cast<unsigned long long>(seed));
    std::fflush(stdout);
}

TEST_CASE("fastpath: runs with the IPC fastpath on and off go the same way, step by step", "[fastpath]") {
    // The fourth seed is --random-seed's, or a new one each run (printed below).
    const u64 random_seed =
        g_random_seed ? g_random_seed
                      : static_cast<u64>(std::chrono::system_clock::now().time_since_epoch().count()) ^
                            std::random_device{}();
    u32 total_hits = 0;
    for (u64 seed : {u64{1}, u64{2}, u64{3}, random_seed | 1}) {
        INFO("seed " << seed);
        u64 fast_digest, slow_digest;
        u32 fast_hits;
        {
            IpcRandom run(seed, false);
            run.run(20'000, false);  // the runs are compared, not judged by what they covered
            fast_digest = run.digest();
            fast_hits = 0;
            for (const CoreState &c : ks_cores) fast_hits += c.fastpath_hits;
        }
        {
            IpcRandom run(seed, true);
            run.run(20'000, false);
            slow_digest = run.digest();
            for (const CoreState &c : ks_cores) CHECK(c.fastpath_hits == 0);
        }
        std::printf("fastpath: seed %llu: %u calls took the fastpath; digests %016llx and %016llx\n",
                    static_cast<unsigned long long>(seed), fast_hits, static_cast<unsigned long long>(fast_digest),
                    static_cast<unsigned long long>(slow_digest));
        total_hits += fast_hits;
        CHECK(fast_digest == slow_digest);
    }
    // (Spread over four cores, a run takes it a few times only: the fastpath
    // declines a Call to or a reply for another core's thread.)
    CHECK(total_hits > 0);
}
