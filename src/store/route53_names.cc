#include "store/route53_names.h"

#include <vector>

namespace zk::store {
namespace {

void appendLabel(std::string& out, std::string_view label) {
  for (char ch : label) {
    const auto c = wire::asciiLower(static_cast<std::uint8_t>(ch));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + ((c >> 6) & 7)));
      out.push_back(static_cast<char>('0' + ((c >> 3) & 7)));
      out.push_back(static_cast<char>('0' + (c & 7)));
    }
  }
}

}  // namespace

std::string route53NameText(const wire::Name& name) {
  if (name.isRoot()) return ".";
  std::string out;
  out.reserve(name.wireLength() + 8);
  const std::size_t n = name.labelCount();
  for (std::size_t i = 0; i < n; ++i) {
    appendLabel(out, name.label(i));
    out.push_back('.');
  }
  return out;
}

std::string route53NameKey(const wire::Name& name) {
  if (name.isRoot()) return ".";
  std::string out;
  out.reserve(name.wireLength() + 8);
  const std::size_t n = name.labelCount();
  for (std::size_t i = n; i-- > 0;) {
    appendLabel(out, name.label(i));
    out.push_back('.');
  }
  return out;
}

std::string route53TypeKey(wire::RRType type) { return wire::typeToText(type); }

}  // namespace zk::store
