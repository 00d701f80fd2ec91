#pragma once
// Route53's text forms and orders for names and types, and RFC 1982 serial
// arithmetic. Shared by the store (listing order, error messages) and the api
// (names in responses).

#include <cstdint>
#include <string>

#include "wire/name.h"
#include "wire/rrtype.h"

namespace zk::store {

// A name as Route53 prints it: lower case, absolute, every octet other than
// a-z 0-9 '-' '_' as a three-digit octal escape ("\052" for '*'). "." for the root.
std::string route53NameText(const wire::Name& name);

// ListResourceRecordSets sort key: route53NameText's labels in reverse order
// with the trailing dot ("com.example.www."), compared as ASCII octets. The
// trailing dot is what makes "a-b" sort before "a" ('-' is 45, '.' is 46).
std::string route53NameKey(const wire::Name& name);

// Within a name Route53 sorts by the type's mnemonic, in ASCII order.
std::string route53TypeKey(wire::RRType type);

// RFC 1982 section 3.1: serial + 1 modulo 2^32.
constexpr std::uint32_t serialNext(std::uint32_t s) { return s + 1U; }

// RFC 1982 section 3.2: s1 > s2 in sequence space. Undefined pairs (exactly
// 2^31 apart) compare as not greater, in both directions.
constexpr bool serialGreater(std::uint32_t s1, std::uint32_t s2) {
  constexpr std::uint32_t kHalf = 0x80000000U;
  return (s1 < s2 && s2 - s1 > kHalf) || (s1 > s2 && s1 - s2 < kHalf);
}

constexpr bool serialAtOrAfter(std::uint32_t s1, std::uint32_t s2) {
  return s1 == s2 || serialGreater(s1, s2);
}

}  // namespace zk::store
