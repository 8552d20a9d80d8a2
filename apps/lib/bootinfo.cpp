// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the root task's Untyped choice and its own image's extent (see bootinfo.hpp).
#include "petrel/bootinfo.hpp"

extern "C" char __init_array_end[], __image_end[];  // apps/lib/user.ld: end of text; end of the image

namespace petrel {
namespace {

constexpr u32 kLinkBase = 0x0001'0000;  // apps/lib/user.ld
constexpr u32 kPage = 1u << abi::kPageBits;

// Pages from the link base up to `end`, rounded up.
u32 pages_from_base(u32 end) { return (((end + kPage - 1) & ~(kPage - 1)) - kLinkBase) / kPage; }

}  // namespace

u32 smallest_ram_untyped(const abi::BootInfo *bi, u32 min_bits) {
    u32 best = ~0u;
    for (u32 i = 0; i < bi->untyped_count; ++i) {
        const abi::UntypedDesc &u = bi->untyped_list[i];
        if (u.is_device || u.size_bits < min_bits) continue;
        // Strictly smaller: of equal sizes, the first listed stays.
        if (best == ~0u || u.size_bits < bi->untyped_list[best].size_bits) best = i;
    }
    return best == ~0u ? 0 : bi->untyped.start + best;
}

ImageExtent own_image() {
    const u32 text_end = reinterpret_cast<u32>(__init_array_end), end = reinterpret_cast<u32>(__image_end);
    return {kLinkBase, text_end, end, pages_from_base(text_end), pages_from_base(end)};
}

}  // namespace petrel
