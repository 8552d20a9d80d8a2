/* SPDX-License-Identifier: BSD-2-Clause */
/* exit_layout.h: the offsets vectors.S's exit path (arm_resume_thread) reads,
 * shared with user_entry.cpp, which checks each against the C++ layout it
 * names (static_assert): a change of layout that forgets this file does not
 * build. Preprocessor only: included by assembly and C++ alike. */
#pragma once

/* arch::CpuState (user_entry.cpp), the symbol arm_cpu: the running address
 * space and the one before it (Space pointers), whose FPU registers the FPU
 * holds (a Tcb pointer) and whether FPEXC.EN is set (a byte). */
#define CPU_ACTIVE 0
#define CPU_PREVIOUS 4
#define CPU_FPU_OWNER 40
#define CPU_FPU_ENABLED 44
/* With several cores, one per core: core c's at arm_cpu + (c << CPU_STATE_SHIFT). */
#define CPU_STATE_SHIFT 6

/* Several cores: the kernel lock (smp.cpp), the symbol kernel_lock: the
 * ticket that holds it, which the exit's release increments. */
#define LOCK_OWNER 4

/* arch::Space: the VSpace cap it was checked for (two words), then the TTBR0
 * value and the hardware ASID it came to. */
#define SPACE_VTABLE 0
#define SPACE_TTBR0 8
#define SPACE_HW_ASID 12

/* Tcb: its VSpace cap (slots[kTcbVTable].cap, two words) and its user context. */
#define TCB_VTABLE_CAP 16
#define TCB_CONTEXT 80
