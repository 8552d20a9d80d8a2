// SPDX-License-Identifier: BSD-2-Clause
// drivers: the timer service, a process serving petrel/timer.hpp's protocol with the generic timer's virtual timer.
//
// Pending sleeps and timeouts are kept with their deadlines (CNTVCT values);
// the virtual timer is always programmed for the earliest (CNTV_CVAL) and
// disabled when nothing is pending. Its interrupt is level: on one the
// service answers every sleep that is due (a Send on the reply cap SaveCaller
// kept) and signals every timeout that is due, earliest deadline first (a
// late interrupt may find several due), programs the next deadline (so
// the condition is gone) and only then Acks the line. The same code runs on
// virt (PPI 27) and the Pi (local line 3): only the line differs, and the
// root task chooses it.
#include "drivers.hpp"
#include "petrel/counters.hpp"
#include "petrel/timer.hpp"

using namespace petrel;

namespace drivers {
namespace {

struct Pending {
    bool used;
    bool is_sleep;  // else a timeout
    u32 badge;      // the client
    u64 deadline;
};

struct Service {
    u32 irq_badge = 0, clients = 0, hz = 1;
    u32 irq_handler = 0, radix = 0, reply_base = 0;
    const u32 *client_ntfn = nullptr;
    Pending pending[timer::kMaxPending] = {};
    timer::Stats stats{};

    u32 reply_slot(u32 i) const { return reply_base + i; }

    void program() {
        u64 next = ~u64{0};
        for (const Pending &p : pending)
            if (p.used && p.deadline < next) next = p.deadline;
        if (next == ~u64{0}) {
            write_cntv_ctl(0);
            return;
        }
        write_cntv_cval(next);
        write_cntv_ctl(kCntvEnable);
    }

    // Answers and signals everything due, earliest deadline first.
    void expire() {
        const u64 now = cntvct();
        for (;;) {
            i32 first = -1;
            for (u32 i = 0; i < timer::kMaxPending; ++i)
                if (pending[i].used && pending[i].deadline <= now &&
                    (first < 0 || pending[i].deadline < pending[first].deadline))
                    first = static_cast<i32>(i);
            if (first < 0) return;
            Pending &p = pending[first];
            p.used = false;
            if (p.is_sleep) {
                const u64 t = cntvct();
                MessageRegs mr{static_cast<u32>(t), static_cast<u32>(t >> 32), 0, 0};
                send(reply_slot(static_cast<u32>(first)), {0, 0, 0, 2}, mr);  // the reply; the slot is empty again
                ++stats.sleeps;
            } else {
                if (client_ntfn[p.badge - 1]) signal(client_ntfn[p.badge - 1]);
                ++stats.timeouts;
            }
        }
    }

    void interrupt(u32 word) {
        ++stats.interrupts;
        stats.irq_badges |= word;
        expire();
        program();
        irq_handler_ack(irq_handler);
    }

    i32 find_timeout(u32 badge) const {
        for (u32 i = 0; i < timer::kMaxPending; ++i)
            if (pending[i].used && !pending[i].is_sleep && pending[i].badge == badge) return static_cast<i32>(i);
        return -1;
    }

    i32 free_entry() const {
        for (u32 i = 0; i < timer::kMaxPending; ++i)
            if (!pending[i].used) return static_cast<i32>(i);
        return -1;
    }

    static abi::MessageInfo refuse(abi::Error e) { return {static_cast<u32>(e), 0, 0, 0}; }

    // Serves one request. Returns false for a sleep whose reply is kept for later.
    bool serve(u32 label, u32 length, u32 badge, MessageRegs &mr, abi::MessageInfo &reply) {
        const u64 now = cntvct();
        switch (label) {
        case timer::kSleep: {
            if (length < 1) return reply = refuse(abi::Error::TruncatedMessage), true;
            const i32 i = free_entry();
            if (i < 0) return reply = refuse(abi::Error::NotEnoughMemory), true;
            if (cnode_save_caller(kProcessCapCNode, reply_slot(static_cast<u32>(i)), radix) !=
                abi::Error::None)
                return reply = refuse(abi::Error::IllegalOperation), true;  // (the reply cap stays: answered now)
            pending[i] = {true, true, badge, now + us_to_ticks(mr[0], hz)};
            program();
            return false;
        }
        case timer::kTimeout: {
            if (length < 1) return reply = refuse(abi::Error::TruncatedMessage), true;
            if (badge < 1 || badge > clients || !client_ntfn[badge - 1])
                return reply = refuse(abi::Error::InvalidArgument), true;
            i32 i = find_timeout(badge);
            const bool replaced = i >= 0;
            if (i < 0) i = free_entry();
            if (i < 0) return reply = refuse(abi::Error::NotEnoughMemory), true;
            pending[i] = {true, false, badge, now + us_to_ticks(mr[0], hz)};
            program();
            mr[0] = replaced ? 1 : 0;
            return reply = {0, 0, 0, 1}, true;
        }
        case timer::kCancel: {
            const i32 i = find_timeout(badge);
            if (i >= 0) pending[i].used = false;
            program();
            mr[0] = i >= 0 ? 1 : 0;
            return reply = {0, 0, 0, 1}, true;
        }
        case timer::kNow:
            mr[0] = static_cast<u32>(now);
            mr[1] = static_cast<u32>(now >> 32);
            mr[2] = hz;
            return reply = {0, 0, 0, 3}, true;
        case timer::kStats:
            mr[0] = stats.interrupts;
            mr[1] = stats.irq_badges;
            mr[2] = stats.sleeps;
            mr[3] = stats.timeouts;
            return reply = {0, 0, 0, 4}, true;
        default:
            return reply = refuse(abi::Error::IllegalOperation), true;
        }
    }
};

}  // namespace

void timer_service_main(u32 irq_badge, u32 clients, u32) {
    TimerConfig c{kSlotEndpoint, kSlotIrq, irq_badge, kDriverRadix, kTimerReplySlot, {}};
    for (u32 b = 1; b <= clients && b <= timer::kMaxClients; ++b) c.client_ntfn[b - 1] = kSlotClientNtfn + b - 1;
    timer_service_run(c);
}

void timer_service_run(const TimerConfig &c) {
    static_assert(sizeof(c.client_ntfn) / sizeof(u32) == timer::kMaxClients);
    const u32 ep = c.endpoint;
    Service s;
    s.irq_badge = c.irq_badge;
    s.irq_handler = c.irq_handler;
    s.radix = c.cnode_radix;
    s.reply_base = c.reply_slot;
    s.client_ntfn = c.client_ntfn;
    s.clients = timer::kMaxClients;
    s.hz = cntfrq();
    write_cntv_ctl(0);
    MessageRegs mr{};
    RecvResult r = recv(ep, mr);
    for (;;) {
        if (r.info.label == abi::kNotificationLabel) {
            if (r.badge & s.irq_badge) s.interrupt(r.badge);
            r = recv(ep, mr);
            continue;
        }
        abi::MessageInfo reply{};
        if (s.serve(r.info.label, r.info.length, r.badge, mr, reply)) r = reply_recv(ep, reply, mr);
        else r = recv(ep, mr);
    }
}

}  // namespace drivers
