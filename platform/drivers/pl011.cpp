// SPDX-License-Identifier: BSD-2-Clause
// PL011 UART driver (see pl011.hpp).
#include "pl011.hpp"

#include "cpu.hpp"

namespace petrel::drivers {
namespace {
enum : uptr { kDr = 0x00, kFr = 0x18, kIbrd = 0x24, kFbrd = 0x28, kLcrh = 0x2c, kCr = 0x30, kImsc = 0x38, kIcr = 0x44 };
constexpr u32 kFrTxff = 1u << 5, kFrBusy = 1u << 3;
constexpr u32 kCrUarten = 1u << 0, kCrTxe = 1u << 8, kCrRxe = 1u << 9;
constexpr u32 kLcrhFen = 1u << 4, kLcrhWlen8 = 3u << 5;
}  // namespace

using arm::mmio_read;
using arm::mmio_write;

void Pl011::init(u32 clock_hz, u32 baud, bool keep_loader_setup) const {
    mmio_write(base_ + kImsc, 0);        // no UART interrupts: the kernel polls
    mmio_write(base_ + kIcr, 0x7ff);
    if (keep_loader_setup && (mmio_read(base_ + kCr) & kCrUarten)) return;
    while (mmio_read(base_ + kFr) & kFrBusy) {
    }
    mmio_write(base_ + kCr, 0);
    // Divisor = clock / (16 * baud) as 16.6 fixed point, rounded.
    u32 div64 = (4 * clock_hz + baud / 2) / baud;
    mmio_write(base_ + kIbrd, div64 >> 6);
    mmio_write(base_ + kFbrd, div64 & 0x3f);
    mmio_write(base_ + kLcrh, kLcrhWlen8 | kLcrhFen);
    mmio_write(base_ + kCr, kCrUarten | kCrTxe | kCrRxe);
}

void Pl011::putc(char c) const {
    while (mmio_read(base_ + kFr) & kFrTxff) {
    }
    mmio_write(base_ + kDr, static_cast<u8>(c));
}

}  // namespace petrel::drivers
