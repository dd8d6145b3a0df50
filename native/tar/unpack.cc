// The tar unpacker (unpack.h): a state machine over the bytes as they come
// (header, extended header, body, padding), each entry made as soon as its
// header is read and a file's body written through as it arrives.
#include "unpack.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "../openat2.h"

namespace tar {

namespace {

constexpr size_t kMetaLimit = 1 << 20;  // a PAX header larger than this is not a real one
constexpr size_t kNameLimit = 64 * 1024;
constexpr size_t kMaxOpenDirs = 256;
// What extended headers may hold for one entry (or globally) once repeated keys are merged: more
// than any real archive has, few enough that merging them into each entry stays cheap and the
// memory they take stays bounded however many extended headers come in a row.
constexpr size_t kPaxRecordLimit = 1024;
constexpr size_t kPaxBytesLimit = kMetaLimit;

// The PAX keys the unpacker acts on. The others (atime, comment, vendor keys) are dropped as
// they are read: a header of 100,000 of them then costs nothing for the entries after it.
bool PaxKeyUsed(const std::string& k) {
  return k == "path" || k == "linkpath" || k == "uid" || k == "gid" || k == "size" || k == "mtime" ||
         (k.compare(0, 13, "SCHILY.xattr.") == 0 && k.size() > 13);
}

// `recs` merged into `into`: a key given again replaces its record; with `global`, an empty value
// removes it (a global header's way to unset). Looked up by hash, not by a scan per record (a
// header of 80,000 records scanned pairwise stalled the daemon for half a minute). "" or why
// the result is refused (the wording of tar-reader.ts's).
std::string MergePax(std::vector<PaxRec>& into, std::vector<PaxRec>& recs, bool global) {
  std::unordered_map<std::string, size_t> at;
  at.reserve(into.size() + recs.size());
  for (size_t i = 0; i < into.size(); i++) at[into[i].key] = i;
  std::vector<bool> gone(into.size(), false);
  for (PaxRec& r : recs) {
    if (!PaxKeyUsed(r.key)) continue;
    auto it = at.find(r.key);
    if (global && r.value.empty()) {
      if (it != at.end()) { gone[it->second] = true; at.erase(it); }
      continue;
    }
    if (it != at.end()) { into[it->second].value = std::move(r.value); continue; }
    at.emplace(r.key, into.size());
    into.push_back(std::move(r));
    gone.push_back(false);
  }
  size_t keep = 0, bytes = 0;
  for (size_t i = 0; i < into.size(); i++) {
    if (gone[i]) continue;
    bytes += into[i].key.size() + into[i].value.size();
    if (keep != i) into[keep] = std::move(into[i]);
    keep++;
  }
  into.resize(keep);
  if (into.size() > kPaxRecordLimit) return "more than " + std::to_string(kPaxRecordLimit) + " records";
  if (bytes > kPaxBytesLimit) return "more than " + std::to_string(kPaxBytesLimit) + " bytes of records";
  return "";
}

int OpenInRoot(int rootfd, const std::string& rel, int flags) {
  for (int i = 0;; i++) {
    int fd = openat2_at(rootfd, rel.c_str(), flags, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    // EAGAIN: a rename elsewhere raced the lookup; the kernel asks for a retry
    if (fd >= 0 || errno != EAGAIN || i == 8) return fd;
  }
}

std::string Join(const std::vector<std::string>& parts, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) {
    if (i) s += '/';
    s += parts[i];
  }
  return s;
}

// The components of a path between its slashes, "" and "." left out.
std::vector<std::string> Parts(const std::string& path) {
  std::vector<std::string> out;
  for (size_t i = 0; i <= path.size();) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i && !(j == i + 1 && path[i] == '.')) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// "./a//b/../c/" -> a, c; a leading "/" is clamped at the root; a relative ".." above it: false.
bool CleanPath(const std::string& name, std::vector<std::string>& out) {
  out.clear();
  bool absolute = !name.empty() && name[0] == '/';
  for (std::string& part : Parts(name)) {
    if (part != "..") { out.push_back(std::move(part)); continue; }
    if (!out.empty()) out.pop_back();
    else if (!absolute) return false;
  }
  return true;
}

// Does a relative symlink target, read from the link's own directory (`depth` deep), stay inside? (lexical, like Docker)
bool SymlinkStaysInside(size_t depth, const std::string& target) {
  if (!target.empty() && target[0] == '/') return true;  // absolute: resolved in the container's root
  long d = (long)depth;
  for (const std::string& part : Parts(target)) {
    if (part == "..") { if (--d < 0) return false; } else d++;
  }
  return true;
}

bool MapId(const std::vector<IdRange>& map, int64_t id, uint32_t* out) {
  if (map.empty()) { *out = (uint32_t)id; return true; }
  for (const IdRange& r : map)
    if (id >= r.inside && id - r.inside < r.count) { *out = (uint32_t)(id - r.inside + r.outside); return true; }
  return false;
}

bool ParseDecimal(const std::string& s, bool frac, int64_t* sec, long* nsec) {
  size_t i = 0;
  bool neg = false;
  if (frac && i < s.size() && s[i] == '-') { neg = true; i++; }
  size_t start = i;
  int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
    v = v * 10 + (s[i] - '0');
    if (v > (1LL << 53) - 1) return false;
  }
  if (i == start) return false;
  long ns = 0;
  if (i < s.size()) {
    if (!frac || s[i] != '.' || i + 1 == s.size()) return false;
    long scale = 100000000;
    for (i++; i < s.size(); i++) {
      if (s[i] < '0' || s[i] > '9') return false;
      ns += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (neg) { v = -v; if (ns) { v -= 1; ns = 1000000000 - ns; } }
  *sec = v;
  if (nsec) *nsec = ns;
  return true;
}

// Removes `name` in `dirfd` and, for a directory, what is in it.
int RemoveAll(int dirfd, const char* name, int depth) {
  if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return 0;
  if (errno != EISDIR && errno != EPERM) return -1;
  if (depth > 4096) { errno = ELOOP; return -1; }
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  alignas(8) char buf[8192];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    if (n < 0) { int e = errno; close(fd); errno = e; return -1; }
    if (n == 0) break;
    bool removed = false;
    for (long off = 0; off < n;) {
      struct dirent64* de = reinterpret_cast<struct dirent64*>(buf + off);
      off += de->d_reclen;
      const char* nm = de->d_name;
      if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
      if (RemoveAll(fd, nm, depth + 1) != 0) { int e = errno; close(fd); errno = e; return -1; }
      removed = true;
    }
    // entries removed under the reader: start the listing again
    if (removed && lseek(fd, 0, SEEK_SET) != 0) { int e = errno; close(fd); errno = e; return -1; }
  }
  close(fd);
  return unlinkat(dirfd, name, AT_REMOVEDIR);
}

// A PAX archive's SCHILY.xattr.* records on the open `fd`: 0, or the errno that stops the unpack.
// trusted.overlay.* never (overlayfs reads its own attributes: an archive must not steer the
// overlay); a filesystem without xattrs, or a privileged namespace refused, is passed over.
int SetXattrs(int fd, const std::vector<PaxRec>& xattrs) {
  for (const PaxRec& x : xattrs) {
    if (x.key.compare(0, 16, "trusted.overlay.") == 0) continue;
    if (fsetxattr(fd, x.key.c_str(), x.value.data(), x.value.size(), 0) == 0) continue;
    int e = errno;
    bool privileged = x.key.compare(0, 8, "trusted.") == 0 || x.key.compare(0, 9, "security.") == 0;
    if (e == ENOTSUP || ((e == EPERM || e == EINVAL || e == EACCES) && privileged)) continue;
    return e;
  }
  return 0;
}

}  // namespace

TarUnpacker::~TarUnpacker() { Close(); }

void TarUnpacker::Close() {
  if (fileFd_ >= 0) close(fileFd_);
  fileFd_ = -1;
  Forget();
  for (int fd : stale_) close(fd);
  stale_.clear();
  if (rootfd_ >= 0) close(rootfd_);
  rootfd_ = -1;
}

bool TarUnpacker::Syscall(const char* syscall, int e, const std::string& where) {
  err_.set = true;
  err_.syscall = syscall;
  err_.errnum = e;
  err_.message = where + ": " + syscall + ": " + std::strerror(e);
  return false;
}

bool TarUnpacker::Invalid(const std::string& message) {
  err_.set = true;
  err_.invalid = true;
  err_.message = message;
  return false;
}

bool TarUnpacker::Corrupt(uint64_t offset, const std::string& what) {
  return Invalid(o_.label + ": " + what + " (at byte " + std::to_string(offset) + ")");
}

bool TarUnpacker::Open(const std::string& root, const UnpackOptions& o) {
  o_ = o;
  rootfd_ = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd_ < 0) return Syscall("open", errno, root);
  int probe = OpenInRoot(rootfd_, "", O_PATH | O_DIRECTORY);
  if (probe < 0) return Syscall("openat2", errno, root);
  close(probe);
  return true;
}

// The directories opened so far are looked up again from here on (something was removed or replaced).
void TarUnpacker::Forget() {
  for (auto& kv : dirs_) stale_.push_back(kv.second);
  dirs_.clear();
}

bool TarUnpacker::Write(const unsigned char* data, size_t len) {
  if (err_.set) return false;
  while (len > 0) {
    size_t n = 0;
    switch (state_) {
      case kHeader:
        n = std::min(len, kBlock - hdrFill_);
        std::memcpy(hdr_ + hdrFill_, data, n);
        hdrFill_ += n;
        break;
      case kMeta:
        n = (size_t)std::min<uint64_t>(len, metaLeft_);
        meta_.append(reinterpret_cast<const char*>(data), n);
        metaLeft_ -= n;
        break;
      case kBody: {
        n = (size_t)std::min<uint64_t>(len, bodyLeft_);
        size_t off = fileFd_ >= 0 ? 0 : n;  // no file: a body read and dropped
        while (off < n) {
          ssize_t w = write(fileFd_, data + off, n - off);
          if (w < 0) { if (errno == EINTR) continue; return Syscall("write", errno, curWhere_); }
          off += (size_t)w;
        }
        bodyLeft_ -= n;
        if (fileFd_ >= 0) bytes_ += n;
        break;
      }
      case kPad:
        n = std::min(len, padLeft_);
        padLeft_ -= n;
        break;
      case kEnd:
        n = len;  // what follows the end marker is not read
        break;
    }
    data += n;
    len -= n;
    offset_ += n;
    if (state_ == kHeader && hdrFill_ == kBlock) {
      hdrFill_ = 0;
      if (!Header()) return false;
    } else if (state_ == kMeta && metaLeft_ == 0) {
      if (!Meta()) return false;
    } else if (state_ == kBody && bodyLeft_ == 0) {
      if (!FinishFile()) return false;
    }
    if (state_ == kPad && padLeft_ == 0) state_ = kHeader;
  }
  return true;
}

bool TarUnpacker::Meta() {
  uint64_t at = (uint64_t)metaStart_;
  if (metaType_ == 'L' || metaType_ == 'K') {
    std::string s = meta_.substr(0, strnlen(meta_.data(), meta_.size()));
    if (metaType_ == 'L') { longName_ = s; haveLongName_ = true; }
    else { longLink_ = s; haveLongLink_ = true; }
  } else {
    std::vector<PaxRec> recs;
    std::string why = ParsePax(meta_, recs);
    if (!why.empty()) return Corrupt(at, "corrupt PAX header: " + why);
    bool global = metaType_ == 'g';
    why = MergePax(global ? global_ : pax_, recs, global);
    if (!why.empty()) return Corrupt(at, std::string(global ? "global PAX headers hold " : "PAX headers for one entry hold ") + why);
  }
  meta_.clear();
  state_ = kPad;
  return true;
}

bool TarUnpacker::Header() {
  uint64_t offset = offset_ - kBlock;
  if (IsZeroBlock(hdr_)) {
    if (metaStart_ >= 0) return Corrupt((uint64_t)metaStart_, "archive ends after an extended header");
    state_ = kEnd;  // the end-of-archive marker
    return true;
  }
  int64_t sum;
  if (!ReadNumber(hdr_, kChksum, &sum)) return Corrupt(offset, "corrupt header (checksum field is not a number; not a tar archive?)");
  // historic tars summed signed chars: looked at only when the unsigned sum does not match
  if (sum != (int64_t)Checksum(hdr_) && sum != (int64_t)SignedChecksum(hdr_)) return Corrupt(offset, "corrupt header (checksum mismatch)");
  auto num = [&](Field f, const char* name, int64_t* v) {
    if (ReadNumber(hdr_, f, v)) return true;
    return Corrupt(offset, std::string("corrupt header (field ") + name + " is not a number)");
  };
  char flag = (char)hdr_[kTypeflag];
  int64_t size = 0;
  if (!num(kSize, "size", &size)) return false;
  if (size < 0) return Corrupt(offset, "negative size " + std::to_string(size));

  if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
    if (metaStart_ < 0) metaStart_ = (int64_t)offset;
    size_t limit = flag == 'x' || flag == 'g' ? kMetaLimit : kNameLimit;
    if ((uint64_t)size > limit) return Corrupt(offset, "extended header of " + std::to_string(size) + " bytes is too large");
    metaType_ = flag;
    meta_.clear();
    metaLeft_ = (uint64_t)size;
    padLeft_ = Padded((uint64_t)size);
    state_ = kMeta;
    if (metaLeft_ == 0) return Meta();
    return true;
  }

  Entry e;
  switch (flag) {
    case '0': case '\0': case '7': e.type = '0'; break;
    case '1': case '2': case '3': case '4': case '5': case '6': e.type = flag; break;
    case 'S': return Corrupt(offset, "unsupported entry type 'S' (GNU sparse file)");
    case 'V': return Corrupt(offset, "unsupported entry type 'V' (volume label)");
    case 'M': return Corrupt(offset, "unsupported entry type 'M' (multi-volume continuation)");
    case 'D': return Corrupt(offset, "unsupported entry type 'D' (GNU dump dir)");
    case 'N': return Corrupt(offset, "unsupported entry type 'N' (GNU long-name (old style))");
    default: {
      std::string f = (unsigned char)flag >= 0x20 && (unsigned char)flag < 0x7f ? std::string(1, flag) : "\\x" + std::to_string((unsigned char)flag);
      return Corrupt(offset, "unsupported entry type '" + f + "'");
    }
  }
  e.offset = metaStart_ >= 0 ? (uint64_t)metaStart_ : offset;
  e.name = ReadString(hdr_, kName);
  if (std::memcmp(hdr_ + kMagic.off, "ustar\0", 6) == 0 && std::memcmp(hdr_ + kVersion.off, "00", 2) == 0) {
    std::string prefix = ReadString(hdr_, kPrefix);
    if (!prefix.empty()) e.name = prefix + "/" + e.name;
  }
  e.linkname = ReadString(hdr_, kLinkname);
  int64_t mode = 0, mtime = 0;
  if (!num(kUid, "uid", &e.uid) || !num(kGid, "gid", &e.gid) || !num(kMtime, "mtime", &mtime) || !num(kMode, "mode", &mode)) return false;
  e.mode = (uint32_t)(mode & 07777);
  e.mtimeSec = mtime;
  uint64_t bodySize = (uint64_t)size;
  // pre-POSIX tars mark directories by a trailing slash only
  if (e.type == '0' && (flag == '\0' || flag == '0') && !e.name.empty() && e.name.back() == '/') e.type = '5';
  if (haveLongName_) e.name = longName_;
  if (haveLongLink_) e.linkname = longLink_;
  // the entry's own records over the global ones (each set is bounded and has its keys once)
  std::vector<PaxRec> rec = global_;
  if (rec.empty()) rec.swap(pax_);
  else if (!pax_.empty()) MergePax(rec, pax_, false);
  for (const PaxRec& r : rec) {
    const std::string& k = r.key;
    if (k == "path") e.name = r.value;
    else if (k == "linkpath") e.linkname = r.value;
    else if (k == "uid" || k == "gid" || k == "size" || k == "mtime") {
      int64_t v;
      long ns = 0;
      if (!ParseDecimal(r.value, k == "mtime", &v, &ns)) return Corrupt(offset, "corrupt PAX header (" + k + "=\"" + r.value + "\")");
      if (k == "uid") e.uid = v;
      else if (k == "gid") e.gid = v;
      else if (k == "size") bodySize = (uint64_t)v;
      else { e.mtimeSec = v; e.mtimeNsec = ns; }
    } else if (k.compare(0, 13, "SCHILY.xattr.") == 0 && k.size() > 13) {
      e.xattrs.push_back({k.substr(13), r.value});
    }
  }
  pax_.clear();
  haveLongName_ = haveLongLink_ = false;
  metaStart_ = -1;

  if (e.name.empty()) return Corrupt(offset, "entry with an empty name");
  if (e.name.find('\0') != std::string::npos || e.linkname.find('\0') != std::string::npos)
    return Corrupt(offset, "entry \"" + e.name.substr(0, e.name.find('\0')) + "\\0…\" has a NUL byte in its name");
  if ((e.type == '2' || e.type == '1') && e.linkname.empty())
    return Corrupt(offset, std::string(e.type == '2' ? "symlink" : "hardlink") + " \"" + e.name + "\" has no target");
  // only regular files carry data; for the other types a size in the header is ignored (as Go's archive/tar does)
  if (e.type != '0') bodySize = 0;
  if (e.uid < 0 || e.gid < 0 || e.uid > 0xffffffffLL || e.gid > 0xffffffffLL) return Corrupt(offset, "entry \"" + e.name + "\": uid/gid out of range");
  if (e.type == '3' || e.type == '4') {
    if (!num(kDevmajor, "devmajor", &e.devmajor) || !num(kDevminor, "devminor", &e.devminor)) return false;
  }
  e.size = bodySize;
  entries_++;
  return Begin(e);
}

// Makes the entry; a file's body follows (state kBody), the rest is done at once.
bool TarUnpacker::Begin(Entry& e) {
  for (int fd : stale_) close(fd);
  stale_.clear();
  std::string where = o_.label + ": entry \"" + e.name + "\"";
  std::vector<std::string> parts;
  if (!CleanPath(e.name, parts)) return Invalid(where + " escapes the layer");
  auto place = [&](std::vector<std::string>& p) {
    switch (o_.placement) {
      case UnpackOptions::kKeep: return true;
      case UnpackOptions::kPrepend: p.insert(p.begin(), o_.to); return true;
      case UnpackOptions::kRename: if (p.empty() || p[0] != o_.top) return false; p[0] = o_.to; return true;
      case UnpackOptions::kContents: if (p.empty() || p[0] != o_.top) return false; p.erase(p.begin()); return true;
    }
    return true;
  };
  if (!place(parts)) return Invalid(where + " is not beneath the archive's first entry");
  int64_t cu = o_.keepOwners ? e.uid : o_.fixedUid, cg = o_.keepOwners ? e.gid : o_.fixedGid;
  uint32_t hu = (uint32_t)cu, hg = (uint32_t)cg;
  if (o_.mapIds && (!MapId(o_.uidMap, cu, &hu) || !MapId(o_.gidMap, cg, &hg)))
    return Invalid("owner " + std::to_string(cu) + ":" + std::to_string(cg) + " is not mapped in the container's user namespace");
  e.uid = hu;
  e.gid = hg;
  if (parts.empty()) { Drop(e, where); return true; }  // the root itself: its mode stays as it is
  return Make(e, parts, where);
}

bool TarUnpacker::Make(Entry& e, const std::vector<std::string>& parts, const std::string& where) {
  const std::string& base = parts.back();
  if (base.compare(0, 4, ".wh.") == 0) {
    if (!o_.whiteouts) return Invalid(where + ": a name starting with .wh. is an image layer's whiteout, not a file to copy");
    return Whiteout(e, parts, where);
  }
  if (e.type == '3' || e.type == '4') {
    // the container's /dev is a fresh tmpfs: device nodes shipped there are not needed
    if (parts[0] == "dev") { Drop(e, where); return true; }
    if (!(e.type == '3' && e.devmajor == 0 && e.devminor == 0))
      return Invalid(where + ": device nodes (" + (e.type == '3' ? "char " : "block ") + std::to_string(e.devmajor) + ":" + std::to_string(e.devminor) + ") are not allowed outside /dev");
  }
  if (e.type == '2' && !SymlinkStaysInside(parts.size() - 1, e.linkname))
    return Invalid(where + ": invalid symlink \"" + e.name + "\" -> \"" + e.linkname + "\" (it points outside the layer)");
  int dirfd = Resolve(parts, parts.size() - 1, true, where);
  if (dirfd < 0) return false;
  const char* b = base.c_str();
  struct timespec ts[2] = {{(time_t)e.mtimeSec, e.mtimeNsec}, {(time_t)e.mtimeSec, e.mtimeNsec}};
  bool merged = false;
  state_ = kPad;
  padLeft_ = 0;

  if (e.type == '0') {
    // made with its permission bits at once when the umask leaves them and there is no setuid/setgid/sticky bit (chown clears those)
    direct_ = (e.mode & 07000) == 0 && (e.mode & o_.umask) == 0;
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(dirfd, b, flags, direct_ ? e.mode : 0600);
    if (fd < 0 && errno == EEXIST) {
      if (!Replace(dirfd, base, false, &merged, where)) return false;
      dirfd = Resolve(parts, parts.size() - 1, true, where);
      if (dirfd < 0) return false;
      fd = openat(dirfd, b, flags, direct_ ? e.mode : 0600);
    }
    if (fd < 0) return Syscall("open", errno, where);
    fileFd_ = fd;
    bodyLeft_ = e.size;
    padLeft_ = Padded(e.size);
    cur_ = std::move(e);
    curWhere_ = where;
    state_ = kBody;
    if (bodyLeft_ == 0) return FinishFile();
    return true;
  }

  if (e.type == '1') {
    std::vector<std::string> t;
    bool ok = CleanPath(e.linkname, t);
    if (ok) {
      switch (o_.placement) {
        case UnpackOptions::kKeep: break;
        case UnpackOptions::kPrepend: t.insert(t.begin(), o_.to); break;
        case UnpackOptions::kRename: if (t.empty() || t[0] != o_.top) ok = false; else t[0] = o_.to; break;
        case UnpackOptions::kContents: if (t.empty() || t[0] != o_.top) ok = false; else t.erase(t.begin()); break;
      }
    }
    if (!ok || t.empty()) return Invalid(where + ": hardlink target \"" + e.linkname + "\" is outside the layer");
    std::string missing = where + ": hardlink target \"" + e.linkname + "\" does not exist in the layer";
    int tdir = Resolve(t, t.size() - 1, false, where);
    if (tdir == -2) return Invalid(missing);
    if (tdir < 0) return false;
    struct stat tst, a, c;
    if (fstatat(tdir, t.back().c_str(), &tst, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return Invalid(missing);
      return Syscall("lstat", errno, where);
    }
    if (S_ISDIR(tst.st_mode)) return Invalid(where + ": hardlink target \"" + e.linkname + "\" is a directory");
    // a link to itself (the same name twice): already there
    if (t.back() == base && fstat(tdir, &a) == 0 && fstat(dirfd, &c) == 0 && a.st_dev == c.st_dev && a.st_ino == c.st_ino) return true;
    if (linkat(tdir, t.back().c_str(), dirfd, b, 0) != 0) {
      if (errno != EEXIST) return Syscall("link", errno, where);
      // the target's directory fd stays open across the replacement: it is not forgotten until the next entry
      if (!Replace(dirfd, base, false, &merged, where)) return false;
      if (linkat(tdir, t.back().c_str(), dirfd, b, 0) != 0) return Syscall("link", errno, where);
    }
    return true;  // same inode: its owner, mode and times are the target's
  }

  // directories, symlinks, fifos and 0/0 char devices (a whiteout as some exporters write them)
  auto make = [&]() -> int {
    switch (e.type) {
      case '5': return mkdirat(dirfd, b, 0700);
      case '2': return symlinkat(e.linkname.c_str(), dirfd, b);
      case '6': return mknodat(dirfd, b, S_IFIFO | 0600, 0);
      default: return mknodat(dirfd, b, S_IFCHR | 0600, makedev(0, 0));
    }
  };
  const char* what = e.type == '5' ? "mkdir" : e.type == '2' ? "symlink" : "mknod";
  if (make() != 0) {
    if (errno != EEXIST) return Syscall(what, errno, where);
    if (!Replace(dirfd, base, e.type == '5', &merged, where)) return false;
    if (!merged) {
      dirfd = Resolve(parts, parts.size() - 1, true, where);
      if (dirfd < 0) return false;
      if (make() != 0) return Syscall(what, errno, where);
    }
  }
  if (e.type == '5') {
    int fd = openat(dirfd, b, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Syscall("open", errno, where);
    if (fchown(fd, (uid_t)e.uid, (gid_t)e.gid) != 0) { int er = errno; close(fd); return Syscall("chown", er, where); }
    if (int er = SetXattrs(fd, e.xattrs)) { close(fd); return Syscall("setxattr", er, where); }
    // its mode and times last: a mode without write permission would stop what goes inside, and children change the times
    std::string key = Join(parts, parts.size());
    dirMeta_.push_back({key, e.mode, e.mtimeSec, e.mtimeNsec});
    if (dirs_.size() >= kMaxOpenDirs) Forget();
    auto it = dirs_.find(key);
    if (it != dirs_.end()) { stale_.push_back(it->second); it->second = fd; }
    else dirs_.emplace(key, fd);
    return true;
  }
  if (fchownat(dirfd, b, (uid_t)e.uid, (gid_t)e.gid, AT_SYMLINK_NOFOLLOW) != 0) return Syscall("lchown", errno, where);
  if (e.type != '2' && fchmodat(dirfd, b, e.mode, 0) != 0) return Syscall("chmod", errno, where);
  if (utimensat(dirfd, b, ts, AT_SYMLINK_NOFOLLOW) != 0) return Syscall("utimes", errno, where);
  return true;
}

// An entry left out: its body (a file's) read and dropped.
void TarUnpacker::Drop(Entry& e, const std::string& where) {
  state_ = kPad;
  padLeft_ = 0;
  if (!e.size) return;
  cur_ = std::move(e);
  curWhere_ = where;
  bodyLeft_ = cur_.size;
  padLeft_ = Padded(cur_.size);
  state_ = kBody;
}

// An OCI whiteout as overlayfs has them: ".wh.NAME" hides NAME of the layers below (a 0/0
// char device in its place), ".wh..wh..opq" all of its directory's (an opaque directory);
// other ".wh..wh." names are AUFS metadata, not content.
bool TarUnpacker::Whiteout(Entry& e, const std::vector<std::string>& parts, const std::string& where) {
  const std::string base = parts.back();
  int dirfd = Resolve(parts, parts.size() - 1, true, where);
  if (dirfd < 0) return false;
  Drop(e, where);
  if (base == ".wh..wh..opq") {
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Syscall("open", errno, where);
    int rc = fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0);
    int er = errno;
    close(fd);
    return rc == 0 || Syscall("setxattr", er, where);
  }
  if (base.compare(0, 8, ".wh..wh.") == 0) return true;
  std::string hidden = base.substr(4);
  if (hidden.empty() || hidden == "." || hidden == "..") return Invalid(where + ": invalid whiteout");
  if (RemoveAll(dirfd, hidden.c_str(), 0) != 0) return Syscall("remove", errno, where);
  Forget();
  if (mknodat(dirfd, hidden.c_str(), S_IFCHR, makedev(0, 0)) != 0) return Syscall("mknod", errno, where);
  return true;
}

// The body is in: owner, mode, times, xattrs, through the file's own fd.
bool TarUnpacker::FinishFile() {
  int fd = fileFd_;
  fileFd_ = -1;
  state_ = padLeft_ ? kPad : kHeader;
  if (fd < 0) return true;  // a body dropped
  const std::string& where = curWhere_;
  // owner first: chown clears setuid/setgid and file capabilities, so mode and xattrs come after it
  if (fchown(fd, (uid_t)cur_.uid, (gid_t)cur_.gid) != 0) { int e = errno; close(fd); return Syscall("chown", e, where); }
  if (!direct_ && fchmod(fd, cur_.mode) != 0) { int e = errno; close(fd); return Syscall("chmod", e, where); }
  struct timespec ts[2] = {{(time_t)cur_.mtimeSec, cur_.mtimeNsec}, {(time_t)cur_.mtimeSec, cur_.mtimeNsec}};
  if (futimens(fd, ts) != 0) { int e = errno; close(fd); return Syscall("utimes", e, where); }
  // xattrs last but the times stay: setting an xattr does not change mtime
  if (int e = SetXattrs(fd, cur_.xattrs)) { close(fd); return Syscall("setxattr", e, where); }
  if (close(fd) != 0) return Syscall("close", errno, where);
  return true;
}

// The directory parts[0..n) inside the root, made (0755, as tar makes implied parents) when missing and
// `create`: an fd the unpacker keeps, -2 when missing and not `create`, -1 on an error (set). One
// openat2 for a directory not seen yet; Walk() where that finds nothing or something in the way.
int TarUnpacker::Resolve(const std::vector<std::string>& parts, size_t n, bool create, const std::string& where) {
  if (n == 0) return rootfd_;
  std::string key = Join(parts, n);
  auto it = dirs_.find(key);
  if (it != dirs_.end()) return it->second;
  int fd = OpenInRoot(rootfd_, key, O_PATH | O_DIRECTORY);
  if (fd < 0) {
    int e = errno;
    if (e != ENOENT && e != ENOTDIR && e != ELOOP) { Syscall("openat2", e, where); return -1; }
    fd = Walk(parts, n, create, where);
    if (fd < 0) return fd;
  }
  if (dirs_.size() >= kMaxOpenDirs) Forget();
  dirs_.emplace(key, fd);
  return fd;
}

// What resolveDirInRoot (helper/images/in-root.ts) does, one component at a time with fds: a
// symlink followed with the root as "/" (at most 40), a missing directory made when `create`, a
// non-directory named as the JS one names it. Each step opens the next component without
// following it, so what the kernel gives is what was looked at.
int TarUnpacker::Walk(const std::vector<std::string>& parts, size_t n, bool create, const std::string& where) {
  std::vector<std::string> done;
  std::vector<std::string> todo(parts.rbegin() + (long)(parts.size() - n), parts.rend());  // reversed: the next one last
  int cur = dup(rootfd_);
  if (cur < 0) { Syscall("dup", errno, where); return -1; }
  auto step = [&](int next) { close(cur); cur = next; };
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part.empty() || part == ".") continue;
    if (part == "..") {  // ".." at the root stays at the root
      if (!done.empty()) done.pop_back();
      int up = OpenInRoot(rootfd_, Join(done, done.size()), O_PATH | O_DIRECTORY);
      if (up < 0) { int e = errno; close(cur); Syscall("openat2", e, where); return -1; }
      step(up);
      continue;
    }
    std::string at = Join(done, done.size());
    at += at.empty() ? part : "/" + part;
    struct stat st;
    if (fstatat(cur, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int e = errno;
      if (e != ENOENT) { close(cur); Syscall("lstat", e, where); return -1; }
      if (!create) { close(cur); return -2; }
      if (mkdirat(cur, part.c_str(), 0755) != 0 && errno != EEXIST) { e = errno; close(cur); Syscall("mkdir", e, where); return -1; }
      st.st_mode = S_IFDIR;
    }
    if (S_ISDIR(st.st_mode)) {
      int next = openat(cur, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0) { int e = errno; close(cur); Syscall("open", e, where); return -1; }
      step(next);
      done.push_back(std::move(part));
      continue;
    }
    if (!S_ISLNK(st.st_mode)) { close(cur); Invalid(where + ": \"" + at + "\" is not a directory"); return -1; }
    if (++links > 40) { close(cur); Invalid(where + ": too many levels of symbolic links at \"" + at + "\""); return -1; }
    std::vector<char> buf(4097);
    ssize_t len = readlinkat(cur, part.c_str(), buf.data(), buf.size() - 1);
    if (len < 0) { int e = errno; close(cur); Syscall("readlink", e, where); return -1; }
    std::string target(buf.data(), (size_t)len);
    if (!target.empty() && target[0] == '/') {  // absolute: from the root, never the host's
      done.clear();
      int r = dup(rootfd_);
      if (r < 0) { int e = errno; close(cur); Syscall("dup", e, where); return -1; }
      step(r);
    }
    std::vector<std::string> tparts = Parts(target);
    for (auto r = tparts.rbegin(); r != tparts.rend(); ++r) todo.push_back(*r);
  }
  return cur;
}

// An entry's name is taken: replaced, except a directory by a directory (their contents merge, as tar does).
bool TarUnpacker::Replace(int dirfd, const std::string& base, bool isDir, bool* merged, const std::string& where) {
  struct stat st;
  if (fstatat(dirfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) && isDir) { *merged = true; return true; }
  if (RemoveAll(dirfd, base.c_str(), 0) != 0) return Syscall("remove", errno, where);
  Forget();  // a directory replaced by a symlink must be looked up again
  return true;
}

bool TarUnpacker::End() {
  if (err_.set) return false;
  switch (state_) {
    case kHeader:
      if (hdrFill_ > 0) return Corrupt(offset_ - hdrFill_, "truncated header");
      // EOF at a header boundary without the end marker: accepted (as Go and GNU tar do), unless extended headers announced an entry
      if (metaStart_ >= 0) return Corrupt((uint64_t)metaStart_, "archive ends after an extended header");
      break;
    case kMeta: return Corrupt((uint64_t)metaStart_, "truncated extended header");
    case kBody: case kPad:
      if (state_ == kPad && metaStart_ >= 0) return Corrupt((uint64_t)metaStart_, "truncated extended header");
      return Corrupt(cur_.offset, "entry \"" + cur_.name + "\": truncated body (archive ends inside it)");
    case kEnd: break;
  }
  // directory modes and times last, the deepest (made last) first
  for (size_t i = dirMeta_.size(); i-- > 0;) {
    const DirMeta& d = dirMeta_[i];
    int fd = OpenInRoot(rootfd_, d.key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) continue;  // replaced or removed by a later entry
    struct timespec ts[2] = {{(time_t)d.sec, d.nsec}, {(time_t)d.sec, d.nsec}};
    int rc = fchmod(fd, d.mode);
    int e = errno;
    futimens(fd, ts);
    close(fd);
    if (rc != 0) return Syscall("chmod", e, o_.label + ": entry \"" + d.key + "\"");
  }
  Close();
  return true;
}

}  // namespace tar
