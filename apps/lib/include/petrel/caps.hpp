// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: typed capability wrappers, one class per kernel object type, its invocations as methods.
//
// A wrapper holds one cap pointer and nothing else: `Endpoint ep{slot}`.
//   - The cap pointer is resolved in the calling thread's CSpace at depth 32
//     (the whole word), as every system call resolves it; 0 is the null cap
//     (a default-constructed wrapper; valid() is false). Nothing here checks
//     that the slot really holds an object of the wrapper's type: the kernel
//     answers exactly as for the free functions: an invocation on a missing
//     or wrong cap is an abi::Error of its lookup or decode step; Recv, Wait
//     or Poll on anything but an Endpoint or Notification is a cap fault; and
//     an invocation on an Endpoint or Notification cap is IPC, not an error.
//   - The type is what the caller says the cap is. A method that takes another
//     object takes its wrapper (Frame::map takes a PageDirectory, Tcb::configure
//     a CNode, a PageDirectory and a Frame), so handing a Tcb where a
//     PageDirectory is wanted does not compile. The constructor from u32 is
//     explicit and wrappers never convert into one another; cptr() gives the
//     raw word back where one is needed (CNode slot indices, process_give()).
//   - Arguments that are not resolved in the caller's CSpace stay plain u32:
//     CNode slot arguments, the (index, depth) pairs of seL4 relative to a
//     CNode wrapper; and Tcb::configure's fault_ep, a cap pointer in the
//     configured thread's own CSpace.
//   - Every invocation returns an abi::Error ([[nodiscard]]: Error::None on
//     success; on an error the `detail` registers, where a method has them,
//     say which argument was wrong). Errors are values; nothing throws, stops
//     or keeps state. The IPC methods return what petrel/user.hpp's system
//     calls return (abi::MessageInfo, RecvResult, a notification word, or
//     nothing: Send and Signal have no answer).
//   - The IPC buffer rule: a method whose message may carry more than four
//     words or any extra cap (Retype, Copy/Mint/Move, Configure, Map, ...)
//     takes the calling thread's IPC buffer `ipc` as its first argument, as
//     invocations.hpp does: MR4.. and the extra cap pointers travel there, and
//     a thread of a shared address space has no way to find its own buffer
//     (there is no thread-local storage). Given a null `ipc` such a method
//     returns Error::TruncatedMessage without calling. Methods whose message
//     fits in registers (Delete, Revoke, Resume, Unmap, cache operations, Ack,
//     all IPC whose caller keeps to MR0-3) take no buffer. The wrapper does
//     not hold the pointer, so it stays one word and can be shared by threads.
//   - Zero overhead: each method is an inline call of the invocations.hpp or
//     user.hpp function of the same name, and each wrapper is one trivially
//     copyable u32 (static_asserts below; test/host/caps_test.cpp checks the
//     types refused).
//
// Names follow seL4's methods in snake_case, except that CNode.Delete is
// CNode::remove (`delete` is a C++ keyword). The root task's (and a process
// creator's) initial caps have typed names at the end (kInitCNode, ...).
// Example, a server loop and a frame mapped into another address space:
//
//   const Endpoint ep{kEpSlot};
//   MessageRegs mr{};
//   RecvResult r = ep.recv(mr);
//   for (;;) r = ep.reply_recv({0, 0, 0, 1}, mr);
//
//   const abi::Error e = Frame{frame_slot}.map(ipc, PageDirectory{pd_slot}, 0x200000, abi::kRightRead,
//                                              abi::kVmCacheable | abi::kVmExecuteNever);
#pragma once

#include "petrel/invocations.hpp"

namespace petrel {

namespace detail {

// What every wrapper is: a cap pointer. Only the wrappers derive from it; no
// function takes it, so it never lets one kind of cap stand for another.
class CapPtr {
  public:
    constexpr CapPtr() = default;
    explicit constexpr CapPtr(u32 cptr) : cptr_(cptr) {}
    constexpr u32 cptr() const { return cptr_; }
    constexpr bool valid() const { return cptr_ != 0; }

  private:
    u32 cptr_ = 0;
};

}  // namespace detail

class CNode;
class Frame;
class IrqHandler;
class Notification;
class PageDirectory;
class Tcb;
class Untyped;

// ---------------------------------------------------------------- IPC
// An Endpoint cap: the IPC system calls of user.hpp on it. MR0-3 travel in
// `mr`; longer messages keep MR4.. in the caller's IPC buffer (user.hpp).
class Endpoint : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    // Send, then wait for the reply (needs Write and Grant or GrantReply);
    // returns the reply's tag.
    abi::MessageInfo call(abi::MessageInfo info, MessageRegs &mr) const {
        return petrel::call(cptr(), info, mr);
    }
    void send(abi::MessageInfo info, const MessageRegs &mr) const { petrel::send(cptr(), info, mr); }
    void nb_send(abi::MessageInfo info, const MessageRegs &mr) const { petrel::nb_send(cptr(), info, mr); }
    RecvResult recv(MessageRegs &mr) const { return petrel::recv(cptr(), mr); }
    RecvResult nb_recv(MessageRegs &mr) const { return petrel::nb_recv(cptr(), mr); }
    // Reply to the last Call this thread received, then wait on this endpoint.
    RecvResult reply_recv(abi::MessageInfo info, MessageRegs &mr) const {
        return petrel::reply_recv(cptr(), info, mr);
    }
};

// A Notification cap: Signal ORs the cap's badge into the word; Wait blocks
// until the word is non-zero and returns (and clears) it; Poll returns it at
// once (0: nothing pending).
class Notification : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    void signal() const { petrel::signal(cptr()); }
    u32 wait() const { return petrel::wait(cptr()); }
    u32 poll() const { return petrel::poll(cptr()); }
};

// ---------------------------------------------------------------- CSpace
// A CNode cap: the slot operations. A slot is (index, depth) under this CNode
// (depth 32 in the root task's CNode: the index is the cap pointer); the source
// of Copy/Mint/Move is (index, depth) under `src_root`.
class CNode : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error copy(abi::IpcBuffer *ipc, u32 dest_index, u32 dest_depth, CNode src_root,
                                  u32 src_index, u32 src_depth, u32 rights) const {
        return cnode_copy(ipc, cptr(), dest_index, dest_depth, src_root.cptr(), src_index, src_depth, rights);
    }
    // As copy, with `data`: a badge (Endpoint, Notification) or abi::cnode_cap_data (CNode).
    [[nodiscard]] abi::Error mint(abi::IpcBuffer *ipc, u32 dest_index, u32 dest_depth, CNode src_root,
                                  u32 src_index, u32 src_depth, u32 rights, u32 data) const {
        return cnode_mint(ipc, cptr(), dest_index, dest_depth, src_root.cptr(), src_index, src_depth, rights,
                          data);
    }
    [[nodiscard]] abi::Error move(abi::IpcBuffer *ipc, u32 dest_index, u32 dest_depth, CNode src_root,
                                  u32 src_index, u32 src_depth) const {
        return cnode_move(ipc, cptr(), dest_index, dest_depth, src_root.cptr(), src_index, src_depth);
    }
    // seL4's CNode.Delete: empties the slot (the last cap to an object destroys it).
    [[nodiscard]] abi::Error remove(u32 index, u32 depth) const { return cnode_delete(cptr(), index, depth); }
    [[nodiscard]] abi::Error revoke(u32 index, u32 depth) const { return cnode_revoke(cptr(), index, depth); }
    // The reply cap of the caller's last Call into the empty slot (invocations.hpp).
    [[nodiscard]] abi::Error save_caller(u32 index, u32 depth) const {
        return cnode_save_caller(cptr(), index, depth);
    }
};

// An Untyped cap: Retype makes `num_objects` objects of `type` into empty
// slots node_offset.. of the CNode (node_index, node_depth) under `root`
// (node_depth 0: `root` itself); size_bits is an Untyped's size or a CNode's
// radix, ignored otherwise.
class Untyped : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error retype(abi::IpcBuffer *ipc, abi::ObjectType type, u32 size_bits, CNode root,
                                    u32 node_index, u32 node_depth, u32 node_offset, u32 num_objects) const {
        return untyped_retype(ipc, cptr(), type, size_bits, root.cptr(), node_index, node_depth, node_offset,
                              num_objects);
    }
};

// ---------------------------------------------------------------- virtual memory
// A PageDirectory cap: an address space (once AsidPool::assign gave it an
// ASID). Cache maintenance on the user range [start, end), inside one mapped frame.
class PageDirectory : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error clean(u32 start, u32 end) const {
        return page_directory_clean(cptr(), start, end);
    }
    [[nodiscard]] abi::Error invalidate(u32 start, u32 end) const {
        return page_directory_invalidate(cptr(), start, end);
    }
    [[nodiscard]] abi::Error clean_invalidate(u32 start, u32 end) const {
        return page_directory_clean_invalidate(cptr(), start, end);
    }
    [[nodiscard]] abi::Error unify(u32 start, u32 end) const {
        return page_directory_unify(cptr(), start, end);
    }
};

// A PageTable cap: maps the 1 MiB around `vaddr` of `pd` (once per cap).
class PageTable : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error map(abi::IpcBuffer *ipc, PageDirectory pd, u32 vaddr,
                                 MessageRegs *detail = nullptr) const {
        return page_table_map(ipc, cptr(), pd.cptr(), vaddr, detail);
    }
    // Needs the table's last cap (else Error::RevokeFirst).
    [[nodiscard]] abi::Error unmap() const { return page_table_unmap(cptr()); }
};

// A frame cap of any size (4 KiB, 64 KiB, 1 MiB, 16 MiB): Page.Map and the
// rest (invocations.hpp says what each argument may be). Cache operations take
// byte offsets [start, end) in the frame.
class Frame : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    // `rights`: abi::kRightRead, optionally abi::kRightWrite; `attr`: abi::VmAttributes.
    [[nodiscard]] abi::Error map(abi::IpcBuffer *ipc, PageDirectory pd, u32 vaddr, u32 rights, u32 attr,
                                 MessageRegs *detail = nullptr) const {
        return page_map(ipc, cptr(), pd.cptr(), vaddr, rights, attr, detail);
    }
    [[nodiscard]] abi::Error unmap() const { return page_unmap(cptr()); }
    // The frame's physical address, in `paddr` on success.
    [[nodiscard]] abi::Error address(u32 &paddr) const { return page_get_address(cptr(), paddr); }
    [[nodiscard]] abi::Error clean(u32 start, u32 end) const { return page_clean(cptr(), start, end); }
    [[nodiscard]] abi::Error invalidate(u32 start, u32 end) const {
        return page_invalidate(cptr(), start, end);
    }
    [[nodiscard]] abi::Error clean_invalidate(u32 start, u32 end) const {
        return page_clean_invalidate(cptr(), start, end);
    }
    // Clean to the point of unification and invalidate the instruction cache.
    [[nodiscard]] abi::Error unify(u32 start, u32 end) const { return page_unify(cptr(), start, end); }
};

// The ASID Control cap: makes an ASID pool from `untyped` (exactly 4 KiB of
// RAM, nothing made from it) into slot (index, depth) under `root`.
class AsidControl : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error make_pool(abi::IpcBuffer *ipc, Untyped untyped, CNode root, u32 index,
                                       u32 depth) const {
        return asid_control_make_pool(ipc, cptr(), untyped.cptr(), root.cptr(), index, depth);
    }
};

// An ASID pool cap: gives `pd` (without an ASID) one of the pool's ASIDs.
class AsidPool : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error assign(abi::IpcBuffer *ipc, PageDirectory pd,
                                    MessageRegs *detail = nullptr) const {
        return asid_pool_assign(ipc, cptr(), pd.cptr(), detail);
    }
};

// ---------------------------------------------------------------- threads
// A TCB cap (invocations.hpp documents each method).
class Tcb : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    // fault_ep: a cap pointer in the thread's own CSpace (0: none), so a u32;
    // cspace_root_data 0 keeps the CNode cap's guard, else abi::cnode_cap_data;
    // buffer: the IPC buffer's user address (512-aligned) inside `buffer_frame`.
    [[nodiscard]] abi::Error configure(abi::IpcBuffer *ipc, u32 fault_ep, CNode cspace_root,
                                       u32 cspace_root_data, PageDirectory vspace_root, u32 vspace_root_data,
                                       u32 buffer, Frame buffer_frame) const {
        return tcb_configure(ipc, cptr(), fault_ep, cspace_root.cptr(), cspace_root_data, vspace_root.cptr(),
                             vspace_root_data, buffer, buffer_frame.cptr());
    }
    // The first `count` registers of UserRegisters' order (pc, sp, cpsr, lr, r0, ...).
    [[nodiscard]] abi::Error write_registers(abi::IpcBuffer *ipc, bool resume_target, u32 count,
                                             const UserRegisters &regs) const {
        return tcb_write_registers(ipc, cptr(), resume_target, count, regs);
    }
    // Only the first four come back to a caller without an IPC buffer.
    [[nodiscard]] abi::Error read_registers(abi::IpcBuffer *ipc, bool suspend_source, u32 count,
                                            UserRegisters &regs) const {
        return tcb_read_registers(ipc, cptr(), suspend_source, count, regs);
    }
    [[nodiscard]] abi::Error resume() const { return tcb_resume(cptr()); }
    [[nodiscard]] abi::Error suspend() const { return tcb_suspend(cptr()); }  // a thread may suspend itself
    // At most the mcp of the thread of `authority`.
    [[nodiscard]] abi::Error set_priority(abi::IpcBuffer *ipc, Tcb authority, u32 priority) const {
        return tcb_set_priority(ipc, cptr(), authority.cptr(), priority);
    }
    [[nodiscard]] abi::Error set_mc_priority(abi::IpcBuffer *ipc, Tcb authority, u32 mcp) const {
        return tcb_set_mc_priority(ipc, cptr(), authority.cptr(), mcp);
    }
    // `ntfn` needs Read; its signals then also end the thread's endpoint waits.
    [[nodiscard]] abi::Error bind_notification(abi::IpcBuffer *ipc, Notification ntfn) const {
        return tcb_bind_notification(ipc, cptr(), ntfn.cptr());
    }
    [[nodiscard]] abi::Error unbind_notification() const { return tcb_unbind_notification(cptr()); }
    // The thread may program the virtual timer; `irq_handler` must be the
    // IrqHandler of its line (devices::kVirtualTimerIrq). clear_timer_access() ends it.
    [[nodiscard]] abi::Error set_timer_access(abi::IpcBuffer *ipc, IrqHandler irq_handler) const;
    [[nodiscard]] abi::Error clear_timer_access() const { return tcb_clear_timer_access(cptr()); }
    // TCB.SetAffinity: the thread runs on `core` (0..BootInfo::num_nodes - 1) from now on.
    [[nodiscard]] abi::Error set_affinity(u32 core) const { return tcb_set_affinity(cptr(), core); }
    // The DebugNameThread system call (no reply, so no error): at most 15
    // characters, passed through the caller's IPC buffer.
    void debug_name(abi::IpcBuffer *ipc, const char *name) const { debug_name_thread(ipc, cptr(), name); }
};

// ---------------------------------------------------------------- interrupts
// The IRQ Control cap: makes an IrqHandler for line `irq` in the empty slot
// (index, depth) under `root` and unmasks the line; get_trigger first makes
// it edge-triggered (edge 1) or level-sensitive (0).
class IrqControl : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    [[nodiscard]] abi::Error get(abi::IpcBuffer *ipc, u32 irq, CNode root, u32 index, u32 depth,
                                 MessageRegs *detail = nullptr) const {
        return irq_control_get(ipc, cptr(), irq, root.cptr(), index, depth, detail);
    }
    [[nodiscard]] abi::Error get_trigger(abi::IpcBuffer *ipc, u32 irq, u32 edge, CNode root, u32 index,
                                         u32 depth, MessageRegs *detail = nullptr) const {
        return irq_control_get_trigger(ipc, cptr(), irq, edge, root.cptr(), index, depth, detail);
    }
};

// An IrqHandler cap: one line's interrupts signal a notification.
class IrqHandler : public detail::CapPtr {
  public:
    using CapPtr::CapPtr;
    // `ntfn` needs Write; its badge is OR-ed into the word on each interrupt.
    [[nodiscard]] abi::Error set_notification(abi::IpcBuffer *ipc, Notification ntfn,
                                              MessageRegs *detail = nullptr) const {
        return irq_handler_set_notification(ipc, cptr(), ntfn.cptr(), detail);
    }
    // Unmasks the line after an interrupt.
    [[nodiscard]] abi::Error ack() const { return irq_handler_ack(cptr()); }
    [[nodiscard]] abi::Error clear() const { return irq_handler_clear(cptr()); }
};

inline abi::Error Tcb::set_timer_access(abi::IpcBuffer *ipc, IrqHandler irq_handler) const {
    return tcb_set_timer_access(ipc, cptr(), irq_handler.cptr());
}

// Zero overhead: each wrapper is its cap pointer, copied like a u32.
#define PETREL_CAP_IS_WORD(T) static_assert(sizeof(T) == sizeof(u32) && __is_trivially_copyable(T))
PETREL_CAP_IS_WORD(Endpoint);
PETREL_CAP_IS_WORD(Notification);
PETREL_CAP_IS_WORD(CNode);
PETREL_CAP_IS_WORD(Untyped);
PETREL_CAP_IS_WORD(PageDirectory);
PETREL_CAP_IS_WORD(PageTable);
PETREL_CAP_IS_WORD(Frame);
PETREL_CAP_IS_WORD(AsidControl);
PETREL_CAP_IS_WORD(AsidPool);
PETREL_CAP_IS_WORD(Tcb);
PETREL_CAP_IS_WORD(IrqControl);
PETREL_CAP_IS_WORD(IrqHandler);
#undef PETREL_CAP_IS_WORD

// ---------------------------------------------------------------- initial caps
// The root task's initial CSpace (abi::InitialCap), typed; a process creator
// with the root task's layout (petrel/process.hpp) uses them too.
inline constexpr Tcb kInitTcb{abi::kCapInitTcb};
inline constexpr CNode kInitCNode{abi::kCapInitCNode};
inline constexpr PageDirectory kInitVSpace{abi::kCapInitVSpace};
inline constexpr IrqControl kInitIrqControl{abi::kCapIrqControl};
inline constexpr AsidControl kInitAsidControl{abi::kCapAsidControl};
inline constexpr AsidPool kInitAsidPool{abi::kCapInitAsidPool};

}  // namespace petrel
