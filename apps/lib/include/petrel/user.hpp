// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: system calls, debug output and exit for user programs.
// Invocations on kernel objects are in petrel/invocations.hpp (on cap pointers)
// and petrel/caps.hpp (typed wrappers, also for the IPC calls here).
//
// Every system call is `svc #0` with the number in r7 and r0-r5 as
// petrel/abi.hpp describes (r0 cap pointer / badge, r1 message tag, r2-r5
// message registers 0-3). The kernel may change r0-r5 and nothing else; the
// stubs say so to the compiler. printf understands %d %u %x %X %s %c %p %%,
// the l and ll length modifiers, a 0 flag and a field width.
#pragma once

#include <stdarg.h>

#include "petrel/abi.hpp"

namespace petrel {

// The registers a system call passes and returns.
struct SyscallRegs {
    u32 r[6];
};

inline void syscall(abi::Syscall number, SyscallRegs &regs) {
    register u32 r0 asm("r0") = regs.r[0];
    register u32 r1 asm("r1") = regs.r[1];
    register u32 r2 asm("r2") = regs.r[2];
    register u32 r3 asm("r3") = regs.r[3];
    register u32 r4 asm("r4") = regs.r[4];
    register u32 r5 asm("r5") = regs.r[5];
    register u32 r7 asm("r7") = static_cast<u32>(number);
    asm volatile("svc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5) : "r"(r7) : "memory");
    regs = {{r0, r1, r2, r3, r4, r5}};
}

// ---------------------------------------------------------------- IPC
// Thin wrappers over the IPC system calls. Message registers 0-3 travel in
// r2-r5 and are passed in and out through `mr`; a message longer than four
// words keeps MR4.. in the calling thread's IPC buffer (abi::IpcBuffer::msg,
// at the same index), where the caller writes them before sending and reads
// them after receiving; extra caps go in IpcBuffer::caps_or_badges and a
// receiver names its slot for one in receive_cnode/index/depth. Nothing here
// knows the IPC buffer's address: threads of one address space have one
// buffer each and there is no thread-local storage, so a thread keeps its
// own pointer (see Message and invocations.hpp).
using MessageRegs = u32[abi::kMsgRegisters];

// What a receive returns: the message tag (r1) and the sender's badge (r0) or,
// from a notification, its word.
struct RecvResult {
    abi::MessageInfo info;
    u32 badge;
};

// Call on the cap at `cptr` with up to four message registers (in and out);
// returns the reply's tag (label 0, or an abi::Error for an invocation). On an
// endpoint: send, then wait for the reply (the endpoint cap needs Write and
// Grant or GrantReply for a reply to come).
abi::MessageInfo call(u32 cptr, abi::MessageInfo info, MessageRegs &mr);
// Send on an endpoint (blocks until a receiver takes the message); on a
// notification cap it signals (see signal()).
void send(u32 cptr, abi::MessageInfo info, const MessageRegs &mr);
// Send only if a receiver is waiting; otherwise the message is dropped.
void nb_send(u32 cptr, abi::MessageInfo info, const MessageRegs &mr);
// Wait for a message on an endpoint (or a bound notification: label
// abi::kNotificationLabel, badge = the notification word).
RecvResult recv(u32 cptr, MessageRegs &mr);
// Take a message if one is waiting; otherwise returns badge 0 and an empty tag.
RecvResult nb_recv(u32 cptr, MessageRegs &mr);
// Answer the last Call this thread received (nothing happens if there is none).
void reply(abi::MessageInfo info, const MessageRegs &mr);
// Reply, then wait on `cptr`: the server loop in one system call. `mr` carries
// the reply in and the next message out.
RecvResult reply_recv(u32 cptr, abi::MessageInfo info, MessageRegs &mr);
// Give the rest of the time slice to threads of the same priority.
void yield();

// Notifications: Signal is Send on a notification cap (the cap's badge is
// OR-ed into the word), Wait is Recv (blocks until the word is non-zero, returns
// it and clears it), Poll is NBRecv (returns the word, 0 if nothing is pending).
void signal(u32 ntfn);
u32 wait(u32 ntfn);
u32 poll(u32 ntfn);

// A message of up to abi::kMsgMaxLength words being built or read: MR0-3 in
// `regs` (what the system calls pass in r2-r5), MR4.. in the thread's IPC buffer.
struct Message {
    abi::IpcBuffer *ipc;
    MessageRegs regs{};

    explicit Message(abi::IpcBuffer *buffer) : ipc(buffer) {}
    void set(u32 i, u32 v) {
        if (i < abi::kMsgRegisters) regs[i] = v;
        else ipc->msg[i] = v;
    }
    u32 get(u32 i) const { return i < abi::kMsgRegisters ? regs[i] : ipc->msg[i]; }
    // Extra cap `i` (0..2) of the next send: a cap pointer in the sender's CSpace.
    void set_cap(u32 i, u32 cptr) { ipc->caps_or_badges[i] = cptr; }
};

// Debug system calls (abi::Syscall). They exist only in a kernel built with
// them (Petrel's test kernels and its own non-release builds; not a release or
// a product's kernel by default), which BootInfo.flags says. libpetrel assumes
// they exist until told otherwise: a root task calls debug_calls_from(its
// BootInfo) first, and the system root task tells each app it starts (the
// app's third start argument, system.hpp). Without them debug_put_char (so
// puts and printf), debug_name_thread and debug_cap_identify (which returns 0)
// do nothing and never enter the kernel, where the call would be an unknown
// system call, a fault.
bool debug_calls_present();
void set_debug_calls_present(bool present);
void debug_calls_from(const abi::BootInfo *bi);
void debug_put_char(char c);
// Names the thread of TCB cap `tcb` in kernel messages (at most 15 characters);
// the name passes through the caller's IPC buffer `ipc`.
void debug_name_thread(abi::IpcBuffer *ipc, u32 tcb, const char *name);
// Halting the system and dumping the scheduler need a Debug cap (the root
// task's abi::kCapDebug, or a copy it gave): debug_try_halt halts the system
// with `status` and returns only if refused (Error::InvalidCapability without a
// Debug cap at `debug_cap`; IllegalOperation without the debug calls);
// debug_halt then spins forever. debug_dump_scheduler prints the scheduler's
// state on the kernel console and returns Error::None, or the same errors.
abi::Error debug_try_halt(u32 debug_cap, u32 status);
[[noreturn]] void debug_halt(u32 debug_cap, u32 status);
abi::Error debug_dump_scheduler(u32 debug_cap);
void debug_null();  // enters the kernel and returns: the null system call of benchmarks
u32 debug_cap_identify(u32 cptr);  // the kernel's cap type number, 0 for an empty slot

// Console output through DebugPutChar.
void puts(const char *s);  // no newline added
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// The formatter behind printf, writing each character through `sink(ctx, c)`
// (petrel/uart.hpp prints through the UART driver with it); returns the count.
int vformat(void (*sink)(void *ctx, char c), void *ctx, const char *fmt, va_list ap);

}  // namespace petrel

// Called by crt0 with main's return value (root tasks only: an app's main is
// libpetrel's, which never returns): ends the run with DebugHalt on the root
// task's Debug cap (abi::kCapDebug); where that is refused, the root thread
// suspends itself (TCB.Suspend on abi::kCapInitTcb).
extern "C" [[noreturn]] void petrel_exit(int status);
