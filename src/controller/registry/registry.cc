#include "controller/registry/registry.h"

namespace zk::controller {

Result<SharedEndpoints> NoopRegistry::sharedRecords() {
  std::lock_guard lock(mu_);
  return cachedListing(provider_, version_, cached_, [&] { return provider_.records(); });
}

}  // namespace zk::controller
