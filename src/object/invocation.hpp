// SPDX-License-Identifier: BSD-2-Clause
// An invocation being decoded: the invoked cap, the message, the extra caps, and
// how a decoder rejects it.
//
// Every method has two steps, as in seL4: decode_X reads and checks everything,
// through the reject_*() helpers below, and changes nothing; its last step is
// `return invoke_X(decoded arguments)`. invoke_X only changes state and cannot
// fail (it may be preempted, and the call restarts). Helpers that decode one
// argument return a Result<T> (status.hpp). Ending decode in a tail call keeps
// every reject path a tail call too, where returning an argument struct would
// go through memory (AAPCS returns anything over a word that way). A rejection
// records the error code and its details for the reply, and in debug builds
// prints one line:
//   petrel: <thread>: <Object.Method>: <argument>: expected <what>, got <value>
#pragma once

#include "cspace.hpp"
#include "petrel/abi.hpp"
#include "status.hpp"
#include "tcb.hpp"

namespace petrel {

struct Invocation {
    const char *name = "?";       // "CNode.Copy": set by the decoder, used in log lines
    Tcb *thread = nullptr;
    abi::MessageInfo info{};      // length already clamped to what the thread can send
    abi::IpcBuffer *buffer = nullptr;
    u32 cptr = 0;
    Slot *slot = nullptr;         // the invoked cap's slot
    Cap cap;
    u32 extra_cptr[abi::kMsgMaxExtraCaps] = {};
    Slot *extra[abi::kMsgMaxExtraCaps] = {};
    u32 extra_count = 0;
    u32 reply_length = 0;         // message registers of a successful reply

    u32 label() const { return info.label; }
    u32 length() const { return info.length; }
    // Message register i (i < length()).
    u32 mr(u32 i) const;
    // Sets message register i of the reply.
    void reply_mr(u32 i, u32 value);
};

// The error of the last rejected invocation, for the reply.
struct SyscallError {
    abi::Error code = abi::Error::None;
    u32 detail[5] = {};
    u32 detail_count = 0;
};
const SyscallError &last_error();

// Each returns Status::Error after recording the error and logging.
// `arg` names the argument as the API documents it ("dest_depth").
Status reject_truncated(Invocation &inv, u32 words, u32 caps);
Status reject_argument(Invocation &inv, u32 mr_index, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Status reject_cap(Invocation &inv, u32 cap_index, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Status reject_illegal(Invocation &inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
Status reject_range(Invocation &inv, const char *arg, u32 value, u32 min, u32 max);
Status reject_lookup(Invocation &inv, bool source, const char *arg, const Lookup &l);
Status reject_delete_first(Invocation &inv, const char *arg, u32 index);
// DeleteFirst, MR0 = 0: a mapping or table is already where `arg` asks for one.
Status reject_occupied(Invocation &inv, const char *arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
// FailedLookup (MR0 0, MR1 MissingCapability, MR2 20): nothing covers `vaddr`;
// `what` names what was needed ("a PageTable", "a mapped frame").
Status reject_missing_table(Invocation &inv, const char *arg, u32 vaddr, const char *what = "a PageTable");
Status reject_revoke_first(Invocation &inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
Status reject_memory(Invocation &inv, u32 available, u32 needed);
// AlignmentError (no details): `value` is not a multiple of 2^align_bits.
Status reject_alignment(Invocation &inv, const char *arg, u32 value, u32 align_bits);

// Looks up a slot named by (root, index, depth) for a CNode operation, with the
// range check on depth; on failure rejects the invocation. SlotNeed::Cap also
// rejects an empty slot, SlotNeed::Empty an occupied one.
enum class SlotNeed { Any, Cap, Empty };
Result<Slot *> lookup_arg_slot(Invocation &inv, const Cap &root, u32 index, u32 depth, bool source,
                               const char *arg, SlotNeed need);

Status decode_invocation(Invocation &inv);

namespace arch {
// The architecture's objects: Frame, PageTable, PageDirectory, AsidControl and
// AsidPool caps (arch/arm/vspace.hpp).
Status decode_invocation(Invocation &inv);
}  // namespace arch

}  // namespace petrel
