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

// A value, or the Status (never Ok) that says why there is none. A failed
// Result leaves the value's storage untouched, so the many reject paths of a
// decode function cost nothing for a large argument struct.
template <typename T>
class [[nodiscard]] Result {
    static_assert(__is_trivially_copyable(T), "a Result holds plain decoded values");

public:
    Result(const T &value) : value_(value), status_(Status::Ok) {}  // NOLINT: implicit, as a return value
    Result(Status status) : none_(), status_(status) {}             // NOLINT
    bool ok() const { return status_ == Status::Ok; }
    Status status() const { return status_; }
    T &value() { return value_; }
    const T &value() const { return value_; }
    T *operator->() { return &value_; }
    const T *operator->() const { return &value_; }

private:
    union {
        T value_;
        char none_;
    };
    Status status_;
};

// A pointer result is one word, returned in r0 as a plain pointer is (a
// two-word Result would be returned through memory): the value is never null
// and a kernel object is never in the first page, so the small numbers are
// the Statuses.
template <typename T>
class [[nodiscard]] Result<T *> {
public:
    Result(T *value) : word_(reinterpret_cast<unsigned long>(value)) {}  // NOLINT: implicit; never null
    Result(Status status) : word_(static_cast<unsigned long>(status)) {}  // NOLINT
    bool ok() const { return word_ > kLastStatus; }
    Status status() const { return ok() ? Status::Ok : static_cast<Status>(word_); }
    T *value() const { return reinterpret_cast<T *>(word_); }
    T *operator->() const { return value(); }

private:
    static constexpr unsigned long kLastStatus = static_cast<unsigned long>(Status::Error);
    unsigned long word_;
};

}  // namespace petrel
