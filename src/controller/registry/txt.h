#pragma once
// TXT registry in ExternalDNS's exact format (registry/txt.go):
// for a record NAME of type T the ownership TXT sits at
//   PREFIX + t + "-" + FIRSTLABEL + SUFFIX + "." + REST        (typed, written)
// where t is the lower-case type; when the prefix or suffix contains
// "%{record_type}" that is replaced by t and no "t-" is added. Its value is
//   heritage=external-dns,external-dns/owner=ID,external-dns/resource=KIND/NS/NAME
// The old untyped name (PREFIX + FIRSTLABEL + SUFFIX + "." + REST, template
// removed) is read too, so records of older ExternalDNS versions are adopted.
//
// Unlike ExternalDNS, a TXT name that would fall outside the record's zone
// (default naming of a zone apex: a-example.com beside example.com) is an
// error naming the fix, not a silently dropped record.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/registry/registry.h"

namespace zk::controller {

struct TxtRegistryOptions {
  std::string ownerId;
  std::string prefix;
  std::string suffix;
  std::string wildcardReplacement;  // ExternalDNS --txt-wildcard-replacement
};

class TxtRegistry final : public Registry {
 public:
  static Result<std::unique_ptr<TxtRegistry>> make(Provider& provider, TxtRegistryOptions options);

  Result<std::vector<Endpoint>> records() override;
  // Cached while the provider's recordsVersion() is unchanged.
  Result<SharedEndpoints> sharedRecords() override;
  Status applyChanges(const Changes& changes) override;
  [[nodiscard]] std::string ownerId() const override { return options_.ownerId; }
  Provider& provider() override { return provider_; }

  // The typed ownership name of a record (no zone check).
  [[nodiscard]] Result<wire::Name> txtName(const wire::Name& name, wire::RRType type) const;
  // The old untyped ownership name.
  [[nodiscard]] Result<wire::Name> oldTxtName(const wire::Name& name) const;
  // txtName, checked to lie inside the zone that holds `name`.
  [[nodiscard]] Result<wire::Name> checkedTxtName(const wire::Name& name, wire::RRType type,
                                                  std::span<const wire::Name> zones) const;

 private:
  TxtRegistry(Provider& provider, TxtRegistryOptions options)
      : provider_(provider), options_(std::move(options)) {}
  [[nodiscard]] Result<wire::Name> compose(const wire::Name& name, std::string_view typeText,
                                           bool typed) const;
  // Lists the provider and attaches owners (sets ownershipTxt_ and zones_).
  Result<std::vector<Endpoint>> listOwned();
  // Labels from the ownership record of `e` (typed name, else the old one).
  void attachOwner(Endpoint& e) const;
  // After a batch that was the provider's only change since the cached
  // listing: reads again only the names it touched (and the records whose
  // ownership names it touched) and splices them into the listing.
  void refreshAfter(const Changes& applied, std::string version);
  void addDependent(const Endpoint& e);

  Provider& provider_;
  TxtRegistryOptions options_;
  std::mutex mu_;  // guards the members below; held while listing and applying
  // Ownership TXT record sets seen by the last listing (and changed by the
  // registry since), by name (Name's hash and == ignore case).
  std::unordered_map<wire::Name, Endpoint> ownershipTxt_;
  std::vector<wire::Name> zones_;
  // The last listing and the provider version it was read at.
  std::optional<std::string> version_;
  // Not const: refreshAfter() edits it in place when no caller holds it.
  std::shared_ptr<std::vector<Endpoint>> cached_;
  // Ownership name -> names of the listed records that read it (typed or old
  // name); built on the first refreshAfter() after a full listing, only added
  // to afterwards (an extra name only means one more name read again).
  std::unordered_map<wire::Name, std::vector<wire::Name>> dependents_;
  bool dependentsBuilt_ = false;
};

}  // namespace zk::controller
