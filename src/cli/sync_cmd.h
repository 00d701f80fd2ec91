#pragma once
// `zonekeeper sync`: the controller's options and loop, also run by `zonekeeper up`.

#include <string>
#include <vector>

namespace zk::store {
class SqliteZoneStore;
}

namespace zk::cli {

class RunControl;

struct SyncArgs {
  std::vector<std::string> sources;
  std::string provider = "inmemory";
  std::string policy;
  std::vector<std::string> domainFilters;
  std::vector<std::string> excludeDomains;
  std::string regexDomainFilter;
  std::string regexDomainExclusion;
  std::string registry = "txt";
  std::string txtOwnerId = "default";
  std::string txtPrefix;
  std::string txtSuffix;
  std::string txtWildcardReplacement;
  std::vector<std::string> managedRecordTypes{"A", "AAAA", "CNAME"};
  std::string namespaceFilter;
  std::string annotationFilter;
  std::string labelFilter;
  std::vector<std::string> ingressClasses;
  bool publishInternal = false;
  std::string interval = "1m";
  std::string minEventSyncInterval = "5s";
  bool once = false;
  bool dryRun = false;
  bool events = true;
  std::string manifests;
  std::string zones;
  std::string data;
  // Set by `up`: the store shared with the server and the API (local provider;
  // not owned). Its commits then reach the server without polling.
  store::SqliteZoneStore* store = nullptr;
  std::string route53Endpoint;
  std::string region;
  std::string metricsAddress;
  std::string healthzMaxFailing = "5m";
  double maxDeleteShare = 0.5;
  bool forceDeletes = false;
};

// Runs the controller (once, or until SIGTERM/SIGINT, or with `control` until
// it asks to stop). Fails with CLI::RuntimeError.
void runSync(const SyncArgs& a, RunControl* control = nullptr);

}  // namespace zk::cli
