#include "common/result.h"

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace zk {
namespace {

Result<std::vector<std::string>> makeList(bool ok) {
  if (!ok) return Error("no list");
  return std::vector<std::string>{"a", "b", "c"};
}

// Accessors on a temporary return the value itself, not a reference into the
// temporary: `for (x : *f())` must not dangle.
static_assert(std::is_same_v<decltype(*makeList(true)), std::vector<std::string>>);
static_assert(std::is_same_v<decltype(makeList(true).value()), std::vector<std::string>>);
static_assert(std::is_same_v<decltype(*std::declval<Result<int>&>()), int&>);
static_assert(std::is_same_v<decltype(*std::declval<const Result<int>&>()), const int&>);
static_assert(std::is_same_v<decltype(std::declval<const Result<int>&&>().value()), int>);

TEST(Result, RangeForOverTemporaryValue) {
  std::string joined;
  for (const auto& s : *makeList(true)) joined += s;
  EXPECT_EQ(joined, "abc");
  joined.clear();
  for (const auto& s : makeList(true).value()) joined += s;
  EXPECT_EQ(joined, "abc");
}

TEST(Result, TemporaryValueIsMovedOut) {
  auto make = [] { return Result<std::unique_ptr<int>>(std::make_unique<int>(7)); };
  std::unique_ptr<int> p = *make();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
  Result<std::unique_ptr<int>> r = make();
  std::unique_ptr<int> q = std::move(r).value();
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(*q, 7);
}

TEST(Result, LvalueAccessReferencesTheStoredValue) {
  Result<std::vector<std::string>> r = makeList(true);
  (*r).push_back("d");
  r.value().push_back("e");
  r->push_back("f");
  EXPECT_EQ(r->size(), 6U);
  const auto& cr = r;
  EXPECT_EQ(&*cr, &r.value());
}

TEST(Result, ErrorCarriesTheMessage) {
  auto r = makeList(false);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().message, "no list");
  Status st = Error("bad");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "bad");
  EXPECT_TRUE(Status().ok());
}

}  // namespace
}  // namespace zk
