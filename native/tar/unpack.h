// A tar stream unpacked into a directory: an image layer (its OCI whiteouts
// made overlayfs ones), or a copy of `nscope cp` (the files worker into a
// container's tree, the CLI into the caller's; ".wh." names refused). The
// rules of helper/images/unpack.ts, in one pass over the bytes as they come. The archive is hostile: names are
// cleaned ("..", absolute names clamped at the root), every parent directory
// is resolved by the kernel inside the root (openat2 RESOLVE_IN_ROOT), every
// entry is made relative to that directory's fd without following a final
// symlink, and what could reach outside — escaping names, relative symlinks
// that climb out, hardlinks to outside files, device nodes, whiteouts — is
// refused with the entry named. Extended attributes (PAX SCHILY.xattr.*)
// are set on files and directories through their fds; a symlink's or a
// fifo's are left out (no fd to set them through).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "error.h"
#include "format.h"
#include "pack.h"

namespace tar {

struct UnpackOptions {
  std::string label;  // names the archive in errors ("copy into /tmp")
  bool keepOwners = true;  // the archive's owners, else fixedUid:fixedGid
  uint32_t fixedUid = 0, fixedGid = 0;
  bool mapIds = false;  // owners are the container's ids: stored as their host ids, an unmapped one refused
  std::vector<IdRange> uidMap, gidMap;
  // where the archive's top entry lands: kept, `to` put in front of every name, the top renamed `to`, or only its contents
  enum Placement { kKeep, kPrepend, kRename, kContents } placement = kKeep;
  std::string top, to;
  mode_t umask = 0777;  // the process's: bits it would take from a file made with its mode
  // a layer's ".wh.NAME" -> a 0/0 char device NAME, ".wh..wh..opq" -> trusted.overlay.opaque=y; else refused
  bool whiteouts = false;
};

class TarUnpacker {
 public:
  ~TarUnpacker();
  // false with error() set when `root` cannot be opened, or openat2 is missing (ENOSYS: the caller unpacks in JS)
  bool Open(const std::string& root, const UnpackOptions& o);
  bool Write(const unsigned char* data, size_t len);
  // the archive must have ended cleanly; directory modes and times are set last
  bool End();
  const Error& error() const { return err_; }
  uint64_t entries() const { return entries_; }
  uint64_t bytes() const { return bytes_; }
  void Close();

 private:
  struct Entry {
    std::string name, linkname;
    char type = '0';
    uint32_t mode = 0;
    int64_t uid = 0, gid = 0;
    uint64_t size = 0;
    int64_t mtimeSec = 0;
    long mtimeNsec = 0;
    int64_t devmajor = 0, devminor = 0;
    std::vector<PaxRec> xattrs;
    uint64_t offset = 0;
  };
  struct DirMeta { std::string key; uint32_t mode; int64_t sec; long nsec; };
  enum State { kHeader, kMeta, kBody, kPad, kEnd };

  bool Header();
  bool Meta();
  bool Begin(Entry& e);
  bool FinishFile();
  bool Make(Entry& e, const std::vector<std::string>& parts, const std::string& where);
  bool Whiteout(Entry& e, const std::vector<std::string>& parts, const std::string& where);
  void Drop(Entry& e, const std::string& where);
  int Resolve(const std::vector<std::string>& parts, size_t n, bool create, const std::string& where);
  int Walk(const std::vector<std::string>& parts, size_t n, bool create, const std::string& where);
  bool Replace(int dirfd, const std::string& base, bool isDir, bool* merged, const std::string& where);
  void Forget();
  bool Syscall(const char* syscall, int e, const std::string& where);
  bool Invalid(const std::string& message);
  bool Corrupt(uint64_t offset, const std::string& what);

  UnpackOptions o_;
  int rootfd_ = -1;
  Error err_;
  State state_ = kHeader;
  unsigned char hdr_[kBlock];
  size_t hdrFill_ = 0;
  uint64_t offset_ = 0;  // bytes of the stream consumed
  // extended headers waiting for their entry
  char metaType_ = 0;
  std::string meta_;
  uint64_t metaLeft_ = 0;
  int64_t metaStart_ = -1;
  std::vector<PaxRec> pax_, global_;
  bool haveLongName_ = false, haveLongLink_ = false;
  std::string longName_, longLink_;
  // the entry whose body is coming
  Entry cur_;
  std::string curWhere_;
  int fileFd_ = -1;
  uint64_t bodyLeft_ = 0;
  size_t padLeft_ = 0;
  bool direct_ = false;
  // directories opened so far, by their cleaned path ("" is the root)
  std::unordered_map<std::string, int> dirs_;
  std::vector<int> stale_;  // forgotten while an entry still used them: closed at the next entry
  std::vector<DirMeta> dirMeta_;
  uint64_t entries_ = 0, bytes_ = 0;
};

}  // namespace tar
