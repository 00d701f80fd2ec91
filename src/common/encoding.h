#pragma once
// Hex and base64 (RFC 4648) for RDATA presentation forms.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace zk {

std::string hexEncode(std::span<const std::uint8_t> data);
// Appends decoded octets; whitespace is not allowed inside `text`.
Status hexDecode(std::string_view text, std::vector<std::uint8_t>& out);
std::string base64Encode(std::span<const std::uint8_t> data);
Status base64Decode(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace zk
