// SPDX-License-Identifier: BSD-2-Clause
// The invariant checker (see invariants.hpp).
#include "invariants.hpp"

#include "arch.hpp"

#include <stdarg.h>

#include "lib/format.hpp"
#include "endpoint.hpp"
#include "notification.hpp"
#include "scheduler.hpp"
#include "state.hpp"
#include "tcb.hpp"

namespace petrel {

bool InvariantReport::fail(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnformat(why, size, fmt, args);
    va_end(args);
    return false;
}

namespace {

using Report = InvariantReport;

struct Range {
    u64 lo, hi;
    bool empty() const { return lo == hi; }
    bool overlaps(const Range &o) const { return lo < o.hi && o.lo < hi; }
    bool contains(const Range &o) const { return lo <= o.lo && o.hi <= hi; }
};

Range range_of(const Cap &c) {
    u32 bits = c.object_size_bits();
    if (bits == 0) return {0, 0};
    u64 lo = c.object();
    return {lo, lo + (u64{1} << bits)};
}

// Heap sort: the checker allocates nothing and must not recurse deeply.
template <typename Less>
void heap_sort(Slot **a, u32 n, Less less) {
    auto sift = [&](u32 root, u32 end) {
        for (;;) {
            u32 child = 2 * root + 1;
            if (child >= end) return;
            if (child + 1 < end && less(a[child], a[child + 1])) ++child;
            if (!less(a[root], a[child])) return;
            Slot *t = a[root]; a[root] = a[child]; a[child] = t;
            root = child;
        }
    };
    for (u32 i = n / 2; i-- > 0;) sift(i, n);
    for (u32 end = n; end-- > 1;) {
        Slot *t = a[0]; a[0] = a[end]; a[end] = t;
        sift(0, end);
    }
}

bool listed(Slot *const *sorted, u32 n, const Slot *s) {
    u32 lo = 0, hi = n;
    while (lo < hi) {
        u32 mid = (lo + hi) / 2;
        if (sorted[mid] == s) return true;
        if (sorted[mid] < s) lo = mid + 1; else hi = mid;
    }
    return false;
}

bool is_untyped(const Slot *s) { return s->cap.type() == CapType::Untyped; }

bool in_queue(const Tcb *first, const Tcb *t, u32 limit) {
    for (const Tcb *q = first; q && limit-- > 0; q = IpcQueue::next(q))
        if (q == t) return true;
    return false;
}

// Scheduler and IPC queues: ready queues hold exactly the runnable threads other
// than the running one; every blocked thread sits in the queue of the object it
// blocked on, and every queued thread is blocked on that object.
// Interrupt lines: a line is handed out exactly when an IrqHandler cap for it
// exists; a line's notification slot holds a Notification cap (in the list),
// and only while the line is handed out.
bool check_irqs(Report &r, Slot *const *sorted, u32 n) {
    if (!ks.irq_node) return true;
    bool has_handler[kMaxIrqLines] = {};
    for (u32 i = 0; i < n; ++i) {
        const Cap &c = sorted[i]->cap;
        if (c.type() != CapType::IrqHandler) continue;
        if (c.irq() >= kMaxIrqLines) return r.fail("IrqHandler cap for line %u beyond the table", c.irq());
        has_handler[c.irq()] = true;
    }
    for (u32 irq = 0; irq < kMaxIrqLines; ++irq) {
        const bool active = ks.irq_state[irq] == IrqState::Signal;
        if (active != has_handler[irq])
            return r.fail("IRQ %u is %s but %s IrqHandler cap exists", irq, active ? "handed out" : "free",
                          has_handler[irq] ? "an" : "no");
        const Slot *s = kptr<Slot>(ks.irq_node) + irq;
        if (s->cap.is_null()) continue;
        if (s->cap.type() != CapType::Notification)
            return r.fail("IRQ %u's slot holds a %s cap", irq, cap_type_name(s->cap.type()));
        if (!active) return r.fail("IRQ %u is free but keeps a notification cap", irq);
        if (!listed(sorted, n, s))
            return r.fail("IRQ %u's notification slot %x is not in the derivation list", irq, kref(s));
    }
    return true;
}

// Whether `t` runs on a core, or is the pending direct switch of its core.
bool running_anywhere(const Tcb *t) {
    for (const CoreState &c : ks_cores)
        if (t == c.current || t == c.switch_to) return true;
    return false;
}

// Each core's queues: the bitmap agrees, every queued thread is runnable, of the
// queue's priority, of that core (its affinity), and running nowhere.
bool check_ready_queues(Report &r, u32 n) {
    for (u32 core = 0; core < kCores; ++core) {
        const CoreState &c = ks_cores[core];
        if (c.current && c.current->affinity != core && c.current != c.idle)
            return r.fail("core %u runs thread '%s' of core %u", core, c.current->name, c.current->affinity);
        for (u32 p = 0; p < 256; ++p) {
            bool marked = c.ready_bits[p / 32] & (1u << (p % 32));
            if (marked != (c.ready_head[p] != 0))
                return r.fail("core %u: ready bitmap disagrees with queue %u", core, p);
            u32 limit = n + 1;
            for (Tcb *t = kptr<Tcb>(c.ready_head[p]); t; t = ReadyQueue::next(t)) {
                if (limit-- == 0) return r.fail("core %u: ready queue %u is cyclic", core, p);
                if (!is_runnable(t) || t->priority != p || running_anywhere(t) || !t->in_ready_queue ||
                    t->affinity != core)
                    return r.fail("thread '%s' in core %u's ready queue %u: state %u, priority %u, core %u%s", t->name,
                                  core, p, static_cast<u32>(t->state), t->priority, t->affinity,
                                  running_anywhere(t) ? ", running" : "");
            }
        }
    }
    return true;
}

bool check_threads(Report &r, Slot *const *list, u32 n) {
    if (!check_ready_queues(r, n)) return false;
    for (u32 i = 0; i < n; ++i) {
        const Cap &c = list[i]->cap;
        if (c.type() == CapType::Thread) {
            Tcb *t = kptr<Tcb>(c.object());
            if (t->timeslice == 0 || t->timeslice > kTimesliceTicks)
                return r.fail("thread '%s': timeslice %u outside 1..%u", t->name, t->timeslice, kTimesliceTicks);
            if (!arch::user_status_valid(t->context))
                return r.fail("thread '%s': saved status %08x is not a user-mode one", t->name, t->context.cpsr);
            if (t->affinity >= kCores) return r.fail("thread '%s': core %u of %u", t->name, t->affinity, kCores);
            bool runnable = is_runnable(t);
            if (runnable && !running_anywhere(t) && !t->in_ready_queue && here().current)
                return r.fail("thread '%s' is runnable but in no ready queue", t->name);
            if (t->state == ThreadState::BlockedOnSend || t->state == ThreadState::BlockedOnRecv) {
                auto *ep = kptr<Endpoint>(t->blocked_on);
                if (!ep || !in_queue(ep->first(), t, n + 1))
                    return r.fail("thread '%s' is blocked on endpoint %x but not in its queue", t->name, t->blocked_on);
            }
            if (t->state == ThreadState::BlockedOnNotification) {
                auto *nt = kptr<Notification>(t->blocked_on);
                if (!nt || !in_queue(nt->first(), t, n + 1))
                    return r.fail("thread '%s' is blocked on notification %x but not in its queue", t->name,
                                  t->blocked_on);
            }
        } else if (c.type() == CapType::Endpoint) {
            auto *ep = kptr<Endpoint>(c.object());
            u32 limit = n + 1;
            for (Tcb *t = ep->first(); t; t = IpcQueue::next(t)) {
                if (limit-- == 0) return r.fail("endpoint %x queue is cyclic", c.object());
                bool sending = t->state == ThreadState::BlockedOnSend;
                bool ok = t->blocked_on == c.object() &&
                          ((ep->state == EndpointState::Sending && sending) ||
                           (ep->state == EndpointState::Receiving && t->state == ThreadState::BlockedOnRecv));
                if (!ok) return r.fail("thread '%s' queued on endpoint %x is not blocked on it", t->name, c.object());
            }
            if ((ep->head == 0) != (ep->state == EndpointState::Idle))
                return r.fail("endpoint %x: state %u with %s queue", c.object(), static_cast<u32>(ep->state),
                              ep->head ? "a" : "an empty");
        } else if (c.type() == CapType::Notification) {
            auto *nt = kptr<Notification>(c.object());
            u32 limit = n + 1;
            for (Tcb *t = nt->first(); t; t = IpcQueue::next(t)) {
                if (limit-- == 0) return r.fail("notification %x queue is cyclic", c.object());
                if (t->state != ThreadState::BlockedOnNotification || t->blocked_on != c.object())
                    return r.fail("thread '%s' queued on notification %x is not waiting on it", t->name, c.object());
            }
        }
    }
    return true;
}

// The derivation list: acyclic (Floyd), mirrored links, no empty slots. Copies
// it in order into list[0, n) (at most `capacity` slots).
bool check_list(Report &r, Slot **list, u32 capacity, u32 &n) {
    Slot *head = mdb_first();
    if (head && head->prev()) return r.fail("list head %x has a predecessor", kref(head));
    for (Slot *slow = head, *fast = head; fast && fast->next();) {
        slow = slow->next();
        fast = fast->next()->next();
        if (slow == fast) return r.fail("derivation list has a cycle through slot %x", kref(slow));
    }
    n = 0;
    for (Slot *s = head; s; s = s->next()) {
        if (n == capacity) return r.fail("derivation list longer than %u slots", capacity);
        if (s->cap.is_null()) return r.fail("empty slot %x in the derivation list", kref(s));
        if (Slot *next = s->next(); next && next->prev() != s)
            return r.fail("link %x -> %x is not mirrored (its prev is %x)", kref(s), kref(next), kref(next->prev()));
        list[n++] = s;
    }
    return true;
}

// Untyped regions: disjoint or nested. Leaves the Untyped caps of list[0, n) in
// untyped[0, mu), by address, an enclosing region before those inside it.
bool check_untyped_nesting(Report &r, Slot *const *list, u32 n, Slot **untyped, Slot **stack, u32 &mu) {
    mu = 0;
    for (u32 i = 0; i < n; ++i)
        if (is_untyped(list[i])) untyped[mu++] = list[i];
    heap_sort(untyped, mu, [](const Slot *x, const Slot *y) {
        Range a = range_of(x->cap), b = range_of(y->cap);
        return a.lo < b.lo || (a.lo == b.lo && a.hi > b.hi);
    });
    u32 sp = 0;
    for (u32 i = 0; i < mu; ++i) {
        Range u = range_of(untyped[i]->cap);
        while (sp > 0 && range_of(stack[sp - 1]->cap).hi <= u.lo) --sp;
        if (sp > 0 && !range_of(stack[sp - 1]->cap).contains(u))
            return r.fail("Untyped %x/2^%u partly overlaps Untyped %x/2^%u", untyped[i]->cap.untyped_base(),
                          untyped[i]->cap.untyped_size_bits(), stack[sp - 1]->cap.untyped_base(),
                          stack[sp - 1]->cap.untyped_size_bits());
        stack[sp++] = untyped[i];
    }
    return true;
}

// The object of slot `s` lies inside `ut`, its nearest Untyped ancestor (if
// any), and below that Untyped's watermark; an Untyped's own watermark lies
// within it.
bool check_inside_untyped(Report &r, const Slot *s, const Slot *ut) {
    const Cap &c = s->cap;
    if (is_untyped(s) && c.untyped_free_bytes() > (1u << c.untyped_size_bits()))
        return r.fail("Untyped %x: watermark %u beyond its size 2^%u", c.untyped_base(), c.untyped_free_bytes(),
                      c.untyped_size_bits());
    Range obj = range_of(c);
    if (ut && !obj.empty()) {
        Range u = range_of(ut->cap);
        u64 mark = u.lo + ut->cap.untyped_free_bytes();
        if (!u.contains(obj))
            return r.fail("%s %x (slot %x) lies outside its Untyped %x/2^%u", cap_type_name(c.type()), c.object(),
                          kref(s), ut->cap.untyped_base(), ut->cap.untyped_size_bits());
        if (obj.hi > mark)
            return r.fail("%s %x (slot %x) lies above the watermark %x of its Untyped", cap_type_name(c.type()),
                          c.object(), kref(s), static_cast<u32>(mark));
    }
    return true;
}

// An object (not an Untyped) overlaps only Untyped it was made from: `ut`, its
// nearest Untyped ancestor, and those that contain `ut`. untyped[0, mu): every Untyped.
bool check_overlaps_only_ancestors(Report &r, const Slot *s, const Slot *ut, Slot *const *untyped, u32 mu) {
    const Cap &c = s->cap;
    Range obj = range_of(c);
    if (obj.empty() || is_untyped(s)) return true;
    Range a = ut ? range_of(ut->cap) : Range{0, 0};
    for (u32 k = 0; k < mu; ++k) {
        if (untyped[k] == ut) continue;
        Range u = range_of(untyped[k]->cap);
        if (u.overlaps(obj) && !(ut && u.contains(a)))
            return r.fail("%s %x (slot %x) overlaps Untyped %x/2^%u that it was not made from",
                          cap_type_name(c.type()), c.object(), kref(s), untyped[k]->cap.untyped_base(),
                          untyped[k]->cap.untyped_size_bits());
    }
    return true;
}

// Containment: walks the list as the depth-first order of the tree it is,
// checking each object against its nearest Untyped ancestor.
bool check_containment(Report &r, Slot *const *list, u32 n, Slot *const *untyped, u32 mu, Slot **stack) {
    u32 sp = 0;
    for (u32 i = 0; i < n; ++i) {
        Slot *s = list[i];
        while (sp > 0 && !is_parent_of(stack[sp - 1], s)) --sp;
        Slot *ut = nullptr;
        for (u32 j = sp; j-- > 0;)
            if (is_untyped(stack[j])) { ut = stack[j]; break; }
        if (!check_inside_untyped(r, s, ut)) return false;
        if (!check_overlaps_only_ancestors(r, s, ut, untyped, mu)) return false;
        stack[sp++] = s;
    }
    return true;
}

// Overlap between objects: sorted by address, neighbours either differ or are
// one object. Leaves the caps of list[0, n) to objects that are not Untyped in
// sorted[0, m), by address.
bool check_object_overlap(Report &r, Slot *const *list, u32 n, Slot **sorted, u32 &m) {
    m = 0;
    for (u32 i = 0; i < n; ++i)
        if (!is_untyped(list[i]) && !range_of(list[i]->cap).empty()) sorted[m++] = list[i];
    heap_sort(sorted, m, [](const Slot *x, const Slot *y) { return x->cap.object() < y->cap.object(); });
    for (u32 i = 1; i < m; ++i) {
        const Cap &a = sorted[i - 1]->cap, &b = sorted[i]->cap;
        if (range_of(a).overlaps(range_of(b)) &&
            !(a.object() == b.object() && a.type() == b.type() && a.object_size_bits() == b.object_size_bits()))
            return r.fail("%s %x (slot %x) overlaps %s %x (slot %x)", cap_type_name(a.type()), a.object(),
                          kref(sorted[i - 1]), cap_type_name(b.type()), b.object(), kref(sorted[i]));
    }
    return true;
}

// Caps to one object are neighbours in the list (is_final() relies on it);
// sorted[0, m): caps by object address (check_object_overlap).
bool check_neighbours(Report &r, Slot *const *sorted, u32 m) {
    for (u32 i = 0; i < m;) {
        u32 j = i + 1;
        while (j < m && same_object(sorted[i]->cap, sorted[j]->cap)) ++j;
        u32 run = 1;
        for (Slot *p = sorted[i]->prev(); p && same_object(p->cap, sorted[i]->cap); p = p->prev()) ++run;
        for (Slot *q = sorted[i]->next(); q && same_object(sorted[i]->cap, q->cap); q = q->next()) ++run;
        if (run != j - i)
            return r.fail("the %u caps to %s %x are not neighbours in the list (a run of %u)", j - i,
                          cap_type_name(sorted[i]->cap.type()), sorted[i]->cap.object(), run);
        i = j;
    }
    return true;
}

// The slots of the object a CNode, TCB or Zombie cap names: `count` of them
// at `slots`, of which the first `used` may hold caps; slots is null for other caps.
struct ObjectSlots {
    Slot *slots = nullptr;
    u32 count = 0, used = 0;
};

ObjectSlots slots_of(const Cap &c) {
    switch (c.type()) {
    case CapType::CNode: {
        const u32 count = 1u << c.cnode_radix();
        return {kptr<Slot>(c.object()), count, count};
    }
    case CapType::Thread: return {kptr<Tcb>(c.object())->slots, kTcbSlots, kTcbSlots};
    case CapType::Zombie:
        return {c.zombie_is_tcb() ? kptr<Tcb>(c.object())->slots : kptr<Slot>(c.object()),
                c.zombie_is_tcb() ? kTcbSlots : 1u << (c.object_size_bits() - abi::kSlotBits),
                c.zombie_remaining()};
    default: return {};
    }
}

// Types: a TCB's CSpace root and IPC buffer slots hold caps of their kind; a
// Zombie counts no more slots than its object has.
bool check_slot_kinds(Report &r, const Cap &c, const ObjectSlots &o) {
    if (c.type() == CapType::Thread) {
        Tcb *t = kptr<Tcb>(c.object());
        CapType ct = t->slots[kTcbCTable].cap.type(), it = t->slots[kTcbIpcBuffer].cap.type();
        if (ct != CapType::Null && ct != CapType::CNode && ct != CapType::Zombie)
            return r.fail("TCB %x: CSpace root slot holds a %s cap", c.object(), cap_type_name(ct));
        if (it != CapType::Null && !t->slots[kTcbIpcBuffer].cap.is_frame())
            return r.fail("TCB %x: IPC buffer slot holds a %s cap", c.object(), cap_type_name(it));
    } else if (c.type() == CapType::Zombie && o.used > o.count) {
        return r.fail("Zombie %x counts %u slots of %u", c.object(), o.used, o.count);
    }
    return true;
}

// Slot `k` of the object that `holder`'s cap `c` names, not empty: a Reply cap
// names a caller blocked on the reply, anything else is in the derivation list
// (sorted[0, n): the list by slot address), not in a TCB's caller slot and not
// beyond a Zombie's count.
bool check_held_slot(Report &r, const Slot *holder, const Cap &c, const Slot *x, u32 k, u32 used,
                     Slot *const *sorted, u32 n) {
    if (x->cap.type() == CapType::Reply) {
        // Reply caps live outside the derivation tree (a thread's caller
        // slot, or a CNode slot after SaveCaller): each names a caller
        // blocked on the reply, which knows the slot.
        Tcb *caller = kptr<Tcb>(x->cap.object());
        if (caller->state != ThreadState::BlockedOnReply || caller->reply_holder != kref(x) || x->mdb_prev != 0 ||
            x->mdb_next != 0)
            return r.fail("slot %x holds a Reply cap to thread '%s' that does not wait on it", kref(x), caller->name);
        return true;
    }
    if (c.type() == CapType::Thread && k == kTcbCaller)
        return r.fail("TCB %x: caller slot holds a %s cap", c.object(), cap_type_name(x->cap.type()));
    if (k >= used && x != holder)
        return r.fail("Zombie %x: slot %u beyond its count %u still holds a %s cap", c.object(), k, used,
                      cap_type_name(x->cap.type()));
    if (!listed(sorted, n, x))
        return r.fail("slot %x (index %u of %s %x) holds a %s cap outside the derivation list", kref(x), k,
                      cap_type_name(c.type()), c.object(), cap_type_name(x->cap.type()));
    return true;
}

// Completeness: the slots of every CNode, TCB and Zombie are in the list.
// Leaves list[0, n) in sorted[0, n), by slot address.
bool check_completeness(Report &r, Slot *const *list, u32 n, Slot **sorted) {
    for (u32 i = 0; i < n; ++i) sorted[i] = list[i];
    heap_sort(sorted, n, [](const Slot *x, const Slot *y) { return x < y; });
    for (u32 i = 0; i < n; ++i) {
        Slot *s = list[i];
        const Cap &c = s->cap;
        const ObjectSlots o = slots_of(c);
        if (!o.slots) continue;
        if (!check_slot_kinds(r, c, o)) return false;
        if (i > 0 && same_object(list[i - 1]->cap, c)) continue;  // scanned already
        for (u32 k = 0; k < o.count; ++k) {
            const Slot *x = &o.slots[k];
            if (x->cap.is_null()) continue;
            if (!check_held_slot(r, s, c, x, k, o.used, sorted, n)) return false;
        }
    }
    return true;
}

}  // namespace

bool check_invariants(InvariantScratch scratch, char *why, usize why_size) {
    Report r{why, why_size};
    Slot **list = scratch.list, **sorted = scratch.sorted, **stack = scratch.stack;
    u32 n = 0, mu = 0, m = 0;
    if (!check_list(r, list, scratch.capacity, n)) return false;
    if (!check_untyped_nesting(r, list, n, sorted, stack, mu)) return false;
    if (!check_containment(r, list, n, sorted, mu, stack)) return false;
    if (!check_object_overlap(r, list, n, sorted, m)) return false;
    if (!check_neighbours(r, sorted, m)) return false;
    if (!check_completeness(r, list, n, sorted)) return false;
    if (!check_threads(r, list, n)) return false;
    if (!check_irqs(r, sorted, n)) return false;  // sorted by address since the completeness check
    return arch::check_mappings(why, why_size);
}

}  // namespace petrel
