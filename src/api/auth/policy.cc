#include "api/auth/policy.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace zk::api::auth {
namespace {

char fold(char c, bool ignoreCase) {
  return (ignoreCase && c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

Result<std::vector<std::string>> stringList(const nlohmann::json& v, std::string_view field) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array() && !v.empty()) {
    for (const auto& item : v) {
      if (!item.is_string()) return Error(fmt::format("{} must hold strings", field));
      out.push_back(item.get<std::string>());
    }
  } else {
    return Error(fmt::format("{} must be a string or a non-empty list of strings", field));
  }
  return out;
}

Result<Statement> parseStatement(const nlohmann::json& s, std::size_t index) {
  if (!s.is_object()) return Error(fmt::format("Statement {} is not an object", index));
  Statement st;
  for (const auto& [key, value] : s.items()) {
    if (key == "Effect") {
      if (value == "Allow") {
        st.allow = true;
      } else if (value == "Deny") {
        st.allow = false;
      } else {
        return Error(fmt::format(R"(Statement {}: Effect must be "Allow" or "Deny")", index));
      }
    } else if (key == "Action" || key == "NotAction") {
      if (!st.actions.empty())
        return Error(fmt::format("Statement {}: give Action or NotAction, not both", index));
      auto list = stringList(value, key);
      if (!list) return Error(fmt::format("Statement {}: {}", index, list.error().message));
      st.actions = std::move(*list);
      st.notAction = key == "NotAction";
    } else if (key == "Resource" || key == "NotResource") {
      if (!st.resources.empty()) {
        return Error(fmt::format("Statement {}: give Resource or NotResource, not both", index));
      }
      auto list = stringList(value, key);
      if (!list) return Error(fmt::format("Statement {}: {}", index, list.error().message));
      st.resources = std::move(*list);
      st.notResource = key == "NotResource";
    } else if (key == "Sid") {
      // ignored
    } else {
      return Error(fmt::format("Statement {}: '{}' is not supported", index, key));
    }
  }
  if (!s.contains("Effect")) return Error(fmt::format("Statement {} has no Effect", index));
  if (st.actions.empty()) return Error(fmt::format("Statement {} has no Action", index));
  if (st.resources.empty()) return Error(fmt::format("Statement {} has no Resource", index));
  return st;
}

}  // namespace

bool wildcardMatch(std::string_view pattern, std::string_view text, bool ignoreCase) {
  // Iterative glob with single backtrack point: O(n*m) worst case, no recursion.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || fold(pattern[p], ignoreCase) == fold(text[t], ignoreCase))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<Policy> Policy::parse(std::string_view json) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error("the policy is not valid JSON");
  if (!doc.is_object()) return Error("the policy must be a JSON object");
  Policy policy;
  for (const auto& [key, value] : doc.items()) {
    if (key == "Version") {
      if (value != "2012-10-17" && value != "2008-10-17") {
        return Error(R"(Version must be "2012-10-17" (or "2008-10-17"))");
      }
    } else if (key == "Id") {
      // ignored
    } else if (key == "Statement") {
      if (value.is_object()) {
        auto st = parseStatement(value, 0);
        if (!st) return st.error();
        policy.statements_.push_back(std::move(*st));
      } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
          auto st = parseStatement(value[i], i);
          if (!st) return st.error();
          policy.statements_.push_back(std::move(*st));
        }
      } else {
        return Error("Statement must be an object or a list of objects");
      }
    } else {
      return Error(fmt::format("policy element '{}' is not supported", key));
    }
  }
  if (policy.statements_.empty()) return Error("the policy has no Statement");
  return policy;
}

Decision Policy::evaluate(std::string_view action, std::string_view resource) const {
  bool allowed = false;
  for (const auto& st : statements_) {
    bool actionMatch = false;
    for (const auto& a : st.actions) actionMatch = actionMatch || wildcardMatch(a, action, true);
    if (st.notAction) actionMatch = !actionMatch;
    bool resourceMatch = false;
    for (const auto& r : st.resources) resourceMatch = resourceMatch || wildcardMatch(r, resource, false);
    if (st.notResource) resourceMatch = !resourceMatch;
    if (!actionMatch || !resourceMatch) continue;
    if (!st.allow) return Decision::ExplicitDeny;
    allowed = true;
  }
  return allowed ? Decision::Allow : Decision::ImplicitDeny;
}

}  // namespace zk::api::auth
