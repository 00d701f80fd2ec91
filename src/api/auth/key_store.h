#pragma once
// Access keys for SigV4: DATA_DIR/api_keys.json, mode 0600 (SigV4 verification
// needs the secret itself, so the file is as sensitive as the secrets). Writes
// go to a temporary file that is fsynced and renamed over the old one, under an
// flock so concurrent `zonekeeper keys` commands cannot lose each other's keys.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth/policy.h"
#include "common/result.h"

namespace zk::api::auth {

struct AccessKey {
  std::string id;      // "AKIA" + 16 upper-case base-32 characters
  std::string secret;  // 40 characters
  std::string name;
  std::string policyJson;  // empty: the key may do everything
  std::int64_t createdAt = 0;
};

class KeyStore {
 public:
  explicit KeyStore(std::string dataDir);

  [[nodiscard]] std::string path() const;
  // Every key; an empty list when the file does not exist yet. Refuses a file
  // that group or others can read.
  [[nodiscard]] Result<std::vector<AccessKey>> load() const;
  // A new key with a fresh id and secret. The policy (if any) must parse.
  Result<AccessKey> create(std::string_view name, std::string_view policyJson, std::int64_t now);
  // Removes the key with this id or name; false when there is none.
  Result<bool> remove(std::string_view idOrName);

 private:
  Status save(const std::vector<AccessKey>& keys) const;
  std::string dataDir_;
};

// The server's view: looks keys up by id, re-reading the file when it changed
// (so `zonekeeper keys create` takes effect without a restart). Thread-safe.
class KeyCache {
 public:
  struct Entry {
    AccessKey key;
    std::optional<Policy> policy;  // nullopt: allow everything
  };
  explicit KeyCache(KeyStore store) : store_(std::move(store)) {}
  std::shared_ptr<const Entry> find(std::string_view accessKeyId);
  // Loads now; an error when the file is unreadable or a stored policy is bad.
  Status refresh();

 private:
  Status refreshLocked();
  KeyStore store_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> keys_;
  std::int64_t mtimeNs_ = -1;
  std::int64_t size_ = -1;
  std::uint64_t inode_ = 0;
};

}  // namespace zk::api::auth
