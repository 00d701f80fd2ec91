#pragma once
// Route53 API errors: HTTP status, error code and message, rendered as
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
// Every failure of an operation is one of these values; nothing is thrown.

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/zone_store.h"

namespace zk::api {

struct ApiError {
  int httpStatus = 400;
  std::string code;
  std::string message;
  bool senderFault = true;  // <Type>Sender</Type>, else Receiver (our fault)
  // InvalidChangeBatch: every problem in the batch (the Message is "[m1, m2]").
  std::vector<std::string> messages;
};

template <class T>
using ApiResult = std::variant<T, ApiError>;

template <class T>
bool isError(const ApiResult<T>& r) {
  return r.index() == 1;
}

inline ApiError makeError(int status, std::string code, std::string message) {
  return ApiError{status, std::move(code), std::move(message), status < 500, {}};
}
inline ApiError invalidInput(std::string message) {
  return makeError(400, "InvalidInput", std::move(message));
}
inline ApiError internalError(std::string message) {
  return makeError(500, "InternalFailure", std::move(message));
}
// Route53 answers InvalidChangeBatch with the messages joined as "[m1, m2]".
ApiError invalidChangeBatch(std::vector<std::string> messages);

// Maps a store error to the Route53 error AWS would send (status + code).
ApiError fromStoreError(const store::StoreError& error);

}  // namespace zk::api
