#pragma once
// SHA-256, HMAC-SHA256 and constant-time comparison (OpenSSL libcrypto).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zk::api::auth {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::string_view data);
std::string sha256Hex(std::string_view data);
Digest hmacSha256(std::span<const std::uint8_t> key, std::string_view data);
std::string toHex(std::span<const std::uint8_t> data);
// Equal length and contents, in time independent of where they differ.
bool constantTimeEquals(std::string_view a, std::string_view b);
// Cryptographically random bytes (RAND_bytes); false when the RNG fails.
bool randomBytes(std::span<std::uint8_t> out);

}  // namespace zk::api::auth
