#include "common/encoding.h"

#include <gtest/gtest.h>

namespace zk {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Encoding, HexRoundTrip) {
  auto in = bytes("\x01\xab\xff");
  EXPECT_EQ(hexEncode(in), "01abff");
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(hexDecode("01ABff", out).ok());
  EXPECT_EQ(out, in);
}

TEST(Encoding, HexRejectsBadInput) {
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(hexDecode("abc", out).ok());
  EXPECT_FALSE(hexDecode("zz", out).ok());
}

// RFC 4648 section 10 test vectors.
TEST(Encoding, Base64Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : vectors) {
    EXPECT_EQ(base64Encode(bytes(plain)), enc);
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(base64Decode(enc, out).ok()) << enc;
    EXPECT_EQ(out, bytes(plain));
  }
}

TEST(Encoding, Base64RejectsBadInput) {
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(base64Decode("Zg=", out).ok());
  EXPECT_FALSE(base64Decode("Z===", out).ok());
  EXPECT_FALSE(base64Decode("Zg=a", out).ok());
  EXPECT_FALSE(base64Decode("Z!9v", out).ok());
}

}  // namespace
}  // namespace zk
