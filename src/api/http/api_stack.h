#pragma once
// ApiStack: the whole API wired on a ZoneStore (HostedZoneService, handler,
// access keys from DATA_DIR, SigV4 pipeline, HTTP(S) server), so that
// `zonekeeper api` and `zonekeeper serve` start it the same way:
//
//   auto api = api::ApiStack::start(store, {.dataDir = dir, .server = {.host = "127.0.0.1", .port = 8053}});
//   ... (*api)->port() ... (*api)->stop();

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/auth/key_store.h"
#include "api/http/api_server.h"
#include "api/http/pipeline.h"
#include "api/route53/handler.h"
#include "api/route53/hosted_zone_service.h"
#include "common/result.h"
#include "store/zone_store.h"

namespace zk::api {

struct ApiStackOptions {
  std::string dataDir;  // holds api_keys.json
  ApiServerOptions server;
  std::function<std::int64_t()> now;  // unix seconds; default: the system clock
};

class ApiStack {
 public:
  // Loads the access keys (refusing a key file others can read) and listens.
  static Result<std::unique_ptr<ApiStack>> start(store::ZoneStore& store, const ApiStackOptions& options);
  ~ApiStack();
  ApiStack(const ApiStack&) = delete;
  ApiStack& operator=(const ApiStack&) = delete;

  [[nodiscard]] int port() const { return server_->port(); }
  [[nodiscard]] bool tls() const { return server_->tls(); }
  void stop();

 private:
  ApiStack(store::ZoneStore& store, const ApiStackOptions& options);

  std::function<std::int64_t()> now_;
  HostedZoneService service_;
  Route53Handler handler_;
  auth::KeyCache keys_;
  ApiPipeline pipeline_;
  std::unique_ptr<ApiServer> server_;
};

}  // namespace zk::api
