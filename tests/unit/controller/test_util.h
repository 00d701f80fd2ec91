#pragma once
// Builders shared by the controller tests.

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "controller/endpoint/endpoint.h"
#include "controller/plan/plan.h"

namespace zk::controller::testing {

inline wire::Name name(std::string_view text) {
  auto n = wire::Name::fromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : wire::Name();
}

inline Endpoint ep(std::string_view dnsName, wire::RRType type,
                   std::initializer_list<std::string_view> targets,
                   std::optional<std::uint32_t> ttl = std::nullopt, std::string_view owner = {},
                   std::string_view resource = {}) {
  Endpoint e;
  e.dnsName = name(dnsName);
  e.type = type;
  for (auto t : targets) {
    if (type != wire::RRType::A && type != wire::RRType::AAAA && type != wire::RRType::CNAME &&
        type != wire::RRType::NS) {
      e.targets.emplace_back(Text{std::string(t)});
      continue;
    }
    auto parsed = parseTarget(t);
    EXPECT_TRUE(parsed.ok()) << t;
    if (parsed) e.targets.push_back(*parsed);
  }
  e.ttl = ttl;
  if (!owner.empty()) e.labels.emplace(std::string(kOwnerLabel), std::string(owner));
  if (!resource.empty()) e.labels.emplace(std::string(kResourceLabel), std::string(resource));
  e.normalize();
  return e;
}

inline Endpoint aliasEp(std::string_view dnsName, wire::RRType type, std::string_view target,
                        std::string_view owner = {}, std::string_view resource = {}) {
  Endpoint e = ep(dnsName, type, {}, std::nullopt, owner, resource);
  e.alias = true;
  e.targets.emplace_back(name(target));
  return e;
}

// "create:api.example.com/A" lines, sorted, for compact expectations.
inline std::vector<std::string> summary(const Changes& c) {
  std::vector<std::string> out;
  auto key = [](const Endpoint& e) {
    std::string n = e.dnsName.toText();
    n.pop_back();
    return n + "/" + wire::typeToText(e.type);
  };
  for (const auto& e : c.create) out.push_back("create:" + key(e));
  for (const auto& e : c.updateNew) out.push_back("update:" + key(e));
  for (const auto& e : c.remove) out.push_back("delete:" + key(e));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace zk::controller::testing
