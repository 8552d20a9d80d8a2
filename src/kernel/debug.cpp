// SPDX-License-Identifier: BSD-2-Clause
// The debug system calls and their Debug-cap check (see debug.hpp).
#include "debug.hpp"

#include "arch.hpp"
#include "console.hpp"
#include "cspace.hpp"
#include "ipc.hpp"
#include "panic.hpp"
#include "scheduler.hpp"

namespace petrel {

namespace {

// Whether r0 names a Debug cap in t's CSpace; if not, logs why (in debug
// builds) and leaves Error::InvalidCapability in r0 for the caller.
bool holds_debug_cap(Tcb *t, [[maybe_unused]] const char *call) {
    const u32 cptr = reg(t, arch::kRegCap);
    Lookup l = lookup_cap(t, cptr);
    if (l.ok() && l.slot->cap.type() == CapType::Debug) return true;
#ifndef NDEBUG
    if (!l.ok())
        kprintf("petrel: %s: %s: cap: expected a Debug cap, got a failed lookup of cptr 0x%x (lookup failure %u)\n",
                tcb_name(t), call, cptr, static_cast<u32>(l.failure));
    else
        kprintf("petrel: %s: %s: cap: expected a Debug cap, got %s (cptr 0x%x)\n", tcb_name(t), call,
                l.slot->cap.is_null() ? "an empty slot" : cap_type_name(l.slot->cap.type()), cptr);
#endif
    reg(t, arch::kRegCap) = static_cast<u32>(abi::Error::InvalidCapability);
    return false;
}

}  // namespace

Status debug_put_char(Tcb *t) {
    kputc(static_cast<char>(reg(t, arch::kRegCap)));
    return Status::Ok;
}

Status debug_halt(Tcb *t) {
    if (!holds_debug_cap(t, "DebugHalt")) return Status::Ok;
    const u32 status = reg(t, arch::kRegMr0);
    kprintf("petrel: kernel stack: deepest use %u of %u bytes\n", arch::stack_deepest_use(),
            arch::image_info().stack_size);
    kprintf("petrel: thread '%s' halted the system with status %u\n", tcb_name(t), status);
    halt(static_cast<int>(status));
}

Status debug_dump_scheduler(Tcb *t) {
    if (!holds_debug_cap(t, "DebugDumpScheduler")) return Status::Ok;
    sched_dump();
    reg(t, arch::kRegCap) = static_cast<u32>(abi::Error::None);
    return Status::Ok;
}

// r0 = a TCB cap; the name is a NUL-terminated string at the start of the
// caller's IPC buffer message area.
Status debug_name_thread(Tcb *t) {
    Lookup l = lookup_cap(t, reg(t, arch::kRegCap));
    abi::IpcBuffer *buf = t->ipc_buffer_ptr();
    if (l.ok() && l.slot->cap.type() == CapType::Thread && buf) {
        char name[16];
        const char *src = reinterpret_cast<const char *>(buf->msg);
        for (u32 i = 0; i < sizeof(name); ++i) name[i] = src[i];
        name[sizeof(name) - 1] = '\0';
        tcb_set_name(kptr<Tcb>(l.slot->cap.object()), name);
    } else {
        kprintf("petrel: %s: DebugNameThread: cap: expected a TCB cap and an IPC buffer\n", tcb_name(t));
    }
    return Status::Ok;
}

Status debug_cap_identify(Tcb *t) {
    Lookup l = lookup_cap(t, reg(t, arch::kRegCap));
    reg(t, arch::kRegCap) = l.ok() ? static_cast<u32>(l.slot->cap.type()) : 0;
    return Status::Ok;
}

}  // namespace petrel
