#pragma once
// Canonical presentation output (RFC 1035 section 5.1): one record per line,
// "owner TTL CLASS TYPE RDATA" with absolute names, readable by any zone-file
// parser (BIND's named-compilezone reads it back as the same records).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "wire/name.h"
#include "wire/rrtype.h"

namespace zk::zonefile {

// Appends one record line (with '\n'); `ownerText` is the owner's absolute text.
void appendRecordLine(std::string& out, std::string_view ownerText, std::uint32_t ttl, wire::RRClass cls,
                      wire::RRType type, std::span<const std::uint8_t> rdata);

}  // namespace zk::zonefile
