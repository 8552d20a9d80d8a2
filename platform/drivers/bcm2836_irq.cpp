// SPDX-License-Identifier: BSD-2-Clause
// BCM2836 local + BCM2835 ARM interrupt controller driver (see bcm2836_irq.hpp).
#include "bcm2836_irq.hpp"

#include "cpu.hpp"
#include "smp.hpp"

namespace petrel::drivers {
namespace {
enum : uptr {
    // BCM2836 local peripherals (QA7): core c's registers are at these + 4 * c
    // (control, source) or + 0x10 * c (mailboxes, 4 bytes each).
    kGpuRouting = 0x0c, kCore0TimerCtl = 0x40, kCore0MailboxCtl = 0x50, kCore0IrqSource = 0x60,
    kCore0MailboxSet = 0x80, kCore0MailboxClear = 0xc0,
    // BCM2835 ARM interrupt controller, from its base (0x...b200).
    kBasicPending = 0x00, kPending1 = 0x04, kPending2 = 0x08, kFiqCtl = 0x0c,
    kEnable1 = 0x10, kEnable2 = 0x14, kEnableBasic = 0x18,
    kDisable1 = 0x1c, kDisable2 = 0x20, kDisableBasic = 0x24,
};
constexpr u32 kSourceGpu = 1u << 8;
constexpr u32 kSourceIpi = 1u << Bcm2836Irq::kIpiLine;

// The calling core's register `reg` (kCore0TimerCtl, ...: 4 bytes a core).
uptr own(uptr local, uptr reg) { return local + reg + 4 * core_id(); }
// Its mailbox 0 read/clear register.
uptr own_mailbox0(uptr local) { return local + kCore0MailboxClear + 0x10 * core_id(); }

int lowest_bit(u32 v) { return __builtin_ctz(v); }
}  // namespace

using arm::mmio_read;
using arm::mmio_write;

void Bcm2836Irq::init() const {
    init_core();
    mmio_write(local_ + kGpuRouting, 0);  // GPU interrupts to core 0 IRQ
    mmio_write(armctrl_ + kFiqCtl, 0);
    mmio_write(armctrl_ + kDisable1, ~0u);
    mmio_write(armctrl_ + kDisable2, ~0u);
    mmio_write(armctrl_ + kDisableBasic, ~0u);
}

// Timer interrupts off; with several cores the mailbox-0 interrupt (the IPI) on,
// nothing left in the mailbox.
void Bcm2836Irq::init_core() const {
    mmio_write(own(local_, kCore0TimerCtl), 0);
    if constexpr (kCores > 1) {
        mmio_write(own_mailbox0(local_), ~0u);
        mmio_write(own(local_, kCore0MailboxCtl), 1);  // mailbox 0 IRQ
    } else {
        mmio_write(own(local_, kCore0MailboxCtl), 0);
    }
}

void Bcm2836Irq::mailbox_set(u32 core, u32 mailbox, u32 value) const {
    mmio_write(local_ + kCore0MailboxSet + 0x10 * core + 4 * mailbox, value);
}

bool Bcm2836Irq::unmask(u32 line) const { return set_enabled(line, true); }
bool Bcm2836Irq::mask(u32 line) const { return set_enabled(line, false); }

bool Bcm2836Irq::set_enabled(u32 line, bool on) const {
    if (line < 4) {  // a generic-timer line: one read-modify-write enable register
        const uptr reg = own(local_, kCore0TimerCtl);
        u32 ctl = mmio_read(reg);
        mmio_write(reg, on ? ctl | (1u << line) : ctl & ~(1u << line));
        return true;
    }
    // The BCM2835 has write-one-to-set enable and write-one-to-clear disable registers.
    uptr enable, disable;
    u32 bit;
    if (line >= kGpuBase && line < kGpuBase + 32) {
        enable = kEnable1, disable = kDisable1, bit = line - kGpuBase;
    } else if (line >= kGpuBase + 32 && line < kBasicBase) {
        enable = kEnable2, disable = kDisable2, bit = line - kGpuBase - 32;
    } else if (line >= kBasicBase && line < kLines) {
        enable = kEnableBasic, disable = kDisableBasic, bit = line - kBasicBase;
    } else {
        return false;
    }
    mmio_write(armctrl_ + (on ? enable : disable), 1u << bit);
    return true;
}

bool Bcm2836Irq::pending() const { return mmio_read(own(local_, kCore0IrqSource)) != 0; }

u32 Bcm2836Irq::claim() const {
    u32 source = mmio_read(own(local_, kCore0IrqSource));
    if (source & 0xf) return static_cast<u32>(lowest_bit(source & 0xf));
    if (kCores > 1 && (source & kSourceIpi)) {
        // Clear what was sent (a later send sets its bit again and is taken again).
        const uptr mailbox = own_mailbox0(local_);
        mmio_write(mailbox, mmio_read(mailbox));
        return kIpiLine;
    }
    if (source & kSourceGpu) {
        // Read the full pending registers instead of the basic register's
        // shortcut bits; a pending register shows enabled lines only.
        u32 basic = mmio_read(armctrl_ + kBasicPending) & 0xff;
        if (basic) return kBasicBase + static_cast<u32>(lowest_bit(basic));
        u32 p1 = mmio_read(armctrl_ + kPending1) & mmio_read(armctrl_ + kEnable1);
        if (p1) return kGpuBase + static_cast<u32>(lowest_bit(p1));
        u32 p2 = mmio_read(armctrl_ + kPending2) & mmio_read(armctrl_ + kEnable2);
        if (p2) return kGpuBase + 32 + static_cast<u32>(lowest_bit(p2));
    }
    if (source) return static_cast<u32>(lowest_bit(source));  // a source we never unmask
    return ~0u;
}

}  // namespace petrel::drivers
