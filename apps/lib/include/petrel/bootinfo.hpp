// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: what a root task reads at its start: BootInfo's IPC buffer and Untyped list; its image's extent.
//
// The kernel starts the root task with main(const abi::BootInfo *) (crt0). A
// root task that makes objects takes them from one RAM Untyped, usually the
// smallest that is large enough (smallest_ram_untyped), so that the large ones
// stay whole. One that builds address spaces from its own image (copies of the
// frame caps BootInfo.user_image_frames lists, one per page from the link base)
// needs to know which of those pages are text and where the image ends
// (own_image).
#pragma once

#include "petrel/abi.hpp"

namespace petrel {

// The root task's IPC buffer: BootInfo.ipc_buffer, mapped by the kernel.
inline abi::IpcBuffer *root_ipc_buffer(const abi::BootInfo *bi) {
    return reinterpret_cast<abi::IpcBuffer *>(bi->ipc_buffer);
}

// The cap slot (in BootInfo.untyped) of the smallest RAM Untyped BootInfo
// lists of at least 2^min_bits bytes, or 0 if there is none. Device Untyped
// (is_device: device registers, not memory to make objects of) never count.
// Of several of that smallest size, the first listed (the lowest slot) wins.
u32 smallest_ram_untyped(const abi::BootInfo *bi, u32 min_bits);

// BootInfo's description (physical address, size) of the Untyped in cap slot
// `slot`, which must be one of BootInfo.untyped, such as smallest_ram_untyped()
// returns.
inline const abi::UntypedDesc &untyped_desc(const abi::BootInfo *bi, u32 slot) {
    return bi->untyped_list[slot - bi->untyped.start];
}

// This program's image as apps/lib/user.ld links it: from `base`, text and
// read-only data up to `text_end` (the end of .init_array), then, from the
// next page, data and bss up to `end` (__image_end). Page counts are from
// `base`, rounded up; for the root task, BootInfo.user_image_frames[0..pages)
// are those pages' frames, the first text_pages of them text.
struct ImageExtent {
    u32 base;        // 0x00010000
    u32 text_end;    // __init_array_end
    u32 end;         // __image_end
    u32 text_pages;  // 4 KiB pages from base holding text and read-only data
    u32 pages;       // 4 KiB pages from base up to end
};
ImageExtent own_image();

}  // namespace petrel
