// The tree packer (pack.h): one entry at a time into the caller's buffer, a
// file's body read straight into it.
#include "pack.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "../dirents.h"
#include "format.h"

namespace tar {

namespace {

uint32_t Mapped(const std::vector<IdRange>& map, uint32_t host) {
  if (map.empty()) return host;
  for (const IdRange& r : map)
    if (host >= r.outside && host - r.outside < r.count) return host - r.outside + r.inside;
  return 65534;  // the overflow id the kernel shows for an unmapped one
}

bool Ascii(const std::string& s) {
  for (unsigned char c : s) if (c == 0 || c >= 0x80) return false;
  return true;
}

// ustar's name field, or prefix (155) + '/' + name (100) split at a slash.
bool PutName(char* h, const std::string& name) {
  if (name.size() <= 100) return WriteString(h, kName, name);
  for (size_t i = name.size() - 1; i > 0; i--) {
    if (name[i] != '/') continue;
    size_t rest = name.size() - i - 1;
    if (i <= 155 && rest <= 100 && rest > 0) {
      WriteString(h, kPrefix, name.substr(0, i));
      return WriteString(h, kName, name.substr(i + 1));
    }
  }
  return false;
}

// `s` in ASCII for a field a reader that knows no PAX shows: each UTF-16 code unit of a
// non-ASCII character as '_' (what the JS writer's replace() makes), at most `units` of them.
std::string AsciiUnits(const std::string& s, size_t units) {
  std::string out;
  for (size_t i = 0; i < s.size() && out.size() < units;) {
    unsigned char c = (unsigned char)s[i];
    if (c > 0 && c < 0x80) { out += (char)c; i++; continue; }
    size_t len = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    out += '_';
    if (len == 4 && out.size() < units) out += '_';  // a surrogate pair: two code units
    i += std::min(len, s.size() - i);
  }
  return out;
}

void FinishHeader(char* h) {
  uint32_t sum = Checksum(reinterpret_cast<unsigned char*>(h));
  char tmp[8];
  std::snprintf(tmp, sizeof(tmp), "%06o", sum & 0777777);
  std::memcpy(h + kChksum.off, tmp, 6);
  h[kChksum.off + 6] = 0;
  h[kChksum.off + 7] = ' ';
}

}  // namespace

TreePacker::~TreePacker() { Close(); }

void TreePacker::Close() {
  if (fileFd_ >= 0) close(fileFd_);
  fileFd_ = -1;
  for (Dir& d : stack_) close(d.fd);
  stack_.clear();
}

bool TreePacker::Fail(const char* syscall, int e, const std::string& path) {
  err_.set = true;
  err_.syscall = syscall;
  err_.errnum = e;
  err_.message = std::string(syscall) + ": " + std::strerror(e) + " '" + path + "'";
  Close();
  return false;
}

bool TreePacker::Open(const std::string& src, const std::string& name, const PackOptions& o) {
  src_ = src;
  name_ = name;
  o_ = o;
  struct stat st;
  if ((o.follow ? stat(src.c_str(), &st) : lstat(src.c_str(), &st)) != 0) return Fail(o.follow ? "stat" : "lstat", errno, src);
  return true;
}

void TreePacker::Header(const std::string& entryIn, char type, const struct stat& st, uint64_t size, const std::string& link) {
  std::string entry = entryIn;
  if (type == '5' && (entry.empty() || entry.back() != '/')) entry += '/';
  char h[kBlock];
  std::memset(h, 0, sizeof(h));
  std::string pax;
  if (!Ascii(entry) || !PutName(h, entry)) {
    PaxRecord(pax, "path", entry);
    std::memset(h + kName.off, 0, kName.len);
    std::memset(h + kPrefix.off, 0, kPrefix.len);
    std::string cut = entry.substr(0, 99);
    for (char& c : cut) if ((unsigned char)c >= 0x80 || c == 0) c = '_';
    WriteString(h, kName, cut);
  }
  if (!Ascii(link) || !WriteString(h, kLinkname, link)) {
    PaxRecord(pax, "linkpath", link);
    std::memset(h + kLinkname.off, 0, kLinkname.len);
    WriteString(h, kLinkname, AsciiUnits(link, 99));
  }
  uint32_t uid = Mapped(o_.uidMap, st.st_uid), gid = Mapped(o_.gidMap, st.st_gid);
  WriteOctal(h, kMode, st.st_mode & 07777);
  if (!WriteOctal(h, kUid, uid)) { PaxRecord(pax, "uid", std::to_string(uid)); WriteOctal(h, kUid, 0); }
  if (!WriteOctal(h, kGid, gid)) { PaxRecord(pax, "gid", std::to_string(gid)); WriteOctal(h, kGid, 0); }
  if (!WriteOctal(h, kSize, size)) { PaxRecord(pax, "size", std::to_string(size)); WriteOctal(h, kSize, 0); }
  int64_t mtime = st.st_mtim.tv_sec;
  if (mtime < 0 || !WriteOctal(h, kMtime, (uint64_t)mtime)) { PaxRecord(pax, "mtime", std::to_string(mtime)); WriteOctal(h, kMtime, 0); }
  if (type == '3' || type == '4') {
    WriteOctal(h, kDevmajor, major(st.st_rdev));
    WriteOctal(h, kDevminor, minor(st.st_rdev));
  } else {
    WriteOctal(h, kDevmajor, 0);
    WriteOctal(h, kDevminor, 0);
  }
  h[kTypeflag] = type;
  std::memcpy(h + kMagic.off, "ustar\0" "00", 8);
  if (!pax.empty()) {
    char ph[kBlock];
    std::memset(ph, 0, sizeof(ph));
    std::string base = entry;
    while (!base.empty() && base.back() == '/') base.pop_back();
    size_t slash = base.rfind('/');
    if (slash != std::string::npos) base = base.substr(slash + 1);
    WriteString(ph, kName, "PaxHeaders/" + AsciiUnits(base, 80));
    WriteOctal(ph, kMode, 0644);
    WriteOctal(ph, kUid, 0);
    WriteOctal(ph, kGid, 0);
    WriteOctal(ph, kSize, pax.size());
    WriteOctal(ph, kMtime, 0);
    ph[kTypeflag] = 'x';
    std::memcpy(ph + kMagic.off, "ustar\0" "00", 8);
    WriteOctal(ph, kChksum, Checksum(reinterpret_cast<unsigned char*>(ph)));
    pending_.append(ph, kBlock);
    pending_.append(pax);
    pending_.append(Padded(pax.size()), '\0');
  }
  FinishHeader(h);
  pending_.append(h, kBlock);
}

// One entry (and, for a directory, its names queued); false on an error.
bool TreePacker::Entry(int dirfd, const std::string& name, const std::string& entry, bool top) {
  struct stat st;
  int flags = top && o_.follow ? 0 : AT_SYMLINK_NOFOLLOW;
  if (fstatat(dirfd, name.c_str(), &st, flags) != 0) {
    int e = errno;
    // removed while we looked (a running container): left out, as tar does
    if (!top && (e == ENOENT || e == ENOTDIR)) return true;
    return Fail(flags ? "lstat" : "stat", e, top ? name : entry);
  }
  if (S_ISSOCK(st.st_mode)) return true;  // tar has no type for sockets: GNU tar skips them too
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
    std::string key = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    auto it = links_.find(key);
    if (it != links_.end()) { Header(entry, '1', st, 0, it->second); return true; }
    links_.emplace(key, entry);
  }
  if (S_ISREG(st.st_mode)) {
    int fd = openat(dirfd, name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | (flags ? O_NOFOLLOW : 0));
    if (fd < 0) {
      int e = errno;
      if (!top && (e == ENOENT || e == ELOOP)) { links_.erase(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)); return true; }
      return Fail("open", e, top ? name : entry);
    }
    Header(entry, '0', st, (uint64_t)st.st_size, "");
    fileFd_ = fd;
    fileEntry_ = entry;
    bodyLeft_ = (uint64_t)st.st_size;
    padLeft_ = Padded((uint64_t)st.st_size);
    return true;
  }
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf((size_t)std::max<off_t>(st.st_size, 255) + 2);
    ssize_t n = readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return Fail("readlink", errno, top ? name : entry);
    Header(entry, '2', st, 0, std::string(buf.data(), (size_t)std::min<ssize_t>(n, (ssize_t)buf.size())));
    return true;
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) { Header(entry, S_ISCHR(st.st_mode) ? '3' : '4', st, 0, ""); return true; }
  if (S_ISFIFO(st.st_mode)) { Header(entry, '6', st, 0, ""); return true; }
  if (!S_ISDIR(st.st_mode)) return true;
  Header(entry, '5', st, 0, "");
  if (!top && o_.emptyDirs.count(entry)) return true;
  int fd = openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (flags ? O_NOFOLLOW : 0));
  if (fd < 0) {
    int e = errno;
    if (!top && (e == ENOENT || e == ENOTDIR || e == ELOOP)) return true;
    return Fail("open", e, top ? name : entry);
  }
  Dir d;
  d.fd = fd;
  d.entry = entry;
  int e = ForEachDirent(fd, [&](const char* nm, unsigned char) { d.names.emplace_back(nm); });
  if (e) { close(fd); return Fail("getdents64", e, entry); }
  std::sort(d.names.begin(), d.names.end());
  stack_.push_back(std::move(d));
  return true;
}

bool TreePacker::Next() {
  if (!started_) {
    started_ = true;
    return Entry(AT_FDCWD, src_, name_, true);
  }
  while (!stack_.empty()) {
    Dir& d = stack_.back();
    if (d.next < d.names.size()) {
      std::string name = d.names[d.next++];
      std::string entry = d.entry + "/" + name;
      return Entry(d.fd, name, entry, false);
    }
    close(d.fd);
    stack_.pop_back();
  }
  pending_.append(2 * kBlock, '\0');  // the end-of-archive marker
  done_ = true;
  return true;
}

ssize_t TreePacker::Read(char* buf, size_t len) {
  if (err_.set) return -1;
  size_t used = 0;
  while (used < len) {
    if (pendingOff_ < pending_.size()) {
      size_t n = std::min(len - used, pending_.size() - pendingOff_);
      std::memcpy(buf + used, pending_.data() + pendingOff_, n);
      used += n;
      pendingOff_ += n;
      if (pendingOff_ == pending_.size()) { pending_.clear(); pendingOff_ = 0; }
      continue;
    }
    if (bodyLeft_ > 0) {
      size_t want = (size_t)std::min<uint64_t>(bodyLeft_, len - used);
      ssize_t n = fileFd_ >= 0 ? read(fileFd_, buf + used, want) : 0;
      if (n < 0) {
        if (errno == EINTR) continue;
        Fail("read", errno, fileEntry_);
        return -1;
      }
      // a file that shrank meanwhile is padded with zeros (one that grew is cut at its size)
      if (n == 0) { std::memset(buf + used, 0, want); n = (ssize_t)want; }
      used += (size_t)n;
      bodyLeft_ -= (uint64_t)n;
      continue;
    }
    if (fileFd_ >= 0) { close(fileFd_); fileFd_ = -1; }
    if (padLeft_ > 0) {
      size_t n = std::min(padLeft_, len - used);
      std::memset(buf + used, 0, n);
      used += n;
      padLeft_ -= n;
      continue;
    }
    if (done_) break;
    if (!Next()) return -1;
  }
  return (ssize_t)used;
}

}  // namespace tar
