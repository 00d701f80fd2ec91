#pragma once
// Endpoint targets <-> uncompressed wire RDATA (RFC 1035 section 3.3).

#include <span>

#include "common/result.h"
#include "controller/endpoint/endpoint.h"
#include "wire/rdata.h"

namespace zk::controller {

// A: Ipv4, AAAA: Ipv6, CNAME/NS/PTR: Name, TXT: Text (character-strings
// joined); anything else (or malformed RDATA): Text in presentation form.
Target targetFromRdata(wire::RRType type, std::span<const std::uint8_t> rdata);
// The inverse for A, AAAA, CNAME, NS, PTR and TXT (split into 255-octet strings).
Result<wire::Bytes> rdataFromTarget(wire::RRType type, const Target& target);

}  // namespace zk::controller
