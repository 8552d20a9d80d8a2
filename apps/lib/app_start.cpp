// SPDX-License-Identifier: BSD-2-Clause
// libpetrel: how an app of a system starts and ends (linked into every app's ELF; root tasks have their own main).
//
// The root task makes the app's thread at the ELF's entry (crt0's _start) with
// r0 = the app's index in its system's kApps, r1 = how often the root task
// has restarted it and r2 = 1 if the kernel has the debug system calls (its
// BootInfo says so; libpetrel prints through them only then, user.hpp);
// crt0 runs the static constructors and calls main here, which calls the
// app's petrel_app_main (petrel/system.hpp). If that returns, the root task
// is told (kRootAppExited: the app's state becomes "exited") and the thread
// stops itself.
#include "petrel/system.hpp"

using namespace petrel;

int main(u32 app_index, u32 restarts, u32 debug_calls) {
    set_debug_calls_present(debug_calls != 0);
    petrel_app_main(app_index, restarts);
    MessageRegs mr{};
    send(system::kAppCapRoot, {system::kRootAppExited, 0, 0, 0}, mr);
    tcb_suspend(kProcessCapTcb);
    for (;;) {
    }
}
