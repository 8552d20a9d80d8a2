// SPDX-License-Identifier: BSD-2-Clause
// ARMv7-A coprocessor and barrier accessors used by the kernel (CP15, CPSR, banked registers).
#pragma once

#include "petrel/types.hpp"

namespace petrel::arm {

#define PETREL_CP15_RW(name, op1, crn, crm, op2)                                          \
    inline u32 read_##name() {                                                            \
        u32 v;                                                                            \
        asm volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v));       \
        return v;                                                                         \
    }                                                                                     \
    inline void write_##name(u32 v) {                                                     \
        asm volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 ::"r"(v) : "memory"); \
    }

PETREL_CP15_RW(midr, 0, c0, c0, 0)
PETREL_CP15_RW(mpidr, 0, c0, c0, 5)
PETREL_CP15_RW(ctr, 0, c0, c0, 1)
PETREL_CP15_RW(sctlr, 0, c1, c0, 0)
PETREL_CP15_RW(ttbr0, 0, c2, c0, 0)
PETREL_CP15_RW(ttbr1, 0, c2, c0, 1)
PETREL_CP15_RW(ttbcr, 0, c2, c0, 2)
PETREL_CP15_RW(dfsr, 0, c5, c0, 0)
PETREL_CP15_RW(ifsr, 0, c5, c0, 1)
PETREL_CP15_RW(dfar, 0, c6, c0, 0)
PETREL_CP15_RW(ifar, 0, c6, c0, 2)
PETREL_CP15_RW(vbar, 0, c12, c0, 0)
PETREL_CP15_RW(contextidr, 0, c13, c0, 1)
PETREL_CP15_RW(cntfrq, 0, c14, c0, 0)
PETREL_CP15_RW(cntkctl, 0, c14, c1, 0)
PETREL_CP15_RW(cntp_ctl, 0, c14, c2, 1)
PETREL_CP15_RW(cntp_tval, 0, c14, c2, 0)

#undef PETREL_CP15_RW

inline u64 read_cntpct() {
    u32 lo, hi;
    asm volatile("isb; mrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return (u64{hi} << 32) | lo;
}

inline void isb() { asm volatile("isb" ::: "memory"); }
inline void dsb() { asm volatile("dsb sy" ::: "memory"); }
inline void dmb() { asm volatile("dmb sy" ::: "memory"); }

// TLB maintenance. With one core it is this core's (TLBIALL, TLBIASID,
// TLBIMVA: c8, c7); with several it is broadcast to every core of the Inner
// Shareable domain (TLBIALLIS, TLBIASIDIS, TLBIMVAIS: c8, c3, from the
// Multiprocessing Extensions every supported core has), and the dsb ish after
// it waits until every core has done it.
#if PETREL_CORES > 1
#define PETREL_TLB_CRM "c3"
#else
#define PETREL_TLB_CRM "c7"
#endif

// Invalidates the whole unified TLB (all ASIDs).
inline void tlb_invalidate_all() {
    asm volatile("dsb ishst; mcr p15, 0, %0, c8, " PETREL_TLB_CRM ", 0; dsb ish; isb" ::"r"(0) : "memory");
}

// Invalidates the TLB entries of one hardware ASID (TLBIASID), or of one page
// of it (TLBIMVA: the page's address with the ASID in bits 7:0).
inline void tlb_invalidate_asid(u32 asid) {
    asm volatile("dsb ishst; mcr p15, 0, %0, c8, " PETREL_TLB_CRM ", 2; dsb ish; isb" ::"r"(asid & 0xffu) : "memory");
}
inline void tlb_invalidate_page(u32 vaddr, u32 asid) {
    asm volatile("dsb ishst; mcr p15, 0, %0, c8, " PETREL_TLB_CRM ", 1; dsb ish; isb" ::"r"(
                     (vaddr & ~0xfffu) | (asid & 0xffu))
                 : "memory");
}
#undef PETREL_TLB_CRM
// The smallest data cache line (CTR.DminLine) in bytes.
inline uptr dcache_line() { return 4u << ((read_ctr() >> 16) & 0xf); }
// Data cache maintenance by address over [start, end), to the point of
// coherency: clean (DCCMVAC), invalidate (DCIMVAC), both (DCCIMVAC).
#define PETREL_DCACHE_RANGE(name, crm, op2)                                        \
    inline void name(uptr start, uptr end) {                                        \
        const uptr line = dcache_line();                                            \
        for (uptr a = start & ~(line - 1); a < end; a += line)                      \
            asm volatile("mcr p15, 0, %0, c7, " #crm ", " #op2 ::"r"(a) : "memory"); \
        dsb();                                                                      \
    }
PETREL_DCACHE_RANGE(clean_dcache_to_poc, c10, 1)
PETREL_DCACHE_RANGE(invalidate_dcache_to_poc, c6, 1)
PETREL_DCACHE_RANGE(clean_invalidate_dcache_to_poc, c14, 1)
#undef PETREL_DCACHE_RANGE

// Cleans the data cache lines covering [start, end) to the point of
// unification, so instruction fetches and table walks see what was written.
inline void clean_dcache_to_pou(uptr start, uptr end) {
    const uptr line = 4u << ((read_ctr() >> 16) & 0xf);  // CTR.DminLine: words
    for (uptr a = start & ~(line - 1); a < end; a += line)
        asm volatile("mcr p15, 0, %0, c7, c11, 1" ::"r"(a) : "memory");  // DCCMVAU
    dsb();
}

// Invalidates the whole instruction cache and the branch predictor (this
// core's; with several cores every core's: ICIALLUIS, BPIALLIS).
inline void invalidate_icache_all() {
#if PETREL_CORES > 1
    asm volatile("mcr p15, 0, %0, c7, c1, 0\n\t"   // ICIALLUIS
                 "mcr p15, 0, %0, c7, c1, 6\n\t"   // BPIALLIS
                 "dsb ish\n\tisb" ::"r"(0)
                 : "memory");
#else
    asm volatile("mcr p15, 0, %0, c7, c5, 0\n\t"   // ICIALLU
                 "mcr p15, 0, %0, c7, c5, 6\n\t"   // BPIALL
                 "dsb\n\tisb" ::"r"(0)
                 : "memory");
#endif
}

inline u32 read_cpsr() {
    u32 v;
    asm volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}
inline void irq_enable() { asm volatile("cpsie i" ::: "memory"); }
inline void irq_disable() { asm volatile("cpsid i" ::: "memory"); }
inline void wait_for_interrupt() { asm volatile("dsb sy; wfi" ::: "memory"); }

// Processor modes (CPSR.M).
enum Mode : u32 {
    kModeUsr = 0x10, kModeFiq = 0x11, kModeIrq = 0x12, kModeSvc = 0x13, kModeMon = 0x16,
    kModeAbt = 0x17, kModeHyp = 0x1a, kModeUnd = 0x1b, kModeSys = 0x1f,
};

const char *mode_name(u32 mode);

// Memory-mapped I/O with the compiler kept from merging or reordering accesses.
inline u32 mmio_read(uptr addr) { return *reinterpret_cast<volatile u32 *>(addr); }
inline void mmio_write(uptr addr, u32 v) { *reinterpret_cast<volatile u32 *>(addr) = v; }

}  // namespace petrel::arm
