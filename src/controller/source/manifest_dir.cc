#include "controller/source/manifest_dir.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
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

Status ManifestDirectory::reload() {
  namespace fs = std::filesystem;
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
  std::map<std::string, File> previous;
  {
    std::lock_guard lock(mu_);
    previous = files_;  // shares the object groups
  }
  std::map<std::string, File> files;
  std::vector<ManifestDiagnostic> diags;
  for (const auto& p : paths) {
    const std::string file = p.string();
    const auto prev = previous.find(file);
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    if (in) buf << in.rdbuf();
    std::string text = std::move(buf).str();
    File entry;
    if (!in || text.size() > kMaxManifestBytes) {
      entry.diagnostics.push_back({file, 0, in ? "file too large; skipped" : "cannot read; skipped"});
      if (prev != previous.end()) entry.objects = prev->second.objects;
    } else if (prev != previous.end() && prev->second.text == text) {
      entry = prev->second;  // unchanged bytes: same objects, same group pointer
    } else {
      auto parsed = parseManifests(text, file);
      entry.diagnostics = std::move(parsed.diagnostics);
      if (parsed.syntaxError) {
        // Keep what the file said before it broke: a typo must not delete records.
        if (prev != previous.end()) entry.objects = prev->second.objects;
      } else {
        entry.objects = std::make_shared<const Objects>(std::move(parsed.objects));
      }
      entry.text = std::move(text);
    }
    diags.insert(diags.end(), entry.diagnostics.begin(), entry.diagnostics.end());
    files.emplace(file, std::move(entry));
  }
  std::lock_guard lock(mu_);
  files_ = std::move(files);
  diagnostics_ = std::move(diags);
  loaded_ = true;
  loadError_.clear();
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
    if (f.objects) out.push_back(f.objects);
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
  thread_ = std::thread([this, cb = std::move(onChange)]() mutable { watchLoop(std::move(cb)); });
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

void ManifestDirectory::watchLoop(std::function<void()> onChange) {
  alignas(inotify_event) char buf[8192];
  bool pending = false;
  while (true) {
    pollfd fds[2] = {{inotifyFd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    // Debounce: after an event, wait until the directory is quiet for debounce_.
    const int timeout = pending ? static_cast<int>(debounce_.count()) : -1;
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    if (n == 0 && pending) {
      pending = false;
      (void)reload();
      onChange();
      continue;
    }
    if (fds[0].revents & POLLIN) {
      while (::read(inotifyFd_, buf, sizeof buf) > 0) {
      }
      pending = true;
    }
  }
}

}  // namespace zk::controller
