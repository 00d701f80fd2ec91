#pragma once
// Route53's text forms of names and record values.
//
// Names: Route53 takes names with or without the trailing dot, '*' as is, and
// any other octet outside [a-z0-9-_] as a three-digit OCTAL escape "\052"
// (not RFC 1035's decimal "\DDD"). Listings print names lower-cased, with the
// trailing dot, and every octet outside [a-z0-9-_] as "\ooo" ('*' is "\052").
//
// Values: one ResourceRecord <Value> is the record's RDATA in presentation form
// (RFC 1035 section 5.1: TXT strings in double quotes, names absolute whether or
// not they end in a dot), except that numeric escapes are OCTAL as Route53 reads
// and prints them ("\011" is a tab), where RFC 1035 uses decimal.

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rrtype.h"

namespace zk::api {

Result<wire::Name> parseRoute53Name(std::string_view text);
std::string formatRoute53Name(const wire::Name& name);

// Splits a value into zone-file tokens ("..." keep their escapes, quotes removed).
Result<std::vector<wire::TextToken>> tokenizeValue(std::string_view text);
Result<wire::Bytes> parseRecordValue(wire::RRType type, std::string_view text);
std::string formatRecordValue(wire::RRType type, std::span<const std::uint8_t> rdata);

}  // namespace zk::api
