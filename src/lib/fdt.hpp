// SPDX-License-Identifier: BSD-2-Clause
// A read-only flattened device tree (DTB) reader: just enough to find RAM.
//
// Contract: every function takes the blob and an upper bound on its length and
// never reads outside [blob, blob + min(max_len, totalsize)); a corrupt or
// truncated blob yields an error value, never a crash. Big-endian fields are
// converted here; callers see host-order integers.
#pragma once

#include "petrel/types.hpp"

namespace petrel::fdt {

enum class Error {
    ok,
    null_blob,        // no device tree was passed
    bad_magic,        // first word is not 0xd00dfeed
    bad_version,      // older than version 16, or last_comp_version above 17
    bad_size,         // totalsize smaller than the header or larger than max_len
    bad_layout,       // structure or strings block outside the blob, or misaligned
    bad_token,        // an unknown or truncated structure token
    no_memory_node,   // no node with device_type = "memory" (or named "memory") under the root
    bad_memory_reg,   // a memory node whose reg is missing, malformed, empty or above 4 GiB
};

const char *error_name(Error e);

struct MemoryRange {
    u64 base;
    u64 size;
};

struct MemoryInfo {
    static constexpr int kMaxRanges = 8;
    MemoryRange ranges[kMaxRanges];
    int count;
};

// The header's size: every blob starts with it.
constexpr u32 kHeaderBytes = 40;

// Reads the header only (its kHeaderBytes, even when max_len is larger): checks
// magic, version and size. On success stores the blob's total size.
Error check_header(const void *blob, usize max_len, u32 *total_size);

// Finds every RAM range listed by /memory nodes (nodes directly under the root
// whose device_type is "memory"), decoding reg with the root's #address-cells
// and #size-cells. Ranges of zero size are dropped; at most kMaxRanges are kept.
Error find_memory(const void *blob, usize max_len, MemoryInfo *out);

}  // namespace petrel::fdt
