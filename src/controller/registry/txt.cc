#include "controller/registry/txt.h"

#include <optional>
#include <unordered_map>

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
  txt.targets.push_back(Text{serializeLabels(labels)});
  return txt;
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
      bool isOwnership = false;
      for (const auto& t : e.targets) {
        const auto* text = std::get_if<Text>(&t);
        if (!text) continue;
        if (auto labels = parseLabels(text->value)) {
          owners.insert_or_assign(e.dnsName, std::move(*labels));
          isOwnership = true;
          break;
        }
      }
      if (isOwnership) {
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
  return out;
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
  Status applied = out.empty() ? Status{} : provider_.applyChanges(out);
  if (applied) {
    for (auto& [name, e] : edits) {
      if (e) {
        ownershipTxt_.insert_or_assign(name, std::move(*e));
      } else {
        ownershipTxt_.erase(name);
      }
    }
  }
  if (!applied) problems.insert(problems.begin(), applied.error().message);
  if (problems.empty()) return {};
  std::string msg = problems.front();
  for (std::size_t i = 1; i < problems.size(); ++i) msg += "\n" + problems[i];
  return Error(msg);
}

}  // namespace zk::controller
