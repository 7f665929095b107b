// A value or the reason it could not be produced. Sub-parsers fail with a static reason string,
// so the error path never allocates; the message parser turns reasons into a parse_error.
#pragma once

#include <utility>

namespace sipactor {

struct failure {
  const char* reason;
};

template <class T>
class expected {
 public:
  expected(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  expected(failure f) : reason_(f.reason) {}        // NOLINT: implicit by design

  explicit operator bool() const noexcept { return reason_ == nullptr; }
  bool ok() const noexcept { return reason_ == nullptr; }
  const char* reason() const noexcept { return reason_; }
  failure error() const noexcept { return failure{reason_}; }

  const T& operator*() const& noexcept { return value_; }
  T& operator*() & noexcept { return value_; }
  const T* operator->() const noexcept { return &value_; }
  T* operator->() noexcept { return &value_; }
  const T& value() const& noexcept { return value_; }

 private:
  T value_{};
  const char* reason_ = nullptr;
};

}  // namespace sipactor
