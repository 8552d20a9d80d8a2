// SPDX-License-Identifier: BSD-2-Clause
// Capabilities: 8-byte values naming a kernel object and the authority over it.
//
// A Cap is two words. The low 4 bits of word 0 are the type tag; the four
// caps that carry almost nothing (IRQ Control, IRQ Handler, ASID Control,
// Debug) use an 8-bit tag whose low nibble is 0xF. Object addresses are physical (see
// kmem.hpp). Field layout per type (w0 = word 0, w1 = word 1):
//
//   Untyped       w0: tag | device[4] | free index in 16-byte units[31:5]
//                 w1: base | (2^(size_bits-1) - 1)   (size folded into the alignment bits)
//   Endpoint,     w0: tag | badge[31:4] (28 bits)
//   Notification  w1: object | rights[3:0]
//   Reply         w0: tag | master[4]          w1: TCB | rights[3:0]
//   CNode         w0: tag | radix[8:4] | guard size[13:9] | guard[31:14] (18 bits)
//                 w1: object
//   Thread        w1: TCB
//   Zombie        w0: tag | is TCB[4] | slots still to clear[31:5]
//                 w1: object region, encoded as for Untyped
//   PageDirectory w0: tag | ASID[19:4] | has ASID[20]          w1: object
//   PageTable     w0: tag | ASID[19:4] | PD index[30:20] | mapped[31]  w1: object
//   Frame (4)     w0: tag | vaddr >> 12 [22:4] | ASID low 9[31:23]
//                 w1: frame | ASID high 7[11:5] | write[2] | read[1] | device[0]
//   AsidPool      w0: tag | ASID base >> 10 [9:4]             w1: object
//   IrqHandler    w0: 0x1F | IRQ[31:8]
//   Debug         w0: 0x3F   (no object: the authority to halt the system and
//                 dump kernel state with the debug system calls, debug.hpp)
//
// A Zombie is what a final cap to a CNode or TCB becomes while the kernel
// empties the object's slots; it is never usable (invoking or copying it fails).
// Deleting its slot again, or revoking the Untyped the object came from,
// finishes the destruction; a Zombie has no children, so Revoke on its own slot
// does nothing.
#pragma once

#include "petrel/abi.hpp"
#include "petrel/types.hpp"

namespace petrel {

enum class CapType : u32 {
    Null = 0,
    Untyped = 1,
    Endpoint = 2,
    Notification = 3,
    Reply = 4,
    CNode = 5,
    Thread = 6,
    Zombie = 7,
    PageDirectory = 8,
    PageTable = 9,
    Frame4K = 10,
    Frame64K = 11,
    Frame1M = 12,
    Frame16M = 13,
    AsidPool = 14,
    IrqControl = 0x0f,
    IrqHandler = 0x1f,
    AsidControl = 0x2f,
    Debug = 0x3f,
};

const char *cap_type_name(CapType t);

constexpr u32 mask_bits(u32 n) { return n >= 32 ? ~0u : (1u << n) - 1; }

// A naturally aligned region [base, base + 2^size_bits), 1 <= size_bits <= 31,
// stored in one word: the size is written into the alignment bits as size_bits-1 ones.
constexpr u32 region_encode(paddr_t base, u32 size_bits) { return base | mask_bits(size_bits - 1); }
constexpr u32 region_size_bits(u32 w) {
    u32 n = 0;
    while (w & 1u) { w >>= 1; ++n; }
    return n + 1;
}
constexpr paddr_t region_base(u32 w) { return w & ~mask_bits(region_size_bits(w)); }

struct Cap {
    u32 w0 = 0;
    u32 w1 = 0;

    // ---- all caps
    constexpr CapType type() const {
        u32 t = (w0 & 0xfu) == 0xfu ? (w0 & 0xffu) : (w0 & 0xfu);
        return static_cast<CapType>(t);
    }
    constexpr bool is_null() const { return type() == CapType::Null; }
    constexpr bool is_frame() const {
        CapType t = type();
        return t == CapType::Frame4K || t == CapType::Frame64K || t == CapType::Frame1M ||
               t == CapType::Frame16M;
    }
    // Whether the cap has one of the 4-bit tags (every type but the three
    // extended ones): one compare, for the hot paths.
    constexpr bool has_tag(CapType t) const { return (w0 & 0xfu) == static_cast<u32>(t); }
    // The physical address of the object (0 for caps without one).
    paddr_t object() const;
    // The same, for a cap whose type the caller has checked (the hot paths):
    // Endpoint, Notification or Reply; CNode or Thread; PageDirectory.
    constexpr paddr_t ipc_object() const { return w1 & ~0xfu; }
    // rights() of an Endpoint, Notification or Reply cap (the caller has checked the type).
    constexpr u32 ipc_rights() const { return w1 & abi::kRightsAll; }
    constexpr paddr_t cnode_object() const { return w1; }
    constexpr paddr_t pd_object() const { return w1 & ~0x3ffu; }
    // log2 of the object's size in bytes (0 for caps without memory of their own).
    u32 object_size_bits() const;
    bool operator==(const Cap &) const = default;

    // ---- constructors
    static constexpr Cap null() { return {}; }
    static Cap untyped(paddr_t base, u32 size_bits, bool device, u32 free_bytes);
    static Cap endpoint(paddr_t ep, u32 badge, u32 rights);
    static Cap notification(paddr_t ntfn, u32 badge, u32 rights);
    static Cap reply(paddr_t tcb, bool master, u32 rights) {  // inline: the fastpath makes one per Call
        return {static_cast<u32>(CapType::Reply) | (master ? 1u : 0u) << 4, tcb | (rights & abi::kRightsAll)};
    }
    static Cap cnode(paddr_t node, u32 radix, u32 guard_size, u32 guard);
    static Cap thread(paddr_t tcb);
    static Cap zombie(paddr_t obj, u32 size_bits, bool is_tcb, u32 remaining);
    static Cap page_directory(paddr_t pd);
    static Cap page_table(paddr_t pt);
    static Cap frame(CapType size, paddr_t frame, u32 rights, bool device);
    static Cap asid_pool(paddr_t pool, u32 asid_base);
    static constexpr Cap irq_control() { return {static_cast<u32>(CapType::IrqControl), 0}; }
    static Cap irq_handler(u32 irq);
    static constexpr Cap asid_control() { return {static_cast<u32>(CapType::AsidControl), 0}; }
    static constexpr Cap debug() { return {static_cast<u32>(CapType::Debug), 0}; }

    // ---- Untyped
    paddr_t untyped_base() const { return region_base(w1); }
    u32 untyped_size_bits() const { return region_size_bits(w1); }
    bool untyped_is_device() const { return (w0 >> 4) & 1u; }
    u32 untyped_free_bytes() const { return (w0 >> 5) << 4; }
    void set_untyped_free_bytes(u32 bytes) { w0 = (w0 & 0x1fu) | (bytes >> 4) << 5; }

    // ---- Endpoint, Notification, Reply, Frame: rights (abi::Rights bits)
    u32 rights() const;
    // The same cap with rights ANDed with `mask` (caps without rights are unchanged).
    Cap masked(u32 mask) const;

    // ---- Endpoint, Notification
    u32 badge() const { return w0 >> 4; }
    void set_badge(u32 badge) { w0 = (w0 & 0xfu) | badge << 4; }
    static constexpr u32 kBadgeBits = 28;

    // ---- Reply
    bool reply_master() const { return (w0 >> 4) & 1u; }

    // ---- CNode
    u32 cnode_radix() const { return (w0 >> 4) & 0x1fu; }
    u32 cnode_guard_size() const { return (w0 >> 9) & 0x1fu; }
    u32 cnode_guard() const { return w0 >> 14; }

    // ---- Zombie
    bool zombie_is_tcb() const { return (w0 >> 4) & 1u; }
    u32 zombie_remaining() const { return w0 >> 5; }
    void set_zombie_remaining(u32 n) { w0 = (w0 & 0x1fu) | n << 5; }

    // ---- PageDirectory, PageTable, Frame, AsidPool (the virtual-memory layer uses these)
    // A mapped Frame or PageTable records where (ASID 0: not mapped); a
    // PageDirectory records its ASID. The virtual-memory layer keeps these true.
    u32 pd_asid() const { return (w0 >> 4) & 0xffffu; }
    bool pd_has_asid() const { return (w0 >> 20) & 1u; }
    void set_pd_asid(u32 asid) { w0 = (w0 & 0xfu) | (asid & 0xffffu) << 4 | 1u << 20; }
    bool pt_mapped() const { return w0 >> 31; }
    u32 pt_mapped_asid() const { return (w0 >> 4) & 0xffffu; }
    u32 pt_mapped_pd_index() const { return (w0 >> 20) & 0x7ffu; }
    void set_pt_mapping(u32 asid, u32 pd_index) {
        w0 = (w0 & 0xfu) | (asid & 0xffffu) << 4 | (pd_index & 0x7ffu) << 20 | 1u << 31;
    }
    void clear_pt_mapping() { w0 &= 0xfu; }
    bool frame_is_device() const { return w1 & 1u; }
    // The same frame cap, mapped nowhere: what a copy of a frame cap starts as
    // (a frame cap maps in one place at a time).
    Cap frame_unmapped() const { return frame(type(), object(), rights(), frame_is_device()); }
    bool frame_mapped() const { return frame_mapped_asid() != 0; }
    u32 frame_mapped_asid() const { return (w0 >> 23) | ((w1 >> 5) & 0x7fu) << 9; }
    u32 frame_mapped_vaddr() const { return ((w0 >> 4) & 0x7ffffu) << 12; }
    void set_frame_mapping(u32 asid, u32 vaddr) {
        w0 = (w0 & 0xfu) | ((vaddr >> 12) & 0x7ffffu) << 4 | (asid & 0x1ffu) << 23;
        w1 = (w1 & ~(0x7fu << 5)) | ((asid >> 9) & 0x7fu) << 5;
    }
    void clear_frame_mapping() { set_frame_mapping(0, 0); }
    u32 asid_pool_base() const { return ((w0 >> 4) & 0x3fu) << 10; }

    // ---- IrqHandler
    u32 irq() const { return w0 >> 8; }
};
static_assert(sizeof(Cap) == 8, "a capability is two words");

// Object-identity relations the derivation tree is built on.
// same_region(a, b): b's object lies within a's (an Untyped covers what was made
// from it; IRQ Control covers every IRQ Handler). same_object(a, b): a and b name
// the same object (never true for Untyped, which are regions, not objects).
bool same_region(const Cap &a, const Cap &b);
bool same_object(const Cap &a, const Cap &b);

// Frame size in bits for a frame cap type.
u32 frame_size_bits(CapType t);

}  // namespace petrel
