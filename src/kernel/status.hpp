// SPDX-License-Identifier: BSD-2-Clause
// The kernel's one result vocabulary: Status for what an operation came to, and
// Result<T> for one that also gives back a value (instead of out-parameters).
//
// Status says how the operation ended; what a rejected invocation tells its
// caller (the abi::Error code and its detail words) is recorded where it is
// rejected (invocation.hpp: last_error()), and a fault's details are in the
// faulting thread. The numbering keeps Ok at 0 and the system-call outcomes in
// the order the entry code tests them.
#pragma once

namespace petrel {

enum class [[nodiscard]] Status {
    Ok,              // done
    Preempted,       // an interrupt is pending at a preemption point: the system
                     // call restarts from its beginning and goes on where it stopped
    UnknownSyscall,  // no such system call: a fault to the thread's fault handler
    Fault,           // the thread faulted in the call (a cap fault; t->fault_* hold
                     // the details): delivered to its fault handler
    Error,           // an invocation was rejected: the error is recorded for the reply
};

// A value, or the Status (never Ok) that says why there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(value) {}                    // NOLINT: implicit, as a return value
    Result(Status status) : status_(status) {}            // NOLINT
    bool ok() const { return status_ == Status::Ok; }
    Status status() const { return status_; }
    T &value() { return value_; }
    const T &value() const { return value_; }
    T *operator->() { return &value_; }
    const T *operator->() const { return &value_; }

private:
    T value_{};
    Status status_ = Status::Ok;
};

}  // namespace petrel
