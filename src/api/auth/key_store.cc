#include "api/auth/key_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/auth/crypto.h"

namespace zk::api::auth {
namespace {

constexpr std::string_view kFileName = "api_keys.json";

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

std::string randomString(std::size_t length, std::string_view alphabet) {
  std::array<std::uint8_t, 64> bytes{};
  std::string out;
  while (out.size() < length) {
    if (!randomBytes(bytes)) return {};
    for (const std::uint8_t b : bytes) {
      // Rejection sampling keeps every character equally likely.
      const std::size_t limit = 256 - (256 % alphabet.size());
      if (b < limit && out.size() < length) out += alphabet[b % alphabet.size()];
    }
  }
  return out;
}

std::string errnoText() { return std::strerror(errno); }

}  // namespace

KeyStore::KeyStore(std::string dataDir) : dataDir_(std::move(dataDir)) {}

std::string KeyStore::path() const { return fmt::format("{}/{}", dataDir_, kFileName); }

Result<std::vector<AccessKey>> KeyStore::load() const {
  const std::string file = path();
  Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::vector<AccessKey>{};
    return Error(fmt::format("cannot open {}: {}", file, errnoText()));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error(fmt::format("cannot stat {}: {}", file, errnoText()));
  if ((st.st_mode & 077) != 0) {
    return Error(
        fmt::format("{} has mode {:04o}; access keys must be readable by their owner only (chmod 600)", file,
                    st.st_mode & 07777));
  }
  std::string text;
  std::array<char, 8192> buf{};
  while (true) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(fmt::format("cannot read {}: {}", file, errnoText()));
    }
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return Error(fmt::format("{} is not a zonekeeper key file", file));
  }
  std::vector<AccessKey> keys;
  for (const auto& k : doc["keys"]) {
    if (!k.is_object() || !k.contains("id") || !k.contains("secret") || !k["id"].is_string() ||
        !k["secret"].is_string()) {
      return Error(fmt::format("{}: a key entry lacks id or secret", file));
    }
    AccessKey key;
    key.id = k["id"].get<std::string>();
    key.secret = k["secret"].get<std::string>();
    key.name = k.value("name", "");
    key.policyJson = k.value("policy", "");
    key.createdAt = k.value("created", std::int64_t{0});
    keys.push_back(std::move(key));
  }
  return keys;
}

Status KeyStore::save(const std::vector<AccessKey>& keys) const {
  nlohmann::json doc;
  doc["keys"] = nlohmann::json::array();
  for (const auto& k : keys) {
    doc["keys"].push_back({{"id", k.id},
                           {"secret", k.secret},
                           {"name", k.name},
                           {"policy", k.policyJson},
                           {"created", k.createdAt}});
  }
  const std::string text = doc.dump(2) + "\n";
  const std::string tmp = path() + ".tmp";
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Error(fmt::format("cannot create {}: {}", tmp, errnoText()));
    if (::fchmod(fd.get(), 0600) != 0) return Error(fmt::format("cannot chmod {}: {}", tmp, errnoText()));
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(fmt::format("cannot write {}: {}", tmp, errnoText()));
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return Error(fmt::format("cannot fsync {}: {}", tmp, errnoText()));
  }
  if (::rename(tmp.c_str(), path().c_str()) != 0) {
    return Error(fmt::format("cannot rename {} to {}: {}", tmp, path(), errnoText()));
  }
  Fd dir(::open(dataDir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return {};
}

Result<AccessKey> KeyStore::create(std::string_view name, std::string_view policyJson, std::int64_t now) {
  if (name.empty() || name.size() > 128) return Error("a key name must have 1 to 128 characters");
  if (!policyJson.empty()) {
    auto policy = Policy::parse(policyJson);
    if (!policy) return Error(fmt::format("bad policy: {}", policy.error().message));
  }
  ::mkdir(dataDir_.c_str(), 0700);
  const std::string lockPath = path() + ".lock";
  Fd lock(::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return Error(fmt::format("cannot open {}: {}", lockPath, errnoText()));
  if (::flock(lock.get(), LOCK_EX) != 0)
    return Error(fmt::format("cannot lock {}: {}", lockPath, errnoText()));
  auto keys = load();
  if (!keys) return keys.error();
  for (const auto& k : *keys) {
    if (k.name == name) return Error(fmt::format("a key named '{}' exists already", name));
  }
  AccessKey key;
  key.id = "AKIA" + randomString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  key.secret = randomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  if (key.id.size() != 20 || key.secret.size() != 40) return Error("the random number generator failed");
  key.name = std::string(name);
  key.policyJson = std::string(policyJson);
  key.createdAt = now;
  keys->push_back(key);
  if (auto s = save(*keys); !s) return s.error();
  return key;
}

Result<bool> KeyStore::remove(std::string_view idOrName) {
  const std::string lockPath = path() + ".lock";
  Fd lock(::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return Error(fmt::format("cannot open {}: {}", lockPath, errnoText()));
  if (::flock(lock.get(), LOCK_EX) != 0)
    return Error(fmt::format("cannot lock {}: {}", lockPath, errnoText()));
  auto keys = load();
  if (!keys) return keys.error();
  const auto before = keys->size();
  std::erase_if(*keys, [&](const AccessKey& k) { return k.id == idOrName || k.name == idOrName; });
  if (keys->size() == before) return false;
  if (auto s = save(*keys); !s) return s.error();
  return true;
}

Status KeyCache::refresh() {
  std::lock_guard lock(mu_);
  mtimeNs_ = -1;
  return refreshLocked();
}

Status KeyCache::refreshLocked() {
  struct stat st {};
  if (::stat(store_.path().c_str(), &st) != 0) {
    keys_.clear();
    mtimeNs_ = 0;
    size_ = 0;
    inode_ = 0;
    return {};
  }
  const std::int64_t mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (mtime == mtimeNs_ && st.st_size == size_ && st.st_ino == inode_) return {};
  auto keys = store_.load();
  if (!keys) return keys.error();
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> next;
  for (auto& k : *keys) {
    auto entry = std::make_shared<Entry>();
    if (!k.policyJson.empty()) {
      auto policy = Policy::parse(k.policyJson);
      if (!policy) return Error(fmt::format("key {}: bad policy: {}", k.id, policy.error().message));
      entry->policy = std::move(*policy);
    }
    entry->key = std::move(k);
    next.emplace(entry->key.id, std::move(entry));
  }
  keys_ = std::move(next);
  mtimeNs_ = mtime;
  size_ = st.st_size;
  inode_ = st.st_ino;
  return {};
}

std::shared_ptr<const KeyCache::Entry> KeyCache::find(std::string_view accessKeyId) {
  std::lock_guard lock(mu_);
  // A bad file keeps the last good set of keys (the error is logged by refresh()).
  (void)refreshLocked();
  auto it = keys_.find(accessKeyId);
  if (it == keys_.end()) return nullptr;
  return it->second;
}

}  // namespace zk::api::auth
