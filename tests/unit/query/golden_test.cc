// Golden tests for the query processor: every tests/golden/server/*.test file
// lists zones, then cases "=== title / query ... / expected response". One
// GoogleTest case per golden case. ZK_GOLDEN_UPDATE=1 rewrites the expected
// blocks from the actual output (review the diff before committing!).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "golden_util.h"
#include "query/processor.h"
#include "wire/message.h"
#include "zone/loader.h"
#include "zone/zone_table.h"

namespace zk::query::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(ZK_SOURCE_DIR) / "tests" / "golden" / "server";

// Alias targets outside the served zones, answered from a fixed table.
class TableResolver : public AliasResolver {
 public:
  void add(const std::string& name, wire::RRType type, std::vector<std::uint8_t> addrs, std::uint32_t ttl) {
    entries_[{std::string(wire::Name::fromText(name)->lowercased().wire()), type}] = {ttl, std::move(addrs)};
  }
  bool lookup(std::span<const std::uint8_t> target, wire::RRType type, AliasAnswer& out) override {
    std::string key(reinterpret_cast<const char*>(target.data()), target.size());
    auto it = entries_.find({key, type});
    if (it == entries_.end()) return false;
    out.ttl = it->second.first;
    out.addresses = it->second.second;
    return true;
  }

 private:
  std::map<std::pair<std::string, wire::RRType>, std::pair<std::uint32_t, std::vector<std::uint8_t>>>
      entries_;
};

struct Case {
  std::string title;
  std::string query;
  std::string expected;
  int line = 0;
};

struct GoldenFile {
  fs::path path;
  std::vector<std::string> header;  // lines before the first case
  std::vector<Case> cases;
};

std::string trimRight(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

GoldenFile readGolden(const fs::path& path) {
  GoldenFile g;
  g.path = path;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  Case* cur = nullptr;
  while (std::getline(in, line)) {
    ++n;
    line = trimRight(line);
    if (line.starts_with("=== ")) {
      g.cases.push_back(Case{line.substr(4), "", "", n});
      cur = &g.cases.back();
      continue;
    }
    if (cur == nullptr) {
      g.header.push_back(line);
      continue;
    }
    if (line.empty() || line.starts_with("#")) continue;
    if (cur->query.empty() && line.starts_with("query ")) {
      cur->query = line.substr(6);
      continue;
    }
    cur->expected += line + "\n";
  }
  return g;
}

struct Fixture {
  std::unique_ptr<zone::ZoneTable> table = std::make_unique<zone::ZoneTable>();
  std::unique_ptr<TableResolver> resolver = std::make_unique<TableResolver>();
  std::string error;
};

Fixture makeFixture(const GoldenFile& g) {
  Fixture f;
  for (const std::string& line : g.header) {
    std::istringstream in(line);
    std::string kw;
    in >> kw;
    if (kw == "zone") {
      std::string origin, file;
      in >> origin >> file;
      auto o = wire::Name::fromText(origin);
      if (!o) {
        f.error = "bad origin " + origin;
        return f;
      }
      auto z = zone::loadZoneFile((kGoldenDir / file).string(), *o);
      if (!z) {
        f.error = file + ": " + z.error().message;
        return f;
      }
      f.table->upsert(*z);
    } else if (kw == "resolver") {
      // resolver NAME A|AAAA TTL ADDR-HEX  (an empty ADDR-HEX "-" means no data)
      std::string name, type, hex;
      std::uint32_t ttl = 0;
      in >> name >> type >> ttl >> hex;
      std::vector<std::uint8_t> addrs;
      if (hex != "-") detail::parseHex(hex, addrs);
      f.resolver->add(name, type == "A" ? wire::RRType::A : wire::RRType::AAAA, addrs, ttl);
    }
  }
  return f;
}

std::string runCase(Fixture& f, const Case& c) {
  QuerySpec spec;
  std::string err;
  if (!parseQuerySpec(c.query, spec, err)) return "bad query line: " + err;
  QueryProcessor qp(*f.table, f.resolver.get());
  std::vector<std::uint8_t> out(65535);
  auto q = buildQuery(spec);
  std::size_t n = qp.process(q, out, spec.tcp ? Transport::Tcp : Transport::Udp);
  if (n == 0) return "no response\n";
  if (auto mv = wire::MessageView::parse({out.data(), n}); !mv)
    return "MessageView rejects: " + mv.error().message;
  std::string text = formatResponse({out.data(), n});
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

void updateFile(GoldenFile& g) {
  Fixture f = makeFixture(g);
  std::ofstream out(g.path);
  for (const std::string& h : g.header) out << h << "\n";
  for (std::size_t i = 0; i < g.cases.size(); ++i) {
    const Case& c = g.cases[i];
    out << "=== " << c.title << "\nquery " << c.query << "\n" << runCase(f, c);
    if (i + 1 < g.cases.size()) out << "\n";
  }
}

class GoldenCase : public ::testing::Test {
 public:
  GoldenCase(std::shared_ptr<Fixture> f, Case c, std::string file)
      : fixture_(std::move(f)), case_(std::move(c)), file_(std::move(file)) {}
  void TestBody() override {
    ASSERT_TRUE(fixture_->error.empty()) << fixture_->error;
    SCOPED_TRACE(file_ + ":" + std::to_string(case_.line) + " " + case_.title + " [query " + case_.query +
                 "]");
    EXPECT_EQ(case_.expected, runCase(*fixture_, case_));
  }

 private:
  std::shared_ptr<Fixture> fixture_;
  Case case_;
  std::string file_;
};

std::string testName(const std::string& title) {
  std::string s;
  for (char ch : title) s += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return s;
}

int registerAll() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kGoldenDir)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  bool update = std::getenv("ZK_GOLDEN_UPDATE") != nullptr;
  for (const auto& p : files) {
    GoldenFile g = readGolden(p);
    if (update) {
      updateFile(g);
      g = readGolden(p);
    }
    auto fixture = std::make_shared<Fixture>(makeFixture(g));
    std::string suite = "Golden_" + testName(p.stem().string());
    for (const Case& c : g.cases) {
      std::string file = p.filename().string();
      ::testing::RegisterTest(
          suite.c_str(), testName(c.title).c_str(), nullptr, nullptr, p.string().c_str(), c.line,
          [fixture, c, file]() -> ::testing::Test* { return new GoldenCase(fixture, c, file); });
    }
  }
  return 0;
}

const int kRegistered = registerAll();

}  // namespace
}  // namespace zk::query::testing
