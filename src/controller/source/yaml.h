#pragma once
// A YAML stream as read-only documents, composed from libyaml's events.
//
// Why our own small tree over libyaml (not yaml-cpp): yaml-cpp 0.7 (Debian 12)
// loops forever on some malformed inputs (fuzz_manifest found several), while
// libyaml's event parser is the one fuzzed on OSS-Fuzz and used by PyYAML.
// Composition is iterative with a nesting limit, and an alias (*a) refers to
// the anchored node instead of copying it, so neither deep nesting nor a
// "billion laughs" document can exhaust the stack or memory.
//
// Scalars are kept as text: the readers of Kubernetes objects decide what a
// field must be. A plain scalar that is empty, "~" or null/Null/NULL is null
// (YAML 1.2 core schema, section 10.3.2); quoted, it is a string.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zk::controller::yaml {

enum class Kind : std::uint8_t { Null, Scalar, Sequence, Mapping };

class Document;

// A node of a document: a cheap handle, valid while the Document lives.
// A default NodeRef is "absent" (a key that is not there).
class NodeRef {
 public:
  NodeRef() = default;

  [[nodiscard]] bool absent() const { return doc_ == nullptr; }
  // Absent or null: the field is not given.
  [[nodiscard]] bool isNull() const;
  [[nodiscard]] Kind kind() const;
  [[nodiscard]] bool isScalar() const { return kind() == Kind::Scalar; }
  [[nodiscard]] bool isSequence() const { return kind() == Kind::Sequence; }
  [[nodiscard]] bool isMapping() const { return kind() == Kind::Mapping; }
  [[nodiscard]] int line() const;                   // 1-based; 0 when absent
  [[nodiscard]] const std::string& scalar() const;  // empty unless a scalar

  // Mapping lookup by scalar key; absent when not a mapping or no such key.
  [[nodiscard]] NodeRef operator[](std::string_view key) const;
  // Sequence items, or mapping entries as key, value, key, value...
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] NodeRef child(std::size_t i) const;
  // Sequence items (empty unless a sequence).
  [[nodiscard]] std::vector<NodeRef> items() const;

 private:
  friend class Document;
  NodeRef(const Document* doc, std::uint32_t index) : doc_(doc), index_(index) {}
  const Document* doc_ = nullptr;
  std::uint32_t index_ = 0;
};

class Document {
 public:
  [[nodiscard]] NodeRef root() const { return {this, root_}; }

 private:
  friend class NodeRef;
  friend class Composer;
  struct Node {
    Kind kind = Kind::Null;
    int line = 0;
    std::string scalar;
    std::vector<std::uint32_t> children;
  };
  std::vector<Node> nodes_;
  std::uint32_t root_ = 0;
};

struct LoadError {
  int line = 0;  // 1-based; 0 when unknown
  std::string message;
};

struct Stream {
  std::vector<Document> documents;
  std::optional<LoadError> error;  // set: the text is not a YAML stream, no documents
};

struct Limits {
  int maxDepth = 64;                 // nested collections
  std::size_t maxNodes = 4'000'000;  // per stream
};

// Parses a whole stream ("---"-separated documents). Duplicate keys in one
// mapping are an error, as Kubernetes' own decoder reports them.
Stream load(std::string_view text, const Limits& limits = {});

}  // namespace zk::controller::yaml
