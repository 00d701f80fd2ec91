#pragma once
// Registry: who owns which record (ExternalDNS registry.Registry).
//   records()      the provider's records with ownership labels attached;
//                  the registry's own bookkeeping records are hidden
//   applyChanges() the record changes plus the registry's bookkeeping changes
//   sharedRecords() records(), shared and cached: listed again only when the
//                  provider's recordsVersion() moved (or it has none)

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/endpoint/endpoint.h"
#include "controller/plan/plan.h"
#include "controller/provider/provider.h"

namespace zk::controller {

using SharedEndpoints = std::shared_ptr<const std::vector<Endpoint>>;

class Registry {
 public:
  virtual ~Registry() = default;
  virtual Result<std::vector<Endpoint>> records() = 0;
  virtual Result<SharedEndpoints> sharedRecords() = 0;
  virtual Status applyChanges(const Changes& changes) = 0;
  // Empty: every record counts as owned (noop).
  [[nodiscard]] virtual std::string ownerId() const = 0;
  virtual Provider& provider() = 0;
};

// No ownership: every record is treated as ours (ExternalDNS --registry noop).
class NoopRegistry final : public Registry {
 public:
  explicit NoopRegistry(Provider& provider) : provider_(provider) {}
  Result<std::vector<Endpoint>> records() override { return provider_.records(); }
  Result<SharedEndpoints> sharedRecords() override;
  Status applyChanges(const Changes& changes) override { return provider_.applyChanges(changes); }
  [[nodiscard]] std::string ownerId() const override { return {}; }
  Provider& provider() override { return provider_; }

 private:
  Provider& provider_;
  std::mutex mu_;
  std::optional<std::string> version_;
  SharedEndpoints cached_;
};

// The listing cache both registries use: answers from `cached` while the
// provider's version equals `version`, else calls `list` and remembers the
// version read before it (a change racing the listing moves the version again,
// so the next call lists again). Call with the registry's lock held.
template <class Ptr, class List>
Result<SharedEndpoints> cachedListing(Provider& provider, std::optional<std::string>& version, Ptr& cached,
                                      List&& list) {
  auto now = provider.recordsVersion();
  if (!now) return now.error();
  if (*now && cached && version == *now) return SharedEndpoints(cached);
  auto fresh = list();
  if (!fresh) return fresh.error();
  cached = std::make_shared<typename Ptr::element_type>(std::move(*fresh));
  version = *now;
  return SharedEndpoints(cached);
}

}  // namespace zk::controller
