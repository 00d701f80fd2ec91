#pragma once
// IAM identity policies in their JSON form, the subset zonekeeper evaluates:
//   {"Version": "2012-10-17", "Statement": [ {"Effect": "Allow"|"Deny",
//     "Action"|"NotAction": "route53:List*" | [...], "Resource"|"NotResource": "arn:..." | [...]} ]}
// Statement may be one object or a list. Wildcards '*' and '?' in actions
// (case-insensitive) and resources (case-sensitive). An explicit Deny wins over
// any Allow; nothing allowed means denied. "Condition" and "Principal" are
// refused when the policy is parsed rather than silently ignored.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace zk::api::auth {

enum class Decision { Allow, ExplicitDeny, ImplicitDeny };

struct Statement {
  bool allow = true;
  bool notAction = false;
  bool notResource = false;
  std::vector<std::string> actions;
  std::vector<std::string> resources;
};

class Policy {
 public:
  static Result<Policy> parse(std::string_view json);
  [[nodiscard]] Decision evaluate(std::string_view action, std::string_view resource) const;
  [[nodiscard]] const std::vector<Statement>& statements() const { return statements_; }

 private:
  std::vector<Statement> statements_;
};

// Glob match with '*' (any run) and '?' (one character).
bool wildcardMatch(std::string_view pattern, std::string_view text, bool ignoreCase);

}  // namespace zk::api::auth
