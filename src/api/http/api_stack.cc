#include "api/http/api_stack.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace zk::api {
namespace {

std::int64_t systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Change ids for stores that report none: "C" + 20 upper-case hex digits.
std::string randomChangeId() {
  std::string id = newRequestId();
  std::erase(id, '-');
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "C" + id.substr(0, 20);
}

}  // namespace

ApiStack::ApiStack(store::ZoneStore& store, const ApiStackOptions& options)
    : now_(options.now ? options.now : systemNow),
      service_(store, HostedZoneService::Options{now_, randomChangeId}),
      handler_(service_),
      keys_(auth::KeyStore(options.dataDir)),
      pipeline_(handler_, keys_, now_) {}

Result<std::unique_ptr<ApiStack>> ApiStack::start(store::ZoneStore& store, const ApiStackOptions& options) {
  std::unique_ptr<ApiStack> self(new ApiStack(store, options));
  if (auto s = self->keys_.refresh(); !s) return s.error();
  auto server = ApiServer::start(options.server, self->pipeline_);
  if (!server) return server.error();
  self->server_ = std::move(*server);
  return self;
}

void ApiStack::stop() {
  if (server_) server_->stop();
}

ApiStack::~ApiStack() { stop(); }

}  // namespace zk::api
