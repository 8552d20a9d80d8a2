// SPDX-License-Identifier: BSD-2-Clause
// libpetrel's typed cap wrappers (petrel/caps.hpp): wrong kinds of cap refused at compile time, each wrapper one word.
//
// Nothing here runs an invocation (the wrappers' bodies call libpetrel's ARM
// system-call stubs, which the host does not link): every check is a
// requires-expression, an unevaluated question "would this call compile?",
// asked in a static_assert. The TEST_CASEs only repeat a few of them so the
// run lists the file; the build is the test.
#include "catch.hpp"

#include <type_traits>

#include "petrel/caps.hpp"

using namespace petrel;

namespace {

// ---------------------------------------------------------------- each wrapper is a u32
template <class T>
constexpr bool is_one_word = sizeof(T) == sizeof(u32) && alignof(T) == alignof(u32) &&
                             std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T> &&
                             std::is_trivially_destructible_v<T>;

template <class T>
constexpr bool is_explicit_cap = std::is_constructible_v<T, u32> && !std::is_convertible_v<u32, T> &&
                                 std::is_nothrow_default_constructible_v<T> && !std::is_convertible_v<T, u32>;

template <class... T>
constexpr bool all_caps = ((is_one_word<T> && is_explicit_cap<T>) && ...);

static_assert(all_caps<Endpoint, Notification, CNode, Untyped, PageDirectory, PageTable, Frame, AsidControl,
                       AsidPool, Tcb, IrqControl, IrqHandler>);

// No wrapper turns into another, implicitly or explicitly.
template <class From, class To>
constexpr bool converts = std::is_convertible_v<From, To> || std::is_constructible_v<To, From>;
static_assert(!converts<Tcb, PageDirectory> && !converts<PageDirectory, Tcb>);
static_assert(!converts<Frame, PageTable> && !converts<PageTable, Frame>);
static_assert(!converts<Endpoint, Notification> && !converts<Notification, Endpoint>);
static_assert(!converts<CNode, Untyped> && !converts<IrqHandler, IrqControl>);
static_assert(converts<Tcb, Tcb>);  // copies are fine

// The cap pointer goes in and comes out unchanged; 0 is the null cap.
static_assert(Frame{0x1234}.cptr() == 0x1234 && Frame{0x1234}.valid());
static_assert(Endpoint{}.cptr() == 0 && !Endpoint{}.valid() && !Endpoint{0}.valid());
static_assert(kInitCNode.cptr() == abi::kCapInitCNode && kInitVSpace.cptr() == abi::kCapInitVSpace &&
              kInitTcb.cptr() == abi::kCapInitTcb && kInitAsidPool.cptr() == abi::kCapInitAsidPool &&
              kInitIrqControl.cptr() == abi::kCapIrqControl && kInitAsidControl.cptr() == abi::kCapAsidControl);

// ---------------------------------------------------------------- arguments are the object asked for
constexpr abi::IpcBuffer *kIpc = nullptr;

// Frame::map(ipc, PageDirectory, vaddr, rights, attr)
template <class Pd>
constexpr bool frame_maps_into = requires(Frame f, Pd pd) { f.map(kIpc, pd, 0u, 0u, 0u); };
static_assert(frame_maps_into<PageDirectory>);
static_assert(!frame_maps_into<Tcb>);
static_assert(!frame_maps_into<PageTable>);
static_assert(!frame_maps_into<CNode>);
static_assert(!frame_maps_into<u32>);  // a raw cap pointer must be named: PageDirectory{pd}

// PageTable::map(ipc, PageDirectory, vaddr); only a frame or a table maps.
template <class Pd>
constexpr bool table_maps_into = requires(PageTable t, Pd pd) { t.map(kIpc, pd, 0u); };
static_assert(table_maps_into<PageDirectory> && !table_maps_into<Frame> && !table_maps_into<u32>);
template <class T>
constexpr bool has_map = requires(T t, PageDirectory pd) { t.map(kIpc, pd, 0u, 0u, 0u); };
static_assert(has_map<Frame> && !has_map<Tcb> && !has_map<Endpoint> && !has_map<PageDirectory>);

// Tcb::configure(ipc, fault_ep, CNode, data, PageDirectory, data, buffer, Frame): swapped roots refused.
template <class CSpace, class VSpace, class Buffer>
constexpr bool configures = requires(Tcb t, CSpace c, VSpace v, Buffer b) {
    t.configure(kIpc, 0u, c, 0u, v, 0u, 0u, b);
};
static_assert(configures<CNode, PageDirectory, Frame>);
static_assert(!configures<PageDirectory, CNode, Frame>);
static_assert(!configures<CNode, PageDirectory, PageTable>);
static_assert(!configures<u32, u32, u32>);

// A TCB's authority is a TCB; its bound notification a Notification.
template <class A>
constexpr bool priority_from = requires(Tcb t, A a) { t.set_priority(kIpc, a, 0u); };
static_assert(priority_from<Tcb> && !priority_from<CNode> && !priority_from<u32>);
template <class N>
constexpr bool binds = requires(Tcb t, N n) { t.bind_notification(kIpc, n); };
static_assert(binds<Notification> && !binds<Endpoint> && !binds<u32>);

// An IrqHandler signals a Notification, never an Endpoint.
template <class N>
constexpr bool signals = requires(IrqHandler h, N n) { h.set_notification(kIpc, n); };
static_assert(signals<Notification> && !signals<Endpoint>);

// Retype, IrqControl.Get, CNode.Copy and ASID Control name their CNode as one.
template <class Root>
constexpr bool retypes_into = requires(Untyped u, Root r) {
    u.retype(kIpc, abi::ObjectType::Endpoint, 0u, r, 0u, 0u, 0u, 1u);
};
static_assert(retypes_into<CNode> && !retypes_into<Untyped> && !retypes_into<u32>);
template <class Root>
constexpr bool irq_into = requires(IrqControl c, Root r) { c.get(kIpc, 0u, r, 0u, 0u); };
static_assert(irq_into<CNode> && !irq_into<u32>);
template <class Root>
constexpr bool copies_from = requires(CNode c, Root r) { c.copy(kIpc, 0u, 0u, r, 0u, 0u, 0u); };
static_assert(copies_from<CNode> && !copies_from<Tcb>);
template <class U, class Root>
constexpr bool makes_pool = requires(AsidControl c, U u, Root r) { c.make_pool(kIpc, u, r, 0u, 0u); };
static_assert(makes_pool<Untyped, CNode> && !makes_pool<CNode, Untyped> && !makes_pool<Frame, CNode>);
template <class Pd>
constexpr bool assigns = requires(AsidPool p, Pd pd) { p.assign(kIpc, pd); };
static_assert(assigns<PageDirectory> && !assigns<Frame>);

// Each kind has its own methods only: no Signal on an Endpoint, no Call on a Notification.
template <class T>
constexpr bool has_signal = requires(T t) { t.signal(); };
template <class T>
constexpr bool has_call = requires(T t, MessageRegs &mr) { t.call(abi::MessageInfo{}, mr); };
static_assert(has_signal<Notification> && !has_signal<Endpoint> && !has_signal<Tcb>);
static_assert(has_call<Endpoint> && !has_call<Notification> && !has_call<CNode>);

// Invocations return their error as a value.
static_assert(std::is_same_v<decltype(Frame{}.unmap()), abi::Error>);
static_assert(std::is_same_v<decltype(CNode{}.remove(0, 0)), abi::Error>);
static_assert(std::is_same_v<decltype(Endpoint{}.recv(std::declval<MessageRegs &>())), RecvResult>);

}  // namespace

TEST_CASE("cap wrappers are one word each and refuse the wrong kind of cap", "[caps]") {
    CHECK(all_caps<Endpoint, Notification, CNode, Untyped, PageDirectory, PageTable, Frame, AsidControl, AsidPool,
                   Tcb, IrqControl, IrqHandler>);
    CHECK(frame_maps_into<PageDirectory>);
    CHECK_FALSE(frame_maps_into<Tcb>);
    CHECK_FALSE(configures<PageDirectory, CNode, Frame>);
    CHECK_FALSE(binds<Endpoint>);
    const Tcb t{5};
    const Tcb copy = t;
    CHECK(copy.cptr() == 5);
    CHECK_FALSE(Tcb{}.valid());
}
