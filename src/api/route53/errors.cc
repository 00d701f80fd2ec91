#include "api/route53/errors.h"

namespace zk::api {

ApiError invalidChangeBatch(std::vector<std::string> messages) {
  std::string joined = "[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) joined += ", ";
    joined += messages[i];
  }
  joined += "]";
  ApiError e = makeError(400, "InvalidChangeBatch", std::move(joined));
  e.messages = std::move(messages);
  return e;
}

ApiError fromStoreError(const store::StoreError& error) {
  std::string message;
  for (std::size_t i = 0; i < error.messages.size(); ++i) {
    if (i > 0) message += "; ";
    message += error.messages[i];
  }
  switch (error.code) {
    case store::ErrorCode::InvalidInput:
      return makeError(400, "InvalidInput", message);
    case store::ErrorCode::InvalidChangeBatch:
      return invalidChangeBatch(error.messages);
    case store::ErrorCode::NoSuchHostedZone:
      return makeError(404, "NoSuchHostedZone", message);
    case store::ErrorCode::HostedZoneAlreadyExists:
      return makeError(409, "HostedZoneAlreadyExists", message);
    case store::ErrorCode::HostedZoneNotEmpty:
      return makeError(400, "HostedZoneNotEmpty", message);
    case store::ErrorCode::NoSuchChange:
      return makeError(404, "NoSuchChange", message);
    case store::ErrorCode::PriorRequestNotComplete:
      return makeError(400, "PriorRequestNotComplete", message);
    case store::ErrorCode::NoSuchHealthCheck:
      return makeError(404, "NoSuchHealthCheck", message);
    case store::ErrorCode::Internal:
      break;
  }
  return internalError(message.empty() ? "internal error" : message);
}

}  // namespace zk::api
