#pragma once
// ObjectSource: the informer-like interface sources read objects through.
// list() returns the cached objects (fails when the source cannot list: then
// the reconcile cycle changes nothing); watch() calls back after changes.
// groups() returns the same objects in groups that change as a whole: a group
// whose objects are unchanged is the same pointer in the next listing, so
// callers may keep what they derived from it (the reconciler keeps each
// group's desired endpoints). A Kubernetes list+watch client implements the
// same interface later (a group = one object of the informer cache).
//
// ManifestDirectory: objects from the *.yaml / *.yml files of one directory
// (not recursive), re-read on inotify events (debounced): adding, editing or
// deleting a file creates, updates or deletes its objects. A file that stops
// being valid YAML keeps its last good objects until fixed (reported). One
// group per file; a reload re-reads every file but parses only those whose
// bytes changed (the others keep their objects and group pointer). While
// watching, only the files named by inotify events are read again (all of
// them after an event queue overflow or an event on the directory itself).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "controller/source/manifest.h"
#include "controller/source/objects.h"

namespace zk::controller {

using ObjectGroup = std::shared_ptr<const Objects>;

class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  virtual Result<Objects> list() = 0;
  // The default: one group, new every time (nothing reusable).
  virtual Result<std::vector<ObjectGroup>> groups();
  // Starts calling `onChange` (from another thread) after the objects changed.
  virtual Status watch(std::function<void()> onChange) = 0;
  virtual void stop() = 0;
};

class ManifestDirectory final : public ObjectSource {
 public:
  explicit ManifestDirectory(std::string dir,
                             std::chrono::milliseconds debounce = std::chrono::milliseconds(50));
  ~ManifestDirectory() override;
  ManifestDirectory(const ManifestDirectory&) = delete;
  ManifestDirectory& operator=(const ManifestDirectory&) = delete;

  // Re-reads every manifest file; fails when the directory cannot be read.
  Status reload();
  // Re-reads only these files (names inside the directory): a file that is
  // gone or no longer a manifest drops its objects. A full reload() when
  // nothing was loaded yet.
  Status reloadFiles(const std::vector<std::string>& names);
  // Manifest files read so far (for tests and figures).
  [[nodiscard]] std::size_t filesRead() const { return filesRead_.load(); }
  Result<Objects> list() override;
  Result<std::vector<ObjectGroup>> groups() override;
  Status watch(std::function<void()> onChange) override;
  void stop() override;
  // Diagnostics of the last reload (file:line: message).
  std::vector<ManifestDiagnostic> diagnostics();

 private:
  struct File {
    std::optional<std::string> text;  // the bytes parsed last; unset: read again next time
    ObjectGroup objects;              // last good objects
    std::vector<ManifestDiagnostic> diagnostics;
  };
  using Files = std::map<std::string, std::shared_ptr<const File>>;
  void watchLoop(const std::function<void()>& onChange);
  // Reads one file; parses it only when its bytes differ from `prev`'s.
  std::shared_ptr<const File> readFile(const std::string& file, const std::shared_ptr<const File>& prev);
  void commit(Files files);  // mu_ not held

  std::string dir_;
  std::chrono::milliseconds debounce_;
  std::mutex reloadMu_;  // one reload at a time (held before mu_)
  std::mutex mu_;
  bool loaded_ = false;
  std::string loadError_;
  Files files_;
  std::vector<ManifestDiagnostic> diagnostics_;
  std::atomic<std::size_t> filesRead_{0};
  int inotifyFd_ = -1;
  int wakeFd_ = -1;  // eventfd: stop()
  std::thread thread_;
};

}  // namespace zk::controller
