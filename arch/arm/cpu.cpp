// SPDX-License-Identifier: BSD-2-Clause
// CPU identification, interrupt masking and image facts for the generic kernel.
#include "arch.hpp"
#include "arch_memory.hpp"
#include "cpu.hpp"

extern "C" {
extern char __kernel_phys_start[];
extern char __kernel_end[];
extern char __pv_offset[];
extern char __text_start[];
extern char __text_end[];
extern char kernel_stack[];
extern char kernel_stack_top[];
extern u32 boot_entry_mode;  // entry.S
}

namespace petrel::arch {

void interrupts_on() { arm::irq_enable(); }
void interrupts_off() { arm::irq_disable(); }
void idle() { arm::wait_for_interrupt(); }

CpuInfo cpu_info() {
    u32 midr = arm::read_midr();
    u32 impl = midr >> 24, part = (midr >> 4) & 0xfff;
    const char *impl_name = impl == 0x41 ? "ARM" : "unknown implementer";
    const char *part_name = "unknown part";
    if (impl == 0x41) {
        switch (part) {
        case 0xc07: part_name = "Cortex-A7"; break;
        case 0xc08: part_name = "Cortex-A8"; break;
        case 0xc09: part_name = "Cortex-A9"; break;
        case 0xc0f: part_name = "Cortex-A15"; break;
        case 0xc0e: part_name = "Cortex-A17"; break;
        case 0xd03: part_name = "Cortex-A53"; break;
        case 0xd07: part_name = "Cortex-A57"; break;
        case 0xd08: part_name = "Cortex-A72"; break;
        default: break;
        }
    }
    return CpuInfo{midr, impl_name, part_name, (midr >> 20) & 0xf, midr & 0xf, arm::mode_name(boot_entry_mode)};
}

namespace {
constexpr u32 kStackPaint = 0x5354'4b21;  // "STK!"
}

void stack_paint() {
    uptr sp;
    asm volatile("mov %0, sp" : "=r"(sp));
    auto *w = reinterpret_cast<u32 *>(kernel_stack);
    auto *end = reinterpret_cast<u32 *>(sp - 64);  // this frame and a margin stay as they are
    while (w < end) *w++ = kStackPaint;
}

u32 stack_deepest_use() {
    const auto *w = reinterpret_cast<const u32 *>(kernel_stack);
    const auto *top = reinterpret_cast<const u32 *>(kernel_stack_top);
    while (w < top && *w == kStackPaint) ++w;
    return static_cast<u32>(reinterpret_cast<uptr>(top) - reinterpret_cast<uptr>(w));
}

ImageInfo image_info() {
    auto addr = [](const char *p) { return static_cast<u32>(reinterpret_cast<uptr>(p)); };
    u32 offset = addr(__pv_offset);
    return ImageInfo{addr(__kernel_phys_start), addr(__kernel_end) - offset,
                     addr(__text_end) - addr(__text_start),
                     addr(kernel_stack_top) - addr(kernel_stack)};
}

void tlb_flush_page(u32 vaddr, u32 hw_asid) { arm::tlb_invalidate_page(vaddr, hw_asid); }
void tlb_flush_asid(u32 hw_asid) { arm::tlb_invalidate_asid(hw_asid); }

void clean_tables(paddr_t p, u32 bytes) {
    uptr a = reinterpret_cast<uptr>(phys_to_kernel(p));
    arm::clean_dcache_to_pou(a, a + bytes);
}

void cache_maintain(CacheOp op, paddr_t p, u32 bytes) {
    uptr a = reinterpret_cast<uptr>(phys_to_kernel(p));
    switch (op) {
    case CacheOp::Clean: arm::clean_dcache_to_poc(a, a + bytes); break;
    case CacheOp::Invalidate: arm::invalidate_dcache_to_poc(a, a + bytes); break;
    case CacheOp::CleanInvalidate: arm::clean_invalidate_dcache_to_poc(a, a + bytes); break;
    case CacheOp::Unify:
        arm::clean_dcache_to_pou(a, a + bytes);
        arm::invalidate_icache_all();
        break;
    }
}

}  // namespace petrel::arch

namespace petrel::arm {

const char *mode_name(u32 mode) {
    switch (mode & 0x1f) {
    case kModeUsr: return "USR";
    case kModeFiq: return "FIQ";
    case kModeIrq: return "IRQ";
    case kModeSvc: return "SVC";
    case kModeMon: return "MON";
    case kModeAbt: return "ABT";
    case kModeHyp: return "HYP";
    case kModeUnd: return "UND";
    case kModeSys: return "SYS";
    default: return "invalid mode";
    }
}

}  // namespace petrel::arm
