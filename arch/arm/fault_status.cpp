// SPDX-License-Identifier: BSD-2-Clause
// Decoding of ARMv7 short-descriptor fault status codes (ARM ARM B3.13.3, table B3-23).
#include "fault_status.hpp"

namespace petrel::arm {

FaultStatus decode_fault_status(u32 fsr) {
    u32 code = ((fsr >> 6) & 0x10u) | (fsr & 0xfu);
    const char *what = "reserved fault status";
    bool external = false;
    switch (code) {
    case 0b00001: what = "alignment fault"; break;
    case 0b00010: what = "debug event"; break;
    case 0b00011: what = "access flag fault (section)"; break;
    case 0b00100: what = "instruction cache maintenance fault"; break;
    case 0b00101: what = "translation fault (section)"; break;
    case 0b00110: what = "access flag fault (page)"; break;
    case 0b00111: what = "translation fault (page)"; break;
    case 0b01000: what = "synchronous external abort"; external = true; break;
    case 0b01001: what = "domain fault (section)"; break;
    case 0b01011: what = "domain fault (page)"; break;
    case 0b01100: what = "external abort on first-level table walk"; external = true; break;
    case 0b01101: what = "permission fault (section)"; break;
    case 0b01110: what = "external abort on second-level table walk"; external = true; break;
    case 0b01111: what = "permission fault (page)"; break;
    case 0b10000: what = "TLB conflict abort"; break;
    case 0b10100: what = "lockdown abort"; break;
    case 0b10110: what = "asynchronous external abort"; external = true; break;
    case 0b11000: what = "asynchronous parity error on memory access"; external = true; break;
    case 0b11001: what = "synchronous parity error on memory access"; external = true; break;
    case 0b11010: what = "coprocessor abort"; break;
    case 0b11100: what = "parity error on first-level table walk"; external = true; break;
    case 0b11110: what = "parity error on second-level table walk"; external = true; break;
    default: break;
    }
    return FaultStatus{code, what, (fsr & (1u << 11)) != 0, external};
}

}  // namespace petrel::arm
