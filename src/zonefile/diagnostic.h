#pragma once
// Source locations and diagnostics shared by the zone-file parser and the zone
// checker. Header-only so that zk_zone can report locations without linking
// the parser.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zk::zonefile {

// A position in one of the files a parse read (index into FileTable).
struct Location {
  std::uint32_t file = 0;
  std::uint32_t line = 0;    // 1-based; 0 = no position (whole-zone message)
  std::uint32_t column = 0;  // 1-based byte column
};

enum class Severity : std::uint8_t { Warning, Error };

struct Diagnostic {
  Severity severity = Severity::Error;
  Location location;
  std::string message;
};

// Names of the files a parse read, so that a Location can stay 12 bytes.
class FileTable {
 public:
  std::uint32_t add(std::string name) {
    names_.push_back(std::move(name));
    return static_cast<std::uint32_t>(names_.size() - 1);
  }
  [[nodiscard]] std::string_view name(std::uint32_t id) const {
    return id < names_.size() ? std::string_view(names_[id]) : std::string_view("?");
  }
  [[nodiscard]] std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

// "file:line:col: message" (errors) or "file:line:col: warning: message".
inline std::string formatDiagnostic(const FileTable& files, const Diagnostic& d) {
  std::string out(files.name(d.location.file));
  if (d.location.line != 0) {
    out += ':';
    out += std::to_string(d.location.line);
    out += ':';
    out += std::to_string(d.location.column);
  }
  out += ": ";
  if (d.severity == Severity::Warning) out += "warning: ";
  out += d.message;
  return out;
}

}  // namespace zk::zonefile
