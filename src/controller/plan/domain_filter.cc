#include "controller/plan/domain_filter.h"

#include <fmt/format.h>

namespace zk::controller {
namespace {

std::string bare(const wire::Name& n) {
  std::string s = n.toText();
  if (s.size() > 1) s.pop_back();
  return s;
}

}  // namespace

bool DomainFilter::Rule::matches(const wire::Name& name) const {
  if (!name.isSubdomainOf(domain)) return false;
  return !subdomainsOnly || !(name == domain);
}

Result<DomainFilter> DomainFilter::make(const std::vector<std::string>& include,
                                        const std::vector<std::string>& exclude,
                                        std::string_view regexInclude, std::string_view regexExclude) {
  DomainFilter f;
  auto parseRules = [](const std::vector<std::string>& in, std::vector<Rule>& out) -> Status {
    for (std::string_view text : in) {
      // ExternalDNS trims spaces and a trailing dot, and accepts comma lists.
      while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.empty()) continue;
        Rule r;
        if (item.front() == '.') {
          r.subdomainsOnly = true;
          item.remove_prefix(1);
        }
        auto name = wire::Name::fromText(item);
        if (!name || item.empty()) {
          return Error(
              fmt::format("bad domain filter '{}': {}", item, name ? "empty" : name.error().message));
        }
        r.domain = name->lowercased();
        out.push_back(std::move(r));
      }
    }
    return {};
  };
  if (auto s = parseRules(include, f.include_); !s) return s.error();
  if (auto s = parseRules(exclude, f.exclude_); !s) return s.error();
  try {
    if (!regexInclude.empty()) {
      f.regex_.emplace(std::string(regexInclude), std::regex::ECMAScript | std::regex::icase);
      f.regexText_ = std::string(regexInclude);
    }
    if (!regexExclude.empty()) {
      f.regexExclude_.emplace(std::string(regexExclude), std::regex::ECMAScript | std::regex::icase);
    }
  } catch (const std::regex_error& e) {
    return Error(fmt::format("bad regex domain filter: {}", e.what()));
  }
  return f;
}

bool DomainFilter::matches(const wire::Name& name) const {
  if (regex_ || regexExclude_) {
    const std::string text = bare(name);
    if (regexExclude_ && std::regex_search(text, *regexExclude_)) return false;
    return !regex_ || std::regex_search(text, *regex_);
  }
  for (const auto& r : exclude_) {
    if (r.matches(name)) return false;
  }
  if (include_.empty()) return true;
  for (const auto& r : include_) {
    if (r.matches(name)) return true;
  }
  return false;
}

std::string DomainFilter::describe() const {
  if (regex_) return fmt::format("regex {}", regexText_);
  std::string out;
  for (const auto& r : include_) out += fmt::format("{}{} ", r.subdomainsOnly ? "." : "", bare(r.domain));
  for (const auto& r : exclude_) out += fmt::format("!{}{} ", r.subdomainsOnly ? "." : "", bare(r.domain));
  return out.empty() ? "(all)" : out;
}

}  // namespace zk::controller
