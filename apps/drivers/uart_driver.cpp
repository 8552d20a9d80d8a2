// SPDX-License-Identifier: BSD-2-Clause
// drivers: the PL011 UART driver, a process serving petrel/uart.hpp's protocol.
//
// It enables the receive and receive-timeout interrupts and nothing else: the
// transmitter is polled (the kernel's debug output polls the same one). On an
// interrupt it drains the receive FIFO into a ring buffer, clears the
// interrupts at the UART, Acks the line and signals every client that found
// nothing to read since the last input. Requests and interrupts arrive on the
// one endpoint it serves (the interrupt notification is bound to its thread).
#include "drivers.hpp"
#include "petrel/devices.hpp"
#include "petrel/uart.hpp"

using namespace petrel;
namespace pl011 = petrel::devices::pl011;

namespace drivers {
namespace {

struct Uart {
    volatile u32 *regs = nullptr;
    u32 irq_badge = 0, irq_handler = 0, clients = 0;
    const u32 *client_ntfn = nullptr;
    char ring[512] = {};
    u32 head = 0, count = 0;  // bytes at ring[head], ring[head + 1], ... (mod size)
    u32 waiting = 0;          // bit b-1: client b found nothing; signal it on input
    uart::Stats stats{};

    u32 reg(u32 off) const { return regs[off / 4]; }
    void set(u32 off, u32 v) { regs[off / 4] = v; }

    void put(char c) {
        while (reg(pl011::kFr) & pl011::kFrTxff) {
        }
        set(pl011::kDr, static_cast<u8>(c));
    }

    void interrupt(u32 word) {
        ++stats.interrupts;
        stats.irq_badges |= word;
        while (!(reg(pl011::kFr) & pl011::kFrRxfe)) {
            const char c = static_cast<char>(reg(pl011::kDr) & 0xff);
            ++stats.received;
            if (count == sizeof(ring)) {
                ++stats.dropped;
                continue;
            }
            ring[(head + count++) % sizeof(ring)] = c;
        }
        set(pl011::kIcr, pl011::kIntRx | pl011::kIntRt);
        irq_handler_ack(irq_handler);
        if (count == 0) return;
        for (u32 b = 1; b <= clients; ++b)
            if ((waiting & (1u << (b - 1))) && client_ntfn[b - 1]) signal(client_ntfn[b - 1]);
        waiting = 0;
    }

    // Serves one request in `m`; returns the reply's tag.
    abi::MessageInfo serve(u32 label, u32 length, u32 badge, Message &m) {
        switch (label) {
        case uart::kWrite: {
            const u32 n = length >= 1 ? m.get(0) : 0;
            if (n > uart::kMaxBytes || (n + 3) / 4 + 1 > length)
                return {static_cast<u32>(abi::Error::InvalidArgument), 0, 0, 0};
            for (u32 i = 0; i < n; ++i) put(static_cast<char>(m.get(1 + i / 4) >> (8 * (i % 4))));
            stats.written += n;
            m.set(0, n);
            return {0, 0, 0, 1};
        }
        case uart::kRead: {
            u32 max = length >= 1 ? m.get(0) : 0;
            if (max > uart::kMaxBytes) max = uart::kMaxBytes;
            const u32 n = count < max ? count : max;
            for (u32 w = 0; w < (n + 3) / 4; ++w) {
                u32 v = 0;
                for (u32 b = 0; b < 4 && w * 4 + b < n; ++b)
                    v |= static_cast<u32>(static_cast<u8>(ring[(head + w * 4 + b) % sizeof(ring)])) << (8 * b);
                m.set(1 + w, v);
            }
            head = (head + n) % sizeof(ring);
            count -= n;
            if (n == 0 && badge >= 1 && badge <= clients) waiting |= 1u << (badge - 1);
            m.set(0, n);
            return {0, 0, 0, 1 + (n + 3) / 4};
        }
        case uart::kStats:
            m.set(0, stats.interrupts);
            m.set(1, stats.irq_badges);
            m.set(2, stats.received);
            m.set(3, stats.written);
            m.set(4, stats.dropped);
            return {0, 0, 0, 5};
        default:
            return {static_cast<u32>(abi::Error::IllegalOperation), 0, 0, 0};
        }
    }
};

}  // namespace

void uart_driver_main(u32 regs, u32 irq_badge, u32 clients) {
    UartConfig c{regs, kSlotEndpoint, kSlotIrq, irq_badge, {}};
    for (u32 b = 1; b <= clients && b <= uart::kMaxClients; ++b) c.client_ntfn[b - 1] = kSlotClientNtfn + b - 1;
    uart_driver_run(c);
}

void uart_driver_run(const UartConfig &c) {
    static_assert(sizeof(c.client_ntfn) / sizeof(u32) == uart::kMaxClients);
    const u32 ep = c.endpoint;
    Uart u;
    u.regs = reinterpret_cast<volatile u32 *>(c.regs);
    u.irq_badge = c.irq_badge;
    u.irq_handler = c.irq_handler;
    u.clients = uart::kMaxClients;
    u.client_ntfn = c.client_ntfn;
    // Input interrupts only; anything already signalled is cleared.
    u.set(pl011::kIcr, pl011::kIntAll);
    u.set(pl011::kImsc, pl011::kIntRx | pl011::kIntRt);
    Message m(process_ipc_buffer());
    RecvResult r = recv(ep, m.regs);
    for (;;) {
        if (r.info.label == abi::kNotificationLabel) {
            if (r.badge & u.irq_badge) u.interrupt(r.badge);
            r = recv(ep, m.regs);
            continue;
        }
        const abi::MessageInfo reply = u.serve(r.info.label, r.info.length, r.badge, m);
        r = reply_recv(ep, reply, m.regs);
    }
}

}  // namespace drivers
