#include "common/encoding.h"

#include <array>

namespace zk {
namespace {
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int b64Value(char c) {
  auto p = kB64.find(c);
  return p == std::string_view::npos ? -1 : static_cast<int>(p);
}
}  // namespace

std::string hexEncode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Status hexDecode(std::string_view text, std::vector<std::uint8_t>& out) {
  if (text.size() % 2 != 0) return Error("odd number of hex digits");
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hexValue(text[i]);
    int lo = hexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return Error("invalid hex digit");
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return {};
}

std::string base64Encode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  if (std::size_t rest = data.size() - i; rest > 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Status base64Decode(std::string_view text, std::vector<std::uint8_t>& out) {
  if (text.size() % 4 != 0) return Error("base64 length is not a multiple of 4");
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::array<int, 4> v{};
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=') {
        if (i + 4 != text.size() || k < 2) return Error("misplaced base64 padding");
        ++pad;
        v[k] = 0;
        continue;
      }
      if (pad > 0) return Error("misplaced base64 padding");
      v[k] = b64Value(c);
      if (v[k] < 0) return Error("invalid base64 character");
    }
    auto u = static_cast<std::uint32_t>((v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3]);
    out.push_back(static_cast<std::uint8_t>(u >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>((u >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(u & 0xFF));
  }
  return {};
}

}  // namespace zk
