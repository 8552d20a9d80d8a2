#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# make_seeds.py: writes the seed corpus of kernel-fuzz (test/fuzz/corpus/).
#
# Each seed is a short program in kernel-fuzz's input format (kernel_fuzz.cpp,
# "decoding" and "steps"), written here with an assembler that mirrors the
# decoder, so the seeds reach deep paths from the first run: Retype of every
# object type, every CNode method, IPC with and without caps, faults and their
# handlers, notifications and binding, every TCB method, address spaces (page
# tables, frames of every size, cache maintenance, ASID pools), interrupts to
# notifications, preempted deletion and revocation, and several cores
# (TCB.SetAffinity, wake-ups, IPC, suspension, deletion, priorities and
# address spaces across cores, and the IPIs that make a core choose again).
#
# The world a seed starts from (kernel_fuzz.cpp, setup()): threads root, t1,
# t2, t4 at priority 100 (t1 runs first), t3 at 90, all on core 0 of four;
# all share the root CNode, so any thread may perform any invocation. Setup
# slots are named (word class 2, NAMED below); slots 100 and up are free. The
# steps are made as core 0 until a seed switches core (core()).
#
#   test/fuzz/make_seeds.py [DIR]    (default: test/fuzz/corpus next to this file)
import os
import struct
import sys

# Word class 2 of kernel_fuzz.cpp: g_named, in this order.
NAMED = ['ep0', 'ep0_b1', 'ep0_b2', 'ep1', 'ep1_ro', 'nt0', 'nt0_b1', 'nt1', 'nt1_b2',
         'cnode4', 'pd2', 'pt2', 'pt3', 'f4k_mapped', 'f4k', 'f64k', 'f1m', 'f16m',
         'ut4k', 'irq33', 'irq34', 'tcb1', 'tcb2', 'tcb3', 'tcb4', 'big',
         'recv_root', 'free0', 'free1', 'free2', 'free3', 'free4']

CONSTANTS = [0, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28, 31, 32, 33, 0xff, 0x100,
             0x1000, 0x10000, 0xfffff, 0x100000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe,
             0x7fff0000, 0x7ffff000, 0x400000, 0x401000, 0x1000000, 0x300000, 0x10000000, 0xdeadbeef]

# abi.hpp
ROOT_TCB, ROOT_CNODE, ROOT_VSPACE, IRQ_CONTROL, ASID_CONTROL, ASID_POOL, BOOTINFO, IPCBUF, DEBUG_CAP = range(1, 10)
(CALL, REPLY_RECV, SEND, NB_SEND, RECV, NB_RECV, REPLY, YIELD) = range(1, 9)
DEBUG_PUTCHAR, DEBUG_HALT, DEBUG_DUMP, DEBUG_NAME, DEBUG_IDENTIFY = range(16, 21)
(T_UNTYPED, T_TCB, T_EP, T_NTFN, T_CNODE, T_PD, T_PT, T_4K, T_64K, T_1M, T_16M) = range(11)
LABELS = ['InvalidInvocation', 'UntypedRetype', 'TcbReadRegisters', 'TcbWriteRegisters',
          'TcbCopyRegisters', 'TcbConfigure', 'TcbSetPriority', 'TcbSetMCPriority',
          'TcbSetSchedParams', 'TcbSetIpcBuffer', 'TcbSetSpace', 'TcbSuspend', 'TcbResume',
          'TcbBindNotification', 'TcbUnbindNotification', 'CNodeRevoke', 'CNodeDelete',
          'CNodeCancelBadgedSends', 'CNodeCopy', 'CNodeMint', 'CNodeMove', 'CNodeMutate',
          'CNodeRotate', 'CNodeSaveCaller', 'IrqIssueIrqHandler', 'IrqAckIrq', 'IrqSetIrqHandler',
          'IrqClearIrqHandler', 'IrqIssueIrqHandlerTrigger', 'PageTableMap', 'PageTableUnmap',
          'PageMap', 'PageUnmap', 'PageGetAddress', 'PageClean', 'PageInvalidate',
          'PageCleanInvalidate', 'PageUnify', 'PageDirectoryClean', 'PageDirectoryInvalidate',
          'PageDirectoryCleanInvalidate', 'PageDirectoryUnify', 'AsidControlMakePool',
          'AsidPoolAssign', 'TcbSetTimerAccess', 'TcbSetAffinity']
L = {name: i for i, name in enumerate(LABELS)}
RW, ALL = 3, 15
BUF_VADDR = 0x300000

# Steps (kernel_fuzz.cpp: enum Kind)
K_CALL, K_SEND, K_RECV, K_REPLY, K_YIELD, K_RAW = 0, 4, 5, 6, 7, 8
K_FAULT, K_TICK, K_IRQ, K_PREEMPT, K_SETREG, K_BUF, K_REDO = 9, 10, 11, 12, 13, 14, 15
# IPC buffer word indices
BUF_MSG, BUF_CAPS, BUF_RECV_CNODE, BUF_RECV_INDEX, BUF_RECV_DEPTH = 1, 122, 125, 126, 127


def word(v):
    """The shortest encoding of v (an int, or a NAMED slot) as kernel_fuzz.cpp's word()."""
    if isinstance(v, str):
        return bytes([0x40 | NAMED.index(v)])
    v &= 0xffffffff
    if v < 64:
        return bytes([v]) if v < 32 else bytes([0x20 | (v - 32)])
    if v in CONSTANTS:
        return bytes([0x60 | CONSTANTS.index(v)])
    if v < 0x2000:
        return bytes([0x80 | (v >> 8), v & 0xff])
    if v & 0xfff == 0 and v < (32 << 20):
        return bytes([0xc0 | (v >> 20), (v >> 12) & 0xff])
    if v & (v - 1) == 0:
        return bytes([0xe0 | (v.bit_length() - 1)])
    return bytes([0xa0]) + struct.pack('<I', v)


class Seed:
    def __init__(self):
        self.b = bytearray()

    def op(self, kind, arg=0):
        self.b.append(kind | (arg << 4))

    def msg(self, label, mrs, caps, length=None, unwrapped=None):
        label = L[label] if isinstance(label, str) else label
        if label < 46:
            self.b.append(label)
        else:
            self.b.append(0xf0)
            self.b += word(label)
        assert len(mrs) <= 15 and len(caps) <= 3
        shape = len(mrs) | len(caps) << 4
        if length is not None:
            shape |= 0x40
        if unwrapped is not None:
            shape |= 0x80
        self.b.append(shape)
        if length is not None:
            self.b.append(length)
        if unwrapped is not None:
            self.b.append(unwrapped)
        for m in mrs:
            self.b += word(m)
        for c in caps:
            self.b += word(c)
        return self

    def call(self, cap, label, mrs=(), caps=(), **kw):
        self.op(K_CALL)
        self.b += word(cap)
        return self.msg(label, mrs, caps, **kw)

    def send(self, cap, label, mrs=(), caps=(), nb=False):
        self.op(K_SEND, 1 if nb else 0)
        self.b += word(cap)
        return self.msg(label, mrs, caps)

    def recv(self, cap, nb=False):
        self.op(K_RECV, 1 if nb else 0)
        self.b += word(cap)
        return self

    def reply(self, label, mrs=(), caps=(), recv=None):
        self.op(K_REPLY, 1 if recv is not None else 0)
        self.b += word(recv if recv is not None else 0)
        return self.msg(label, mrs, caps)

    def yield_(self):
        self.op(K_YIELD)
        return self

    def raw(self, number, regs=None):
        regs = regs or {}
        self.op(K_RAW)
        if number < 24:
            self.b.append(number)
        else:
            self.b.append(0xf0)
            self.b += word(number)
        mask = 0
        for r in regs:
            mask |= 1 << r
        self.b.append(mask)
        for r in sorted(regs):
            self.b += word(regs[r])
        return self

    def page_fault(self, address, status=0x805, instruction=False):
        self.op(K_FAULT, 2 if instruction else 0)
        self.b += word(address)
        self.b.append(status & 0xff)
        return self

    def undefined(self):
        self.op(K_FAULT, 1)
        return self

    def tick(self, n=1):
        self.op(K_TICK, n - 1)
        return self

    def irq(self, pick=0):
        self.op(K_IRQ)
        self.b.append(pick)
        return self

    def preempt(self, n, repeat=False, tick=False):
        self.op(K_PREEMPT, (1 if repeat else 0) | (2 if tick else 0))
        self.b.append(n - 1)
        return self

    def fastpath_switch(self):
        self.op(K_PREEMPT, 4)
        self.b.append(0)
        return self

    # Several cores (kernel_fuzz.cpp, smp_step(): K_PREEMPT with arg bit 3).
    def core(self, c):
        """The steps after are made as core c (its running thread, or its idle agent)."""
        self.op(K_PREEMPT, 8)
        self.b.append(c << 2)
        return self

    def take_ipis(self):
        """Every pending inter-processor interrupt is taken."""
        self.op(K_PREEMPT, 8)
        self.b.append(1)
        return self

    def take_ipi(self, c):
        """Core c takes its IPI, if one is pending."""
        self.op(K_PREEMPT, 8)
        self.b.append(2 | c << 2)
        return self

    def affinity(self, cap, core):
        """TCB.SetAffinity(cap, core) by the running thread (on an idle core: by the agent)."""
        self.op(K_PREEMPT, 8)
        if core < 4:
            self.b.append(3 | core << 2)
        else:
            k = core - 4
            assert k < 32
            self.b.append(3 | 0x10 | (k & 3) << 2 | (k >> 2) << 5)
        self.b += word(cap)
        return self

    def setreg(self, index, value):
        self.op(K_SETREG)
        self.b.append(index)
        self.b += word(value)
        return self

    def buf(self, index, value):
        self.op(K_BUF)
        self.b.append(index)
        self.b += word(value)
        return self

    def redo(self, n=1):
        for _ in range(n):
            self.op(K_REDO)
        return self

    # Shorthands for the running thread's invocations in the root CNode.
    def retype(self, ut, type_, dest, bits=0, count=1):
        return self.call(ut, 'UntypedRetype', [type_, bits, 0, 0, dest, count], [ROOT_CNODE])

    def copy(self, dest, src, rights=ALL):
        return self.call(ROOT_CNODE, 'CNodeCopy', [dest, 32, src, 32, rights], [ROOT_CNODE])

    def mint(self, dest, src, rights, badge):
        return self.call(ROOT_CNODE, 'CNodeMint', [dest, 32, src, 32, rights, badge], [ROOT_CNODE])

    def delete(self, slot):
        return self.call(ROOT_CNODE, 'CNodeDelete', [slot, 32])

    def revoke(self, slot):
        return self.call(ROOT_CNODE, 'CNodeRevoke', [slot, 32])

    def map(self, frame, pd, vaddr, rights=RW, attr=1):
        return self.call(frame, 'PageMap', [vaddr, rights, attr], [pd])


SEEDS = {}


def seed(fn):
    s = Seed()
    fn(s)
    SEEDS[fn.__name__] = bytes(s.b)
    return fn


# ---------------------------------------------------------------- capabilities

@seed
def retype_every_type(s):
    for i, (t, bits) in enumerate([(T_UNTYPED, 12), (T_TCB, 0), (T_EP, 0), (T_NTFN, 0), (T_CNODE, 3),
                                   (T_PD, 0), (T_PT, 0), (T_4K, 0), (T_64K, 0), (T_1M, 0)]):
        s.retype('big', t, 100 + i, bits)
    s.retype('big', T_EP, 120, 0, 8)
    s.retype(100, T_NTFN, 130, 0, 4)  # from the new 4 KiB Untyped
    for i in range(10):
        s.delete(100 + i)
    s.revoke(100)


@seed
def retype_refusals(s):
    s.retype('big', 11, 100)           # no such type
    s.retype('big', T_CNODE, 100, 30)  # too big
    s.retype('big', T_EP, 100, 0, 0)   # no objects
    s.retype('big', T_EP, 250, 0, 20)  # beyond the CNode
    s.retype('ep0', T_EP, 100)         # not an Untyped
    s.retype('big', T_EP, 'ep0')       # occupied
    s.call('big', 'UntypedRetype', [T_EP, 0, 0, 0], [ROOT_CNODE])  # truncated
    s.retype('ut4k', T_PD, 100)        # too small
    s.retype('big', T_4K, 100, 0, 1)
    s.retype('ut4k', T_4K, 101)
    s.retype('ut4k', T_4K, 102)        # full


@seed
def cnode_methods(s):
    s.copy(100, 'ep0')
    s.mint(101, 'ep0', RW, 0x77)
    s.call(ROOT_CNODE, 'CNodeMove', [102, 32, 101, 32], [ROOT_CNODE])
    s.call(ROOT_CNODE, 'CNodeMutate', [103, 32, 102, 32, 0], [ROOT_CNODE])
    s.mint(104, 'nt0', ALL, 5)
    s.call(ROOT_CNODE, 'CNodeRotate', [105, 32, 104, 32, 0, 103, 32, 0], [ROOT_CNODE, ROOT_CNODE])
    s.call(ROOT_CNODE, 'CNodeRotate', [103, 32, 105, 32, 0, 103, 32, 0], [ROOT_CNODE, ROOT_CNODE])  # a swap
    s.mint(106, ROOT_CNODE, ALL, (0 << 6) | 24)   # the root CNode with its guard
    s.copy(107, 'cnode4')
    s.call(107, 'CNodeCopy', [3, 4, 'ep0_b1', 32, ALL], [ROOT_CNODE])
    s.call(107, 'CNodeMint', [4, 4, 'ep1', 32, ALL, 0x99], [ROOT_CNODE])
    s.call(ROOT_CNODE, 'CNodeCancelBadgedSends', ['ep0_b1', 32])
    s.revoke('ep0')
    s.delete(107)
    s.revoke('cnode4')
    s.delete('cnode4')
    s.call(ROOT_CNODE, 'CNodeSaveCaller', [108, 32])


@seed
def cnode_refusals(s):
    s.copy('ep0', 'ep1')                    # occupied
    s.copy(100, 150)                        # empty source
    s.call(ROOT_CNODE, 'CNodeCopy', [100, 40, 'ep0', 32, ALL], [ROOT_CNODE])   # depth
    s.call(ROOT_CNODE, 'CNodeCopy', [100, 0, 'ep0', 7, ALL], [ROOT_CNODE])
    s.mint(100, 'ep0_b1', ALL, 3)           # already badged
    s.mint(100, 'ep0', ALL, 0x10000000)     # badge too wide
    s.mint(100, 'pd2', ALL, 1)              # data for a cap without badge
    s.copy(100, 'big')                      # Untyped cannot be copied
    s.call(ROOT_CNODE, 'CNodeMove', [100, 32, 100, 32], [ROOT_CNODE])
    s.call(ROOT_CNODE, 'CNodeRotate', [100, 32, 'ep0', 32, 0, 'ep0', 32, 0], [ROOT_CNODE, ROOT_CNODE])
    s.call(ROOT_CNODE, 'CNodeMutate', [100, 32, 'ep0_b1', 32, 5], [ROOT_CNODE])  # Mutate keeps badges
    s.call(ROOT_CNODE, 'CNodeMutate', [100, 32, 'cnode4', 32, (1 << 6) | 29], [ROOT_CNODE])  # guard too wide
    s.copy(100, IRQ_CONTROL)                # cannot be copied
    s.copy(100, 'pt3')                      # an unmapped PageTable
    s.call(ROOT_CNODE, 0x44, [])            # no such method
    s.call(ROOT_CNODE, 'CNodeCopy', [100, 32, 'ep0', 32, ALL], ['ep0'])  # not a CNode


@seed
def revoke_big_preempted(s):
    s.retype('big', T_EP, 100, 0, 40)
    s.retype('big', T_CNODE, 150, 6)
    s.call(150, 'CNodeCopy', [1, 6, 'ep1', 32, ALL], [ROOT_CNODE])
    s.preempt(5, True)
    s.revoke('big')
    s.redo(30)


@seed
def delete_cnode_preempted(s):
    s.retype('big', T_CNODE, 100, 5)
    for i in range(12):
        s.call(100, 'CNodeCopy', [i, 5, ['ep0', 'nt0', 'pd2', 'tcb2', 'f4k_mapped', 'ep1'][i % 6], 32, ALL],
               [ROOT_CNODE])
    s.call(100, 'CNodeCopy', [20, 5, ROOT_CNODE, 32, ALL], [ROOT_CNODE])
    s.preempt(3, True)
    s.delete(100)
    s.redo(20)


@seed
def zombie_chain(s):
    s.retype('big', T_UNTYPED, 99, 16)
    s.retype(99, T_CNODE, 100, 3)
    s.retype(99, T_CNODE, 101, 3)
    s.retype(99, T_TCB, 102)
    for i in range(4):
        s.call(101, 'CNodeCopy', [i, 3, ['ep0', 'nt0', 102, 'pd2'][i], 32, ALL], [ROOT_CNODE])
    s.call(101, 'CNodeCopy', [5, 3, 101, 32, ALL], [ROOT_CNODE])   # 101 holds a cap to itself
    s.call(100, 'CNodeMove', [1, 3, 101, 32], [ROOT_CNODE])       # and 100 holds its other cap
    s.call(100, 'CNodeMove', [2, 3, 102, 32], [ROOT_CNODE])       # a TCB's last cap
    s.call(100, 'CNodeCopy', [3, 3, 'nt1', 32, ALL], [ROOT_CNODE])
    s.preempt(2, True)
    s.delete(100)                                                 # Zombies; 101 is left in a cycle
    s.redo(10)
    s.revoke(99)                                                  # which Revoke reclaims
    s.redo(30)


@seed
def cnode_holding_itself(s):
    s.retype('big', T_UNTYPED, 99, 14)
    s.retype(99, T_CNODE, 100, 2)
    s.call(100, 'CNodeCopy', [0, 2, 'ep0', 32, ALL], [ROOT_CNODE])
    s.call(100, 'CNodeMove', [1, 2, 100, 32], [ROOT_CNODE])       # its only cap is inside it
    s.preempt(3, True)
    s.revoke(99)
    s.redo(20)


@seed
def delete_tcbs_and_objects(s):
    s.delete('tcb2')
    s.delete('tcb4')
    s.delete('pd2')
    s.delete('nt1')
    s.delete('irq33')
    s.revoke('ep0')
    s.delete('ep0')
    s.delete(ROOT_CNODE)


@seed
def debug_calls(s):
    s.raw(DEBUG_PUTCHAR, {0: ord('x')})
    s.raw(DEBUG_DUMP, {0: DEBUG_CAP})                          # with the Debug cap: prints
    s.raw(DEBUG_DUMP, {0: ROOT_TCB})                           # a TCB cap: refused
    s.raw(DEBUG_HALT, {0: 'free0', 2: 5})                      # an empty slot: refused, no halt
    s.copy('free1', DEBUG_CAP)                                 # the Debug cap copied, deleted, copied again
    s.delete('free1')
    s.raw(DEBUG_HALT, {0: 'free1', 2: 6})                      # deleted: refused
    s.copy('free2', DEBUG_CAP)
    s.call(DEBUG_CAP, 'CNodeCopy', [1, 32, 1, 32, ALL], [ROOT_CNODE])  # no methods: IllegalOperation
    s.buf(BUF_MSG, 0x7a7a7a)
    s.raw(DEBUG_NAME, {0: 'tcb2'})
    s.raw(DEBUG_NAME, {0: 'ep0'})
    s.raw(DEBUG_IDENTIFY, {0: 'pd2'})
    s.raw(DEBUG_IDENTIFY, {0: 0xdeadbeef})
    s.raw(0)
    s.raw(9, {0: 1, 1: 2})
    s.raw(0x1000)
    s.raw(DEBUG_HALT, {0: 3})                                  # a PageDirectory cap: refused
    s.raw(DEBUG_HALT, {0: 'free2', 2: 7})                      # the copy: the system halts


# ---------------------------------------------------------------- IPC

@seed
def ipc_call_reply(s):
    s.recv('ep0')                                              # t1 waits
    s.call('ep0_b1', 0x123, [1, 2, 3, 4, 5, 6, 7])            # t2 calls: t1 gets it
    s.reply(0x456, [9, 8, 7, 6, 5], recv='ep0')                # t1 replies and waits again
    s.call('ep0_b2', 0x124, [1] * 12)                          # t2 again
    s.call(ROOT_CNODE, 'CNodeSaveCaller', [100, 32])           # t1 saves the reply cap
    s.send(100, 0x457, [1, 2])                                 # and replies through it
    s.recv('ep0', nb=True)
    s.yield_()
    s.send('ep0', 0x200, [3], nb=True)
    s.recv('ep0')


@seed
def ipc_slowpath(s):
    s.fastpath_switch()                                        # the same round trips on the slow path
    s.recv('ep0')
    s.call('ep0_b1', 0x123, [1, 2, 3])
    s.reply(0x456, [9, 8], recv='ep0')
    s.call('ep0_b1', 0x124, [4])
    s.fastpath_switch()
    s.reply(0x457, [7], recv='ep0')
    s.call('ep0_b1', 0x125, [5])


@seed
def ipc_cap_transfer(s):
    s.recv('ep0')                                              # t1 waits (receive slot set)
    s.call('ep0_b1', 0x300, [1, 2], ['nt0', 'ep0_b1', 'ep1'])  # t2 grants caps: one unwraps
    s.reply(0x301, [5], ['f4k'])                               # reply with a cap (grant reply)
    s.recv('ep1')
    s.send('ep0_b2', 0x302, [1], ['pd2'])                      # no grant: caps dropped
    s.buf(BUF_RECV_INDEX, 101)
    s.recv('ep0')
    s.call('ep0', 0x303, [], ['tcb3'], length=100)


@seed
def ipc_queues_and_deletion(s):
    s.recv('ep1')          # t1 blocks
    s.send('ep1', 1, [1])  # t2 delivers to t1
    s.recv('ep1')          # ...
    s.send('ep0', 2, [])   # senders queue up on ep0
    s.send('ep0_b1', 3, [])
    s.send('ep0_b2', 4, [])
    s.send('ep0', 5, [])
    s.call(ROOT_CNODE, 'CNodeCancelBadgedSends', ['ep0_b1', 32])
    s.revoke('ep0')
    s.delete('ep0')
    s.delete('ep1')
    s.tick(8)


@seed
def ipc_call_without_grant(s):
    s.mint(100, 'ep1', RW, 0x21)       # no Grant, no GrantReply: a Call gets no reply
    s.recv('ep1')                      # t1 waits
    s.call(100, 0x500, [1, 2, 3])      # t2 calls and stops (Inactive)
    s.recv('ep1', nb=True)
    s.call('tcb2', 'TcbResume', [])
    s.call('ep0_b2', 0x501, [4])       # GrantReply only: a reply comes, caps do not


@seed
def suspend_blocked_threads(s):
    s.recv('nt0')                      # t1 waits on a notification
    s.call('tcb1', 'TcbSuspend', [])   # t2 stops it
    s.recv('ep0')                      # t2 waits on an endpoint
    s.call('tcb2', 'TcbSuspend', [])   # t4 stops it
    s.call('ep1', 0x10, [1])           # t4 calls: blocks sending
    s.call('tcb4', 'TcbSuspend', [])   # root stops it
    s.call('tcb1', 'TcbResume', [])
    s.call('tcb2', 'TcbReadRegisters', [1, 17])
    s.call('tcb4', 'TcbWriteRegisters', [1, 1, 0x1234])
    s.call('tcb2', 'TcbResume', [])


@seed
def notifications(s):
    s.recv('nt0')                      # t1 waits
    s.send('nt0_b1', 0, [])            # t2 signals: t1 wakes
    s.send('nt1_b2', 0, [], nb=True)
    s.recv('nt1', nb=True)             # poll
    s.call('tcb1', 'TcbBindNotification', [], ['nt0'])
    s.recv('ep0')                      # bound: a signal ends the wait
    s.send('nt0_b1', 0, [])
    s.call('tcb1', 'TcbUnbindNotification', [])
    s.call('tcb2', 'TcbBindNotification', [], ['nt1'])
    s.delete('nt1')
    s.delete('nt0')


@seed
def faults_and_handlers(s):
    s.page_fault(0x10000000)           # t1's handler is ep0_b1: nobody receives yet
    s.recv('ep0')                      # t2 receives t1's fault
    s.reply(0, [0x2000, 0x7fff0000])   # resumes t1 at a new pc and sp
    s.undefined()
    s.recv('ep1')                      # t2 is t2's own handler? (it faults to ep1)
    s.raw(44)                          # unknown system call
    s.call(200, 'CNodeCopy', [])       # cap fault
    s.page_fault(0x12345678, 0x7, True)
    s.tick(3)
    s.recv('ep0')
    s.reply(0)


@seed
def fault_without_handler(s):
    s.call('tcb1', 'TcbSuspend', [])   # t1 stops itself
    s.call('tcb2', 'TcbSuspend', [])
    s.call('tcb4', 'TcbSuspend', [])
    s.call(ROOT_TCB, 'TcbSuspend', [])  # t3 (no fault handler) runs now
    s.page_fault(0x1000)
    s.recv('ep0')                      # idle: the agent resumes someone
    s.tick()
    s.call('tcb3', 'TcbResume', [])


# ---------------------------------------------------------------- threads

@seed
def tcb_methods(s):
    s.call('tcb2', 'TcbReadRegisters', [1, 17])
    s.call('tcb2', 'TcbWriteRegisters', [1, 5, 0x1000, 0x7fff0000, 0xffffffff, 0, 42])
    s.call('tcb2', 'TcbCopyRegisters', [15], ['tcb3'])
    s.call('tcb3', 'TcbConfigure', ['ep1', 0, 0, BUF_VADDR], [ROOT_CNODE, 'pd2', 'f4k'])
    s.call('tcb3', 'TcbSetPriority', [120], [ROOT_TCB])
    s.call('tcb3', 'TcbSetMCPriority', [200], ['tcb1'])
    s.call('tcb4', 'TcbSetSchedParams', [50, 110], [ROOT_TCB])
    s.call('tcb2', 'TcbSetIpcBuffer', [0x300200], ['f64k'])
    s.call('tcb2', 'TcbSetSpace', ['ep0_b2', (0 << 6) | 24, 0], [ROOT_CNODE, ROOT_VSPACE])
    s.call('tcb2', 'TcbSuspend', [])
    s.call('tcb2', 'TcbResume', [])
    s.call('tcb1', 'TcbReadRegisters', [0, 4])   # itself: refused
    s.call('tcb2', 'TcbWriteRegisters', [0, 20])  # count out of range


@seed
def tcb_refusals(s):
    s.call('tcb2', 'TcbSetSpace', [0, (1 << 6) | 30, 0], [ROOT_CNODE, ROOT_VSPACE])   # guard too wide
    s.call('tcb2', 'TcbSetSpace', [0, 0, 1], [ROOT_CNODE, ROOT_VSPACE])               # vspace data
    s.call('tcb2', 'TcbSetSpace', [0, 0, 0], ['ep0', ROOT_VSPACE])                    # not a CNode
    s.call('tcb2', 'TcbSetSpace', [0, 0, 0], [ROOT_CNODE, 'pt2'])                     # not a directory
    s.call('tcb2', 'TcbSetIpcBuffer', [BUF_VADDR], ['f16m'])                           # device frame
    s.mint(100, 'f4k', 1, 0)
    s.call('tcb2', 'TcbSetIpcBuffer', [BUF_VADDR], [100])                              # read-only frame
    s.call('tcb2', 'TcbSetIpcBuffer', [BUF_VADDR + 4], ['f4k'])                        # misaligned
    s.call('tcb2', 'TcbSetIpcBuffer', [0], [])                                         # no buffer
    s.call('tcb2', 'TcbBindNotification', [], ['nt1_b2'])                              # no read right
    s.call('tcb2', 'TcbBindNotification', [], ['nt0'])
    s.call('tcb4', 'TcbBindNotification', [], ['nt0'])                                 # bound already
    s.call('tcb2', 'TcbBindNotification', [], ['nt1'])                                 # thread bound already
    s.call('tcb3', 'TcbUnbindNotification', [])                                        # none bound
    s.call('tcb2', 'TcbSetPriority', [255], ['tcb3'])                                  # above the mcp
    s.call('tcb2', 'TcbSetSchedParams', [255, 1], ['tcb2'])
    s.call('tcb2', 'TcbCopyRegisters', [16], ['tcb3'])                                 # unknown flag
    s.call('tcb2', 'TcbCopyRegisters', [1], ['ep0'])
    s.call('tcb2', 0x30, [])                                                           # no such method


@seed
def new_thread(s):
    s.retype('big', T_TCB, 100)
    s.retype('big', T_4K, 101)
    s.retype('big', T_CNODE, 102, 4)
    s.call(102, 'CNodeCopy', [1, 4, 'ep0_b1', 32, ALL], [ROOT_CNODE])
    s.call(100, 'TcbConfigure', [1, (0 << 6) | 28, 0, BUF_VADDR], [102, 'pd2', 101])
    s.call(100, 'TcbSetSchedParams', [150, 150], [ROOT_TCB])
    s.call(100, 'TcbWriteRegisters', [1, 2, 0x400000, 0x401000])
    s.raw(CALL, {0: 1, 1: 0x5000})      # the new thread runs: a call on its own CNode's slot 1
    s.page_fault(0x400000)
    s.delete(102)
    s.delete(100)


@seed
def priorities_and_round_robin(s):
    s.call('tcb1', 'TcbSetPriority', [150], [ROOT_TCB])
    s.tick(5)
    s.tick(5)
    s.call('tcb1', 'TcbSetPriority', [80], [ROOT_TCB])
    s.yield_()
    s.tick(8)
    s.yield_()
    s.call('tcb3', 'TcbSetPriority', [255], [ROOT_TCB])
    s.call('tcb3', 'TcbSuspend', [])


# ---------------------------------------------------------------- address spaces

@seed
def vm_map_every_size(s):
    s.retype('big', T_PD, 100)
    s.call(ASID_POOL, 'AsidPoolAssign', [], [100])
    s.retype('big', T_PT, 101)
    s.call(101, 'PageTableMap', [0x800000], [100])
    s.retype('big', T_4K, 102)
    s.map(102, 100, 0x801000)
    s.map('f64k', 100, 0x810000)
    s.map('f1m', 100, 0x1000000, RW, 5)
    s.map('f16m', 100, 0x2000000)
    s.call(102, 'PageGetAddress', [])
    s.call(102, 'PageClean', [0, 0x1000])
    s.call('f64k', 'PageInvalidate', [0x100, 0x200])
    s.call('f1m', 'PageCleanInvalidate', [0, 0x100000])
    s.call('f1m', 'PageUnify', [4, 8])
    s.call(100, 'PageDirectoryClean', [0x801000, 0x802000])
    s.call(100, 'PageDirectoryInvalidate', [0x810000, 0x810100])
    s.call(100, 'PageDirectoryCleanInvalidate', [0x1000000, 0x1001000])
    s.call(100, 'PageDirectoryUnify', [0x2000000, 0x2000010])
    s.copy(103, 102)
    s.map(103, 'pd2', 0x401000)
    s.call(102, 'PageUnmap', [])
    s.call(101, 'PageTableUnmap', [])
    s.delete(100)
    s.call('f16m', 'PageUnmap', [])


@seed
def vm_refusals(s):
    s.map('f4k', 'pd2', 0x401001)           # misaligned
    s.map('f4k', 'pd2', 0x80000000)         # kernel half
    s.map('f4k', 'pd2', 0x500000)           # no page table
    s.map('f4k', 'pd2', 0x400000)           # occupied
    s.map('f4k', ROOT_VSPACE, 0x7fff0000)
    s.map('f4k_mapped', 'pd2', 0x402000)    # mapped elsewhere
    s.retype('big', T_PD, 100)
    s.map('f4k', 100, 0x401000)             # no ASID
    s.call('pt3', 'PageTableMap', [0x400000], ['pd2'])
    s.call('pt2', 'PageTableMap', [0x600000], ['pd2'])
    s.call('pt2', 'PageTableUnmap', [])
    s.call('f4k', 'PageClean', [0, 0x2000])
    s.call('f16m', 'PageClean', [0, 0x100])  # device
    s.call('pd2', 'PageDirectoryClean', [0x500000, 0x501000])
    s.call(ASID_POOL, 'AsidPoolAssign', [], ['pd2'])
    s.call(ASID_CONTROL, 'AsidControlMakePool', [100, 32], ['big', ROOT_CNODE])


@seed
def vm_asid_pools(s):
    s.call(ASID_CONTROL, 'AsidControlMakePool', [100, 32], ['ut4k', ROOT_CNODE])
    for i in range(4):
        s.retype('big', T_PD, 110 + i)
        s.call(100, 'AsidPoolAssign', [], [110 + i])
    s.call('tcb2', 'TcbSetSpace', [0, 0, 0], [ROOT_CNODE, 111])
    s.yield_()
    s.revoke('ut4k')
    s.yield_()
    s.call(ASID_CONTROL, 'AsidControlMakePool', [101, 32], ['ut4k', ROOT_CNODE])
    s.delete(111)


@seed
def vm_revoke_mapped_preempted(s):
    s.retype('big', T_UNTYPED, 100, 20)
    s.retype(100, T_PD, 101)
    s.call(ASID_POOL, 'AsidPoolAssign', [], [101])
    s.retype(100, T_PT, 102, 0, 4)
    for i in range(4):
        s.call(102 + i, 'PageTableMap', [i << 20], [101])
    s.retype(100, T_4K, 110, 0, 16)
    for i in range(16):
        s.map(110 + i, 101, (i << 12) | ((i % 4) << 20))
    s.preempt(6, True, tick=True)
    s.revoke(100)
    s.redo(40)


# ---------------------------------------------------------------- interrupts

@seed
def irq_to_notification(s):
    s.recv('nt1')                        # t1 waits for the driver's notification
    s.irq(0)                             # line 33 fires: t1 wakes
    s.call('irq33', 'IrqAckIrq', [])
    s.irq(0)
    s.call('irq34', 'IrqSetIrqHandler', [], ['nt0_b1'])
    s.irq(1)
    s.call('irq34', 'IrqAckIrq', [])
    s.call('irq33', 'IrqClearIrqHandler', [])
    s.call(IRQ_CONTROL, 'IrqIssueIrqHandler', [40, 100, 32], [ROOT_CNODE])
    s.call(IRQ_CONTROL, 'IrqIssueIrqHandlerTrigger', [41, 1, 101, 32], [ROOT_CNODE])
    s.call(IRQ_CONTROL, 'IrqIssueIrqHandler', [33, 102, 32], [ROOT_CNODE])  # handed out
    s.call(IRQ_CONTROL, 'IrqIssueIrqHandler', [30, 102, 32], [ROOT_CNODE])  # the timer
    s.copy(103, 'irq34')
    s.delete('irq34')
    s.delete(103)
    s.irq(0)


@seed
def irq_idle_wakeup(s):
    s.recv('nt1')                        # every thread waits: t1 on nt1
    s.recv('ep1')
    s.recv('ep1')
    s.recv('ep1')
    s.recv('ep1')                        # t3 too: idle runs
    s.irq(0)                             # the interrupt wakes t1
    s.send('ep1', 7, [1])


# ---------------------------------------------------------------- several cores

@seed
def smp_affinity_wakeup(s):
    s.affinity('tcb2', 1)                  # t1 moves t2, ready on core 0, to core 1
    s.take_ipis()                          # core 1 runs it
    s.core(1)
    s.recv('ep0')                          # t2 waits there: core 1 idles
    s.core(0)
    s.send('ep0_b1', 0x123, [1, 2, 3])     # t1 sends from core 0: t2 is queued on core 1, with an IPI
    s.take_ipi(1)
    s.core(1)
    s.recv('nt0')                          # t2 waits on a notification
    s.core(0)
    s.send('nt0_b1', 0, [])                # signalled from core 0
    s.take_ipi(1)
    s.core(1)
    s.affinity('tcb1', 9)                  # beyond the last core: refused
    s.call('tcb1', 'TcbSetAffinity', [])   # truncated
    s.affinity('tcb1', 2)                  # t2 moves t1, which runs on core 0: core 0 lets go of it
    s.take_ipis()
    s.core(2)
    s.yield_()
    s.affinity('tcb1', 0)                  # t1 moves itself back
    s.take_ipis()
    s.core(0)
    s.yield_()


@seed
def smp_call_across_cores(s):
    s.affinity('tcb2', 1)
    s.take_ipis()
    s.core(1)
    s.recv('ep0')                          # t2, a server on core 1
    s.core(0)
    s.call('ep0_b1', 0x200, [1, 2])        # t1 calls from core 0: the slow path
    s.take_ipi(1)
    s.core(1)
    s.reply(0x201, [5], recv='ep0')        # ReplyRecv: the caller is core 0's (the slow path again)
    s.take_ipis()
    s.core(0)
    s.fastpath_switch()
    s.call('ep0_b1', 0x202, [3])
    s.take_ipi(1)
    s.core(1)
    s.reply(0x203, [], recv='ep0')
    s.fastpath_switch()
    s.core(0)
    s.affinity('tcb2', 0)                  # the server comes back to core 0, still waiting
    s.call('ep0_b1', 0x204, [4])           # now the fastpath may take it
    s.reply(0x205, [6], recv='ep0')


@seed
def smp_stop_remote_threads(s):
    s.affinity('tcb4', 2)
    s.affinity('tcb2', 2)
    s.take_ipis()                          # core 2 runs t4, t2 is ready there
    s.call('tcb4', 'TcbSuspend', [])       # core 2 lets go of t4 at once
    s.take_ipis()
    s.call('tcb4', 'TcbResume', [])
    s.take_ipis()
    s.call('tcb2', 'TcbReadRegisters', [1, 17])
    s.call('tcb2', 'TcbWriteRegisters', [1, 1, 0x2000])
    s.call('tcb4', 'TcbSetPriority', [120], [ROOT_TCB])   # raised over core 2's running thread
    s.take_ipis()
    s.call('tcb4', 'TcbSetPriority', [50], [ROOT_TCB])    # lowered below the one ready there
    s.take_ipis()
    s.core(2)
    s.tick(5)
    s.tick(5)
    s.core(0)
    s.delete('tcb2')                       # a TCB that runs on another core
    s.take_ipis()
    s.delete('tcb4')
    s.take_ipis()
    s.core(2)
    s.tick()


@seed
def smp_address_space(s):
    s.affinity('tcb4', 3)                  # t4 runs in pd2 on core 3: a hardware ASID there
    s.take_ipis()
    s.core(3)
    s.yield_()
    s.core(0)
    s.revoke('pd2')                        # its VTable cap goes: it runs on in the space
    s.delete('pd2')                        # the space goes: core 3 lets go of it
    s.take_ipis()
    s.core(3)
    s.page_fault(0x400000)


@seed
def smp_timer_and_idle_agent(s):
    s.call(IRQ_CONTROL, 'IrqIssueIrqHandler', [27, 100, 32], [ROOT_CNODE])
    s.call('tcb2', 'TcbSetTimerAccess', [1], [100])
    s.affinity('tcb2', 1)
    s.take_ipis()                          # core 1 runs t2 with the timer's access
    s.call('tcb2', 'TcbSetTimerAccess', [0])
    s.delete(100)                          # every grant void: core 1 lets go of t2
    s.take_ipis()
    s.core(3)                              # core 3 idles: its agent moves t3 there
    s.affinity('tcb3', 3)
    s.take_ipis()
    s.yield_()
    s.affinity('tcb3', 1)                  # t3 moves itself to core 1
    s.irq(0)                               # (core 3 idles: the agent's step) a device interrupt, core 0's
    s.take_ipis()
    s.core(1)
    s.tick(5)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print(f'{len(SEEDS)} seeds written to {out}')


if __name__ == '__main__':
    main()
