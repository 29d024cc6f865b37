// Status and StatusOr<T>: how every module of tinyml-compile reports failure.
//
// No exception crosses a module boundary. A function that can fail returns
// Status (or StatusOr<T> when it also produces a value); callers propagate
// with TML_RETURN_IF_ERROR / TML_ASSIGN_OR_RETURN. Only compiler/main.cc turns
// a Status into an exit code:
//   kInvalidInput -> 2   (bad usage, bad model, bad data: the user can fix it)
//   kVerifyFailed -> 1   (the model compiled but missed a tolerance or budget)
//   kInternal     -> 3   (a bug in tinyml-compile)
//
// Messages are one line, start with what failed (file, node, op) and end with
// what to do, e.g.
//   "model.onnx: node 'lstm_1' (LSTM, opset 14): attribute 'hidden_size' is required"
#ifndef TML_COMPILER_STATUS_H_
#define TML_COMPILER_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace tml {

enum class StatusCode { kOk = 0, kInvalidInput, kVerifyFailed, kInternal };

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<prefix>: <message>" (adds context on the way up).
  Status WithPrefix(const std::string& prefix) const {
    if (ok()) return *this;
    return Status(code_, prefix + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename... Args>
Status InvalidInput(fmt::format_string<Args...> format, Args&&... args) {
  return Status(StatusCode::kInvalidInput, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status VerifyFailed(fmt::format_string<Args...> format, Args&&... args) {
  return Status(StatusCode::kVerifyFailed, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status Internal(fmt::format_string<Args...> format, Args&&... args) {
  return Status(StatusCode::kInternal, fmt::format(format, std::forward<Args>(args)...));
}

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Internal("StatusOr constructed from an ok Status without a value");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tml

#define TML_STATUS_CONCAT_INNER(a, b) a##b
#define TML_STATUS_CONCAT(a, b) TML_STATUS_CONCAT_INNER(a, b)

#define TML_RETURN_IF_ERROR(expr)               \
  do {                                          \
    ::tml::Status tml_status_ = (expr);         \
    if (!tml_status_.ok()) return tml_status_;  \
  } while (0)

#define TML_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define TML_ASSIGN_OR_RETURN(lhs, expr) \
  TML_ASSIGN_OR_RETURN_IMPL(TML_STATUS_CONCAT(tml_statusor_, __LINE__), lhs, expr)

#endif  // TML_COMPILER_STATUS_H_
