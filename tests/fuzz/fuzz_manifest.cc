// libFuzzer target: Kubernetes manifests -> objects -> desired endpoints.
// Invariants: no crash; every diagnostic names the file; a syntax error yields
// no objects; the endpoints produced are valid for their type (except CNAME
// target counts, which the source trims to one).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "controller/plan/plan.h"
#include "controller/source/endpoints.h"
#include "controller/source/manifest.h"
#include "controller/source/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zk::controller;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parseManifests(text, "fuzz.yaml");
  for (const auto& d : parsed.diagnostics) {
    if (d.file != "fuzz.yaml") std::abort();
  }
  if (parsed.syntaxError && (!parsed.objects.ingresses.empty() || !parsed.objects.services.empty()))
    std::abort();
  Warnings warnings;
  SourceOptions options;
  options.publishInternalServices = true;
  auto desired = desiredEndpoints(parsed.objects, options, warnings);
  for (const auto& e : desired) {
    if (!e.validate().ok()) std::abort();
  }
  // The plan over the endpoints must be a fixed point: planning against its
  // own creates (as owned records) yields nothing.
  PlanOptions po;
  po.ownerId = "fuzz";
  auto changes = calculatePlan({}, desired, po);
  std::vector<Endpoint> current = changes.create;
  for (auto& e : current) e.labels.insert_or_assign(std::string(kOwnerLabel), "fuzz");
  if (!calculatePlan(current, desired, po).empty()) std::abort();
  // Selector and TTL parsers on the same bytes.
  (void)Selector::parse(text.substr(0, 512));
  (void)parseTtlAnnotation(text.substr(0, 32));
  return 0;
}
