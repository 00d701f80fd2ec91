#pragma once
// Endpoint: one desired or current DNS record set as the controller sees it
// (ExternalDNS's endpoint.Endpoint, typed): a name, a record type, typed targets,
// an optional TTL, ownership labels and provider-specific hints (alias).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "wire/name.h"
#include "wire/rrtype.h"

namespace zk::controller {

struct Ipv4 {
  std::array<std::uint8_t, 4> octets{};
  // clang-tidy 14 takes the 0 in the defaulted <=> for a null pointer (fixed in 15).
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const Ipv4&, const Ipv4&) = default;
};
struct Ipv6 {
  std::array<std::uint8_t, 16> octets{};
  // clang-tidy 14 takes the 0 in the defaulted <=> for a null pointer (fixed in 15).
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const Ipv6&, const Ipv6&) = default;
};
// A character string (TXT targets, e.g. the registry's ownership records),
// without presentation quotes.
struct Text {
  std::string value;
  // clang-tidy 14 takes the 0 in the defaulted <=> for a null pointer (fixed in 15).
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const Text&, const Text&) = default;
};

// A record target: an address (A/AAAA), a host name (CNAME, alias) or text (TXT).
using Target = std::variant<Ipv4, Ipv6, wire::Name, Text>;

// Parses "192.0.2.1", "2001:db8::1" or a host name (trailing dot optional).
Result<Target> parseTarget(std::string_view text);
Result<Ipv4> parseIpv4(std::string_view text);
Result<Ipv6> parseIpv6(std::string_view text);
// Presentation form: address, absolute name without the trailing dot, or the text.
std::string targetToText(const Target& target);
// Total order: case-insensitive for names (Name's canonical order).
bool targetLess(const Target& a, const Target& b);
bool targetEqual(const Target& a, const Target& b);

// Ownership and bookkeeping labels (ExternalDNS endpoint/labels.go keys).
inline constexpr std::string_view kOwnerLabel = "owner";
inline constexpr std::string_view kResourceLabel = "resource";
using Labels = std::map<std::string, std::string, std::less<>>;

struct ProviderSpecific {
  // Set by the alias annotation ("true"/"false"); unset lets the provider decide.
  std::optional<bool> alias;
  friend bool operator==(const ProviderSpecific&, const ProviderSpecific&) = default;
};

struct Endpoint {
  wire::Name dnsName;
  wire::RRType type = wire::RRType::A;
  std::vector<Target> targets;       // kept sorted and unique by normalize()
  std::optional<std::uint32_t> ttl;  // unset = not configured (provider default)
  Labels labels;
  ProviderSpecific providerSpecific;
  // True when this record set is an alias (Route53 AliasTarget / ALIAS): type A
  // or AAAA with one name target, answered with the target's addresses.
  bool alias = false;

  // Sorts and de-duplicates targets.
  void normalize();
  [[nodiscard]] std::string owner() const;
  [[nodiscard]] std::string resource() const;
  // A label's value without copying it (empty when unset).
  [[nodiscard]] std::string_view label(std::string_view key) const;
  // "api.example.com. A 300 [192.0.2.1 192.0.2.2] owner=x resource=ingress/ns/n"
  [[nodiscard]] std::string toString() const;
  // Checks that the targets fit the type (A: IPv4 or an alias name, ...).
  [[nodiscard]] Status validate() const;

  friend bool operator==(const Endpoint& a, const Endpoint& b);
};

// Same targets as sets (order and name case ignored). Does not allocate when
// both lists are already sorted and unique (normalize()).
bool sameTargets(const std::vector<Target>& a, const std::vector<Target>& b);

// Identity of a record set inside a zone: lower-cased name and type.
struct RecordKey {
  wire::Name name;  // lower-cased
  wire::RRType type{};
  // clang-tidy 14 takes the 0 in the defaulted <=> for a null pointer (fixed in 15).
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const RecordKey&, const RecordKey&) = default;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
};
RecordKey keyOf(const Endpoint& e);
// The order of RecordKey (name case-insensitively in canonical order, then
// type) without building the keys.
bool keyLess(const Endpoint& a, const Endpoint& b);

// The managed record types ExternalDNS uses by default.
std::vector<wire::RRType> defaultManagedTypes();

}  // namespace zk::controller
