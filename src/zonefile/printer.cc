#include "zonefile/printer.h"

#include <fmt/format.h>

#include "wire/rdata.h"

namespace zk::zonefile {

void appendRecordLine(std::string& out, std::string_view ownerText, std::uint32_t ttl, wire::RRClass cls,
                      wire::RRType type, std::span<const std::uint8_t> rdata) {
  out += ownerText;
  out += ' ';
  fmt::format_to(std::back_inserter(out), "{}", ttl);
  out += ' ';
  out += cls == wire::RRClass::IN ? std::string("IN") : wire::classToText(cls);
  out += ' ';
  out += wire::typeToText(type);
  out += ' ';
  out += wire::rdataToText(type, rdata);
  out += '\n';
}

}  // namespace zk::zonefile
