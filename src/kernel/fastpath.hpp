// SPDX-License-Identifier: BSD-2-Clause
// The IPC fastpath (seL4's): Call and ReplyRecv in straight-line code for the
// common case.
//
// The conditions (at most 4 words, no caps, no fault, a waiting receiver or a
// caller to reply to that may run at once) are listed in fastpath.cpp. Each
// function returns the thread to resume, or null, having changed nothing, when
// the slow path must handle the call. entry_syscall() (entry.hpp) tries them
// first unless ks.slowpath_only is set.
#pragma once

#include "tcb.hpp"

namespace petrel {

Tcb *fastpath_call(Tcb *t);
Tcb *fastpath_reply_recv(Tcb *t);

}  // namespace petrel
