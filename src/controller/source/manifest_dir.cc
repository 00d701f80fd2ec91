#include "controller/source/manifest_dir.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace zk::controller {
namespace {

bool isManifest(const std::filesystem::path& p) {
  const auto ext = p.extension().string();
  const auto name = p.filename().string();
  return (ext == ".yaml" || ext == ".yml") && !name.empty() && name.front() != '.';
}

constexpr std::size_t kMaxManifestBytes = 16u << 20;

}  // namespace

ManifestDirectory::ManifestDirectory(std::string dir, std::chrono::milliseconds debounce)
    : dir_(std::move(dir)), debounce_(debounce) {}

ManifestDirectory::~ManifestDirectory() { stop(); }

std::shared_ptr<const ManifestDirectory::File> ManifestDirectory::readFile(
    const std::string& file, const std::shared_ptr<const File>& prev) {
  ++filesRead_;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buf;
  if (in) buf << in.rdbuf();
  std::string text = std::move(buf).str();
  if (in && text.size() <= kMaxManifestBytes && prev && prev->text == text) {
    return prev;  // unchanged bytes: same objects, same group pointer
  }
  auto entry = std::make_shared<File>();
  if (!in || text.size() > kMaxManifestBytes) {
    entry->diagnostics.push_back({file, 0, in ? "file too large; skipped" : "cannot read; skipped"});
    if (prev) entry->objects = prev->objects;
    return entry;
  }
  auto parsed = parseManifests(text, file);
  entry->diagnostics = std::move(parsed.diagnostics);
  if (parsed.syntaxError) {
    // Keep what the file said before it broke: a typo must not delete records.
    if (prev) entry->objects = prev->objects;
  } else {
    entry->objects = std::make_shared<const Objects>(std::move(parsed.objects));
  }
  entry->text = std::move(text);
  return entry;
}

void ManifestDirectory::commit(Files files) {
  std::vector<ManifestDiagnostic> diags;
  for (const auto& [_, f] : files) diags.insert(diags.end(), f->diagnostics.begin(), f->diagnostics.end());
  std::lock_guard lock(mu_);
  files_ = std::move(files);
  diagnostics_ = std::move(diags);
  loaded_ = true;
  loadError_.clear();
}

Status ManifestDirectory::reload() {
  namespace fs = std::filesystem;
  std::lock_guard reloading(reloadMu_);
  std::error_code ec;
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (isManifest(it->path()) && it->is_regular_file(ec)) paths.push_back(it->path());
  }
  if (ec) {
    std::lock_guard lock(mu_);
    loadError_ = fmt::format("cannot read manifest directory {}: {}", dir_, ec.message());
    return Error(loadError_);
  }
  std::sort(paths.begin(), paths.end());
  Files previous;
  {
    std::lock_guard lock(mu_);
    previous = files_;  // shares the entries
  }
  Files files;
  for (const auto& p : paths) {
    const std::string file = p.string();
    const auto prev = previous.find(file);
    files.emplace(file, readFile(file, prev == previous.end() ? nullptr : prev->second));
  }
  commit(std::move(files));
  return {};
}

Status ManifestDirectory::reloadFiles(const std::vector<std::string>& names) {
  namespace fs = std::filesystem;
  bool full = false;
  {
    std::lock_guard lock(mu_);
    full = !loaded_ || !loadError_.empty();
  }
  if (full) return reload();
  std::lock_guard reloading(reloadMu_);
  Files files;
  {
    std::lock_guard lock(mu_);
    files = files_;
  }
  for (const auto& name : names) {
    const fs::path p = fs::path(dir_) / name;
    const std::string file = p.string();
    std::error_code ec;
    if (isManifest(p) && fs::is_regular_file(p, ec)) {
      const auto prev = files.find(file);
      auto entry = readFile(file, prev == files.end() ? nullptr : prev->second);
      files.insert_or_assign(file, std::move(entry));
    } else {
      files.erase(file);  // deleted, renamed away, or not a manifest (any more)
    }
  }
  commit(std::move(files));
  return {};
}

Result<std::vector<ObjectGroup>> ObjectSource::groups() {
  auto objects = list();
  if (!objects) return objects.error();
  return std::vector<ObjectGroup>{std::make_shared<const Objects>(std::move(*objects))};
}

Result<std::vector<ObjectGroup>> ManifestDirectory::groups() {
  std::lock_guard lock(mu_);
  if (!loadError_.empty()) return Error(loadError_);
  if (!loaded_) return Error("manifests not loaded yet");
  std::vector<ObjectGroup> out;
  for (const auto& [_, f] : files_) {
    if (f->objects) out.push_back(f->objects);
  }
  return out;
}

Result<Objects> ManifestDirectory::list() {
  auto gs = groups();
  if (!gs) return gs.error();
  Objects out;
  for (const auto& g : *gs) {
    out.ingresses.insert(out.ingresses.end(), g->ingresses.begin(), g->ingresses.end());
    out.services.insert(out.services.end(), g->services.begin(), g->services.end());
  }
  return out;
}

std::vector<ManifestDiagnostic> ManifestDirectory::diagnostics() {
  std::lock_guard lock(mu_);
  return diagnostics_;
}

Status ManifestDirectory::watch(std::function<void()> onChange) {
  if (thread_.joinable()) return Error("already watching");
  inotifyFd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotifyFd_ < 0) return Error(fmt::format("inotify_init1: {}", std::strerror(errno)));
  if (::inotify_add_watch(inotifyFd_, dir_.c_str(),
                          IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |
                              IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
    const int err = errno;
    ::close(inotifyFd_);
    inotifyFd_ = -1;
    return Error(fmt::format("watching {}: {}", dir_, std::strerror(err)));
  }
  wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // Changes between the caller's last reload and the watch have no events:
  // read everything once more (only changed files are parsed).
  (void)reload();
  thread_ = std::thread([this, cb = std::move(onChange)] { watchLoop(cb); });
  return {};
}

void ManifestDirectory::stop() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    (void)!::write(wakeFd_, &one, sizeof one);
    thread_.join();
  }
  if (inotifyFd_ >= 0) ::close(inotifyFd_);
  if (wakeFd_ >= 0) ::close(wakeFd_);
  inotifyFd_ = wakeFd_ = -1;
}

void ManifestDirectory::watchLoop(const std::function<void()>& onChange) {
  alignas(inotify_event) char buf[8192];
  bool pending = false;
  bool full = false;            // an overflow or an event on the directory itself
  std::set<std::string> names;  // files named by the events since the last reload
  while (true) {
    pollfd fds[2] = {{inotifyFd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    // Debounce: after an event, wait until the directory is quiet for debounce_.
    const int timeout = pending ? static_cast<int>(debounce_.count()) : -1;
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    if (n == 0 && pending) {
      pending = false;
      if (full) {
        (void)reload();
      } else {
        (void)reloadFiles(std::vector<std::string>(names.begin(), names.end()));
      }
      full = false;
      names.clear();
      onChange();
      continue;
    }
    if (fds[0].revents & POLLIN) {
      ssize_t got = 0;
      while ((got = ::read(inotifyFd_, buf, sizeof buf)) > 0) {
        for (std::size_t at = 0; at + sizeof(inotify_event) <= static_cast<std::size_t>(got);) {
          const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
          if ((ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) != 0 ||
              ev->len == 0) {
            full = true;
          } else {
            names.emplace(ev->name);  // NUL-terminated within len
          }
          at += sizeof(inotify_event) + ev->len;
        }
      }
      pending = true;
    }
  }
}

}  // namespace zk::controller
