#pragma once
// Kubernetes label selector syntax (used by --label-filter on labels and by
// --annotation-filter on annotations):
//   key=value  key==value  key!=value  key in (a,b)  key notin (a,b)  key  !key
// requirements separated by commas, all must hold. The empty selector matches all.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "controller/source/objects.h"

namespace zk::controller {

class Selector {
 public:
  static Result<Selector> parse(std::string_view text);
  [[nodiscard]] bool matches(const StringMap& values) const;
  [[nodiscard]] bool empty() const { return reqs_.empty(); }

 private:
  enum class Op : std::uint8_t { Equals, NotEquals, In, NotIn, Exists, NotExists };
  struct Requirement {
    std::string key;
    Op op = Op::Equals;
    std::vector<std::string> values;
  };
  std::vector<Requirement> reqs_;
};

}  // namespace zk::controller
