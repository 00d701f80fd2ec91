#pragma once
// Registry: who owns which record (ExternalDNS registry.Registry).
//   records()      the provider's records with ownership labels attached;
//                  the registry's own bookkeeping records are hidden
//   applyChanges() the record changes plus the registry's bookkeeping changes

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/endpoint/endpoint.h"
#include "controller/plan/plan.h"
#include "controller/provider/provider.h"

namespace zk::controller {

class Registry {
 public:
  virtual ~Registry() = default;
  virtual Result<std::vector<Endpoint>> records() = 0;
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
  Status applyChanges(const Changes& changes) override { return provider_.applyChanges(changes); }
  [[nodiscard]] std::string ownerId() const override { return {}; }
  Provider& provider() override { return provider_; }

 private:
  Provider& provider_;
};

}  // namespace zk::controller
