#pragma once
// Which names the controller may touch (ExternalDNS --domain-filter,
// --exclude-domains, --regex-domain-filter, --regex-domain-exclusion).
//
// "example.com" matches example.com and every name below it; ".example.com"
// matches only names strictly below it. Exclusions win over inclusions. A regex
// filter, when set, replaces the plain filters (as in ExternalDNS). No filter at
// all matches everything.

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "wire/name.h"

namespace zk::controller {

class DomainFilter {
 public:
  DomainFilter() = default;
  static Result<DomainFilter> make(const std::vector<std::string>& include,
                                   const std::vector<std::string>& exclude,
                                   std::string_view regexInclude = {}, std::string_view regexExclude = {});

  [[nodiscard]] bool matches(const wire::Name& name) const;
  [[nodiscard]] bool empty() const { return include_.empty() && exclude_.empty() && !regex_; }
  [[nodiscard]] std::string describe() const;

 private:
  struct Rule {
    wire::Name domain;
    bool subdomainsOnly = false;  // written ".example.com"
    [[nodiscard]] bool matches(const wire::Name& name) const;
  };
  std::vector<Rule> include_;
  std::vector<Rule> exclude_;
  std::optional<std::regex> regex_;
  std::optional<std::regex> regexExclude_;
  std::string regexText_;
};

}  // namespace zk::controller
