// SPDX-License-Identifier: BSD-2-Clause
// The kernel's global state (see state.hpp).
#include "state.hpp"

namespace petrel {

KernelState ks;
CoreState ks_cores[kCores];

}  // namespace petrel
