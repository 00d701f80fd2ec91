#include "controller/endpoint/labels.h"

#include <fmt/format.h>

namespace zk::controller {

std::string serializeLabels(const Labels& labels) {
  std::string out(kHeritage);
  for (const auto& [key, value] : labels) {  // std::map: keys sorted, as ExternalDNS
    out += ',';
    out += kLabelPrefix;
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

Result<Labels> parseLabels(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  Labels out;
  bool first = true;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view token = text.substr(0, comma);
    if (first) {
      if (token != kHeritage) return Error("not an external-dns ownership record (no heritage=external-dns)");
      first = false;
    } else {
      const auto eq = token.find('=');
      if (eq == std::string_view::npos || token.substr(0, kLabelPrefix.size()) != kLabelPrefix ||
          eq <= kLabelPrefix.size()) {
        return Error(fmt::format("bad ownership label '{}'", token));
      }
      const auto key = token.substr(kLabelPrefix.size(), eq - kLabelPrefix.size());
      out.insert_or_assign(std::string(key), std::string(token.substr(eq + 1)));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace zk::controller
