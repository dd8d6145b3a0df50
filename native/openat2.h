/* openat2(2) with the open_how filled in: the one way the addon, the tar
 * unpacker and the shim resolve a path the kernel keeps inside a root
 * (RESOLVE_IN_ROOT) or beneath a directory (RESOLVE_BENEATH). C and C++. */
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* `path` relative to `dirfd` ("" is the directory itself), O_CLOEXEC always; `mode` for O_CREAT. */
static inline int openat2_at(int dirfd, const char *path, int flags, unsigned mode, unsigned long long resolve) {
  struct open_how how;
  memset(&how, 0, sizeof(how));
  how.flags = (unsigned)flags | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? (mode & 07777) : 0;
  how.resolve = resolve;
  return (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
}
