// `zonekeeper sync`: ExternalDNS's job with ExternalDNS's flags. Reads Ingress
// and Service objects (from --manifests DIR), plans against the provider's
// records and ownership TXT records, applies under --policy.

#include <pthread.h>
#include <csignal>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/run_control.h"
#include "cli/sync_cmd.h"
#include "controller/plan/plan.h"
#include "controller/provider/inmemory.h"
#include "controller/provider/local.h"
#include "controller/provider/route53/route53.h"
#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/status_server.h"
#include "controller/registry/txt.h"
#include "controller/source/manifest_dir.h"

namespace zk::cli {
namespace {

using namespace zk::controller;

[[noreturn]] void usageError(const std::string& message) {
  std::fprintf(stderr, "zonekeeper sync: %s\nRun with --help for more information.\n", message.c_str());
  throw CLI::RuntimeError(kExitUsage);
}

[[noreturn]] void failed(const std::string& message) {
  std::fprintf(stderr, "zonekeeper sync: %s\n", message.c_str());
  throw CLI::RuntimeError(kExitFailed);
}

// Go-style durations as ExternalDNS takes them: "1m", "30s", "500ms", "1h30m".
std::chrono::milliseconds parseDuration(const std::string& text, const char* flag) {
  std::uint64_t total = 0;
  std::size_t i = 0;
  if (text.empty()) usageError(fmt::format("{}: empty duration", flag));
  while (i < text.size()) {
    std::uint64_t n = 0;
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n < (1ULL << 40)) {
      n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
    }
    if (i == start) usageError(fmt::format("{}: bad duration '{}'", flag, text));
    std::string unit;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) unit += text[i++];
    std::uint64_t ms = 0;
    if (unit == "ms") {
      ms = 1;
    } else if (unit == "s") {
      ms = 1000;
    } else if (unit == "m") {
      ms = 60000;
    } else if (unit == "h") {
      ms = 3600000;
    } else {
      usageError(fmt::format("{}: bad duration '{}' (units ms, s, m, h)", flag, text));
    }
    total += n * ms;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

void logLine(std::string_view line) {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  std::fflush(stderr);
}

}  // namespace

void runSync(const SyncArgs& a, RunControl* control) {
  using namespace zk::controller;
  // A long-running sync takes SIGINT/SIGTERM in one thread that stops the loop
  // (no work in a signal handler). They are blocked before anything starts a
  // thread (the local provider's store has a checkpoint thread), so that every
  // thread inherits the mask and none of them dies of the default action.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (!a.once) pthread_sigmask(SIG_BLOCK, &set, nullptr);

  // Source options.
  ReconcileOptions opts;
  opts.dryRun = a.dryRun;
  opts.source.kinds.clear();
  if (a.sources.empty()) usageError("--source is required (ingress, service)");
  for (const auto& s : a.sources) {
    auto k = sourceKindFromText(s);
    if (!k) usageError(k.error().message);
    opts.source.kinds.push_back(*k);
  }
  opts.source.namespaceFilter = a.namespaceFilter;
  auto af = Selector::parse(a.annotationFilter);
  if (!af) usageError(fmt::format("--annotation-filter: {}", af.error().message));
  opts.source.annotationFilter = std::move(*af);
  auto lf = Selector::parse(a.labelFilter);
  if (!lf) usageError(fmt::format("--label-filter: {}", lf.error().message));
  opts.source.labelFilter = std::move(*lf);
  opts.source.ingressClasses = a.ingressClasses;
  opts.source.publishInternalServices = a.publishInternal;

  // Plan options.
  auto policy = policyFromText(a.policy);
  if (!policy) usageError(policy.error().message);
  opts.plan.policy = *policy;
  auto filter =
      DomainFilter::make(a.domainFilters, a.excludeDomains, a.regexDomainFilter, a.regexDomainExclusion);
  if (!filter) usageError(filter.error().message);
  opts.plan.domainFilter = std::move(*filter);
  opts.plan.managedTypes.clear();
  for (const auto& t : a.managedRecordTypes) {
    auto type = wire::typeFromText(t);
    if (!type) usageError(fmt::format("--managed-record-types: {}", type.error().message));
    opts.plan.managedTypes.push_back(*type);
  }
  if (a.maxDeleteShare < 0 || a.maxDeleteShare > 1) usageError("--max-delete-share must be between 0 and 1");
  opts.deleteLimit.maxShare = a.maxDeleteShare;
  opts.deleteLimit.force = a.forceDeletes;

  // Provider.
  std::unique_ptr<Provider> provider;
  std::unique_ptr<store::ZoneStore> zoneStore;
  if (a.provider == "inmemory") {
    auto mem = std::make_unique<InMemoryProvider>();
    if (!a.zones.empty()) {
      std::error_code ec;
      std::vector<std::filesystem::path> files;
      for (std::filesystem::directory_iterator it(a.zones, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".zone") files.push_back(it->path());
      }
      if (ec) failed(fmt::format("--zones {}: {}", a.zones, ec.message()));
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        auto origin = wire::Name::fromText(f.stem().string());
        if (!origin) failed(fmt::format("{}: file name is not a zone name", f.string()));
        if (auto s = loadZoneFile(*mem, f.string(), *origin); !s) failed(s.error().message);
      }
    }
    provider = std::move(mem);
  } else if (a.provider == "local") {
    if (a.data.empty()) usageError("--provider local needs --data DIR (the store of `zonekeeper serve`)");
    auto local =
        a.store != nullptr ? LocalProvider::attach(*a.store, a.zones) : LocalProvider::open(a.data, a.zones);
    if (!local) failed(local.error().message);
    provider = std::move(*local);
  } else if (a.provider == "route53") {
    auto o = route53::optionsFromEnvironment(a.route53Endpoint);
    if (o.credentials.accessKeyId.empty() || o.credentials.secretAccessKey.empty()) {
      usageError("--provider route53 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
    }
    if (!a.region.empty()) o.region = a.region;
    provider =
        std::make_unique<route53::Route53Provider>(std::move(o), std::make_unique<route53::CurlClient>());
  } else {
    usageError(fmt::format("unknown --provider '{}' (inmemory, local, route53)", a.provider));
  }

  // Registry.
  std::unique_ptr<Registry> registry;
  if (a.registry == "txt") {
    auto txt =
        TxtRegistry::make(*provider, {a.txtOwnerId, a.txtPrefix, a.txtSuffix, a.txtWildcardReplacement});
    if (!txt) usageError(txt.error().message);
    registry = std::move(*txt);
  } else if (a.registry == "noop") {
    registry = std::make_unique<NoopRegistry>(*provider);
  } else {
    usageError(fmt::format("unknown --registry '{}' (txt, noop)", a.registry));
  }

  // Source.
  if (a.manifests.empty())
    usageError("--manifests DIR is required (the Kubernetes API source is not built yet)");
  ManifestDirectory source(a.manifests);
  if (auto s = source.reload(); !s) failed(s.error().message);
  for (const auto& d : source.diagnostics()) logLine(d.toString());

  Reconciler reconciler(source, *registry, opts, logLine);
  if (a.once) {
    auto r = reconciler.runOnce();
    if (!r) failed(r.error().message);
    for (const auto& w : r->warnings) logLine(fmt::format("warning: {}", w));
    if (a.dryRun) {
      std::fputs(formatPlan(r->changes).c_str(), stdout);
    } else {
      std::fputs(formatPlan(r->changes).c_str(), stdout);
    }
    return;
  }

  const auto interval = parseDuration(a.interval, "--interval");
  const auto maxFailing = parseDuration(a.healthzMaxFailing, "--healthz-max-failing");
  StatusServer status;
  if (!a.metricsAddress.empty()) {
    auto started = status.start(a.metricsAddress, [&](std::string_view path) -> StatusReply {
      const auto stats = reconciler.stats();
      if (path == "/metrics") return {200, "text/plain; version=0.0.4; charset=utf-8", renderMetrics(stats)};
      if (path == "/healthz") {
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        if (healthy(stats, now, std::chrono::duration_cast<std::chrono::seconds>(maxFailing).count())) {
          return {200, "text/plain; charset=utf-8", "ok\n"};
        }
        return {503, "text/plain; charset=utf-8",
                fmt::format("syncs failing since {} (last success {}): {}\n", stats.failingSinceUnix,
                            stats.lastSuccessUnix, stats.lastError)};
      }
      return {404, "text/plain; charset=utf-8", "not found (try /metrics or /healthz)\n"};
    });
    if (!started) failed(started.error().message);
    logLine(fmt::format("zonekeeper sync: /metrics and /healthz on port {}", status.port()));
  }
  const auto minEvent = parseDuration(a.minEventSyncInterval, "--min-event-sync-interval");
  std::atomic<bool> stop{false};
  std::thread signals([&] {
    if (control != nullptr) {
      control->waitStop();
    } else {
      int sig = 0;
      sigwait(&set, &sig);
    }
    stop = true;
    reconciler.wake();
  });
  if (a.events) {
    if (auto s = source.watch([&] {
          for (const auto& d : source.diagnostics()) logLine(d.toString());
          reconciler.notify();
        });
        !s) {
      logLine(fmt::format("warning: not watching {}: {}", a.manifests, s.error().message));
    }
  }
  logLine(fmt::format("zonekeeper sync: policy {}, domain filter {}, owner '{}', every {} ms", a.policy,
                      opts.plan.domainFilter.describe(), registry->ownerId(), interval.count()));
  if (control != nullptr) control->markReady();
  reconciler.run(interval, minEvent, stop);
  source.stop();
  status.stop();
  if (control != nullptr) {
    control->requestStop();  // the controller ended: `up` stops as a whole
  } else if (!stop) {
    // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread): SIGTERM is blocked; it only wakes sigwait
    pthread_kill(signals.native_handle(), SIGTERM);
  }
  signals.join();
}

void addSyncCommand(CLI::App& app) {
  auto args = std::make_shared<SyncArgs>();
  auto* cmd =
      app.add_subcommand("sync", "Keep DNS records in sync with Ingress and Service objects (ExternalDNS)");
  cmd->add_option("--source", args->sources, "ingress | service (repeatable)")->required();
  cmd->add_option("--provider", args->provider, "inmemory | local | route53")->capture_default_str();
  cmd->add_option("--policy", args->policy, "sync | upsert-only | create-only")->required();
  cmd->add_option("--domain-filter", args->domainFilters,
                  "Limit to this domain and its subdomains ('.example.com': subdomains only; repeatable)");
  cmd->add_option("--exclude-domains", args->excludeDomains, "Exclude this domain (repeatable)");
  cmd->add_option("--regex-domain-filter", args->regexDomainFilter, "Limit to names matching this regex");
  cmd->add_option("--regex-domain-exclusion", args->regexDomainExclusion,
                  "Exclude names matching this regex");
  cmd->add_option("--registry", args->registry, "txt | noop")->capture_default_str();
  cmd->add_option("--txt-owner-id", args->txtOwnerId, "Owner id written in ownership TXT records")
      ->capture_default_str();
  cmd->add_option("--txt-prefix", args->txtPrefix,
                  "Prefix of ownership TXT names (may contain %{record_type})");
  cmd->add_option("--txt-suffix", args->txtSuffix,
                  "Suffix of ownership TXT names (may contain %{record_type})");
  cmd->add_option("--txt-wildcard-replacement", args->txtWildcardReplacement,
                  "Replaces '*' in ownership names");
  cmd->add_option("--managed-record-types", args->managedRecordTypes, "Record types to manage")
      ->capture_default_str();
  cmd->add_option("--namespace", args->namespaceFilter, "Only objects in this namespace");
  cmd->add_option("--annotation-filter", args->annotationFilter, "Label selector over annotations");
  cmd->add_option("--label-filter", args->labelFilter, "Label selector over labels");
  cmd->add_option("--ingress-class", args->ingressClasses, "Only Ingresses of this class (repeatable)");
  cmd->add_flag("--publish-internal-services", args->publishInternal,
                "Publish ClusterIP services' addresses");
  cmd->add_option("--interval", args->interval, "Full reconcile interval")->capture_default_str();
  cmd->add_option("--min-event-sync-interval", args->minEventSyncInterval, "Minimum time between event syncs")
      ->capture_default_str();
  cmd->add_flag("--once", args->once, "Run one reconcile and exit");
  cmd->add_flag("--dry-run", args->dryRun, "Plan and print the changes, change nothing");
  cmd->add_flag("!--no-events", args->events, "Do not watch the sources; reconcile on the interval only");
  cmd->add_option("--manifests", args->manifests, "Directory of Kubernetes YAML manifests (watched)");
  cmd->add_option("--zones", args->zones,
                  "Load these *.zone files first (inmemory: always; local: zones not in the store yet)");
  cmd->add_option("--data", args->data, "local provider: the store directory");
  cmd->add_option(
      "--route53-endpoint", args->route53Endpoint,
      "route53 provider: API endpoint URL (default: AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL or AWS)");
  cmd->add_option("--aws-region", args->region, "route53 provider: SigV4 signing region (default us-east-1)");
  cmd->add_option("--max-delete-share", args->maxDeleteShare,
                  "Refuse plans deleting more than this share of owned records")
      ->capture_default_str();
  cmd->add_flag("--force-deletes", args->forceDeletes, "Apply plans over the delete limit");
  cmd->add_option("--metrics-address", args->metricsAddress,
                  "Serve /metrics and /healthz on HOST:PORT (e.g. 127.0.0.1:7979; off by default)");
  cmd->add_option("--healthz-max-failing", args->healthzMaxFailing,
                  "/healthz fails when syncs have been failing for longer than this")
      ->capture_default_str();
  cmd->callback([args] { runSync(*args); });
}

}  // namespace zk::cli
