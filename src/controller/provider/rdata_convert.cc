#include "controller/provider/rdata_convert.h"

#include <algorithm>

#include <fmt/format.h>

namespace zk::controller {

Target targetFromRdata(wire::RRType type, std::span<const std::uint8_t> rdata) {
  switch (type) {
    case wire::RRType::A:
      if (rdata.size() == 4) {
        Ipv4 a;
        std::copy(rdata.begin(), rdata.end(), a.octets.begin());
        return a;
      }
      break;
    case wire::RRType::AAAA:
      if (rdata.size() == 16) {
        Ipv6 a;
        std::copy(rdata.begin(), rdata.end(), a.octets.begin());
        return a;
      }
      break;
    case wire::RRType::CNAME:
    case wire::RRType::NS:
    case wire::RRType::PTR:
      if (auto n = wire::Name::fromWire(rdata)) return std::move(*n);
      break;
    case wire::RRType::TXT: {
      // RFC 1035 3.3.14: one or more <character-string>s; joined as ExternalDNS does.
      std::string text;
      std::size_t i = 0;
      bool ok = true;
      while (i < rdata.size()) {
        const std::size_t len = rdata[i];
        if (i + 1 + len > rdata.size()) {
          ok = false;
          break;
        }
        text.append(reinterpret_cast<const char*>(rdata.data() + i + 1), len);
        i += 1 + len;
      }
      if (ok) return Text{std::move(text)};
      break;
    }
    default:
      break;
  }
  return Text{wire::rdataToText(type, rdata)};
}

Result<wire::Bytes> rdataFromTarget(wire::RRType type, const Target& target) {
  wire::Bytes out;
  switch (type) {
    case wire::RRType::A:
      if (const auto* a = std::get_if<Ipv4>(&target)) return wire::Bytes(a->octets.begin(), a->octets.end());
      break;
    case wire::RRType::AAAA:
      if (const auto* a = std::get_if<Ipv6>(&target)) return wire::Bytes(a->octets.begin(), a->octets.end());
      break;
    case wire::RRType::CNAME:
    case wire::RRType::NS:
    case wire::RRType::PTR:
      if (const auto* n = std::get_if<wire::Name>(&target)) {
        auto b = n->bytes();
        return wire::Bytes(b.begin(), b.end());
      }
      break;
    case wire::RRType::TXT:
      if (const auto* t = std::get_if<Text>(&target)) {
        std::string_view rest = t->value;
        do {
          const auto chunk = rest.substr(0, 255);
          out.push_back(static_cast<std::uint8_t>(chunk.size()));
          out.insert(out.end(), chunk.begin(), chunk.end());
          rest.remove_prefix(chunk.size());
        } while (!rest.empty());
        return out;
      }
      break;
    default:
      break;
  }
  return Error(
      fmt::format("cannot write target '{}' as {} RDATA", targetToText(target), wire::typeToText(type)));
}

}  // namespace zk::controller
