// A file or directory tree as a tar stream, the way `docker cp` archives it
// (helper/files/tree-tar.ts is the JS one, still used where a build filters
// or re-modes what it copies): the top entry named as asked, the rest below
// it; owners, modes, mtimes and symlinks as they are; hardlinks within the
// tree as hardlink entries; sockets skipped, as GNU tar does. The caller has
// made the tree safe to read (the files worker runs chrooted into the
// container; the CLI reads its own user's files): every entry below the top
// is opened relative to its directory's fd without following a symlink.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "error.h"

namespace tar {

// One line of a user namespace's map: ids [inside, inside+count) are [outside, …) on the host.
struct IdRange { uint32_t inside, outside, count; };

struct PackOptions {
  bool follow = false;  // follow a symlink at the top itself (-L)
  // host ids written as the container's (an unmapped one is the overflow id); empty: as they are
  std::vector<IdRange> uidMap, gidMap;
  // entries (as named in the archive) packed as directories without their contents: a running
  // container's /proc, /sys and /dev mounts, the kernel's files, which docker cp leaves out too
  std::unordered_set<std::string> emptyDirs;
};

class TreePacker {
 public:
  ~TreePacker();
  // false and error() set when `src` cannot be looked at
  bool Open(const std::string& src, const std::string& name, const PackOptions& o);
  // Fills up to `len` bytes (len >= 64 KiB: a header with its PAX records fits); 0 once the archive
  // has ended, -1 on an error.
  ssize_t Read(char* buf, size_t len);
  const Error& error() const { return err_; }
  void Close();

 private:
  struct Dir { int fd; std::string entry; std::vector<std::string> names; size_t next = 0; };
  bool Next();
  bool Entry(int dirfd, const std::string& name, const std::string& entry, bool top);
  void Header(const std::string& entry, char type, const struct stat& st, uint64_t size, const std::string& link);
  bool Fail(const char* syscall, int e, const std::string& path);

  std::string src_, name_;
  PackOptions o_;
  bool started_ = false, done_ = false;
  std::vector<Dir> stack_;
  std::string pending_;
  size_t pendingOff_ = 0;
  int fileFd_ = -1;
  std::string fileEntry_;  // the file whose body is being read
  uint64_t bodyLeft_ = 0;
  size_t padLeft_ = 0;
  std::unordered_map<std::string, std::string> links_;  // "dev:ino" -> first entry name
  Error err_;
};

}  // namespace tar
