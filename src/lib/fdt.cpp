// SPDX-License-Identifier: BSD-2-Clause
// Flattened device tree reader (see fdt.hpp): bounds-checked walk of the structure block.
#include "fdt.hpp"

namespace petrel::fdt {
namespace {

constexpr u32 kMagic = 0xd00dfeed;
constexpr u32 kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;

u32 be32(const u8 *p) {
    return (u32{p[0]} << 24) | (u32{p[1]} << 16) | (u32{p[2]} << 8) | u32{p[3]};
}

bool str_eq(const char *a, const char *b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

// True when the node name is `memory` or `memory@...`.
bool is_memory_name(const char *name) {
    const char *want = "memory";
    while (*want != '\0') {
        if (*name++ != *want++) return false;
    }
    return *name == '\0' || *name == '@';
}

struct Blob {
    const u8 *base;
    u32 size;
    u32 struct_off, struct_size, strings_off, strings_size;

    // A NUL-terminated string inside [from, limit), or nullptr.
    const char *string_at(u32 from, u32 limit) const {
        for (u32 i = from; i < limit; ++i) {
            if (base[i] == '\0') return reinterpret_cast<const char *>(base + from);
        }
        return nullptr;
    }
};

// Reads where the structure and strings blocks are: inside the blob's `size`
// bytes, the structure block 4-byte aligned; false otherwise.
bool read_layout(const u8 *p, u32 size, Blob &b) {
    b = {p, size, be32(p + 8), 0, be32(p + 12), 0};
    b.strings_size = be32(p + 32);
    b.struct_size = be32(p + 36);
    return b.struct_off % 4 == 0 && b.struct_off <= size && b.struct_size <= size - b.struct_off &&
           b.strings_off <= size && b.strings_size <= size - b.strings_off;
}

// A walk of the structure block that collects the RAM ranges of the /memory
// nodes into `out`. Each token handler takes `pos` past its token's data and
// returns false when that data is truncated or corrupt.
struct MemoryScan {
    const Blob &b;
    MemoryInfo *out;
    u32 address_cells = 2, size_cells = 1;  // defaults per the devicetree specification
    int depth = 0;
    bool in_memory = false, memory_is_typed = false, saw_memory = false;
    u32 reg_off = 0, reg_len = 0;
    bool have_reg = false;
    bool found_any = false;
    bool bad_reg = false;

    // Commits the memory node just closed: decodes its reg into ranges.
    void finish_memory() {
        if (!memory_is_typed) return;
        saw_memory = true;
        const u8 *p = b.base;
        u32 cells = address_cells + size_cells;
        if (!have_reg || cells == 0 || address_cells > 2 || size_cells > 2 || reg_len == 0 ||
            reg_len % (4 * cells) != 0) {
            bad_reg = true;
            return;
        }
        for (u32 off = 0; off < reg_len; off += 4 * cells) {
            u64 base = 0, len = 0;
            for (u32 i = 0; i < address_cells; ++i) base = (base << 32) | be32(p + reg_off + off + 4 * i);
            for (u32 i = 0; i < size_cells; ++i)
                len = (len << 32) | be32(p + reg_off + off + 4 * (address_cells + i));
            if (len == 0) continue;
            if (base >= (u64{1} << 32)) continue;  // unreachable with short descriptors
            if (out->count < MemoryInfo::kMaxRanges) out->ranges[out->count++] = {base, len};
            found_any = true;
        }
    }

    // FDT_BEGIN_NODE: its name; a memory node directly under the root starts.
    bool begin_node(u32 &pos, u32 end) {
        const char *name = b.string_at(pos, end);
        if (name == nullptr) return false;
        u32 len = 0;
        while (name[len] != '\0') ++len;
        pos = (pos + len + 1 + 3) & ~3u;
        ++depth;
        if (depth == 2 && is_memory_name(name)) {
            in_memory = true;
            memory_is_typed = false;
            have_reg = false;
        }
        return true;
    }

    // FDT_END_NODE: a memory node ends; unbalanced nodes are corrupt.
    bool end_node() {
        if (depth == 0) return false;
        if (depth == 2 && in_memory) {
            finish_memory();
            in_memory = false;
        }
        --depth;
        return true;
    }

    // FDT_PROP: the root's #address-cells and #size-cells; a memory node's
    // device_type and reg.
    bool property(u32 &pos, u32 end) {
        const u8 *p = b.base;
        if (pos + 8 > end) return false;
        u32 len = be32(p + pos), name_off = be32(p + pos + 4);
        pos += 8;
        if (len > end - pos || name_off >= b.strings_size) return false;
        const char *name = b.string_at(b.strings_off + name_off, b.strings_off + b.strings_size);
        if (name == nullptr) return false;
        if (depth == 1 && len == 4 && str_eq(name, "#address-cells")) address_cells = be32(p + pos);
        if (depth == 1 && len == 4 && str_eq(name, "#size-cells")) size_cells = be32(p + pos);
        if (depth == 2 && in_memory) {
            if (str_eq(name, "device_type") && len == 7 && str_eq(reinterpret_cast<const char *>(p + pos), "memory")) {
                memory_is_typed = true;
            }
            if (str_eq(name, "reg")) {
                have_reg = true;
                reg_off = pos;
                reg_len = len;
            }
        }
        pos = (pos + len + 3) & ~3u;
        return true;
    }

    // Every token up to FDT_END; false when one is unknown or corrupt, or a node is left open.
    bool walk() {
        u32 pos = b.struct_off;
        const u32 end = b.struct_off + b.struct_size;
        for (;;) {
            if (pos + 4 > end) return false;
            u32 token = be32(b.base + pos);
            pos += 4;
            if (token == kBeginNode) {
                if (!begin_node(pos, end)) return false;
            } else if (token == kEndNode) {
                if (!end_node()) return false;
            } else if (token == kProp) {
                if (!property(pos, end)) return false;
            } else if (token == kNop) {
                continue;
            } else if (token == kEnd) {
                break;
            } else {
                return false;
            }
        }
        return depth == 0;
    }

    // The outcome once the walk is over.
    Error result() const {
        if (found_any) return Error::ok;
        return saw_memory ? Error::bad_memory_reg : (bad_reg ? Error::bad_memory_reg : Error::no_memory_node);
    }
};

}  // namespace

const char *error_name(Error e) {
    switch (e) {
    case Error::ok: return "ok";
    case Error::null_blob: return "no device tree";
    case Error::bad_magic: return "bad magic";
    case Error::bad_version: return "unsupported version";
    case Error::bad_size: return "bad total size";
    case Error::bad_layout: return "blocks outside the blob";
    case Error::bad_token: return "corrupt structure block";
    case Error::no_memory_node: return "no memory node (device_type \"memory\")";
    case Error::bad_memory_reg: return "unusable /memory reg";
    }
    return "unknown error";
}

Error check_header(const void *blob, usize max_len, u32 *total_size) {
    if (blob == nullptr) return Error::null_blob;
    if (max_len < kHeaderBytes) return Error::bad_size;
    const u8 *p = static_cast<const u8 *>(blob);
    if (be32(p) != kMagic) return Error::bad_magic;
    u32 size = be32(p + 4);
    if (size < kHeaderBytes || size > max_len) return Error::bad_size;
    u32 version = be32(p + 20), last_comp = be32(p + 24);
    if (version < 16 || last_comp > 17) return Error::bad_version;
    *total_size = size;
    return Error::ok;
}

Error find_memory(const void *blob, usize max_len, MemoryInfo *out) {
    out->count = 0;
    u32 size = 0;
    if (Error e = check_header(blob, max_len, &size); e != Error::ok) return e;
    Blob b;
    if (!read_layout(static_cast<const u8 *>(blob), size, b)) return Error::bad_layout;
    MemoryScan scan{b, out};
    if (!scan.walk()) return Error::bad_token;
    return scan.result();
}

}  // namespace petrel::fdt
