// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: the object allocator and processes (see process.hpp).
#include "petrel/process.hpp"

#include "petrel/caps.hpp"
#include "petrel/elf.hpp"

extern "C" char __init_array_end[], __image_end[];  // apps/lib/user.ld: end of the text segment; of the image

namespace petrel {

using abi::Error;
using abi::ObjectType;

namespace {

constexpr u32 kPage = 1u << abi::kPageBits;
constexpr u32 kRw = abi::kRightRead | abi::kRightWrite;
constexpr u32 kDataAttr = abi::kVmCacheable | abi::kVmExecuteNever;
// Where process_create() maps each new data frame in the creator's own space to
// fill it: one page, in a megabyte the creator must leave alone (its PageTable
// is made the first time).
constexpr u32 kCopyWindow = 0x7fe0'0000;
PageTable g_window_pt;

u32 align_up(u32 v, u32 a) { return (v + a - 1) & ~(a - 1); }

Error first_error(Error a, Error b) { return a != Error::None ? a : b; }

// The creator's slot of its CNode, by cap pointer (depth 32).
Error del(u32 slot) { return kInitCNode.remove(slot, 32); }

}  // namespace

// ---------------------------------------------------------------- allocator
void Allocator::init(const abi::BootInfo *bi, abi::IpcBuffer *ipc, u32 untyped, u32 first_slot, u32 end_slot) {
    bi_ = bi;
    ipc_ = ipc;
    untyped_ = untyped;
    next_ = first_slot;
    end_ = end_slot;
    error_ = Error::None;
}

bool Allocator::fail(Error e) {
    if (error_ == Error::None) error_ = e;
    return false;
}

u32 Allocator::slot() {
    if (next_ >= end_) return fail(Error::RangeError), 0;
    return next_++;
}

u32 Allocator::make(ObjectType type, u32 size_bits) {
    const u32 s = slot();
    if (!s) return 0;
    const Error e = Untyped{untyped_}.retype(ipc_, type, size_bits, kInitCNode, 0, 0, s, 1);
    if (e != Error::None) return fail(e), 0;
    return s;
}

u32 Allocator::copy(u32 src, u32 rights, u32 badge) {
    const u32 s = slot();
    if (!s) return 0;
    const Error e = badge ? kInitCNode.mint(ipc_, s, 32, kInitCNode, src, 32, rights, badge)
                          : kInitCNode.copy(ipc_, s, 32, kInitCNode, src, 32, rights);
    if (e != Error::None) return fail(e), 0;
    return s;
}

u32 Allocator::device_frame(paddr_t paddr) {
    if (paddr & (kPage - 1)) return fail(Error::AlignmentError), 0;
    u32 ut = 0;
    for (u32 i = 0; i < bi_->untyped_count; ++i) {
        const abi::UntypedDesc &u = bi_->untyped_list[i];
        const u64 end = u64{u.paddr} + (u64{1} << u.size_bits);
        if (u.is_device && paddr >= u.paddr && paddr < end) ut = bi_->untyped.start + i;
    }
    if (!ut) return fail(Error::InvalidArgument), 0;
    // The frames below the one wanted stay until it is made: deleted at once,
    // they would leave the Untyped without children, and Retype would reset
    // its watermark to the start again.
    // The first frame shows where the watermark is; after it, each frame is the
    // largest (16 MiB, 1 MiB, 64 KiB or 4 KiB) that ends at or below paddr where
    // Retype puts it (the watermark rounded up to its size), so any page of the
    // Untyped is reached in a few dozen steps.
    const u32 first = next_;
    u32 found = 0, size = kPage;
    for (u32 made = 0; made < 256 && !found; ++made) {
        const u32 s = slot();
        if (!s) break;
        static constexpr ObjectType kTypes[] = {ObjectType::Frame4K, ObjectType::Frame64K, ObjectType::Frame1M,
                                                ObjectType::Frame16M};
        ObjectType type = kTypes[0];
        for (u32 k = 0; k < 4; ++k)
            if (size == (kPage << (4 * k))) type = kTypes[k];
        Error e = Untyped{ut}.retype(ipc_, type, 0, kInitCNode, 0, 0, s, 1);
        u32 at = 0;
        if (e == Error::None) e = Frame{s}.address(at);
        if (e != Error::None) {
            fail(e);
            break;
        }
        if (at == paddr && size == kPage) found = s;
        else if (at >= paddr) {
            fail(Error::InvalidArgument);  // taken before
            break;
        }
        const u64 next = u64{at} + size;  // the watermark now
        size = kPage;
        for (u32 big = kPage << 12; big > kPage; big >>= 4)
            if (((next + big - 1) & ~u64{big - 1}) + big <= paddr) {
                size = big;
                break;
            }
    }
    if (!found) fail(Error::RangeError);
    for (u32 s = first; s < next_; ++s)
        if (s != found) del(s);  // frames nobody holds: nothing to report
    // The frame goes to the first slot taken, the others are free again: one slot per device frame.
    if (found && found != first && kInitCNode.move(ipc_, first, 32, kInitCNode, found, 32) != Error::None)
        return next_ = first, fail(Error::RangeError), 0;
    next_ = found ? first + 1 : first;
    return found ? first : 0;
}

// ---------------------------------------------------------------- processes
namespace {

// The process's objects, typed (Process keeps them as slots of the creator's CNode).
Tcb thread(const Process &p) { return Tcb{p.tcb}; }
CNode cspace(const Process &p) { return CNode{p.cnode}; }
PageDirectory vspace(const Process &p) { return PageDirectory{p.pd}; }

// The thread's first instructions: entry(a0, a1, a2), then it stops itself.
[[noreturn]] void process_entry(void (*entry)(u32, u32, u32), u32 a0, u32 a1, u32 a2) {
    entry(a0, a1, a2);
    static_cast<void>(Tcb{kProcessCapTcb}.suspend());  // it does not return if it succeeds
    for (;;) {
    }
}

// Maps `frame` at `vaddr` of `pd`, first making and mapping a PageTable for
// the megabyte if `need_table`; the table's slot goes to `pt_slot` (else 0).
Error map_with_table(Allocator &alloc, Frame frame, PageDirectory pd, u32 vaddr, u32 rights, u32 attr,
                     bool need_table, u32 &pt_slot) {
    pt_slot = 0;
    if (need_table) {
        pt_slot = alloc.make(ObjectType::PageTable);
        if (!pt_slot) return alloc.error();
        const Error e = PageTable{pt_slot}.map(alloc.ipc(), pd, vaddr);
        if (e != Error::None) return e;
    }
    return frame.map(alloc.ipc(), pd, vaddr, rights, attr);
}

// Fills the new frame `frame` through the creator's copy window: its first
// `len` bytes from `src` (the rest stays zero, as Retype made it); `code`:
// then makes the instruction side see them (PageUnify).
Error fill_frame(Allocator &alloc, Frame frame, const u8 *src, u32 len, bool code) {
    u32 pt = 0;
    Error e =
        map_with_table(alloc, frame, kInitVSpace, kCopyWindow, kRw, kDataAttr, !g_window_pt.valid(), pt);
    if (pt) g_window_pt = PageTable{pt};
    if (e != Error::None) return e;
    if (len) __builtin_memcpy(reinterpret_cast<u8 *>(kCopyWindow), src, len);
    if (code) e = frame.unify(0, kPage);
    return first_error(e, frame.unmap());
}

// Each page of each of the ELF's segments: a new frame holding its bytes,
// mapped into the process with the segment's permissions.
Error load_elf(Allocator &alloc, Process &p, const ElfFile &f) {
    for (u32 i = 0; i < f.segment_count(); ++i) {
        const ElfSegment &s = f.segment(i);
        const u32 rights = s.writable ? kRw : u32{abi::kRightRead};
        const u32 attr = abi::kVmCacheable | (s.executable ? 0u : u32{abi::kVmExecuteNever});
        for (u32 page = s.vaddr; page < s.vaddr + s.memsz; page += kPage) {
            const Frame frame{alloc.make(ObjectType::Frame4K)};
            p.end_slot = alloc.next_slot();
            if (!frame.valid()) return alloc.error();
            ++p.image_pages;
            const u32 done = page - s.vaddr;  // file bytes before this page
            const u32 len = done >= s.filesz ? 0 : (s.filesz - done < kPage ? s.filesz - done : kPage);
            Error e = fill_frame(alloc, frame, f.bytes(s) + done, len, s.executable);
            p.end_slot = alloc.next_slot();  // the window's PageTable, the first time
            if (e == Error::None) e = frame.map(alloc.ipc(), vspace(p), page, rights, attr);
            if (e != Error::None) return e;
        }
    }
    return Error::None;
}

// Puts a copy, a badged copy or (`move`) the creator's cap `src` into the
// process's slot `dest`.
Error child_put(Allocator &alloc, Process &p, u32 dest, u32 src, u32 rights, u32 badge, bool move) {
    abi::IpcBuffer *ipc = alloc.ipc();
    const CNode child = cspace(p);
    if (move) return child.move(ipc, dest, p.cnode_radix, kInitCNode, src, 32);
    if (badge) return child.mint(ipc, dest, p.cnode_radix, kInitCNode, src, 32, rights, badge);
    return child.copy(ipc, dest, p.cnode_radix, kInitCNode, src, 32, rights);
}

// The same into the next free slot, which `child_slot` then names.
Error child_insert(Allocator &alloc, Process &p, u32 src, u32 rights, u32 badge, bool move, u32 &child_slot) {
    if (p.next_child_slot >= (1u << p.cnode_radix)) return Error::RangeError;
    const Error e = child_put(alloc, p, p.next_child_slot, src, rights, badge, move);
    if (e == Error::None) child_slot = p.next_child_slot++;
    return e;
}

// The spec names something to run, a CNode of 2..16 bits and 1..255 stack
// pages; an ELF, if it names one, parses into `elf` and fits the process's
// address space (else p.why says what is wrong with it).
Error check_spec(const ProcessSpec &spec, ElfFile &elf, Process &p) {
    if ((!spec.entry && !spec.elf_begin) || spec.cnode_radix < 2 || spec.cnode_radix > 16 ||
        spec.stack_pages == 0 || spec.stack_pages > 255)
        return Error::InvalidArgument;
    if (spec.elf_begin) {
        if (!elf.parse(spec.elf_begin, spec.elf_end)) p.why = elf.error();
        else p.why = elf.check_image(kProcessImageBase, kProcessIpcBuffer);
        if (p.why) return Error::InvalidArgument;
    }
    return Error::None;
}

// What a process without an ELF runs: the creator's own image, its text up to
// .init_array's end, then its data (no pages at all with an ELF).
struct CreatorImage {
    u32 text_end, text_pages, data_pages;
};

// The creator's image as a process without an ELF sees it; RangeError when it
// reaches the process's IPC buffer.
Error measure_creator_image(const ProcessSpec &spec, CreatorImage &img) {
    const u32 text_end = align_up(reinterpret_cast<u32>(__init_array_end), kPage);
    const u32 image_end = align_up(reinterpret_cast<u32>(__image_end), kPage);
    if (!spec.elf_begin && image_end > kProcessIpcBuffer) return Error::RangeError;
    img.text_end = text_end;
    img.text_pages = spec.elf_begin ? 0 : (text_end - kProcessImageBase) / kPage;
    img.data_pages = spec.elf_begin ? 0 : (image_end - text_end) / kPage;
    return Error::None;
}

// The PageTables of the image's, the IPC buffer's and the stack's megabytes
// (the stack's are at most two: it is at most 255 pages; stack_low is ~0
// when one is enough).
struct ProcessTables {
    PageTable image, ipc, stack_high, stack_low;
    u32 stack_mb_low, stack_mb_high;
};

// Makes the process's directory, CNode, TCB and PageTables, largest first:
// nothing is lost to alignment.
Error make_objects(Allocator &alloc, const ProcessSpec &spec, Process &p, ProcessTables &t) {
    p.first_slot = alloc.next_slot();
    p.cnode_radix = spec.cnode_radix;
    p.pd = alloc.make(ObjectType::PageDirectory);
    p.cnode = alloc.make(ObjectType::CNode, spec.cnode_radix);
    p.tcb = alloc.make(ObjectType::Tcb);
    t.image = PageTable{alloc.make(ObjectType::PageTable)};
    t.ipc = PageTable{alloc.make(ObjectType::PageTable)};
    const u32 stack_low = kProcessStackTop - spec.stack_pages * kPage;
    t.stack_mb_low = stack_low >> abi::kSectionBits;
    t.stack_mb_high = (kProcessStackTop - 1) >> abi::kSectionBits;
    t.stack_high = PageTable{alloc.make(ObjectType::PageTable)};
    t.stack_low = PageTable{t.stack_mb_low != t.stack_mb_high ? alloc.make(ObjectType::PageTable) : ~0u};
    p.end_slot = alloc.next_slot();
    if (!p.pd || !p.cnode || !p.tcb || !t.image.valid() || !t.ipc.valid() || !t.stack_high.valid() ||
        !t.stack_low.valid())
        return alloc.error();
    return Error::None;
}

// Gives the directory an ASID and maps the PageTables into it.
Error map_tables(abi::IpcBuffer *ipc, Process &p, const ProcessTables &t) {
    const bool two = t.stack_mb_low != t.stack_mb_high;
    Error e = kInitAsidPool.assign(ipc, vspace(p));
    e = first_error(e, t.image.map(ipc, vspace(p), kProcessImageBase));
    e = first_error(e, t.ipc.map(ipc, vspace(p), kProcessIpcBuffer));
    e = first_error(e, t.stack_high.map(ipc, vspace(p), t.stack_mb_high << abi::kSectionBits));
    if (two) e = first_error(e, t.stack_low.map(ipc, vspace(p), t.stack_mb_low << abi::kSectionBits));
    if (e != Error::None) return e;
    p.table_mb[p.table_count++] = t.stack_mb_high;  // process_map() makes no second table there
    if (two) p.table_mb[p.table_count++] = t.stack_mb_low;
    return Error::None;
}

// The creator's text, shared read-only (its first `pages` pages).
Error share_creator_text(Allocator &alloc, Process &p, u32 pages) {
    const abi::BootInfo *bi = alloc.bootinfo();
    for (u32 i = 0; i < pages; ++i) {
        const Frame f{alloc.copy(bi->user_image_frames.start + i, abi::kRightRead)};
        p.end_slot = alloc.next_slot();
        if (!f.valid()) return alloc.error();
        const Error e = f.map(alloc.ipc(), vspace(p), kProcessImageBase + i * kPage, abi::kRightRead,
                              abi::kVmCacheable);
        if (e != Error::None) return e;
    }
    return Error::None;
}

// The creator's data and bss: private copies of its `pages` pages from `begin` on.
Error copy_creator_data(Allocator &alloc, Process &p, u32 begin, u32 pages) {
    for (u32 i = 0; i < pages; ++i) {
        const u32 vaddr = begin + i * kPage;
        const Frame f{alloc.make(ObjectType::Frame4K)};
        p.end_slot = alloc.next_slot();
        if (!f.valid()) return alloc.error();
        Error e = fill_frame(alloc, f, reinterpret_cast<const u8 *>(vaddr), kPage, false);
        p.end_slot = alloc.next_slot();  // the window's PageTable, the first time
        if (e == Error::None) e = f.map(alloc.ipc(), vspace(p), vaddr, kRw, kDataAttr);
        if (e != Error::None) return e;
    }
    return Error::None;
}

// The IPC buffer (its frame into `buffer`) and the stack: new frames, zero.
Error map_buffer_and_stack(Allocator &alloc, Process &p, const ProcessSpec &spec, Frame &buffer) {
    abi::IpcBuffer *ipc = alloc.ipc();
    buffer = Frame{alloc.make(ObjectType::Frame4K)};
    p.end_slot = alloc.next_slot();
    if (!buffer.valid()) return alloc.error();
    Error e = buffer.map(ipc, vspace(p), kProcessIpcBuffer, kRw, kDataAttr);
    for (u32 i = 0; e == Error::None && i < spec.stack_pages; ++i) {
        const Frame f{alloc.make(ObjectType::Frame4K)};
        p.end_slot = alloc.next_slot();
        if (!f.valid()) return alloc.error();
        e = f.map(ipc, vspace(p), kProcessStackTop - (i + 1) * kPage, kRw, kDataAttr);
    }
    return e;
}

// The CSpace: its TCB and CNode, and the fault endpoint if any.
Error fill_cspace(Allocator &alloc, Process &p, const ProcessSpec &spec) {
    Error e = child_put(alloc, p, kProcessCapTcb, p.tcb, abi::kRightsAll, 0, false);
    e = first_error(e, child_put(alloc, p, kProcessCapCNode, p.cnode, abi::kRightsAll, 0, false));
    if (e == Error::None && spec.fault_ep)
        e = child_put(alloc, p, kProcessCapFault, spec.fault_ep, abi::kRightWrite | abi::kRightGrantReply,
                      spec.fault_badge, false);
    return e;
}

// The thread's fault endpoint, CSpace, VSpace and IPC buffer, its priority and name.
Error configure_thread(abi::IpcBuffer *ipc, const Process &p, const ProcessSpec &spec, Frame buffer) {
    const u32 fault_slot = spec.fault_ep ? kProcessCapFault : 0;
    Error e = thread(p).configure(ipc, fault_slot, cspace(p), abi::cnode_cap_data(0, 32 - spec.cnode_radix),
                                  vspace(p), 0, kProcessIpcBuffer, buffer);
    e = first_error(e, thread(p).set_priority(ipc, kInitTcb, spec.priority));
    if (e != Error::None) return e;
    thread(p).debug_name(ipc, spec.name);
    return Error::None;
}

// The thread's first registers: pc, sp, cpsr, lr and r0-r3.
UserRegisters initial_registers(const ProcessSpec &spec, const ElfFile &elf) {
    UserRegisters r{};
    r.sp = kProcessStackTop;
    r.lr = 0;
    if (spec.elf_begin) {  // the ELF's entry (Thumb if its bit 0 is set), r0-r2 the arguments
        constexpr u32 kCpsrThumb = 1u << 5;
        r.pc = elf.entry() & ~1u;
        r.cpsr = kCpsrUserArm | ((elf.entry() & 1) ? kCpsrThumb : 0);
        r.r[0] = spec.arg[0];
        r.r[1] = spec.arg[1];
        r.r[2] = spec.arg[2];
    } else {  // process_entry(entry, arg0, arg1, arg2)
        r.pc = reinterpret_cast<u32>(&process_entry);
        r.cpsr = kCpsrUserArm;
        r.r[0] = reinterpret_cast<u32>(spec.entry);
        r.r[1] = spec.arg[0];
        r.r[2] = spec.arg[1];
        r.r[3] = spec.arg[2];
    }
    return r;
}

}  // namespace

Error process_prepare(Allocator &alloc) {
    if (g_window_pt.valid()) return Error::None;
    const PageTable pt{alloc.make(ObjectType::PageTable)};
    if (!pt.valid()) return alloc.error();
    const Error e = pt.map(alloc.ipc(), kInitVSpace, kCopyWindow);
    if (e != Error::None) {
        del(pt.cptr());
        return e;
    }
    g_window_pt = pt;
    return Error::None;
}

Error process_create(Allocator &alloc, const ProcessSpec &spec, Process &p) {
    p = Process{};
    ElfFile elf;
    CreatorImage img;
    ProcessTables tables;
    Frame buffer;
    Error e = Error::None;
    if ((e = check_spec(spec, elf, p)) != Error::None) return e;
    if ((e = measure_creator_image(spec, img)) != Error::None) return e;
    if ((e = make_objects(alloc, spec, p, tables)) != Error::None) return e;
    if ((e = map_tables(alloc.ipc(), p, tables)) != Error::None) return e;
    // An ELF's segments; or the creator's text, shared read-only, and copies of its data.
    if (spec.elf_begin && (e = load_elf(alloc, p, elf)) != Error::None) return e;
    if ((e = share_creator_text(alloc, p, img.text_pages)) != Error::None) return e;
    if ((e = copy_creator_data(alloc, p, img.text_end, img.data_pages)) != Error::None) return e;
    if ((e = map_buffer_and_stack(alloc, p, spec, buffer)) != Error::None) return e;
    if ((e = fill_cspace(alloc, p, spec)) != Error::None) return e;
    if ((e = configure_thread(alloc.ipc(), p, spec, buffer)) != Error::None) return e;
    return thread(p).write_registers(alloc.ipc(), false, 8, initial_registers(spec, elf));
}

Error process_give(Allocator &alloc, Process &p, u32 src, u32 rights, u32 badge, u32 &child_slot) {
    return child_insert(alloc, p, src, rights, badge, false, child_slot);
}

Error process_move(Allocator &alloc, Process &p, u32 src, u32 &child_slot) {
    return child_insert(alloc, p, src, 0, 0, true, child_slot);
}

namespace {

// Records a slot process_map() filled: it extends the run, or starts it, or goes to extra.
bool keep_mapped(Process &p, u32 slot) {
    if (p.run_first && p.run_end == slot) ++p.run_end;
    else if (!p.run_first) p.run_first = slot, p.run_end = slot + 1;
    else if (p.extra_count < Process::kMaxExtra) p.extra[p.extra_count++] = slot;
    else return false;
    return true;
}

}  // namespace

Error process_map(Allocator &alloc, Process &p, u32 frame, u32 vaddr, u32 rights, u32 attr) {
    // A megabyte has a PageTable if process_create() or an earlier call made one.
    const u32 mb = vaddr >> abi::kSectionBits;
    bool have = mb == kProcessImageBase >> abi::kSectionBits || mb == kProcessIpcBuffer >> abi::kSectionBits;
    for (u32 i = 0; i < p.table_count; ++i) have = have || p.table_mb[i] == mb;
    if (!have && p.table_count == Process::kMaxExtra) return Error::RangeError;
    const u32 c = alloc.copy(frame, abi::kRightsAll);
    if (!c) return alloc.error();
    if (!keep_mapped(p, c)) {
        del(c);
        return Error::RangeError;
    }
    u32 pt = 0;
    const Error e = map_with_table(alloc, Frame{c}, vspace(p), vaddr, rights, attr, !have, pt);
    if (pt) {
        if (!keep_mapped(p, pt)) {
            del(pt);  // unmaps it; the frame's mapping goes with it
            return Error::RangeError;
        }
        p.table_mb[p.table_count++] = mb;
    }
    return e;
}

Error process_start(const Process &p) { return thread(p).resume(); }

Error process_destroy(Process &p) {
    // The thread first: revoking its cap deletes the copy in its own CNode,
    // deleting the last one destroys it.
    Error e = Error::None;
    if (p.tcb) {
        e = first_error(e, kInitCNode.revoke(p.tcb, 32));
        e = first_error(e, del(p.tcb));
    }
    // The CNode (with the copy of itself it holds) and every cap in it.
    if (p.cnode) {
        e = first_error(e, kInitCNode.revoke(p.cnode, 32));
        e = first_error(e, del(p.cnode));
    }
    // Frames and tables mapped later, then everything else, newest first.
    for (u32 i = p.extra_count; i > 0; --i) e = first_error(e, del(p.extra[i - 1]));
    for (u32 s = p.run_end; s > p.run_first; --s) e = first_error(e, del(s - 1));
    for (u32 s = p.end_slot; s > p.first_slot; --s) {
        if (s - 1 == g_window_pt.cptr()) continue;  // the creator's copy window stays
        e = first_error(e, kInitCNode.revoke(s - 1, 32));
        e = first_error(e, del(s - 1));
    }
    p = Process{};
    return e;
}

}  // namespace petrel
