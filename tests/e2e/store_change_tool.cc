// store_change: a test helper standing in for a second process that writes to
// the store (the future `zonekeeper api`), for e2e tests of `serve --data`.
//
//   store_change DATA_DIR change ORIGIN ACTION NAME TYPE TTL VALUE...
//       ACTION: CREATE | DELETE | UPSERT; each VALUE is one record's RDATA in
//       presentation form (one argument each, e.g. "10 mx.example.com.")
//   store_change DATA_DIR alias ORIGIN ACTION NAME TYPE TARGET
//   store_change DATA_DIR create-zone ORIGIN
//   store_change DATA_DIR delete-zone ORIGIN
// Prints "change ID serial N" (or the zone id) and exits 0; errors exit 1.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_zone_store.h"
#include "wire/rdata.h"

namespace {

using namespace zk;  // NOLINT(google-build-using-namespace)

int die(const std::string& message) {
  std::fprintf(stderr, "store_change: %s\n", message.c_str());
  return 1;
}

std::string describe(const store::StoreError& e) {
  std::string out;
  for (const auto& m : e.messages) out += (out.empty() ? "" : "; ") + m;
  return out.empty() ? "store error" : out;
}

// One value's tokens: split on spaces, "..." kept together (quotes removed).
bool parseValue(wire::RRType type, std::string_view text, wire::Bytes& out, std::string& error) {
  std::vector<std::string> parts;
  std::vector<bool> quoted;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    if (text[pos] == '"') {
      const auto end = text.find('"', pos + 1);
      if (end == std::string_view::npos) {
        error = "unterminated quote";
        return false;
      }
      parts.emplace_back(text.substr(pos + 1, end - pos - 1));
      quoted.push_back(true);
      pos = end + 1;
    } else {
      auto end = text.find(' ', pos);
      if (end == std::string_view::npos) end = text.size();
      parts.emplace_back(text.substr(pos, end - pos));
      quoted.push_back(false);
      pos = end;
    }
  }
  std::vector<wire::TextToken> tokens;
  for (std::size_t i = 0; i < parts.size(); ++i) tokens.push_back({parts[i], quoted[i]});
  auto st = wire::rdataFromText(type, tokens, wire::Name(), out);
  if (!st) error = st.error().message;
  return st.ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3)
    return die("usage: store_change DATA_DIR change|alias|create-zone|delete-zone ORIGIN ...");
  auto path = store::SqliteZoneStore::prepareDataDir(args[0]);
  if (!path) return die(path.error().message);
  store::SqliteStoreOptions so;
  so.path = *path;
  auto opened = store::SqliteZoneStore::open(so);
  if (!opened) return die(opened.error().message);
  auto& s = **opened;
  auto origin = wire::Name::fromText(args[2]);
  if (!origin) return die("bad origin: " + origin.error().message);
  const std::string& cmd = args[1];
  if (cmd == "create-zone") {
    auto z = s.createZone({*origin, "store-change-" + args[2], ""});
    if (z.index() != 0) return die(describe(std::get<1>(z)));
    std::printf("zone %s serial %u\n", std::get<0>(z).id.c_str(), std::get<0>(z).serial);
    return 0;
  }
  auto list = s.listZones();
  if (list.index() != 0) return die(describe(std::get<1>(list)));
  std::string zoneId;
  for (const auto& z : std::get<0>(list)) {
    if (z.name == *origin) zoneId = z.id;
  }
  if (zoneId.empty()) return die("no hosted zone named " + args[2]);
  if (cmd == "delete-zone") {
    auto r = s.deleteZone(zoneId);
    if (r.index() != 0) return die(describe(std::get<1>(r)));
    std::printf("deleted %s\n", zoneId.c_str());
    return 0;
  }
  if ((cmd != "change" && cmd != "alias") || args.size() < 7) return die("bad arguments");
  store::Change change;
  if (args[3] == "CREATE") {
    change.action = store::ChangeAction::Create;
  } else if (args[3] == "DELETE") {
    change.action = store::ChangeAction::Delete;
  } else if (args[3] == "UPSERT") {
    change.action = store::ChangeAction::Upsert;
  } else {
    return die("bad action " + args[3]);
  }
  auto owner = wire::Name::fromText(args[4]);
  if (!owner) return die("bad name: " + owner.error().message);
  auto type = wire::typeFromText(args[5]);
  if (!type) return die("bad type " + args[5]);
  change.recordSet.name = *owner;
  change.recordSet.type = *type;
  if (cmd == "alias") {
    auto target = wire::Name::fromText(args[6]);
    if (!target) return die("bad alias target: " + target.error().message);
    change.recordSet.alias = store::AliasTarget{zoneId, *target, false};
  } else {
    change.recordSet.ttl = static_cast<std::uint32_t>(std::stoul(args[6]));
    for (std::size_t i = 7; i < args.size(); ++i) {
      wire::Bytes rd;
      std::string error;
      if (!parseValue(*type, args[i], rd, error)) return die(args[i] + ": " + error);
      change.recordSet.rdata.push_back(std::move(rd));
    }
  }
  store::ChangeBatch batch;
  batch.changes.push_back(std::move(change));
  auto r = s.applyChanges(zoneId, batch);
  if (r.index() != 0) return die(describe(std::get<1>(r)));
  std::printf("change %s serial %u\n", std::get<0>(r).id.c_str(), std::get<0>(r).serial);
  return 0;
}
