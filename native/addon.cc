// nscope's native addon: the few syscalls the Node API lacks and that are safe
// to call from the multi-threaded daemon (none of them changes the process's
// namespaces, root or credentials; that work lives in the single-threaded
// nscope-shim executable). Every error carries the syscall name and errno.
#include <napi.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <cstring>
#include <string>
#include <vector>

#include <dirent.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <linux/bpf.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dirents.h"
#include "errno-name.h"
#include "openat2.h"
#include "spawnattr.h"
#include "tar/binding.h"

extern "C" char** environ;

namespace {

// Throws "syscall: strerror" with .syscall, .errno and .code like Node's own errors.
Napi::Value ThrowErrno(Napi::Env env, const char* syscall, int e, const std::string& path = "") {
  std::string msg = std::string(syscall) + ": " + std::strerror(e);
  if (!path.empty()) msg += " '" + path + "'";
  Napi::Error err = Napi::Error::New(env, msg);
  err.Set("syscall", Napi::String::New(env, syscall));
  err.Set("errno", Napi::Number::New(env, -e));
  err.Set("code", Napi::String::New(env, ErrnoName(e)));
  if (!path.empty()) err.Set("path", Napi::String::New(env, path));
  err.ThrowAsJavaScriptException();
  return env.Undefined();
}

bool ArgsOk(const Napi::CallbackInfo& info, size_t n) {
  if (info.Length() < n) {
    Napi::TypeError::New(info.Env(), "wrong number of arguments").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// peerCred(fd) -> { pid, uid, gid, groups }: who is on the other end of a
// connected Unix socket, as the kernel recorded it at connect() time.
Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 1)) return env.Undefined();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return ThrowErrno(env, "getsockopt(SO_PEERCRED)", errno);
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  std::vector<gid_t> groups(64);
  socklen_t glen = groups.size() * sizeof(gid_t);
  int rc = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen);
  if (rc != 0 && errno == ERANGE) {
    groups.resize(glen / sizeof(gid_t) + 1);
    glen = groups.size() * sizeof(gid_t);
    rc = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen);
  }
  if (rc != 0) return ThrowErrno(env, "getsockopt(SO_PEERGROUPS)", errno);
  Napi::Array arr = Napi::Array::New(env);
  for (size_t i = 0; i < glen / sizeof(gid_t); i++) arr.Set(i, Napi::Number::New(env, groups[i]));
  out.Set("groups", arr);
  return out;
}

// mknod(path, mode, major, minor): mode carries the file type (S_IFCHR, ...).
Napi::Value Mknod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 4)) return env.Undefined();
  std::string path = info[0].As<Napi::String>();
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  unsigned maj = info[2].As<Napi::Number>().Uint32Value();
  unsigned min = info[3].As<Napi::Number>().Uint32Value();
  if (mknod(path.c_str(), mode, makedev(maj, min)) != 0) return ThrowErrno(env, "mknod", errno, path);
  return env.Undefined();
}

// mountTmpfs(target, options): a private nosuid,nodev,noexec tmpfs for the
// daemon's runtime state. Mounting in the daemon's own mount namespace
// changes nothing of the process itself, so it is safe from Node's threads.
Napi::Value MountTmpfs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  std::string target = info[0].As<Napi::String>();
  std::string opts = info[1].As<Napi::String>();
  if (mount("nscope-run", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts.c_str()) != 0)
    return ThrowErrno(env, "mount", errno, target);
  return env.Undefined();
}

// mountOverlay(target, options): a stopped container's root assembled in the
// daemon's mount namespace for a copy into or out of it (helper/files/), nosuid
// and nodev as the container's own; unmounted when the copy is done.
Napi::Value MountOverlay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  std::string target = info[0].As<Napi::String>();
  std::string opts = info[1].As<Napi::String>();
  if (mount("overlay", target.c_str(), "overlay", MS_NOSUID | MS_NODEV, opts.c_str()) != 0)
    return ThrowErrno(env, "mount", errno, target);
  return env.Undefined();
}

// chroot(path) + chdir("/"): for the files worker process alone (a process of
// its own that copies into or out of a container), never the daemon: every
// path it opens afterwards, symlinks included, resolves inside the container.
Napi::Value Chroot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 1)) return env.Undefined();
  std::string dir = info[0].As<Napi::String>();
  if (chroot(dir.c_str()) != 0) return ThrowErrno(env, "chroot", errno, dir);
  if (chdir("/") != 0) return ThrowErrno(env, "chdir", errno, "/");
  return env.Undefined();
}

// umount(target, detach): detach = MNT_DETACH. Never follows a final symlink.
Napi::Value Umount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  std::string target = info[0].As<Napi::String>();
  int flags = UMOUNT_NOFOLLOW | (info[1].As<Napi::Boolean>().Value() ? MNT_DETACH : 0);
  if (umount2(target.c_str(), flags) != 0) return ThrowErrno(env, "umount2", errno, target);
  return env.Undefined();
}

// lsetxattr(path, name, value: Buffer): never follows a final symlink.
Napi::Value LSetXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 3)) return env.Undefined();
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  Napi::Buffer<char> val = info[2].As<Napi::Buffer<char>>();
  if (lsetxattr(path.c_str(), name.c_str(), val.Data(), val.Length(), 0) != 0)
    return ThrowErrno(env, "lsetxattr", errno, path);
  return env.Undefined();
}

// lgetxattr(path, name) -> Buffer, or null when the attribute is absent.
Napi::Value LGetXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  for (;;) {
    ssize_t n = lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (n < 0) {
      if (errno == ENODATA || errno == ENOTSUP) return env.Null();
      return ThrowErrno(env, "lgetxattr", errno, path);
    }
    std::vector<char> buf(n > 0 ? n : 1);
    ssize_t m = lgetxattr(path.c_str(), name.c_str(), buf.data(), buf.size());
    if (m < 0) {
      if (errno == ERANGE) continue;  // grew between the two calls
      if (errno == ENODATA) return env.Null();
      return ThrowErrno(env, "lgetxattr", errno, path);
    }
    return Napi::Buffer<char>::Copy(env, buf.data(), m);
  }
}

// llistxattr(path) -> string[]
Napi::Value LListXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 1)) return env.Undefined();
  std::string path = info[0].As<Napi::String>();
  Napi::Array arr = Napi::Array::New(env);
  for (;;) {
    ssize_t n = llistxattr(path.c_str(), nullptr, 0);
    if (n < 0) {
      if (errno == ENOTSUP) return arr;
      return ThrowErrno(env, "llistxattr", errno, path);
    }
    if (n == 0) return arr;
    std::vector<char> buf(n);
    ssize_t m = llistxattr(path.c_str(), buf.data(), buf.size());
    if (m < 0) {
      if (errno == ERANGE) continue;
      return ThrowErrno(env, "llistxattr", errno, path);
    }
    uint32_t i = 0;
    for (ssize_t off = 0; off < m;) {
      std::string name(buf.data() + off);
      off += name.size() + 1;
      arr.Set(i++, Napi::String::New(env, name));
    }
    return arr;
  }
}

// openInRoot(root, path, flags[, mode]) -> fd. The path is resolved by the kernel as
// if `root` were "/": "..", absolute symlinks and magic links cannot leave it
// (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). `root` is a path, or an
// fd of the directory an unpack opened once (not two syscalls more per file).
// `mode` is a created file's (O_CREAT), 0 if not given. The caller closes the fd.
Napi::Value OpenInRoot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 3)) return env.Undefined();
  std::string path = info[1].As<Napi::String>();
  int flags = info[2].As<Napi::Number>().Int32Value();
  bool given = info[0].IsNumber();
  int rootfd = given ? info[0].As<Napi::Number>().Int32Value() : -1;
  if (!given) {
    std::string root = info[0].As<Napi::String>();
    rootfd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return ThrowErrno(env, "open", errno, root);
  }
  unsigned mode = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Uint32Value() : 0;
  int fd = openat2_at(rootfd, path.c_str(), flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  int e = errno;
  if (!given) close(rootfd);
  if (fd < 0) return ThrowErrno(env, "openat2", e, path);
  return Napi::Number::New(env, fd);
}

// nsOwner(path) -> inode of the user namespace that owns the namespace at
// `path` (ioctl NS_GET_USERNS on /proc/PID/ns/X).
Napi::Value NsOwner(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 1)) return env.Undefined();
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(env, "open", errno, path);
  int owner = ioctl(fd, NS_GET_USERNS);
  int e = errno;
  close(fd);
  if (owner < 0) return ThrowErrno(env, "ioctl(NS_GET_USERNS)", e, path);
  struct stat st;
  int rc = fstat(owner, &st);
  e = errno;
  close(owner);
  if (rc != 0) return ThrowErrno(env, "fstat", e, path);
  return Napi::Number::New(env, (double)st.st_ino);
}

// ---- directory trees for diffs and file views ----
// Every path below is resolved by the kernel beneath a root dir fd with
// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV:
// a container that swaps a directory of its rw layer for a symlink while we
// look cannot lead us anywhere else on the host.

int OpenBeneathFd(int rootfd, const std::string& rel, int flags) {
  return openat2_at(rootfd, rel.c_str(), flags, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
}

std::string JoinRel(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

Napi::Error ErrnoError(Napi::Env env, const char* syscall, int e, const std::string& path) {
  std::string msg = std::string(syscall) + ": " + std::strerror(e);
  if (!path.empty()) msg += " '" + path + "'";
  Napi::Error err = Napi::Error::New(env, msg);
  err.Set("syscall", Napi::String::New(env, syscall));
  err.Set("errno", Napi::Number::New(env, -e));
  err.Set("code", Napi::String::New(env, ErrnoName(e)));
  if (!path.empty()) err.Set("path", Napi::String::New(env, path));
  return err;
}

// An entry that disappeared or changed type while we looked (a running container).
bool Vanished(int e) { return e == ENOENT || e == ENOTDIR || e == ELOOP || e == EXDEV; }

// walkTree result (little-endian): u32 count, u32 pathBytes, then `count`
// records of 12 u32 each (type | flags << 8 | depth << 16, mode, uid, gid,
// entries of a descended dir, size lo, size hi, mtime sec lo, mtime sec hi,
// mtime nsec, rdev major, rdev minor; flags: 1 stat valid, 2 opaque dir,
// 4 descended), then the paths (relative to the start directory, no leading
// '/'), each followed by a NUL byte. Columns decode fast in JS.
constexpr size_t kWalkWords = 12;
constexpr uint8_t kWalkHasStat = 1, kWalkOpaque = 2, kWalkDescended = 4;

// What a record needs of struct stat (a fifth of its size: a walk may hold a million).
struct WalkStat {
  uint64_t size = 0;
  int64_t mtimeSec = 0;
  uint32_t mode = 0, uid = 0, gid = 0, mtimeNsec = 0, rdevMajor = 0, rdevMinor = 0;
};

struct WalkEntry {
  std::string name;
  uint8_t type = DT_UNKNOWN;
  uint8_t flags = 0;
  bool gone = false;
  int64_t child = -1;
  WalkStat st;
};

struct WalkDir {
  std::string rel;  // relative to the start directory
  int depth = 0;
  bool opaque = false;
  std::vector<WalkEntry> entries;
};

// One walk: directories are tasks on a shared stack, processed by `threads`
// threads (getdents64 + fstatat dominate and run in parallel).
struct WalkJob {
  int rootfd = -1;
  std::string start;
  bool statAll = false;
  int maxDepth = 0;  // 0: no limit; 1: the start directory's entries only
  size_t maxEntries = 0;
  unsigned threads = 1;

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<WalkDir>> dirs;
  std::vector<size_t> todo;
  size_t busy = 0;
  size_t count = 0;
  bool failed = false;
  std::string errSyscall, errPath;
  int errNo = 0;

  ~WalkJob() { if (rootfd >= 0) close(rootfd); }

  void Fail(const char* syscall, int e, const std::string& path) {
    std::lock_guard<std::mutex> l(mu);
    if (!failed) { failed = true; errSyscall = syscall; errNo = e; errPath = path; }
    cv.notify_all();
  }

  void Process(WalkDir* d) {
    const std::string path = JoinRel(start, d->rel);
    int fd = OpenBeneathFd(rootfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) {
      int e = errno;
      if (d->depth > 0 && Vanished(e)) return;
      return Fail("openat2", e, path);
    }
    char v[2];
    d->opaque = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
    std::vector<WalkEntry> entries;
    int ge = ForEachDirent(fd, [&](const char* nm, unsigned char type) {
      entries.emplace_back();
      entries.back().name = nm;
      entries.back().type = type;
    });
    if (ge) { close(fd); return Fail("getdents64", ge, path); }
    {
      std::lock_guard<std::mutex> l(mu);
      count += entries.size();
      if (count > maxEntries && !failed) { failed = true; errSyscall = "walk"; errNo = E2BIG; errPath = path; }
      if (failed) { cv.notify_all(); close(fd); return; }
    }
    for (WalkEntry& e : entries) {
      if (!(statAll || e.type == DT_DIR || e.type == DT_CHR || e.type == DT_UNKNOWN)) continue;
      struct stat st;
      if (fstatat(fd, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        int er = errno;
        if (Vanished(er)) { e.gone = true; continue; }
        close(fd);
        return Fail("fstatat", er, JoinRel(path, e.name));
      }
      e.st.size = (uint64_t)st.st_size;
      e.st.mtimeSec = st.st_mtim.tv_sec;
      e.st.mtimeNsec = (uint32_t)st.st_mtim.tv_nsec;
      e.st.mode = st.st_mode;
      e.st.uid = st.st_uid;
      e.st.gid = st.st_gid;
      e.st.rdevMajor = major(st.st_rdev);
      e.st.rdevMinor = minor(st.st_rdev);
      e.flags |= kWalkHasStat;
      e.type = IFTODT(st.st_mode);
    }
    close(fd);
    entries.erase(std::remove_if(entries.begin(), entries.end(), [](const WalkEntry& e) { return e.gone; }), entries.end());
    std::sort(entries.begin(), entries.end(), [](const WalkEntry& a, const WalkEntry& b) { return a.name < b.name; });
    bool descend = maxDepth == 0 || d->depth + 1 < maxDepth;
    std::lock_guard<std::mutex> l(mu);
    for (WalkEntry& e : entries) {
      if (e.type != DT_DIR || !descend) continue;
      auto child = std::make_unique<WalkDir>();
      child->rel = JoinRel(d->rel, e.name);
      child->depth = d->depth + 1;
      e.child = (int64_t)dirs.size();
      e.flags |= kWalkDescended;
      todo.push_back(dirs.size());
      dirs.push_back(std::move(child));
    }
    d->entries = std::move(entries);
    cv.notify_all();
  }

  void Worker() {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      while (todo.empty() && busy > 0 && !failed) cv.wait(l);
      if (failed || (todo.empty() && busy == 0)) { cv.notify_all(); return; }
      WalkDir* d = dirs[todo.back()].get();
      todo.pop_back();
      busy++;
      l.unlock();
      Process(d);
      l.lock();
      busy--;
      if (busy == 0 && todo.empty()) cv.notify_all();
    }
  }

  void Run() {
    dirs.push_back(std::make_unique<WalkDir>());
    todo.push_back(0);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; i++) pool.emplace_back([this] { Worker(); });
    Worker();
    for (auto& t : pool) t.join();
  }

  void Emit(const WalkDir& d, const std::string& prefix, std::vector<uint32_t>& nums, std::vector<char>& paths) const {
    for (const WalkEntry& e : d.entries) {
      const WalkDir* child = e.child >= 0 ? dirs[e.child].get() : nullptr;
      bool st = e.flags & kWalkHasStat;
      uint32_t flags = e.flags | (child && child->opaque ? kWalkOpaque : 0);
      uint64_t size = e.st.size;
      uint64_t sec = (uint64_t)e.st.mtimeSec;
      uint32_t rec[kWalkWords] = {
          e.type | flags << 8 | (uint32_t)std::min(d.depth + 1, 0xffff) << 16,
          st ? e.st.mode : (uint32_t)DTTOIF(e.type),
          e.st.uid,
          e.st.gid,
          child ? (uint32_t)child->entries.size() : 0,
          (uint32_t)size, (uint32_t)(size >> 32),
          (uint32_t)sec, (uint32_t)(sec >> 32),
          e.st.mtimeNsec,
          e.st.rdevMajor,
          e.st.rdevMinor,
      };
      nums.insert(nums.end(), rec, rec + kWalkWords);
      size_t at = paths.size();
      if (!prefix.empty()) {
        paths.insert(paths.end(), prefix.begin(), prefix.end());
        paths.push_back('/');
      }
      paths.insert(paths.end(), e.name.begin(), e.name.end());
      if (!child) { paths.push_back('\0'); continue; }
      std::string path(paths.data() + at, paths.size() - at);
      paths.push_back('\0');
      Emit(*child, path, nums, paths);
    }
  }

  // The whole result, as described above.
  void Result(std::vector<char>& out) const {
    std::vector<uint32_t> nums;
    std::vector<char> paths;
    Emit(*dirs[0], "", nums, paths);
    uint32_t head[2] = {(uint32_t)(nums.size() / kWalkWords), (uint32_t)paths.size()};
    out.resize(sizeof(head) + nums.size() * 4 + paths.size());
    std::memcpy(out.data(), head, sizeof(head));
    std::memcpy(out.data() + sizeof(head), nums.data(), nums.size() * 4);
    std::memcpy(out.data() + sizeof(head) + nums.size() * 4, paths.data(), paths.size());
  }
};

class WalkWorker : public Napi::AsyncWorker {
 public:
  WalkWorker(Napi::Env env, std::unique_ptr<WalkJob> job)
      : Napi::AsyncWorker(env), job_(std::move(job)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    job_->Run();
    if (!job_->failed) job_->Result(out_);
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (job_->failed) {
      deferred_.Reject(ErrnoError(env, job_->errSyscall.c_str(), job_->errNo, job_->errPath).Value());
      return;
    }
    deferred_.Resolve(Napi::Buffer<char>::Copy(env, out_.data(), out_.size()));
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::unique_ptr<WalkJob> job_;
  std::vector<char> out_;
  Napi::Promise::Deferred deferred_;
};

// walkTree(root, rel, stat, maxDepth, maxEntries, threads) -> Promise<Buffer>:
// the tree below root/rel as records (see above), in tree order (each
// directory's entries sorted by name, a directory's subtree right after it).
// Without `stat`, only directories, char devices (whiteouts) and entries of
// unknown type are stat'ed. More than maxEntries entries fail with E2BIG.
Napi::Value WalkTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 6)) return env.Undefined();
  std::string root = info[0].As<Napi::String>();
  auto job = std::make_unique<WalkJob>();
  job->start = info[1].As<Napi::String>().Utf8Value();
  job->statAll = info[2].ToBoolean();
  job->maxDepth = info[3].As<Napi::Number>().Int32Value();
  job->maxEntries = (size_t)info[4].As<Napi::Number>().Int64Value();
  int threads = info[5].As<Napi::Number>().Int32Value();
  unsigned hw = std::thread::hardware_concurrency();
  job->threads = (unsigned)std::max(1, std::min(threads, (int)(hw ? hw : 1)));
  job->rootfd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (job->rootfd < 0) return ThrowErrno(env, "open", errno, root);
  WalkWorker* w = new WalkWorker(env, std::move(job));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// openBeneath(root, rel, flags) -> fd: `rel` resolved strictly below `root`,
// following no symlink at all (a final symlink with O_PATH|O_NOFOLLOW is
// returned as itself). The caller closes the fd.
Napi::Value OpenBeneath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 3)) return env.Undefined();
  std::string root = info[0].As<Napi::String>();
  std::string rel = info[1].As<Napi::String>();
  int flags = info[2].As<Napi::Number>().Int32Value();
  int rootfd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return ThrowErrno(env, "open", errno, root);
  int fd = OpenBeneathFd(rootfd, rel, flags);
  int e = errno;
  close(rootfd);
  if (fd < 0) return ThrowErrno(env, "openat2", e, rel);
  return Napi::Number::New(env, fd);
}

// lstatBeneath(root, rel) -> { mode, uid, gid, size, mtimeSec, mtimeNsec,
// rdevMajor, rdevMinor, dev, ino, nlink, opaque, metacopy, target? } or null
// when absent: like lstat, resolved like openBeneath. `opaque`: a directory
// with trusted.overlay.opaque=y; `metacopy`: a regular file whose data is in a
// lower layer (trusted.overlay.metacopy); `target`: a symlink's target.
Napi::Value LstatBeneath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  std::string root = info[0].As<Napi::String>();
  std::string rel = info[1].As<Napi::String>();
  int rootfd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return ThrowErrno(env, "open", errno, root);
  int fd = OpenBeneathFd(rootfd, rel, O_PATH | O_NOFOLLOW);
  int e = errno;
  close(rootfd);
  if (fd < 0) {
    if (e == ENOENT || e == ENOTDIR) return env.Null();
    return ThrowErrno(env, "openat2", e, rel);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) { e = errno; close(fd); return ThrowErrno(env, "fstat", e, rel); }
  Napi::Object out = Napi::Object::New(env);
  bool opaque = false, metacopy = false;
  char self[64];
  std::snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
  if (S_ISDIR(st.st_mode)) {
    char v[2];
    opaque = getxattr(self, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
  } else if (S_ISREG(st.st_mode)) {
    metacopy = getxattr(self, "trusted.overlay.metacopy", nullptr, 0) >= 0;
  } else if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf(4096);
    ssize_t n = readlinkat(fd, "", buf.data(), buf.size());
    if (n < 0) { e = errno; close(fd); return ThrowErrno(env, "readlinkat", e, rel); }
    out.Set("target", Napi::String::New(env, buf.data(), (size_t)n));
  }
  close(fd);
  out.Set("mode", Napi::Number::New(env, st.st_mode));
  out.Set("uid", Napi::Number::New(env, st.st_uid));
  out.Set("gid", Napi::Number::New(env, st.st_gid));
  out.Set("size", Napi::Number::New(env, (double)st.st_size));
  out.Set("mtimeSec", Napi::Number::New(env, (double)st.st_mtim.tv_sec));
  out.Set("mtimeNsec", Napi::Number::New(env, (double)st.st_mtim.tv_nsec));
  out.Set("rdevMajor", Napi::Number::New(env, major(st.st_rdev)));
  out.Set("rdevMinor", Napi::Number::New(env, minor(st.st_rdev)));
  out.Set("dev", Napi::Number::New(env, (double)st.st_dev));
  out.Set("ino", Napi::Number::New(env, (double)st.st_ino));
  out.Set("nlink", Napi::Number::New(env, (double)st.st_nlink));
  out.Set("opaque", Napi::Boolean::New(env, opaque));
  out.Set("metacopy", Napi::Boolean::New(env, metacopy));
  return out;
}

// spawnShim(path, args, stdio) -> { fds }: starts nscope-shim with
// posix_spawn (vfork: no copy of the daemon's page tables, unlike Node's
// fork-based spawn) in a new session. stdio[i] says what the shim's fd i is:
// "null" (/dev/null), "inherit" (ours), "in" (a pipe the shim reads: we get
// the write end), "out" (a pipe the shim writes: we get the read end) or a
// number K: our fd K (runc's --preserve-fds hands the caller's fds on);
// fds[i] is our end, or -1. The shim is our child: the caller collects it
// with reap(pid) once its status pipe has closed (Node reaps only its own).
Napi::Value SpawnShim(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 3)) return env.Undefined();
  std::string path = info[0].As<Napi::String>();
  Napi::Array jsArgs = info[1].As<Napi::Array>();
  Napi::Array jsStdio = info[2].As<Napi::Array>();
  // optional: the environment ("K=V" strings; else ours) and argv[0] (else the path)
  bool ownEnv = info.Length() > 3 && info[3].IsArray();
  std::vector<std::string> args{info.Length() > 4 && info[4].IsString() ? std::string(info[4].As<Napi::String>()) : path};
  for (uint32_t i = 0; i < jsArgs.Length(); i++) args.push_back(jsArgs.Get(i).As<Napi::String>());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envs;
  if (ownEnv) {
    Napi::Array jsEnv = info[3].As<Napi::Array>();
    for (uint32_t i = 0; i < jsEnv.Length(); i++) envs.push_back(jsEnv.Get(i).As<Napi::String>());
  }
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  size_t n = jsStdio.Length();
  std::vector<int> ours(n, -1), theirs(n, -1);
  auto closeAll = [&]() {
    for (int fd : ours) if (fd >= 0) close(fd);
    for (int fd : theirs) if (fd >= 0) close(fd);
  };
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (size_t i = 0; i < n; i++) {
    if (jsStdio.Get(i).IsNumber()) {
      int k = jsStdio.Get(i).As<Napi::Number>().Int32Value();
      theirs[i] = fcntl(k, F_DUPFD_CLOEXEC, 3);
      if (theirs[i] < 0) { int e = errno; closeAll(); posix_spawn_file_actions_destroy(&fa); return ThrowErrno(env, ("fcntl(F_DUPFD) of fd " + std::to_string(k)).c_str(), e); }
      posix_spawn_file_actions_adddup2(&fa, theirs[i], (int)i);
      continue;
    }
    std::string kind = jsStdio.Get(i).As<Napi::String>();
    if (kind == "in" || kind == "out") {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) { int e = errno; closeAll(); posix_spawn_file_actions_destroy(&fa); return ThrowErrno(env, "pipe2", e); }
      ours[i] = kind == "in" ? p[1] : p[0];
      theirs[i] = kind == "in" ? p[0] : p[1];
    } else if (kind == "inherit" && i < 3) {
      // Node marks its own stdio close-on-exec: hand a copy over explicitly.
      theirs[i] = fcntl((int)i, F_DUPFD_CLOEXEC, 3);
    }
    if (theirs[i] >= 0) posix_spawn_file_actions_adddup2(&fa, theirs[i], (int)i);
    else posix_spawn_file_actions_addopen(&fa, (int)i, "/dev/null", O_RDWR, 0);
  }
  posix_spawnattr_t at;
  spawnattr_clean(&at);
  pid_t pid;
  int rc = posix_spawn(&pid, path.c_str(), &fa, &at, argv.data(), ownEnv ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  for (int& fd : theirs) if (fd >= 0) { close(fd); fd = -1; }
  if (rc != 0) { closeAll(); return ThrowErrno(env, "posix_spawn", rc, path); }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, pid));
  Napi::Array fds = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) fds.Set((uint32_t)i, Napi::Number::New(env, ours[i]));
  out.Set("fds", fds);
  return out;
}

// sha256Hex(data) -> the hex digest, by the OpenSSL node itself is linked
// with (its symbols resolve at load): a one-shot nscope-runtime create that
// names a seccomp filter by its digest does not load node's `crypto` module
// for it (~5 ms).
Napi::Value Sha256Hex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 1)) return env.Undefined();
  if (!info[0].IsBuffer()) {
    Napi::TypeError::New(env, "sha256Hex: a Buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<uint8_t> data = info[0].As<Napi::Buffer<uint8_t>>();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!EVP_Digest(data.Data(), data.Length(), md, &n, EVP_sha256(), nullptr)) {
    Napi::Error::New(env, "EVP_Digest(sha256) failed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  static const char digits[] = "0123456789abcdef";
  std::string hex(2 * n, '0');
  for (unsigned int i = 0; i < n; i++) { hex[2 * i] = digits[md[i] >> 4]; hex[2 * i + 1] = digits[md[i] & 15]; }
  return Napi::String::New(env, hex);
}

// waitExit(pid, timeoutMs) -> { code, signal } once that child has ended, or
// null when it is still running after timeoutMs (< 0: no limit). A pidfd
// to poll: one blocking call, no timer loop, and only that pid is collected.
Napi::Value WaitExit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  int timeout = info[1].As<Napi::Number>().Int32Value();
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0) return ThrowErrno(env, "pidfd_open", errno);
  struct pollfd p = {pfd, POLLIN, 0};
  int r;
  while ((r = poll(&p, 1, timeout < 0 ? -1 : timeout)) < 0 && errno == EINTR) {}
  int e = errno;
  close(pfd);
  if (r < 0) return ThrowErrno(env, "poll(pidfd)", e);
  if (r == 0) return env.Null();
  int st;
  pid_t w;
  while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR) {}
  if (w < 0) return ThrowErrno(env, "waitpid", errno);
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", WIFEXITED(st) ? Napi::Value(Napi::Number::New(env, WEXITSTATUS(st))) : env.Null());
  out.Set("signal", WIFSIGNALED(st) ? Napi::Value(Napi::Number::New(env, WTERMSIG(st))) : env.Null());
  return out;
}

// reap(pid) -> true when that (exited) child was collected. Only the given
// pid, never -1: Node's own children keep their exit statuses.
Napi::Value Reap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 1)) return env.Undefined();
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) return Napi::Boolean::New(env, false);
  int st;
  pid_t r = waitpid(pid, &st, WNOHANG);
  return Napi::Boolean::New(env, r == pid);
}

// ---- cgroup v2 device filter ----
// cgroup v2 has no devices.allow/deny: the kernel asks a
// BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup (and every
// ancestor's) whether a device may be opened or made. The policy (which rules,
// their order and normal form) is TypeScript's (helper/cgroups/devices.ts);
// this only turns a packed rule list into instructions and attaches them.

long Bpf(int cmd, union bpf_attr* a) { return syscall(SYS_bpf, cmd, a, sizeof(*a)); }

// Raw instruction builders (the kernel's BPF_* macros live in a private header).
bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code; i.dst_reg = dst; i.src_reg = src; i.off = off; i.imm = imm;
  return i;
}
bpf_insn LoadCtx(uint8_t dst, int16_t off) { return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0); }
bpf_insn Alu(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn MovReg(uint8_t dst, uint8_t src) { return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn Jmp(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm); }
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// rules: 5 int32 each, in OCI order: type (0 any, BPF_DEVCG_DEV_BLOCK/CHAR),
// major (-1 any), minor (-1 any), access (BPF_DEVCG_ACC_* bits), allow (0/1).
// The last rule that matches decides, nothing matching is denied: so the rules
// are emitted last first, each returning at once when it matches. An allow
// rule matches a request whose access bits are all in the rule's; a deny rule
// one that asks for any of its bits (deny "w" must refuse an "rw" open, as v1 does).
std::vector<bpf_insn> DeviceProgram(const int32_t* r, size_t n) {
  std::vector<bpf_insn> p = {
      LoadCtx(BPF_REG_2, 0), Alu(BPF_AND, BPF_REG_2, 0xffff),  // type
      LoadCtx(BPF_REG_3, 0), Alu(BPF_RSH, BPF_REG_3, 16),      // access bits
      LoadCtx(BPF_REG_4, 4), LoadCtx(BPF_REG_5, 8),            // major, minor
  };
  const int32_t all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  for (size_t k = n; k-- > 0;) {
    const int32_t* x = r + 5 * k;
    std::vector<size_t> skips;  // jumps to the next rule, patched once its start is known
    auto skipUnless = [&](bpf_insn j) { skips.push_back(p.size()); p.push_back(j); };
    if (x[0] != 0) skipUnless(Jmp(BPF_JNE, BPF_REG_2, x[0]));
    if ((x[3] & all) != all) {
      p.push_back(MovReg(BPF_REG_1, BPF_REG_3));
      p.push_back(Alu(BPF_AND, BPF_REG_1, x[4] ? ~x[3] & all : x[3]));
      skipUnless(Jmp(x[4] ? BPF_JNE : BPF_JEQ, BPF_REG_1, 0));
    }
    if (x[1] >= 0) skipUnless(Jmp(BPF_JNE, BPF_REG_4, x[1]));
    if (x[2] >= 0) skipUnless(Jmp(BPF_JNE, BPF_REG_5, x[2]));
    p.push_back(Alu(BPF_MOV, BPF_REG_0, x[4] ? 1 : 0));
    p.push_back(Exit());
    for (size_t j : skips) p[j].off = (int16_t)(p.size() - j - 1);
    // A rule that matches everything hides the ones before it: stop here, as
    // the verifier refuses unreachable instructions.
    if (skips.empty()) return p;
  }
  p.push_back(Alu(BPF_MOV, BPF_REG_0, 0));
  p.push_back(Exit());
  return p;
}

// attachDeviceFilter(cgroupDir, rules: Int32Array): loads the program for
// `rules` and makes it the cgroup's only device program of ours: attached
// with BPF_F_ALLOW_MULTI next to what was there, then the previous ones
// detached (found by BPF_PROG_QUERY: nothing else attaches to a container's
// own cgroup). Between the two steps both run and both must allow: stricter
// for a moment, never looser.
Napi::Value AttachDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 2)) return env.Undefined();
  std::string dir = info[0].As<Napi::String>();
  Napi::Int32Array rules = info[1].As<Napi::Int32Array>();
  if (rules.ElementLength() % 5 != 0) {
    Napi::TypeError::New(env, "attachDeviceFilter: rules must hold 5 numbers per rule").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<bpf_insn> prog = DeviceProgram(rules.Data(), rules.ElementLength() / 5);
  union bpf_attr a{};
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t)(uintptr_t)prog.data();
  a.insn_cnt = (uint32_t)prog.size();
  a.license = (uint64_t)(uintptr_t)"MIT";
  int pfd = (int)Bpf(BPF_PROG_LOAD, &a);
  if (pfd < 0 && errno == EINVAL) {
    // Load again with the verifier's log, for the error message.
    int e = errno;
    std::vector<char> log(16384);
    a.log_level = 1;
    a.log_buf = (uint64_t)(uintptr_t)log.data();
    a.log_size = (uint32_t)log.size();
    int again = (int)Bpf(BPF_PROG_LOAD, &a);
    if (again >= 0) close(again);
    Napi::Error err = ErrnoError(env, "bpf(BPF_PROG_LOAD)", e, "");
    err.Set("message", Napi::String::New(env, std::string("bpf(BPF_PROG_LOAD): ") + std::strerror(e) + ": " + log.data()));
    err.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (pfd < 0) return ThrowErrno(env, "bpf(BPF_PROG_LOAD)", errno);
  int cg = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0) { int e = errno; close(pfd); return ThrowErrno(env, "open", e, dir); }
  uint32_t old[64];
  union bpf_attr q{};
  q.query.target_fd = cg;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t)(uintptr_t)old;
  q.query.prog_cnt = 64;
  const char* failed = nullptr;
  if (Bpf(BPF_PROG_QUERY, &q) != 0) failed = "bpf(BPF_PROG_QUERY)";
  if (!failed) {
    union bpf_attr at{};
    at.target_fd = cg;
    at.attach_bpf_fd = pfd;
    at.attach_type = BPF_CGROUP_DEVICE;
    at.attach_flags = BPF_F_ALLOW_MULTI;
    if (Bpf(BPF_PROG_ATTACH, &at) != 0) failed = "bpf(BPF_PROG_ATTACH)";
  }
  for (uint32_t i = 0; !failed && i < q.query.prog_cnt; i++) {
    union bpf_attr g{};
    g.prog_id = old[i];
    int ofd = (int)Bpf(BPF_PROG_GET_FD_BY_ID, &g);
    if (ofd < 0 && errno == ENOENT) continue;  // went away meanwhile
    if (ofd < 0) { failed = "bpf(BPF_PROG_GET_FD_BY_ID)"; break; }
    union bpf_attr d{};
    d.target_fd = cg;
    d.attach_bpf_fd = ofd;
    d.attach_type = BPF_CGROUP_DEVICE;
    long rc = Bpf(BPF_PROG_DETACH, &d);
    int e = errno;
    close(ofd);
    if (rc != 0 && e != ENOENT) { errno = e; failed = "bpf(BPF_PROG_DETACH)"; }
  }
  int e = errno;
  close(cg);
  close(pfd);  // the attachment holds the program now
  if (failed) return ThrowErrno(env, failed, e, dir);
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("reap", Napi::Function::New(env, Reap));
  exports.Set("spawnShim", Napi::Function::New(env, SpawnShim));
  exports.Set("sha256Hex", Napi::Function::New(env, Sha256Hex));
  exports.Set("waitExit", Napi::Function::New(env, WaitExit));
  exports.Set("nsOwner", Napi::Function::New(env, NsOwner));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred));
  exports.Set("mknod", Napi::Function::New(env, Mknod));
  exports.Set("mountTmpfs", Napi::Function::New(env, MountTmpfs));
  exports.Set("umount", Napi::Function::New(env, Umount));
  exports.Set("mountOverlay", Napi::Function::New(env, MountOverlay));
  exports.Set("chroot", Napi::Function::New(env, Chroot));
  exports.Set("lsetxattr", Napi::Function::New(env, LSetXattr));
  exports.Set("lgetxattr", Napi::Function::New(env, LGetXattr));
  exports.Set("llistxattr", Napi::Function::New(env, LListXattr));
  exports.Set("openInRoot", Napi::Function::New(env, OpenInRoot));
  exports.Set("walkTree", Napi::Function::New(env, WalkTree));
  exports.Set("openBeneath", Napi::Function::New(env, OpenBeneath));
  exports.Set("lstatBeneath", Napi::Function::New(env, LstatBeneath));
  exports.Set("attachDeviceFilter", Napi::Function::New(env, AttachDeviceFilter));
  InitTar(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(nscope, Init)
