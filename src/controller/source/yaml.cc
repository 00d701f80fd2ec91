#include "controller/source/yaml.h"

#include <yaml.h>

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

namespace zk::controller::yaml {

// ---- NodeRef ---------------------------------------------------------------

bool NodeRef::isNull() const { return doc_ == nullptr || kind() == Kind::Null; }

Kind NodeRef::kind() const { return doc_ == nullptr ? Kind::Null : doc_->nodes_[index_].kind; }

int NodeRef::line() const { return doc_ == nullptr ? 0 : doc_->nodes_[index_].line; }

const std::string& NodeRef::scalar() const {
  static const std::string kEmpty;
  return doc_ == nullptr ? kEmpty : doc_->nodes_[index_].scalar;
}

NodeRef NodeRef::operator[](std::string_view key) const {
  if (!isMapping()) return {};
  const auto& children = doc_->nodes_[index_].children;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    const auto& k = doc_->nodes_[children[i]];
    if (k.kind == Kind::Scalar && k.scalar == key) return {doc_, children[i + 1]};
  }
  return {};
}

std::size_t NodeRef::size() const { return doc_ == nullptr ? 0 : doc_->nodes_[index_].children.size(); }

NodeRef NodeRef::child(std::size_t i) const { return {doc_, doc_->nodes_[index_].children.at(i)}; }

std::vector<NodeRef> NodeRef::items() const {
  std::vector<NodeRef> out;
  if (!isSequence()) return out;
  for (auto i : doc_->nodes_[index_].children) out.push_back({doc_, i});
  return out;
}

// ---- composing documents from libyaml events --------------------------------

namespace {

struct ParserDeleter {
  void operator()(yaml_parser_t* p) const {
    yaml_parser_delete(p);
    delete p;  // NOLINT(cppcoreguidelines-owning-memory): paired with the new in load()
  }
};

// One event, deleted when it goes out of scope.
class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (filled_) yaml_event_delete(&e_);
  }
  bool next(yaml_parser_t* parser) {
    if (filled_) yaml_event_delete(&e_);
    filled_ = yaml_parser_parse(parser, &e_) != 0;
    return filled_;
  }
  const yaml_event_t& operator*() const { return e_; }
  const yaml_event_t* operator->() const { return &e_; }

 private:
  yaml_event_t e_{};
  bool filled_ = false;
};

std::string_view text(const unsigned char* p, std::size_t n) {
  return p == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(p), n);
}
std::string_view cstr(const unsigned char* p) {
  return p == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(p));
}

int lineAt(std::string_view input, std::size_t offset) {
  offset = std::min(offset, input.size());
  return 1 + static_cast<int>(
                 std::count(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

class Composer {
 public:
  Composer(std::string_view input, const Limits& limits) : input_(input), limits_(limits) {}

  Stream run() {
    std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t{});
    Stream out;
    if (yaml_parser_initialize(parser.get()) == 0) {
      out.error = LoadError{0, "out of memory"};
      return out;
    }
    yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(input_.data()),
                                 input_.size());
    Event ev;
    for (;;) {
      if (!ev.next(parser.get())) {
        out.error = parserError(*parser);
        break;
      }
      if (ev->type == YAML_STREAM_END_EVENT) break;
      if (auto err = apply(*ev, out)) {
        out.error = std::move(err);
        break;
      }
    }
    if (out.error) out.documents.clear();
    return out;
  }

 private:
  LoadError parserError(const yaml_parser_t& p) const {
    const std::string problem(cstr(reinterpret_cast<const unsigned char*>(p.problem)));
    std::string msg = problem.empty() ? std::string("malformed YAML") : problem;
    if (p.context != nullptr) msg += fmt::format(" ({})", p.context);
    const int line = p.error == YAML_READER_ERROR ? lineAt(input_, p.problem_offset)
                                                  : static_cast<int>(p.problem_mark.line) + 1;
    return {line, std::move(msg)};
  }

  static int lineOf(const yaml_event_t& e) { return static_cast<int>(e.start_mark.line) + 1; }

  // Adds a node (or, for an alias, an existing node) where the stream is.
  std::optional<LoadError> place(std::uint32_t index, int line) {
    if (++placed_ > limits_.maxNodes) return LoadError{line, "document too large (too many nodes)"};
    if (open_.empty()) {
      doc_.root_ = index;
      hasRoot_ = true;
    } else {
      doc_.nodes_[open_.back().index].children.push_back(index);
    }
    return std::nullopt;
  }

  std::uint32_t newNode(Kind kind, int line, std::string scalar = {}) {
    doc_.nodes_.push_back({kind, line, std::move(scalar), {}});
    return static_cast<std::uint32_t>(doc_.nodes_.size() - 1);
  }

  void anchor(const unsigned char* name, std::uint32_t index) {
    if (name != nullptr) anchors_.insert_or_assign(std::string(cstr(name)), index);
  }

  // RFC-free but Kubernetes-compatible: a key given twice in one mapping is an
  // error (YAML 1.2 section 3.2.1.1 requires keys to be unique).
  std::optional<LoadError> checkKeys(std::uint32_t mapping) const {
    const auto& children = doc_.nodes_[mapping].children;
    std::map<std::string_view, int> seen;
    for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
      const auto& k = doc_.nodes_[children[i]];
      if (k.kind != Kind::Scalar) continue;
      auto [it, fresh] = seen.emplace(k.scalar, k.line);
      if (!fresh)
        return LoadError{k.line, fmt::format("duplicate key '{}' (first at line {})", k.scalar, it->second)};
    }
    return std::nullopt;
  }

  std::optional<LoadError> apply(const yaml_event_t& e, Stream& out) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        doc_ = Document{};
        anchors_.clear();
        hasRoot_ = false;
        return std::nullopt;
      case YAML_DOCUMENT_END_EVENT:
        if (hasRoot_) out.documents.push_back(std::move(doc_));
        doc_ = Document{};
        return std::nullopt;
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(std::string(cstr(e.data.alias.anchor)));
        if (it == anchors_.end()) {
          return LoadError{lineOf(e), fmt::format("unknown alias '*{}'", cstr(e.data.alias.anchor))};
        }
        return place(it->second, lineOf(e));
      }
      case YAML_SCALAR_EVENT: {
        const auto& s = e.data.scalar;
        std::string value(text(s.value, s.length));
        // YAML 1.2 core schema (10.3.2): these plain scalars are null.
        const bool null =
            s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nullptr &&
            (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL");
        const auto index =
            null ? newNode(Kind::Null, lineOf(e)) : newNode(Kind::Scalar, lineOf(e), std::move(value));
        anchor(s.anchor, index);
        return place(index, lineOf(e));
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (static_cast<int>(open_.size()) >= limits_.maxDepth) {
          return LoadError{lineOf(e), "collections nested too deeply"};
        }
        const bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        const auto index = newNode(seq ? Kind::Sequence : Kind::Mapping, lineOf(e));
        if (auto err = place(index, lineOf(e))) return err;
        open_.emplace_back(index, seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor);
        return std::nullopt;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        const Open top = open_.back();
        open_.pop_back();
        if (e.type == YAML_MAPPING_END_EVENT) {
          if (auto err = checkKeys(top.index)) return err;
        }
        // Registered only once complete, so an alias can never form a cycle.
        if (top.anchorName)
          anchor(reinterpret_cast<const unsigned char*>(top.anchorName->c_str()), top.index);
        return std::nullopt;
      }
      default:
        return std::nullopt;
    }
  }

  struct Open {
    std::uint32_t index;
    std::optional<std::string> anchorName;
    Open(std::uint32_t i, const unsigned char* a) : index(i) {
      if (a != nullptr) anchorName = std::string(cstr(a));
    }
  };

  std::string_view input_;
  Limits limits_;
  Document doc_;
  bool hasRoot_ = false;
  std::vector<Open> open_;
  std::map<std::string, std::uint32_t, std::less<>> anchors_;
  std::size_t placed_ = 0;
};

Stream load(std::string_view text, const Limits& limits) { return Composer(text, limits).run(); }

}  // namespace zk::controller::yaml
