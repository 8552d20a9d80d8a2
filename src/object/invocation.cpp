// SPDX-License-Identifier: BSD-2-Clause
// Invocation decoding support and the dispatch to each object's decoder (see invocation.hpp).
#include "invocation.hpp"

#include <initializer_list>
#include <stdarg.h>

#include "cnode.hpp"
#include "console.hpp"
#include "ipc.hpp"
#include "irq_handler.hpp"
#include "lib/format.hpp"
#include "tcb.hpp"
#include "untyped.hpp"

namespace petrel {

using abi::Error;

namespace {
SyscallError g_error;

Status fail(Error code, std::initializer_list<u32> details) {
    g_error = {};
    g_error.code = code;
    for (u32 d : details) g_error.detail[g_error.detail_count++] = d;
    return Status::Error;
}

void log_v([[maybe_unused]] Invocation &inv, [[maybe_unused]] const char *fmt,
           [[maybe_unused]] va_list args) {
#ifndef NDEBUG
    kprintf("petrel: %s: %s: ", tcb_name(inv.thread), inv.name);
    kvprintf(fmt, args);
    kprintf("\n");
#endif
}

void log(Invocation &inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log(Invocation &inv, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    log_v(inv, fmt, args);
    va_end(args);
}
}  // namespace

const SyscallError &last_error() { return g_error; }

u32 Invocation::mr(u32 i) const { return get_mr(thread, buffer, i); }

void Invocation::reply_mr(u32 i, u32 value) {
    set_mr(thread, buffer, i, value);
    if (i + 1 > reply_length) reply_length = i + 1;
}

Status reject_truncated(Invocation &inv, u32 words, u32 caps) {
    log(inv, "truncated message: expected %u words and %u extra caps, got %u words and %u extra caps",
        words, caps, inv.length(), inv.extra_count);
    return fail(Error::TruncatedMessage, {});
}

namespace {
// Logs "<arg>: <explanation>" and fails with `code` and one detail word.
Status reject_arg_v(Invocation &inv, Error code, u32 detail, const char *arg, const char *fmt, va_list args) {
    char what[120];
    vsnformat(what, sizeof(what), fmt, args);
    log(inv, "%s: %s", arg, what);
    return fail(code, {detail});
}
}  // namespace

Status reject_argument(Invocation &inv, u32 mr_index, const char *arg, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    Status o = reject_arg_v(inv, Error::InvalidArgument, mr_index, arg, fmt, args);
    va_end(args);
    return o;
}

Status reject_cap(Invocation &inv, u32 cap_index, const char *arg, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    Status o = reject_arg_v(inv, Error::InvalidCapability, cap_index, arg, fmt, args);
    va_end(args);
    return o;
}

Status reject_illegal(Invocation &inv, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    log_v(inv, fmt, args);
    va_end(args);
    return fail(Error::IllegalOperation, {});
}

Status reject_range(Invocation &inv, const char *arg, u32 value, u32 min, u32 max) {
    log(inv, "%s: expected %u..%u, got %u", arg, min, max, value);
    return fail(Error::RangeError, {min, max});
}

Status reject_lookup(Invocation &inv, bool source, const char *arg, const Lookup &l) {
    char what[120];
    describe_lookup(l, what, sizeof(what));
    log(inv, "%s: lookup failed: %s", arg, what);
    u32 kind = static_cast<u32>(l.failure);
    switch (l.failure) {
    case abi::LookupFailure::DepthMismatch:
        return fail(Error::FailedLookup, {source, kind, l.bits_left, l.bits_needed});
    case abi::LookupFailure::GuardMismatch:
        return fail(Error::FailedLookup, {source, kind, l.bits_left, l.guard_found, l.guard_size});
    case abi::LookupFailure::MissingCapability: return fail(Error::FailedLookup, {source, kind, l.bits_left});
    default: return fail(Error::FailedLookup, {source, kind});
    }
}

Status reject_delete_first(Invocation &inv, const char *arg, u32 index) {
    log(inv, "%s: expected an empty slot, got slot %u holding a cap", arg, index);
    return fail(Error::DeleteFirst, {index});
}

Status reject_occupied(Invocation &inv, const char *arg, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    Status o = reject_arg_v(inv, Error::DeleteFirst, 0, arg, fmt, args);
    va_end(args);
    return o;
}

Status reject_missing_table(Invocation &inv, const char *arg, u32 vaddr, const char *what) {
    log(inv, "%s: expected %s mapped for 0x%08x, got none", arg, what, vaddr);
    return fail(Error::FailedLookup, {0, static_cast<u32>(abi::LookupFailure::MissingCapability), abi::kSectionBits});
}

Status reject_revoke_first(Invocation &inv, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    log_v(inv, fmt, args);  // one line, like reject_illegal
    va_end(args);
    return fail(Error::RevokeFirst, {});
}

Status reject_memory(Invocation &inv, u32 available, u32 needed) {
    log(inv, "not enough memory: expected %u bytes free, got %u", needed, available);
    return fail(Error::NotEnoughMemory, {available});
}

Status reject_alignment(Invocation &inv, const char *arg, u32 value, u32 align_bits) {
    log(inv, "%s: expected a multiple of %u, got 0x%x", arg, 1u << align_bits, value);
    return fail(Error::AlignmentError, {});
}

Result<Slot *> lookup_arg_slot(Invocation &inv, const Cap &root, u32 index, u32 depth, bool source,
                               const char *arg, SlotNeed need) {
    if (depth < 1 || depth > 32) {
        char name[40];
        snformat(name, sizeof(name), "%s depth", arg);
        return reject_range(inv, name, depth, 1, 32);
    }
    Lookup l = lookup_exact(root, index, depth);
    if (!l.ok()) return reject_lookup(inv, source, arg, l);
    if (need == SlotNeed::Cap && l.slot->cap.is_null()) {
        l.failure = abi::LookupFailure::MissingCapability;
        return reject_lookup(inv, source, arg, l);
    }
    if (need == SlotNeed::Empty && !l.slot->cap.is_null()) return reject_delete_first(inv, arg, index);
    return l.slot;
}

Status decode_invocation(Invocation &inv) {
    switch (inv.cap.type()) {
    case CapType::Untyped: return decode_untyped(inv);
    case CapType::CNode: return decode_cnode(inv);
    case CapType::Thread: return decode_tcb(inv);
    case CapType::Frame4K:
    case CapType::Frame64K:
    case CapType::Frame1M:
    case CapType::Frame16M:
    case CapType::PageTable:
    case CapType::PageDirectory:
    case CapType::AsidControl:
    case CapType::AsidPool: return arch::decode_invocation(inv);
    case CapType::IrqControl: return decode_irq_control(inv);
    case CapType::IrqHandler: return decode_irq_handler(inv);
    case CapType::Debug:
        inv.name = "Debug";
        return reject_illegal(inv, "Debug caps have no methods: they are the cap of DebugHalt and DebugDumpScheduler "
                                   "(label %u)", inv.label());
    case CapType::Null:
        inv.name = "invoke";
        return reject_cap(inv, 0, "cap", "expected a cap, got an empty slot (cptr 0x%x)", inv.cptr);
    case CapType::Zombie:
        inv.name = "invoke";
        return reject_cap(inv, 0, "cap", "expected a usable cap, got one being deleted (cptr 0x%x)",
                          inv.cptr);
    default:
        inv.name = cap_type_name(inv.cap.type());
        return reject_illegal(inv, "%s caps have no invocations in this kernel yet (label %u)",
                              cap_type_name(inv.cap.type()), inv.label());
    }
}

}  // namespace petrel
