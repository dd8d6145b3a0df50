// nscope's native addon: the few syscalls the Node API lacks and that are safe
// to call from the multi-threaded daemon (none of them changes the process's
// namespaces, root or credentials; that work lives in the single-threaded
// nscope-shim executable). Every error carries the syscall name and errno.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace {

const char* ErrnoName(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EXDEV: return "EXDEV";
    case ELOOP: return "ELOOP";
    case ENODATA: return "ENODATA";
    case ENOTSUP: return "ENOTSUP";
    case EBADF: return "EBADF";
    case ENOSYS: return "ENOSYS";
    case EAGAIN: return "EAGAIN";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "EUNKNOWN";
  }
}

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

// openInRoot(root, path, flags) -> fd. The path is resolved by the kernel as
// if `root` were "/": "..", absolute symlinks and magic links cannot leave it
// (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). The caller closes the fd.
Napi::Value OpenInRoot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ArgsOk(info, 3)) return env.Undefined();
  std::string root = info[0].As<Napi::String>();
  std::string path = info[1].As<Napi::String>();
  int flags = info[2].As<Napi::Number>().Int32Value();
  int rootfd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return ThrowErrno(env, "open", errno, root);
  struct open_how how;
  std::memset(&how, 0, sizeof(how));
  how.flags = (unsigned)flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = (int)syscall(SYS_openat2, rootfd, path.c_str(), &how, sizeof(how));
  int e = errno;
  close(rootfd);
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("nsOwner", Napi::Function::New(env, NsOwner));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred));
  exports.Set("mknod", Napi::Function::New(env, Mknod));
  exports.Set("lsetxattr", Napi::Function::New(env, LSetXattr));
  exports.Set("lgetxattr", Napi::Function::New(env, LGetXattr));
  exports.Set("llistxattr", Napi::Function::New(env, LListXattr));
  exports.Set("openInRoot", Napi::Function::New(env, OpenInRoot));
  return exports;
}

}  // namespace

NODE_API_MODULE(nscope, Init)
