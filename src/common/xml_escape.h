#pragma once

#include <string>
#include <string_view>

namespace zk {

// Escapes text for an XML element or attribute value (XML 1.0 section 2.4 and
// 4.6: the five predefined entities). Other octets are copied unchanged.
std::string xmlEscape(std::string_view text);

}  // namespace zk
