// SPDX-License-Identifier: BSD-2-Clause
// drivers: a root task that tests interrupts in user space and the user-level drivers: the PL011 UART driver,
// an echo client and the timer service.
//
// Every driver and client is a process of its own (petrel/process.hpp): its
// own address space, CNode and thread, made from this image. The root runs
// one test after another, each ending in a line "drivers: <what>: ok" (or
// FAILED), then prints "drivers: done, N check(s) failed" and ends the run
// with DebugHalt(N):
//   bad input     IRQ Control and IRQ Handler refusals: a line out of range, the
//                 kernel's timer lines, a line the controller cannot mask, a line
//                 already handed out, Ack with no notification, a non-handler
//                 cap invoked as one and a non-Notification given as one, and
//                 more (abi.hpp and irq_handler.hpp give each error);
//   badge, mask   the root itself holds the virtual timer's line: the interrupt
//                 arrives on its notification with exactly the badge it minted;
//                 with the timer still asserting, no second interrupt comes
//                 until the Ack, and one does right after it;
//   printing      a client prints through the UART driver (not the kernel), and
//                 the driver counts exactly the bytes the client was told it wrote;
//   sleeps        sleeps of 10 ms and 50 ms, and three clients sleeping 50, 10
//                 and 30 ms at once, measured by each client with CNTVCT:
//                 never early, at most kTolerance late (see below), and
//                 answered in deadline order;
//   timeouts      a timeout signals the client's notification when due; a
//                 cancelled one never does; re-arming replaces the earlier one;
//   timer access  the timer service was granted the virtual timer's registers
//                 with its line's handler (TCB.SetTimerAccess); a client without
//                 the grant sleeps through the service, then tries to reprogram
//                 the timer (CNTV_CVAL far ahead, CNTV_CTL 0, a CNTV_CTL read)
//                 while another client's 30 ms sleep is pending: each access is
//                 an undefined-instruction fault at its fault handler (the root,
//                 which resumes it past the instruction); the pending sleep
//                 still ends on time (counted by the service), so the access is
//                 switched on for the service and off for the client at every
//                 switch; a grant with another line's handler is refused;
//   echo          a client reads what the test runner types into QEMU's serial
//                 input (test/qemu/runner.py --send-after) through the driver,
//                 waiting on its notification when nothing is buffered, and
//                 writes it back through the driver; the root compares each
//                 line; the second is typed only after the first came back;
//   two drivers   the UART driver and the timer service hold their two lines at
//                 once, and each took its interrupts with its own badge;
//   dead driver   with the UART driver's thread and CNode deleted, its line is
//                 handed out again; a second driver on it echoes a third line;
//                 the timer service's line too, once it is gone.
//
// Timing tolerance: QEMU without -icount runs the virtual counter on host time,
// and a loaded host stops a guest for milliseconds at a time (tens of them
// when test runs share two host cores), so a sleep is judged by what the
// service promises: it is never early (the client measures at least the time
// asked for), and it is at most 50% + 50 ms late. The upper bound is loose on
// purpose: it catches gross lateness (an interrupt lost until some later
// event), not jitter.
#include "drivers.hpp"
#include "petrel/bootinfo.hpp"
#include "petrel/checks.hpp"
#include "petrel/counters.hpp"
#include "petrel/devices.hpp"
#include "petrel/errors.hpp"
#include "petrel/timer.hpp"
#include "petrel/uart.hpp"

using namespace petrel;
using abi::Error;

namespace {

constexpr u32 kRootPriority = 50, kClientPriority = 100, kTimerPriority = 190, kUartPriority = 200;
constexpr u32 kUartVaddr = 0x0030'0000;  // where the UART driver maps the PL011's page
constexpr u32 kReport = 0x100;           // a client's report to the root
constexpr u32 kUartIrqBadge = 0x10, kTimerIrqBadge = 0x20, kRootTimerBadge = 0x40;
constexpr u32 kInputBadge = 0x1, kTimeoutBadge = 0x2;  // what the drivers signal clients with
constexpr u32 kFaultBadge = 0xfa;
constexpr u32 kCall = abi::kRightWrite | abi::kRightGrantReply;  // a client's endpoint cap
constexpr u32 kRootUartBadge = 7, kRootTimerClientBadge = 8;   // the root's own client caps
// What test/qemu/meson.build has the runner type, line by line.
constexpr const char *kEchoFirst[] = {"petrel echo one", "petrel echo two"};
constexpr const char *kEchoSecond[] = {"petrel echo three"};

abi::IpcBuffer *g_ipc;
Allocator g_alloc;
Checks g_checks{"drivers"};
u32 g_hz;
u32 g_report;  // the root receives reports (and faults) here
u32 g_uart_frame;

// ---------------------------------------------------------------- checks
// Checks::fatal()'s line, with what the allocator last said.
[[noreturn]] void fatal(const char *what) {
    printf("drivers: %s (allocator: %s): FAILED (cannot go on)\n", what, error_name(g_alloc.error()));
    g_checks.halt();
}

u32 make(abi::ObjectType type) {
    const u32 s = g_alloc.make(type);
    if (!s) fatal("Untyped.Retype");
    return s;
}

u32 mint(u32 src, u32 rights, u32 badge) {
    const u32 s = g_alloc.copy(src, rights, badge);
    if (!s) fatal("CNode.Mint/Copy");
    return s;
}

void del(u32 slot) { g_checks.expect_ok(cnode_delete(abi::kCapInitCNode, slot, 32), "CNode.Delete"); }

u32 ms_ticks(u32 ms) { return static_cast<u32>(us_to_ticks(u64{ms} * 1000, g_hz)); }
u32 ticks_us(u64 ticks) { return static_cast<u32>(ticks_to_us(ticks, g_hz)); }

// Spins (yielding) until the notification has a word or `ms` pass; returns the word (0: none came).
u32 poll_for(u32 ntfn, u32 ms) {
    const u64 end = cntvct() + ms_ticks(ms);
    do {
        const u32 w = poll(ntfn);
        if (w) return w;
        yield();
    } while (cntvct() < end);
    return 0;
}

// printf into `buf` (always terminated, cut short if it does not fit).
struct Fill {
    char *buf;
    u32 size, n;
};

void fill(void *ctx, char c) {
    Fill *f = static_cast<Fill *>(ctx);
    if (f->n + 1 < f->size) f->buf[f->n++] = c;
}

void sformat(char *buf, u32 size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sformat(char *buf, u32 size, const char *fmt, ...) {
    Fill f{buf, size, 0};
    va_list ap;
    va_start(ap, fmt);
    vformat(fill, &f, fmt, ap);
    va_end(ap);
    buf[f.n] = 0;
}

// ---------------------------------------------------------------- reports
struct Report {
    u32 label, length, badge;
    u32 mr[16];
};

Report next_report() {
    Message m(g_ipc);
    const RecvResult r = recv(g_report, m.regs);
    Report rep{r.info.label, r.info.length, r.badge, {}};
    for (u32 i = 0; i < 16 && i < r.info.length; ++i) rep.mr[i] = m.get(i);
    if (r.badge == kFaultBadge)
        printf("drivers:   a process faulted: fault label %u, pc %08x, MR1 %08x, MR2 %08x, MR3 %08x: FAILED\n",
               rep.label, rep.mr[0], rep.mr[1], rep.mr[2], rep.mr[3]);
    return rep;
}

// A report from a client: label kReport, MR0.. as the client put them.
void report(u32 ep, const u32 *words, u32 n) {
    Message m(process_ipc_buffer());
    for (u32 i = 0; i < n; ++i) m.set(i, words[i]);
    send(ep, {kReport, 0, 0, n}, m.regs);
}

// ---------------------------------------------------------------- processes
struct Proc {
    Process p;
    u32 ep = 0;    // the endpoint it serves (drivers)
    u32 ntfn = 0;  // its notification: bound (drivers) or waited on (clients)
};

void create(Proc &pr, const char *name, void (*entry)(u32, u32, u32), u32 priority, u32 a0 = 0, u32 a1 = 0,
            u32 a2 = 0) {
    ProcessSpec spec;
    spec.name = name;
    spec.entry = entry;
    spec.arg[0] = a0;
    spec.arg[1] = a1;
    spec.arg[2] = a2;
    spec.priority = priority;
    spec.cnode_radix = drivers::kDriverRadix;
    spec.fault_ep = g_report;
    spec.fault_badge = kFaultBadge;
    const Error e = process_create(g_alloc, spec, pr.p);
    if (e != Error::None) {
        printf("drivers: process_create(%s): %s\n", name, error_name(e));
        fatal("process_create");
    }
}

// Gives the process a cap and checks it lands in the slot its code expects.
void give(Proc &pr, u32 src, u32 rights, u32 badge, u32 expect_slot) {
    u32 slot = 0;
    const Error e = process_give(g_alloc, pr.p, src, rights, badge, slot);
    if (e != Error::None || slot != expect_slot) {
        printf("drivers: process_give: %s, slot %u (expected %u)\n", error_name(e), slot, expect_slot);
        fatal("process_give");
    }
}

void destroy(Proc &pr) {
    g_checks.expect_ok(process_destroy(pr.p), "process_destroy");
    if (pr.ep) del(pr.ep);
    if (pr.ntfn) del(pr.ntfn);
    pr = Proc{};
}

// A driver: endpoint, bound notification, its IrqHandler (got by the caller,
// in root slot `handler`) set to signal it with `irq_badge` and moved in, and
// client notifications for badges 1.. (root caps with Write, minted with `signal_badge`).
void start_driver(Proc &pr, u32 handler, u32 irq_badge, const u32 *client_ntfns, u32 clients,
                  u32 signal_badge) {
    pr.ep = make(abi::ObjectType::Endpoint);
    pr.ntfn = make(abi::ObjectType::Notification);
    give(pr, pr.ep, abi::kRightRead, 0, drivers::kSlotEndpoint);
    const u32 badged = mint(pr.ntfn, abi::kRightWrite, irq_badge);
    g_checks.expect_ok(irq_handler_set_notification(g_ipc, handler, badged), "IrqHandler.SetNotification");
    del(badged);  // the kernel keeps its own copy
    u32 slot = 0;
    if (!g_checks.expect_ok(process_move(g_alloc, pr.p, handler, slot), "process_move (IrqHandler)") ||
        slot != drivers::kSlotIrq)
        fatal("the IrqHandler's slot");
    for (u32 b = 1; b <= clients; ++b)
        give(pr, client_ntfns[b - 1], abi::kRightWrite, signal_badge, drivers::kSlotClientNtfn + b - 1);
    g_checks.expect_ok(tcb_bind_notification(g_ipc, pr.p.tcb, pr.ntfn), "TCB.BindNotification");
    g_checks.expect_ok(process_start(pr.p), "process_start");
}

// An IrqHandler for `line` in a new root slot (0 on failure).
u32 get_line(u32 line, Error *err = nullptr) {
    const u32 s = g_alloc.slot();
    if (!s) fatal("out of slots");
    const Error e = irq_control_get(g_ipc, abi::kCapIrqControl, line, abi::kCapInitCNode, s, 32);
    if (err) *err = e;
    return e == Error::None ? s : 0;
}

Proc g_uart, g_timer;
u32 g_echo_ntfn;          // the echo client's notification (driver badge 1)
u32 g_timeout_ntfn;       // the timeout client's (timer badge 1)
u32 g_root_uart, g_root_timer;  // the root's own client caps

void start_uart(u32 handler, const char *name) {
    create(g_uart, name, drivers::uart_driver_main, kUartPriority, kUartVaddr, kUartIrqBadge, 1);
    g_checks.expect_ok(
        process_map(g_alloc, g_uart.p, g_uart_frame, kUartVaddr, abi::kRightRead | abi::kRightWrite, 0),
        "process_map (UART registers)");
    start_driver(g_uart, handler, kUartIrqBadge, &g_echo_ntfn, 1, kInputBadge);
    g_root_uart = mint(g_uart.ep, kCall, kRootUartBadge);
}

// ---------------------------------------------------------------- client processes
// Their caps, from kProcessFirstFreeSlot in this order.
constexpr u32 kClientEp = kProcessFirstFreeSlot;    // the driver's endpoint, badged
constexpr u32 kClientReport = kClientEp + 1;         // the root's report endpoint
constexpr u32 kClientNtfn = kClientReport + 1;       // its notification (Read), if any

// Prints `lines` lines through the UART driver; reports the bytes written.
void printer_main(u32 lines, u32, u32) {
    uart::Client u(kClientEp, 0, process_ipc_buffer());
    u32 total = 0;
    for (u32 i = 1; i <= lines; ++i)
        total += static_cast<u32>(u.printf("drivers: printer: line %u of %u, printed through the UART driver\n", i,
                                           lines));
    const u32 w[] = {total};
    report(kClientReport, w, 1);
}

// Echoes `lines` lines: what it reads comes back through the driver as it
// arrives; each line (up to 40 bytes) is reported to the root, with how often
// the client waited on its notification for it. Its first read for a line
// comes before it says it is ready for it (so before the runner types it): it
// finds nothing, and the driver signals it when the input comes. Every line
// is typed only once the last one was echoed, so each needs an interrupt of
// its own.
void echo_main(u32 which, u32 lines, u32) {
    uart::Client u(kClientEp, kClientNtfn, process_ipc_buffer());
    for (u32 l = 1; l <= lines; ++l) {
        char buf[32], line[40];
        u32 n = u.read(buf, sizeof(buf)), len = 0, waits = 0;
        u.printf("drivers: echo client %u: ready for line %u\n", which, l);
        bool done = false;
        while (!done) {
            if (n == 0) {
                wait(kClientNtfn);
                ++waits;
                n = u.read(buf, sizeof(buf));
                continue;
            }
            u32 keep = 0;
            for (; keep < n && !done; ++keep) {
                if (buf[keep] == '\r' || buf[keep] == '\n') done = true;
                else if (len < sizeof(line)) line[len++] = buf[keep];
            }
            u.write(buf, done ? keep - 1 : keep);
            if (done) u.write("\r\n", 2);
            else n = u.read(buf, sizeof(buf));
        }
        u32 w[2 + sizeof(line) / 4] = {len, waits};
        for (u32 i = 0; i < len; ++i) w[2 + i / 4] |= static_cast<u32>(static_cast<u8>(line[i])) << (8 * (i % 4));
        report(kClientReport, w, 2 + (len + 3) / 4);
    }
}

// Sleeps `us` through the timer service; reports its id, the ticks it
// measured, and whether the reply carried a counter value.
void sleeper_main(u32 us, u32 id, u32) {
    const u64 t0 = cntvct();
    const u64 replied = timer::sleep_us(kClientEp, us);
    const u64 t1 = cntvct();
    const u32 w[] = {id, static_cast<u32>(t1 - t0), replied >= t0 && replied <= t1 ? 1u : 0u};
    report(kClientReport, w, 3);
}

// Timeouts: (1) one of `us` signalled when due: the ticks it took and the word;
// (2) one armed and cancelled: pending when cancelled, and nothing signalled
// during a sleep past its deadline; (3) one of 4 * us re-armed to us: replaced,
// and signalled after about `us`.
void timeouts_main(u32 us, u32, u32) {
    u32 w[8] = {};
    u64 t0 = cntvct();
    w[0] = static_cast<u32>(timer::set_timeout(kClientEp, us));
    w[1] = wait(kClientNtfn);
    w[2] = static_cast<u32>(cntvct() - t0);
    bool pending = false;
    timer::set_timeout(kClientEp, us);
    w[3] = static_cast<u32>(timer::cancel_timeout(kClientEp, pending));
    w[4] = pending ? 1 : 0;
    timer::sleep_us(kClientEp, 2 * us);
    w[5] = poll(kClientNtfn);
    t0 = cntvct();
    timer::set_timeout(kClientEp, 4 * us);
    MessageRegs mr{us, 0, 0, 0};
    const abi::MessageInfo r = call(kClientEp, {timer::kTimeout, 0, 0, 1}, mr);  // re-armed
    w[6] = r.label == 0 && mr[0] == 1 ? 1 : 0;
    wait(kClientNtfn);
    w[7] = static_cast<u32>(cntvct() - t0);
    report(kClientReport, w, 8);
}

// Sleeps `us` through the timer service, then, with no timer access of its
// own, tries to take the virtual timer from the service: each access must
// fault (the root resumes it after the instruction). Reports 1 when it got
// past all three.
void prober_main(u32 us, u32, u32) {
    timer::sleep_us(kClientEp, us);  // the service runs (and programs the timer) first
    write_cntv_cval(~0ull);         // never due
    write_cntv_ctl(0);              // no more interrupts for the service
    const u32 ctl = read_cntv_ctl();
    const u32 w[] = {1, ctl};
    report(kClientReport, w, 2);
}

// A client process with its driver cap (badge `badge` on `ep`), the report
// endpoint and optionally a notification (Read).
void start_client(Proc &pr, const char *name, void (*entry)(u32, u32, u32), u32 ep, u32 badge, u32 ntfn,
                  u32 report_badge, u32 a0, u32 a1 = 0) {
    create(pr, name, entry, kClientPriority, a0, a1);
    give(pr, ep, kCall, badge, kClientEp);
    give(pr, g_report, abi::kRightWrite, report_badge, kClientReport);
    if (ntfn) give(pr, ntfn, abi::kRightRead, 0, kClientNtfn);
    g_checks.expect_ok(process_start(pr.p), "process_start");
}

// ---------------------------------------------------------------- bad input
void expect_refusal(const char *what, Error got, Error want, const MessageRegs *d = nullptr, u32 mr0 = ~0u,
                    u32 mr1 = ~0u) {
    const bool ok = got == want && (mr0 == ~0u || (d && (*d)[0] == mr0)) && (mr1 == ~0u || (d && (*d)[1] == mr1));
    if (mr1 != ~0u)
        printf("drivers:   %s: %s, MR0 %u, MR1 %u (expected %s, %u, %u)\n", what, error_name(got), (*d)[0], (*d)[1],
               error_name(want), mr0, mr1);
    else if (mr0 != ~0u)
        printf("drivers:   %s: %s, MR0 %u (expected %s, MR0 %u)\n", what, error_name(got), (*d)[0], error_name(want),
               mr0);
    else
        printf("drivers:   %s: %s (expected %s)\n", what, error_name(got), error_name(want));
    g_checks.check(ok, what);
}

void test_bad_input() {
    using devices::kIrqLines;
    const u32 ctl = abi::kCapIrqControl, root = abi::kCapInitCNode;
    const u32 a = g_alloc.slot(), b = g_alloc.slot();
    MessageRegs d{};
    expect_refusal("IrqControl.Get of a line out of range (the first past the last)",
                   irq_control_get(g_ipc, ctl, kIrqLines, root, a, 32, &d), Error::RangeError, &d, 0,
                   kIrqLines - 1);
    expect_refusal("IrqControl.Get of line 0xffffffff", irq_control_get(g_ipc, ctl, ~0u, root, a, 32, &d),
                   Error::RangeError, &d, 0, kIrqLines - 1);
    for (u32 line : devices::kKernelTimerIrqs) {
        char what[64];
        sformat(what, sizeof(what), "IrqControl.Get of the kernel's timer line %u", line);
        expect_refusal(what, irq_control_get(g_ipc, ctl, line, root, a, 32), Error::IllegalOperation);
    }
    expect_refusal("IrqControl.Get of a line the controller cannot mask",
                   irq_control_get(g_ipc, ctl, devices::kUnmaskableIrq, root, a, 32, &d), Error::InvalidArgument,
                   &d, 0);
    expect_refusal("IrqControl.Get into an occupied slot",
                   irq_control_get(g_ipc, ctl, devices::kSpareIrq, root, abi::kCapInitTcb, 32), Error::DeleteFirst);
    const u32 two_words[] = {devices::kSpareIrq, a};
    expect_refusal("IrqControl.Get with two message words",
                   invoke(g_ipc, ctl, abi::Label::IrqIssueIrqHandler, two_words, 2, &root, 1),
                   Error::TruncatedMessage);
    expect_refusal("IrqControl.GetTrigger with edge 2",
                   irq_control_get_trigger(g_ipc, ctl, devices::kSpareIrq, 2, root, a, 32, &d), Error::InvalidArgument,
                   &d, 1);
    g_checks.check(debug_cap_identify(a) == 0, "the refused Gets left the slot empty");

    // The spare line, handed out once: a second Get is refused.
    const Error got = devices::kCanSetTrigger ? irq_control_get_trigger(g_ipc, ctl, devices::kSpareIrq, 0, root, a, 32)
                                              : irq_control_get(g_ipc, ctl, devices::kSpareIrq, root, a, 32);
    g_checks.check(got == Error::None, devices::kCanSetTrigger
                                           ? "IrqControl.GetTrigger (level) of a free line"
                                           : "IrqControl.Get of a free line");
    expect_refusal("IrqControl.Get of a line already handed out",
                   irq_control_get(g_ipc, ctl, devices::kSpareIrq, root, b, 32), Error::RevokeFirst);
    if (!devices::kCanSetTrigger)
        expect_refusal("IrqControl.GetTrigger where the controller cannot set triggers",
                       irq_control_get_trigger(g_ipc, ctl, devices::kSpareIrq + 1, 1, root, b, 32),
                       Error::IllegalOperation);
    else
        expect_refusal("IrqControl.GetTrigger of a PPI (no settable trigger)",
                       irq_control_get_trigger(g_ipc, ctl, devices::kVirtualTimerIrq, 1, root, b, 32),
                       Error::IllegalOperation);
    g_checks.check(debug_cap_identify(b) == 0, "the refused second Get left its slot empty");

    // IrqHandler methods.
    const u32 ep = make(abi::ObjectType::Endpoint), ntfn = make(abi::ObjectType::Notification);
    const u32 ntfn_ro = mint(ntfn, abi::kRightRead, 0);
    expect_refusal("IrqHandler.Ack with no notification set", irq_handler_ack(a), Error::IllegalOperation);
    expect_refusal("IrqHandler.SetNotification given an Endpoint",
                   irq_handler_set_notification(g_ipc, a, ep, &d), Error::InvalidCapability, &d, 1);
    expect_refusal("IrqHandler.SetNotification given a Notification without Write",
                   irq_handler_set_notification(g_ipc, a, ntfn_ro, &d), Error::InvalidCapability, &d, 1);
    expect_refusal("IrqHandler.SetNotification without the cap",
                   invoke(g_ipc, a, abi::Label::IrqSetIrqHandler, nullptr, 0, nullptr, 0), Error::TruncatedMessage);
    expect_refusal("IrqHandler.Ack invoked on the IRQ Control cap", irq_handler_ack(ctl), Error::IllegalOperation);
    expect_refusal("IrqHandler.Ack invoked on a CNode cap", irq_handler_ack(root), Error::IllegalOperation);
    expect_refusal("IrqControl.Get invoked on an IrqHandler cap",
                   irq_control_get(g_ipc, a, devices::kSpareIrq, root, b, 32), Error::IllegalOperation);
    expect_refusal("IrqHandler.SetNotification with a Notification", irq_handler_set_notification(g_ipc, a, ntfn),
                   Error::None);
    expect_refusal("IrqHandler.Ack with a notification set", irq_handler_ack(a), Error::None);
    expect_refusal("IrqHandler.Clear", irq_handler_clear(a), Error::None);
    expect_refusal("IrqHandler.Ack after Clear", irq_handler_ack(a), Error::IllegalOperation);

    // Deleting the handler frees the line.
    del(a);
    expect_refusal("IrqControl.Get of the line once its handler is deleted",
                   irq_control_get(g_ipc, ctl, devices::kSpareIrq, root, b, 32), Error::None);
    del(b);
    del(ntfn_ro);
    del(ntfn);
    del(ep);
}

// ---------------------------------------------------------------- the root as a driver: badge and masking
void test_badge_and_mask() {
    const u32 ntfn = make(abi::ObjectType::Notification);
    const u32 badged = mint(ntfn, abi::kRightWrite, kRootTimerBadge);
    const u32 h = get_line(devices::kVirtualTimerIrq);
    // The line's handler is the authority over the timer's registers (until del(h) below).
    if (!h || !g_checks.expect_ok(irq_handler_set_notification(g_ipc, h, badged), "IrqHandler.SetNotification") ||
        tcb_set_timer_access(g_ipc, abi::kCapInitTcb, h) != Error::None) {
        g_checks.check(false, "the virtual timer's line for the root");
        return;
    }
    write_cntv_ctl(0);
    const u32 before = poll(ntfn);
    write_cntv_cval(cntvct());  // due now: the timer asserts its interrupt and keeps it asserted
    write_cntv_ctl(kCntvEnable);
    const u32 first = poll_for(ntfn, 1000);
    printf("drivers:   the virtual timer's line %u: word before %x, after enabling the timer %x (badge minted %x)\n",
           devices::kVirtualTimerIrq, before, first, kRootTimerBadge);
    g_checks.check(before == 0 && first == kRootTimerBadge,
                   "an interrupt arrives as a signal of the handler's notification with its badge");

    // Still asserted, but masked: nothing more until the Ack.
    const u32 while_masked = poll_for(ntfn, 50);
    const bool asserted = (read_cntv_ctl() & kCntvIstatus) != 0;
    g_checks.expect_ok(irq_handler_ack(h), "IrqHandler.Ack");
    const u32 after_ack = poll_for(ntfn, 1000);
    printf("drivers:   timer still asserting: %s; in 50 ms before the Ack: word %x; after the Ack: %x\n",
           asserted ? "yes" : "no", while_masked, after_ack);
    g_checks.check(asserted && while_masked == 0 && after_ack == kRootTimerBadge,
                   "the line stays masked until the Ack, and fires again right after it");

    // Quiet once the timer is off.
    write_cntv_ctl(0);
    g_checks.expect_ok(irq_handler_ack(h), "IrqHandler.Ack");
    const u32 quiet = poll_for(ntfn, 50);
    g_checks.check(quiet == 0, "with the timer disabled and the line acknowledged, no interrupt comes");
    del(h);
    del(badged);
    del(ntfn);
}

// ---------------------------------------------------------------- printing through the driver
bool uart_stats(uart::Stats &s) {
    uart::Client c(g_root_uart, 0, g_ipc);
    return c.stats(s);
}

void test_printer() {
    uart::Stats before{}, after{};
    const bool s1 = uart_stats(before);
    Proc pr;
    constexpr u32 kLines = 3;
    start_client(pr, "printer", printer_main, g_uart.ep, 2, 0, 2, kLines);
    const Report r = next_report();
    const bool s2 = uart_stats(after);
    destroy(pr);
    const u32 expected_bytes =
        kLines * static_cast<u32>(sizeof("drivers: printer: line 1 of 3, printed through the UART driver\n") - 1);
    printf("drivers:   the printer wrote %u bytes (its lines are %u); the driver counted %u\n", r.mr[0], expected_bytes,
           after.written - before.written);
    g_checks.check(s1 && s2 && r.label == kReport && r.mr[0] == expected_bytes &&
                       after.written - before.written == r.mr[0],
                   "a client prints through the UART driver, which wrote exactly its bytes");
}

// ---------------------------------------------------------------- the timer service
// Never early; at most 50% + 50 ms late.
bool in_tolerance(u32 ticks, u32 us) {
    const u64 asked = us_to_ticks(us, g_hz);
    return ticks >= asked && ticks <= asked + asked / 2 + us_to_ticks(50'000, g_hz);
}

void print_us(const char *what, u32 ticks, u32 asked_us) {
    const u32 us = ticks_us(ticks);
    printf("drivers:   %s: asked %u.%03u ms, took %u.%03u ms\n", what, asked_us / 1000, asked_us % 1000, us / 1000,
           us % 1000);
}

void test_sleeps() {
    constexpr u32 kSingle[] = {10, 50};
    for (u32 ms : kSingle) {
        Proc pr;
        start_client(pr, "sleeper", sleeper_main, g_timer.ep, 2, 0, 3, ms * 1000, ms);
        const Report r = next_report();
        destroy(pr);
        print_us("one sleep", r.mr[1], ms * 1000);
        g_checks.check(
            r.label == kReport && r.mr[0] == ms && r.mr[2] == 1 && in_tolerance(r.mr[1], ms * 1000),
            ms == 10 ? "a 10 ms sleep through the timer service is never early and at most 50% + 50 ms late"
                     : "a 50 ms sleep through the timer service is never early and at most 50% + 50 ms late");
    }
    // Three at once, answered in deadline order.
    constexpr u32 kMs[] = {50, 10, 30};
    Proc pr[3];
    for (u32 i = 0; i < 3; ++i)
        start_client(pr[i], "sleeper", sleeper_main, g_timer.ep, 2 + i, 0, 3 + i, kMs[i] * 1000, kMs[i]);
    u32 order[3] = {}, bad = 0;
    for (u32 i = 0; i < 3; ++i) {
        const Report r = next_report();
        order[i] = r.mr[0];
        print_us("one of three sleeping at once", r.mr[1], r.mr[0] * 1000);
        if (r.label != kReport || r.mr[2] != 1 || !in_tolerance(r.mr[1], r.mr[0] * 1000)) ++bad;
    }
    for (Proc &p : pr) destroy(p);
    printf("drivers:   three clients asleep at once woke in the order %u, %u, %u ms\n", order[0], order[1], order[2]);
    g_checks.check(
        bad == 0 && order[0] == 10 && order[1] == 30 && order[2] == 50,
        "three clients asleep at once (50, 10, 30 ms) wake in deadline order, each within the tolerance");
}

void test_timeouts() {
    Proc pr;
    constexpr u32 kUs = 20'000;
    start_client(pr, "timeouts", timeouts_main, g_timer.ep, 1, g_timeout_ntfn, 6, kUs);
    const Report r = next_report();
    destroy(pr);
    print_us("a timeout", r.mr[2], kUs);
    print_us("a 4x timeout re-armed to 1x", r.mr[7], kUs);
    printf("drivers:   timeout: armed %s, word %x; cancel %s, was pending %u, signalled after its deadline %x; "
           "re-armed: replaced %u\n",
           error_name(static_cast<Error>(r.mr[0])), r.mr[1], error_name(static_cast<Error>(r.mr[3])), r.mr[4], r.mr[5],
           r.mr[6]);
    g_checks.check(
        r.label == kReport && r.mr[0] == 0 && r.mr[1] == kTimeoutBadge && in_tolerance(r.mr[2], kUs),
        "a timeout signals the client's notification when due, within the tolerance");
    g_checks.check(r.mr[3] == 0 && r.mr[4] == 1 && r.mr[5] == 0, "a cancelled timeout is never signalled");
    g_checks.check(r.mr[6] == 1 && in_tolerance(r.mr[7], kUs),
                   "re-arming a timeout replaces the pending one");
}

// ---------------------------------------------------------------- timer access
void test_timer_access() {
    // Only the virtual timer's own line is the authority.
    Error e = Error::None;
    const u32 spare = get_line(devices::kSpareIrq, &e);
    MessageRegs d{};
    Error got = Error::None;
    if (spare) {
        const u32 grant = 1;
        got = invoke(g_ipc, abi::kCapInitTcb, abi::Label::TcbSetTimerAccess, &grant, 1, &spare, 1, &d);
        del(spare);
    }
    expect_refusal("TCB.SetTimerAccess with the IrqHandler of another line", got, Error::InvalidCapability, &d, 1);

    timer::Stats before{}, after{};
    const bool s1 = timer::stats(g_root_timer, before);
    // A client asleep for 30 ms while the prober, woken after 5 ms, tries to stop the timer.
    Proc sl, pr;
    start_client(sl, "sleeper", sleeper_main, g_timer.ep, 2, 0, 3, 30'000, 30);
    start_client(pr, "prober", prober_main, g_timer.ep, 4, 0, 9, 5'000);
    // Three faults, each an undefined instruction, resumed after the instruction.
    u32 faults = 0, undefined = 0;
    Report r{};
    for (;;) {
        Message m(g_ipc);
        const RecvResult got_msg = recv(g_report, m.regs);
        r = Report{got_msg.info.label, got_msg.info.length, got_msg.badge, {}};
        for (u32 i = 0; i < 4 && i < r.length; ++i) r.mr[i] = m.get(i);
        if (r.badge != kFaultBadge) break;
        ++faults;
        if (r.label == static_cast<u32>(abi::FaultLabel::UserException)) ++undefined;
        printf("drivers:   the prober faulted: fault label %u, pc %08x, cpsr %08x\n", r.label, r.mr[0], r.mr[2]);
        if (faults > 3) break;
        MessageRegs resume{r.mr[0] + 4, 0, 0, 0};  // past the (32-bit) coprocessor instruction
        reply({0, 0, 0, 1}, resume);
    }
    const bool reported = r.badge != kFaultBadge && r.label == kReport && r.mr[0] == 1;
    destroy(pr);
    printf("drivers:   a client without timer access: %u faults (%u undefined instruction), then %s\n", faults,
           undefined, reported ? "its report" : "no report");
    g_checks.check(faults == 3 && undefined == 3 && reported,
                   "a client without timer access faults on every access to the virtual timer's registers "
                   "(undefined instruction, at its fault handler)");

    // The service still has the timer: the pending sleep comes back on time, and it counted both.
    const Report s = next_report();
    destroy(sl);
    const bool s2 = timer::stats(g_root_timer, after);
    print_us("a sleep pending while the client tried to take the timer", s.mr[1], 30'000);
    printf("drivers:   the timer service counted %u sleeps since (expected 2)\n", after.sleeps - before.sleeps);
    g_checks.check(s1 && s2 && s.label == kReport && s.mr[0] == 30 && s.mr[2] == 1 && in_tolerance(s.mr[1], 30'000) &&
                       after.sleeps - before.sleeps == 2,
                   "the timer service keeps time after a client without access tried to reprogram the timer");
}

// ---------------------------------------------------------------- echo
// An echo client on the current UART driver, fed `n` lines by the runner.
void test_echo(u32 which, const char *const *expected, u32 n, const char *what) {
    Proc pr;
    start_client(pr, "echo", echo_main, g_uart.ep, 1, g_echo_ntfn, 10 + which, which, n);
    bool all = true;
    for (u32 l = 0; l < n; ++l) {
        const Report r = next_report();
        char line[41] = {};
        const u32 len = r.mr[0] < 40 ? r.mr[0] : 40;
        for (u32 i = 0; i < len; ++i) line[i] = static_cast<char>(r.mr[2 + i / 4] >> (8 * (i % 4)));
        u32 k = 0;
        while (expected[l][k]) ++k;
        bool same = r.label == kReport && len == k;
        for (u32 i = 0; same && i < k; ++i) same = line[i] == expected[l][i];
        printf("drivers:   echo client %u got the line '%s' (%u bytes, expected '%s'), waiting on its notification "
               "%u times\n",
               which, line, r.mr[0], expected[l], r.mr[1]);
        all = all && same && r.mr[1] >= 1;
    }
    destroy(pr);
    g_checks.check(all, what);
}

// ---------------------------------------------------------------- two drivers
void test_two_drivers() {
    uart::Stats us{};
    timer::Stats ts{};
    const bool s1 = uart_stats(us), s2 = timer::stats(g_root_timer, ts);
    Error e1 = Error::None, e2 = Error::None;
    const u32 h1 = get_line(devices::kUartIrq, &e1), h2 = get_line(devices::kVirtualTimerIrq, &e2);
    if (h1) del(h1);
    if (h2) del(h2);
    printf("drivers:   UART driver (line %u): %u interrupts, badges %x, %u bytes in, %u out, %u lost; timer service "
           "(line %u): %u interrupts, badges %x, %u sleeps, %u timeouts; Get of either line now: %s, %s\n",
           devices::kUartIrq, us.interrupts, us.irq_badges, us.received, us.written, us.dropped,
           devices::kVirtualTimerIrq, ts.interrupts, ts.irq_badges, ts.sleeps, ts.timeouts, error_name(e1),
           error_name(e2));
    g_checks.check(s1 && s2 && us.interrupts >= 2 && us.irq_badges == kUartIrqBadge && ts.interrupts >= 1 &&
                       ts.irq_badges == kTimerIrqBadge && e1 == Error::RevokeFirst &&
                       e2 == Error::RevokeFirst,
                   "two drivers hold two lines at once, each taking its interrupts with its own badge");
}

// ---------------------------------------------------------------- a dead driver's line
void test_dead_driver() {
    destroy(g_uart);
    del(g_root_uart);
    Error e = Error::None;
    const u32 h = get_line(devices::kUartIrq, &e);
    printf("drivers:   with the UART driver's thread and CNode deleted, Get of line %u: %s\n", devices::kUartIrq,
           error_name(e));
    g_checks.check(h != 0, "a dead driver's line is handed out again");
    if (!h) return;
    start_uart(h, "uart2");
    test_echo(2, kEchoSecond, 1, "echo: a line came back through a second driver on the same line");
    destroy(g_uart);
    del(g_root_uart);

    destroy(g_timer);
    del(g_root_timer);
    const u32 t = get_line(devices::kVirtualTimerIrq, &e);
    g_checks.check(t != 0, "the timer service's line is handed out again once the service is gone");
    if (t) del(t);
}

}  // namespace

int main(const abi::BootInfo *bi) {
    g_ipc = root_ipc_buffer(bi);
    g_hz = cntfrq();
    printf("drivers: root task testing user-level drivers on %s: UART at %08x on line %u, virtual timer on line %u, "
           "counter at %u Hz\n",
           devices::kBoard, devices::kUartPaddr, devices::kUartIrq, devices::kVirtualTimerIrq, g_hz);
    if (g_hz == 0) fatal("CNTFRQ reads 0");
    const u32 ut = smallest_ram_untyped(bi, 24);
    if (!ut) fatal("no RAM Untyped of 16 MiB");
    g_alloc.init(bi, g_ipc, ut, bi->empty.start, bi->empty.end);
    g_checks.expect_ok(tcb_set_priority(g_ipc, abi::kCapInitTcb, abi::kCapInitTcb, kRootPriority),
                       "TCB.SetPriority");
    g_report = make(abi::ObjectType::Endpoint);

    test_bad_input();
    test_badge_and_mask();

    // The drivers: the UART's and the timer's lines, and their clients' notifications.
    g_uart_frame = g_alloc.device_frame(devices::kUartPaddr);
    if (!g_uart_frame) fatal("the UART's device frame");
    g_echo_ntfn = make(abi::ObjectType::Notification);
    g_timeout_ntfn = make(abi::ObjectType::Notification);
    const u32 uh = get_line(devices::kUartIrq), th = get_line(devices::kVirtualTimerIrq);
    if (!uh || !th) fatal("IrqControl.Get of the drivers' lines");
    start_uart(uh, "uart");
    create(g_timer, "timer", drivers::timer_service_main, kTimerPriority, kTimerIrqBadge, 1);
    if (tcb_set_timer_access(g_ipc, g_timer.p.tcb, th) != Error::None) fatal("TCB.SetTimerAccess for the timer");
    start_driver(g_timer, th, kTimerIrqBadge, &g_timeout_ntfn, 1, kTimeoutBadge);
    g_root_timer = mint(g_timer.ep, kCall, kRootTimerClientBadge);

    test_printer();
    test_sleeps();
    test_timeouts();
    test_timer_access();
    test_echo(1, kEchoFirst, 2,
              "echo: two lines typed into QEMU's serial input came back through the driver, an interrupt each");
    test_two_drivers();
    test_dead_driver();

    return g_checks.done();
}
