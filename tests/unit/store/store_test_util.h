#pragma once
// Helpers shared by the store tests: a temp directory, record-set builders
// from presentation text, and StoreResult accessors.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/sqlite_zone_store.h"
#include "wire/rdata.h"

namespace zk::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zkstore-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    if (p != nullptr) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline wire::Name name(std::string_view text) {
  auto n = wire::Name::fromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : wire::Name();
}

// One value of `type` from presentation text ("192.0.2.1", "10 mx.example.com.").
inline wire::Bytes rdata(wire::RRType type, std::string_view text) {
  std::vector<std::string> parts;
  std::vector<wire::TextToken> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    if (text[pos] == '"') {
      const auto end = text.find('"', pos + 1);
      parts.emplace_back(text.substr(pos + 1, end - pos - 1));
      tokens.push_back({{}, true});
      pos = end + 1;
    } else {
      auto end = text.find(' ', pos);
      if (end == std::string_view::npos) end = text.size();
      parts.emplace_back(text.substr(pos, end - pos));
      tokens.push_back({{}, false});
      pos = end;
    }
  }
  for (std::size_t i = 0; i < parts.size(); ++i) tokens[i].text = parts[i];
  wire::Bytes out;
  auto st = wire::rdataFromText(type, tokens, wire::Name(), out);
  EXPECT_TRUE(st.ok()) << text << ": " << (st.ok() ? "" : st.error().message);
  return out;
}

inline RecordSet rset(std::string_view owner, wire::RRType type, std::uint32_t ttl,
                      const std::vector<std::string>& values) {
  RecordSet rs;
  rs.name = name(owner);
  rs.type = type;
  rs.ttl = ttl;
  for (const auto& v : values) rs.rdata.push_back(rdata(type, v));
  return rs;
}

inline RecordSet aliasSet(std::string_view owner, wire::RRType type, std::string zoneId,
                          std::string_view target) {
  RecordSet rs;
  rs.name = name(owner);
  rs.type = type;
  rs.alias = AliasTarget{std::move(zoneId), name(target), false};
  return rs;
}

inline Change create(RecordSet rs) { return {ChangeAction::Create, std::move(rs)}; }
inline Change del(RecordSet rs) { return {ChangeAction::Delete, std::move(rs)}; }
inline Change upsert(RecordSet rs) { return {ChangeAction::Upsert, std::move(rs)}; }

inline ChangeBatch batch(std::vector<Change> changes, std::string comment = {}) {
  return ChangeBatch{std::move(comment), std::move(changes)};
}

// By value: the argument is usually a temporary.
template <class T>
T ok(const StoreResult<T>& r) {
  T empty{};
  if (r.index() != 0) {
    const auto& e = std::get<1>(r);
    std::string all;
    for (const auto& m : e.messages) all += m + "\n";
    ADD_FAILURE() << "store error " << static_cast<int>(e.code) << ": " << all;
    return empty;
  }
  return std::get<0>(r);
}

template <class T>
StoreError err(const StoreResult<T>& r) {
  if (r.index() == 0) {
    ADD_FAILURE() << "expected an error";
    return {ErrorCode::Internal, {}};
  }
  return std::get<1>(r);
}

inline std::unique_ptr<SqliteZoneStore> openStore(const std::string& path, std::uint64_t seed = 42) {
  SqliteStoreOptions o;
  o.path = path;
  o.seed = seed;
  o.clock = [] { return std::int64_t{1700000000}; };
  auto s = SqliteZoneStore::open(o);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? std::move(*s) : nullptr;
}

}  // namespace zk::store::testing
