// SPDX-License-Identifier: BSD-2-Clause
// ARM PrimeCell PL011 UART: the console of QEMU virt and the Raspberry Pi's uart0.
//
// Polled transmit only (the kernel's debug console). If the loader already
// enabled the UART (U-Boot, the Pi firmware) and the board says so, its baud rate
// is kept; otherwise it is set to 8N1 at the given rate from the board's clock.
#pragma once

#include "petrel/types.hpp"

namespace petrel::drivers {

class Pl011 {
  public:
    constexpr explicit Pl011(uptr base) : base_(base) {}
    // keep_loader_setup: leave an already enabled UART's baud rate alone.
    void init(u32 clock_hz, u32 baud, bool keep_loader_setup) const;
    void putc(char c) const;

  private:
    uptr base_;
};

}  // namespace petrel::drivers
