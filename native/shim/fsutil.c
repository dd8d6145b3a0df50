/* Path helpers for the child: everything under the container's rootfs is
 * resolved by the kernel with RESOLVE_IN_ROOT, so a symlink in an image
 * (e.g. /dev -> /host/dir) can never redirect a mount onto the host. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int open_in_root(int rootfd, const char *path, int flags, int resolve_extra) {
  struct open_how how;
  memset(&how, 0, sizeof(how));
  how.flags = (unsigned)flags | O_CLOEXEC;
  if (flags & O_CREAT) how.mode = 0644;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (unsigned)resolve_extra;
  while (*path == '/') path++;
  if (*path == '\0') path = ".";
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* mkdir -p inside the root. Each existing prefix is opened in-root, so the
 * directories are always created where the container will see them. */
int mkdir_in_root(int rootfd, const char *path, mode_t mode) {
  char buf[4096];
  if (strlen(path) >= sizeof(buf)) { errno = ENAMETOOLONG; return -1; }
  strcpy(buf, path);
  int dirfd = open_in_root(rootfd, ".", O_PATH | O_DIRECTORY, 0);
  if (dirfd < 0) return -1;
  char *save = NULL;
  for (char *comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
    /* Resolve what exists so far by the full prefix, in root. */
    size_t off = comp - buf;
    char prefix[4096];
    memcpy(prefix, path, off + strlen(comp));
    prefix[off + strlen(comp)] = '\0';
    int next = open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(dirfd, comp, mode) != 0 && errno != EEXIST) { int e = errno; close(dirfd); errno = e; return -1; }
      next = open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
    }
    if (next < 0) { int e = errno; close(dirfd); errno = e; return -1; }
    close(dirfd);
    dirfd = next;
  }
  close(dirfd);
  return 0;
}

int write_file(const char *path, const char *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, data, len);
  int e = errno;
  close(fd);
  if (n != (ssize_t)len) { errno = n < 0 ? e : EIO; return -1; }
  return 0;
}

/* write + rename: readers see the old file or the whole new one (no fsync:
 * a killed helper needs none, and a power loss ends the container anyway). */
int write_file_atomic(const char *path, const char *data, size_t len) {
  char tmp[4200];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) { errno = ENAMETOOLONG; return -1; }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, data, len);
  if (n != (ssize_t)len) { int e = errno; close(fd); unlink(tmp); errno = n < 0 ? e : EIO; return -1; }
  close(fd);
  if (rename(tmp, path) != 0) { int e = errno; unlink(tmp); errno = e; return -1; }
  return 0;
}
