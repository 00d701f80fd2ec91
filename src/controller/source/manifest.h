#pragma once
// Kubernetes manifests (multi-document YAML) -> trimmed objects.
//
// Every document is checked on its own: a document with a bad field is
// reported (file:line: message) and skipped whole, the others are kept. A file
// that is not valid YAML yields no objects and a diagnostic; the caller decides
// what to keep (the directory source keeps the file's last good objects).
// Kinds other than Ingress and Service are ignored; "kind: List" is unpacked.

#include <string>
#include <string_view>
#include <vector>

#include "controller/source/objects.h"

namespace zk::controller {

struct ManifestDiagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string message;
  [[nodiscard]] std::string toString() const;
};

struct ManifestParse {
  Objects objects;
  std::vector<ManifestDiagnostic> diagnostics;
  bool syntaxError = false;  // the file as a whole is not YAML
};

ManifestParse parseManifests(std::string_view text, std::string_view file);

}  // namespace zk::controller
