// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the UART driver's IPC protocol and its client side (printing and reading through the driver).
//
// The driver (apps/drivers/uart_driver.cpp) owns a PL011's registers and its
// receive interrupt and serves clients on one endpoint. Each client holds a
// cap to that endpoint minted with its own badge b (1..kMaxClients) and, for
// input, a notification the driver can signal (the driver holds a Write cap
// to it for badge b). Every request is a Call; the reply's label is 0 on
// success, else an abi::Error (InvalidArgument: a count over kMaxBytes;
// IllegalOperation: an unknown label).
//
//   kWrite  MR0 n (<= kMaxBytes), MR1.. the bytes, four per word, the first in
//           the low byte. The driver writes them to the transmitter (polled;
//           the kernel's own debug output shares the line). Reply MR0 = n.
//   kRead   MR0 at most this many bytes. Reply MR0 n, MR1.. the bytes received
//           and buffered since the last read (any client's read takes them).
//           With n = 0 the driver signals the client's notification once, when
//           input next arrives; the client then reads again.
//   kStats  Reply MR0 receive interrupts taken, MR1 the OR of the notification
//           words they came with (the IrqHandler's badge), MR2 bytes received,
//           MR3 bytes written, MR4 bytes lost to a full buffer.
#pragma once

#include "petrel/user.hpp"

namespace petrel::uart {

enum Label : u32 { kWrite = 1, kRead = 2, kStats = 3 };
constexpr u32 kMaxBytes = (abi::kMsgMaxLength - 1) * 4;  // 476 per message
constexpr u32 kMaxClients = 8;                           // badges 1..8

struct Stats {
    u32 interrupts, irq_badges, received, written, dropped;
};

// The client side: `ep` the badged endpoint cap, `ntfn` the notification the
// driver signals (a cap with Read, for wait(); 0 if the client never waits for
// input), `ipc` the calling thread's IPC buffer. Nothing here is shared
// between threads: each thread makes its own Client.
class Client {
  public:
    Client(u32 ep, u32 ntfn, abi::IpcBuffer *ipc) : ep_(ep), ntfn_(ntfn), ipc_(ipc) {}

    // Writes all `n` bytes (in messages of up to kMaxBytes); returns how many
    // the driver wrote (n unless it refused a message).
    u32 write(const char *s, u32 n);
    // Takes up to `max` bytes the driver buffered; 0 when there are none (the
    // driver then signals the notification when input arrives).
    u32 read(char *buf, u32 max);
    // Reads at least one byte, waiting on the notification while there are none.
    u32 read_wait(char *buf, u32 max);
    // printf through the driver (user.hpp's formats); returns the bytes written.
    int printf(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    // The driver's counters; false if the request failed.
    bool stats(Stats &s);

  private:
    u32 ep_, ntfn_;
    abi::IpcBuffer *ipc_;
};

}  // namespace petrel::uart
