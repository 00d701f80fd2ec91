#include "common/xml_escape.h"

#include <gtest/gtest.h>

namespace zk {
namespace {

TEST(XmlEscape, EscapesThePredefinedEntities) {
  EXPECT_EQ(xmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

TEST(XmlEscape, LeavesOtherTextAlone) {
  EXPECT_EQ(xmlEscape(""), "");
  EXPECT_EQ(xmlEscape("www.example.com. \\052 \"v=spf1\""), "www.example.com. \\052 &quot;v=spf1&quot;");
  EXPECT_EQ(xmlEscape(std::string_view("\x00\xff", 2)), std::string("\x00\xff", 2));
}

TEST(XmlEscape, IsNotIdempotent) {
  // Escaping is not idempotent: an '&' from a prior pass is escaped again.
  EXPECT_EQ(xmlEscape("&amp;"), "&amp;amp;");
}

}  // namespace
}  // namespace zk
