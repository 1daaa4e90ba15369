// Result<T> and Error: how every layer reports failure.
//
// An Error carries a canonical code (a small fixed set, each with one documented meaning), a stable
// machine reason such as "uscc.check" that tests and API clients may match on, an English message for
// logs and operators, and a Chinese message for the people who read it in the portal, receipts and
// reports. Library exceptions are caught at the layer that calls the library and turned into Errors; no
// exception crosses a layer, and bad input is never an assert.
//
// Thread-safety: plain values; safe to copy across threads.

#ifndef XY_BASE_RESULT_H_
#define XY_BASE_RESULT_H_

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace xy {

// Canonical error codes. The HTTP layer maps each to one status in one table.
enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong whatever the system's state (a bad code, a bad date)
  kNotFound,            // the thing named does not exist
  kAlreadyExists,       // creating something that is already there
  kPermissionDenied,    // the caller is known but may not do this
  kUnauthenticated,     // the caller could not be identified
  kFailedPrecondition,  // the input is well formed but the system is not in a state that allows it
  kResourceExhausted,   // a limit or quota was hit
  kAborted,             // a concurrent change or a conflict; retrying the whole unit may succeed
  kUnavailable,         // a dependency (database, disk) is unavailable; retrying later may succeed
  kInternal,            // a bug or a broken invariant
};

// The canonical lowercase name, as used in the HTTP error body ("invalid_argument", ...).
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string reason;      // stable, dotted, lowercase: "uscc.check", "calendar.out_of_range"
  std::string message;     // English
  std::string message_zh;  // Simplified Chinese; may be empty where no user reads it

  // "invalid_argument uscc.check: MOD 31 check character mismatch"
  std::string ToString() const;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for `return Fail(ErrorCode::kNotFound, "region.unknown", "...", "...");`.
inline std::unexpected<Error> Fail(ErrorCode code, std::string reason, std::string message,
                                   std::string message_zh = {}) {
  return std::unexpected<Error>(
      Error{code, std::move(reason), std::move(message), std::move(message_zh)});
}

}  // namespace xy

#endif  // XY_BASE_RESULT_H_
