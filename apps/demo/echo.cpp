// SPDX-License-Identifier: BSD-2-Clause
// demo: the echo server: answers pings (the shell's IPC round trip) and upper-cases the shared line buffer.
#include "demo.hpp"
#include "petrel/uart.hpp"

using namespace demo;

extern "C" void petrel_app_main(u32, u32) {
    constexpr u32 kMe = app::echo;
    constexpr Endpoint kEp{channel_slot(kSystem, kMe, channel::echo)};
    constexpr u32 kConsole = channel_slot(kSystem, kMe, channel::console);
    constexpr u32 kBuffer = shared_vaddr(kSystem, kMe, shared::line_buffer);
    static_assert(kEp.valid() && kConsole && kBuffer);
    uart::Client out(kConsole, 0, process_ipc_buffer());
    out.printf("echo: serving pings and the shared line buffer at %08x\n", kBuffer);
    char *buf = reinterpret_cast<char *>(kBuffer);
    MessageRegs mr{};
    RecvResult r = kEp.recv(mr);
    for (;;) {
        abi::MessageInfo reply{static_cast<u32>(abi::Error::IllegalOperation), 0, 0, 0};
        if (r.info.label == kPing) {
            reply = {0, 0, 0, 0};
        } else if (r.info.label == kUpper) {
            const u32 n = r.info.length >= 1 ? mr[0] : ~0u;
            if (n <= kShared[shared::line_buffer].size) {
                for (u32 i = 0; i < n; ++i)
                    if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = static_cast<char>(buf[i] - 'a' + 'A');
                reply = {0, 0, 0, 1};
            } else {
                reply = {static_cast<u32>(abi::Error::InvalidArgument), 0, 0, 0};
            }
        }
        r = kEp.reply_recv(reply, mr);
    }
}
