#include "controller/registry/txt.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "controller/endpoint/labels.h"

namespace zk::controller {
namespace {

constexpr std::string_view kTemplate = "%{record_type}";

std::string bare(const wire::Name& n) {
  std::string s = n.toText();
  if (s.size() > 1) s.pop_back();
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(wire::asciiLower(static_cast<std::uint8_t>(c)));
  return s;
}

std::string fillTemplate(std::string_view affix, std::string_view value) {
  std::string out(affix);
  for (auto pos = out.find(kTemplate); pos != std::string::npos;
       pos = out.find(kTemplate, pos + value.size())) {
    out.replace(pos, kTemplate.size(), value);
  }
  return out;
}

Endpoint ownershipRecord(const wire::Name& name, const Endpoint& owned, const std::string& ownerId) {
  Endpoint txt;
  txt.dnsName = name;
  txt.type = wire::RRType::TXT;
  txt.ttl = owned.ttl;
  Labels labels;
  labels.emplace(std::string(kOwnerLabel), ownerId);
  if (!owned.resource().empty()) labels.emplace(std::string(kResourceLabel), owned.resource());
  txt.targets.emplace_back(Text{serializeLabels(labels)});
  return txt;
}

// The labels of an ownership record: its first TXT value in the label format.
std::optional<Labels> ownershipLabels(const Endpoint& txt) {
  for (const auto& t : txt.targets) {
    const auto* text = std::get_if<Text>(&t);
    if (!text) continue;
    if (auto labels = parseLabels(text->value)) return std::move(*labels);
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<TxtRegistry>> TxtRegistry::make(Provider& provider, TxtRegistryOptions options) {
  if (options.ownerId.empty()) return Error("the txt registry needs an owner id (--txt-owner-id)");
  if (options.ownerId.find_first_of(",=\"") != std::string::npos) {
    return Error(fmt::format("owner id '{}' must not contain ',', '=' or '\"'", options.ownerId));
  }
  if (!options.prefix.empty() && !options.suffix.empty()) {
    return Error("--txt-prefix and --txt-suffix are mutually exclusive");
  }
  return std::unique_ptr<TxtRegistry>(new TxtRegistry(provider, std::move(options)));
}

Result<wire::Name> TxtRegistry::compose(const wire::Name& name, std::string_view typeText, bool typed) const {
  const std::string text = lower(bare(name));
  const auto dot = text.find('.');
  std::string first = text.substr(0, dot);
  const std::string rest = dot == std::string::npos ? std::string() : text.substr(dot + 1);
  if (!options_.wildcardReplacement.empty() && first == "*") first = options_.wildcardReplacement;
  const std::string t = lower(std::string(typeText));
  const bool templated = options_.prefix.find(kTemplate) != std::string::npos ||
                         options_.suffix.find(kTemplate) != std::string::npos;
  const std::string prefix = fillTemplate(options_.prefix, typed ? t : "");
  const std::string suffix = fillTemplate(options_.suffix, typed ? t : "");
  if (typed && !templated) first = t + "-" + first;
  std::string out = prefix + first + suffix;
  if (!rest.empty()) out += "." + rest;
  auto n = wire::Name::fromText(out);
  if (!n) return Error(fmt::format("ownership record name '{}' for {}: {}", out, text, n.error().message));
  return n->lowercased();
}

Result<wire::Name> TxtRegistry::txtName(const wire::Name& name, wire::RRType type) const {
  return compose(name, wire::typeToText(type), true);
}

Result<wire::Name> TxtRegistry::oldTxtName(const wire::Name& name) const { return compose(name, "", false); }

Result<wire::Name> TxtRegistry::checkedTxtName(const wire::Name& name, wire::RRType type,
                                               std::span<const wire::Name> zones) const {
  auto txt = txtName(name, type);
  if (!txt) return txt;
  const auto zone = findZone(name, zones);
  if (zone && !txt->isSubdomainOf(zones[*zone])) {
    return Error(
        fmt::format("the ownership record of {} ({}) would be {}, outside its zone {}; use a --txt-prefix "
                    "ending with '.' "
                    "(for example --txt-prefix 'extdns-%{{record_type}}.') so ownership records sit below "
                    "the names they own",
                    bare(name), wire::typeToText(type), bare(*txt), bare(zones[*zone])));
  }
  return txt;
}

Result<std::vector<Endpoint>> TxtRegistry::records() {
  auto shared = sharedRecords();
  if (!shared) return shared.error();
  return **shared;
}

Result<SharedEndpoints> TxtRegistry::sharedRecords() {
  std::lock_guard lock(mu_);
  return cachedListing(provider_, version_, cached_, [&] { return listOwned(); });
}

Result<std::vector<Endpoint>> TxtRegistry::listOwned() {
  auto zones = provider_.zones();
  if (!zones) return zones.error();
  auto recs = provider_.records();
  if (!recs) return recs.error();

  // Hashed by name; Name's hash and == ignore case.
  std::unordered_map<wire::Name, Endpoint> ownership;
  std::unordered_map<wire::Name, Labels> owners;
  std::vector<Endpoint> out;
  out.reserve(recs->size());
  for (auto& e : *recs) {
    if (e.type == wire::RRType::TXT) {
      if (auto labels = ownershipLabels(e)) {
        owners.insert_or_assign(e.dnsName, std::move(*labels));
        auto key = e.dnsName;
        ownership.insert_or_assign(std::move(key), std::move(e));
        continue;
      }
    }
    out.push_back(std::move(e));
  }
  for (auto& e : out) {
    const Labels* found = nullptr;
    if (auto typed = txtName(e.dnsName, e.type)) {
      if (auto it = owners.find(*typed); it != owners.end()) found = &it->second;
    }
    if (!found) {
      if (auto old = oldTxtName(e.dnsName)) {
        if (auto it = owners.find(*old); it != owners.end()) found = &it->second;
      }
    }
    if (found) {
      for (const auto& [k, v] : *found) e.labels.insert_or_assign(k, v);
    }
  }
  ownershipTxt_ = std::move(ownership);  // mu_ is held by sharedRecords()
  zones_ = std::move(*zones);
  dependents_.clear();
  dependentsBuilt_ = false;
  return out;
}

void TxtRegistry::addDependent(const Endpoint& e) {
  if (auto typed = txtName(e.dnsName, e.type)) dependents_[*typed].push_back(e.dnsName);
  if (auto old = oldTxtName(e.dnsName)) dependents_[*old].push_back(e.dnsName);
}

void TxtRegistry::attachOwner(Endpoint& e) const {
  auto labelsAt = [&](const Result<wire::Name>& n) -> std::optional<Labels> {
    if (!n) return std::nullopt;
    auto it = ownershipTxt_.find(*n);
    if (it == ownershipTxt_.end()) return std::nullopt;
    return ownershipLabels(it->second);
  };
  auto found = labelsAt(txtName(e.dnsName, e.type));
  if (!found) found = labelsAt(oldTxtName(e.dnsName));
  if (found) {
    for (const auto& [k, v] : *found) e.labels.insert_or_assign(k, v);
  }
}

void TxtRegistry::refreshAfter(const Changes& applied, std::string version) {
  // The names the batch touched, and the records that read an ownership name
  // the batch touched (their typed or old ownership name; usually the same
  // names, but old-format and wildcard names can point elsewhere).
  std::vector<wire::Name> names;
  std::unordered_set<wire::Name> relist;  // hash and == ignore case
  std::vector<wire::Name> txtNames;
  auto touch = [&](const Endpoint& e) {
    if (relist.insert(e.dnsName).second) names.push_back(e.dnsName);
    if (e.type == wire::RRType::TXT) txtNames.push_back(e.dnsName);
  };
  for (const auto* list : {&applied.create, &applied.updateOld, &applied.updateNew, &applied.remove}) {
    for (const auto& e : *list) touch(e);
  }
  // A batch also changes its zone's apex (the SOA serial, in the local store).
  for (std::size_t i = 0, n = names.size(); i < n; ++i) {
    if (auto z = findZone(names[i], zones_); z && relist.insert(zones_[*z]).second)
      names.push_back(zones_[*z]);
  }
  if (!dependentsBuilt_) {
    for (const auto& e : *cached_) addDependent(e);
    dependentsBuilt_ = true;
  }
  for (const auto& t : txtNames) {
    if (auto it = dependents_.find(t); it != dependents_.end()) {
      for (const auto& n : it->second) {
        if (relist.insert(n).second) names.push_back(n);
      }
    }
  }
  auto fresh = provider_.recordsAt(names);
  if (!fresh) {  // list everything next time
    version_.reset();
    cached_.reset();
    return;
  }
  for (const auto& n : names) ownershipTxt_.erase(n);
  std::vector<Endpoint> plain;
  for (auto& e : *fresh) {
    if (e.type == wire::RRType::TXT && ownershipLabels(e)) {
      auto key = e.dnsName;
      ownershipTxt_.insert_or_assign(std::move(key), std::move(e));
    } else {
      plain.push_back(std::move(e));
    }
  }
  // Copy on write: in place when nobody else holds the listing (the
  // reconciler lets go of it before applying), else on a copy.
  if (cached_.use_count() > 1) cached_ = std::make_shared<std::vector<Endpoint>>(*cached_);
  std::erase_if(*cached_, [&](const Endpoint& e) { return relist.count(e.dnsName) > 0; });
  for (auto& e : plain) {
    attachOwner(e);
    addDependent(e);
    cached_->push_back(std::move(e));
  }
  version_ = std::move(version);
}

Status TxtRegistry::applyChanges(const Changes& changes) {
  std::lock_guard lock(mu_);
  std::vector<wire::Name> fetched;  // when nothing was listed yet
  if (zones_.empty()) {
    auto z = provider_.zones();
    if (!z) return z.error();
    fetched = std::move(*z);
  }
  const auto& zones = zones_.empty() ? fetched : zones_;
  // Ownership records as they will be: this batch's edits over the last listing
  // (merged into ownershipTxt_ once the batch is applied; nullopt = deleted).
  std::unordered_map<wire::Name, std::optional<Endpoint>> edits;
  auto known = [&](const wire::Name& name) -> const Endpoint* {
    if (auto it = edits.find(name); it != edits.end()) return it->second ? &*it->second : nullptr;
    auto it = ownershipTxt_.find(name);
    return it == ownershipTxt_.end() ? nullptr : &it->second;
  };
  Changes out;
  std::vector<std::string> problems;

  // Keeps the ownership TXT at `name` saying what `owned` needs.
  auto claim = [&](const wire::Name& name, const Endpoint& owned) -> bool {
    Endpoint want = ownershipRecord(name, owned, options_.ownerId);
    const Endpoint* have = known(name);
    if (!have) {
      out.create.push_back(want);
      edits.insert_or_assign(name, std::move(want));
      return true;
    }
    const auto* text = std::get_if<Text>(&have->targets.front());
    auto labels = text ? parseLabels(text->value) : Result<Labels>(Error("not text"));
    if (labels) {
      auto owner = labels->find(kOwnerLabel);
      if (owner != labels->end() && owner->second != options_.ownerId) {
        problems.push_back(fmt::format("{} is owned by '{}' (ownership record {}); not taking it",
                                       bare(owned.dnsName), owner->second, bare(name)));
        return false;
      }
    }
    if (!sameTargets(have->targets, want.targets) || (want.ttl && want.ttl != have->ttl)) {
      out.updateOld.push_back(*have);
      out.updateNew.push_back(want);
      edits.insert_or_assign(name, std::move(want));
    }
    return true;
  };
  for (const auto& e : changes.create) {
    auto name = checkedTxtName(e.dnsName, e.type, zones);
    if (!name) {
      problems.push_back(name.error().message);
      continue;
    }
    if (!claim(*name, e)) continue;
    Endpoint rec = e;
    rec.labels.insert_or_assign(std::string(kOwnerLabel), options_.ownerId);
    out.create.push_back(std::move(rec));
  }
  for (std::size_t i = 0; i < changes.updateNew.size(); ++i) {
    const auto& e = changes.updateNew[i];
    auto name = checkedTxtName(e.dnsName, e.type, zones);
    if (!name) {
      problems.push_back(name.error().message);
      continue;
    }
    if (!claim(*name, e)) continue;
    out.updateOld.push_back(changes.updateOld[i]);
    out.updateNew.push_back(e);
  }
  for (const auto& e : changes.remove) {
    out.remove.push_back(e);
    if (auto name = txtName(e.dnsName, e.type)) {
      if (const Endpoint* have = known(*name)) {
        out.remove.push_back(*have);
        edits.insert_or_assign(*name, std::nullopt);
      }
    }
  }
  // With a cached listing, the provider tells whether the batch was the only
  // change since; then only the touched names are read again.
  Status applied;
  std::optional<std::string> after;
  // A large batch (a cold sync) is cheaper to follow with one full listing.
  const bool small = cached_ && out.size() <= std::max<std::size_t>(64, cached_->size() / 8);
  if (!out.empty() && version_ && small) {
    auto r = provider_.applyChangesAt(out, *version_);
    if (r) {
      after = std::move(*r);
    } else {
      applied = r.error();
    }
  } else if (!out.empty()) {
    applied = provider_.applyChanges(out);
  }
  if (applied) {
    for (auto& [name, e] : edits) {
      if (e) {
        ownershipTxt_.insert_or_assign(name, std::move(*e));
      } else {
        ownershipTxt_.erase(name);
      }
    }
    if (after) refreshAfter(out, std::move(*after));
  }
  if (!applied) problems.insert(problems.begin(), applied.error().message);
  if (problems.empty()) return {};
  std::string msg = problems.front();
  for (std::size_t i = 1; i < problems.size(); ++i) msg += "\n" + problems[i];
  return Error(msg);
}

}  // namespace zk::controller
