// SPDX-License-Identifier: BSD-2-Clause
// drivers: the user-level drivers (the PL011 UART driver, the timer service) and the CSpace each expects.
//
// Each runs as a process of its own (petrel/process.hpp): its own address
// space and CNode, made by the root task, which gives it these caps in this
// order from kProcessFirstFreeSlot:
//   kSlotEndpoint          the endpoint it serves (Read), clients hold caps to it
//                          minted with their badge 1..clients;
//   kSlotIrq               its IrqHandler (moved in), whose notification the
//                          root set (badged `irq_badge`) and bound to the
//                          driver's TCB, so interrupts end its Recv on the endpoint
//                          with label abi::kNotificationLabel;
//   kSlotClientNtfn + b-1  for each client badge b = 1..clients, a Write cap to
//                          the notification the driver signals for that client.
// The timer service also uses its own CNode (kProcessCapCNode) to keep
// the reply caps of sleeping clients (SaveCaller) in slots kTimerReplySlot..
// kTimerReplySlot + timer::kMaxPending - 1, so its radix must be at least 6.
// The protocols are in petrel/uart.hpp and petrel/timer.hpp.
#pragma once

#include "petrel/process.hpp"

namespace drivers {

constexpr u32 kSlotEndpoint = petrel::kProcessFirstFreeSlot;
constexpr u32 kSlotIrq = kSlotEndpoint + 1;
constexpr u32 kSlotClientNtfn = kSlotIrq + 1;
constexpr u32 kTimerReplySlot = 32;
constexpr u32 kDriverRadix = 6;

// Where a driver finds its caps, for drivers placed differently (the demo
// system's, whose slots come from its system description). Slots are cap
// pointers in the driver's own CSpace; client_ntfn[b - 1] is the Write cap to
// the notification of the client with badge b, 0 if that client has none.
struct UartConfig {
    u32 regs;         // where the PL011's page is mapped
    u32 endpoint;     // the endpoint served (Read)
    u32 irq_handler;  // its IrqHandler
    u32 irq_badge;    // the badge its interrupts come with
    u32 client_ntfn[8];
};
struct TimerConfig {
    u32 endpoint, irq_handler, irq_badge;
    u32 cnode_radix;  // of its own CNode (kProcessCapCNode), for SaveCaller
    u32 reply_slot;   // the first of timer::kMaxPending free slots in it
    u32 client_ntfn[8];
};
[[noreturn]] void uart_driver_run(const UartConfig &c);
[[noreturn]] void timer_service_run(const TimerConfig &c);

// The test image's drivers, with the slots above.
// The UART driver: `regs` is where its device frame is mapped (the PL011's
// registers), `irq_badge` the badge its interrupts come with, `clients` how
// many client notifications it was given. Never returns.
void uart_driver_main(u32 regs, u32 irq_badge, u32 clients);

// The timer service: the generic timer's virtual timer. Never returns.
void timer_service_main(u32 irq_badge, u32 clients, u32 unused);

}  // namespace drivers
