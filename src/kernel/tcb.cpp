// SPDX-License-Identifier: BSD-2-Clause
// Thread control blocks (see tcb.hpp).
#include "tcb.hpp"

#include "ipc.hpp"
#include "scheduler.hpp"
#include "state.hpp"

namespace petrel {

Tcb *current_thread() { return ks.current; }
void set_current_thread(Tcb *t) { ks.current = t; }

void tcb_init(Tcb *t) {
    t->context.cpsr = arch::kCpsrUser;
    t->state = ThreadState::Inactive;
}

void tcb_restart(Tcb *t) {
    t->state = ThreadState::Restart;
    sched_enqueue(t);
}

void tcb_prepare_destroy(Tcb *t) { ipc_prepare_destroy(t); }

abi::IpcBuffer *Tcb::ipc_buffer_ptr() {
    const Cap &frame = slots[kTcbIpcBuffer].cap;
    if (!frame.is_frame()) return nullptr;
    u32 bits = frame.object_size_bits();
    u32 offset = ipc_buffer & mask_bits(bits) & ~mask_bits(abi::kIpcBufferSizeBits);
    return kptr<abi::IpcBuffer>(frame.object() + offset);
}

}  // namespace petrel
