/* Path helpers for the child: everything under the container's rootfs is
 * resolved by the kernel with RESOLVE_IN_ROOT, so a symlink in an image
 * (e.g. /dev -> /host/dir) can never redirect a mount onto the host. */
#include "shim.h"
#include "../openat2.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int open_in_root(int rootfd, const char *path, int flags, int resolve_extra) {
  while (*path == '/') path++;
  return openat2_at(rootfd, path, flags, 0644, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (unsigned)resolve_extra);
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

/* Copies the tree under `from` into the empty directory `to` (both fds of
 * directories): files, directories and symlinks with their modes and owners;
 * other kinds are skipped. Nothing is followed. For a tmpfs mounted with
 * "tmpcopyup" over an image directory (Podman's --read-only /run, /tmp). */
int copy_tree(int from, int to, int depth) {
  if (depth > 64) { errno = ELOOP; return -1; }
  int dup_from = dup(from);
  if (dup_from < 0) return -1;
  DIR *d = fdopendir(dup_from);
  if (!d) { close(dup_from); return -1; }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) { rc = -1; break; }
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(to, e->d_name, st.st_mode & 07777) != 0 && errno != EEXIST) { rc = -1; break; }
      int a = openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int b = openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (a < 0 || b < 0 || copy_tree(a, b, depth + 1) != 0 || fchown(b, st.st_uid, st.st_gid) != 0 || fchmod(b, st.st_mode & 07777) != 0) rc = -1;
      if (a >= 0) close(a);
      if (b >= 0) close(b);
    } else if (S_ISREG(st.st_mode)) {
      int a = openat(from, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      int b = a < 0 ? -1 : openat(to, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
      char buf[65536];
      ssize_t n = 0;
      while (b >= 0 && (n = read(a, buf, sizeof(buf))) > 0) if (write(b, buf, (size_t)n) != n) { n = -1; break; }
      if (a < 0 || b < 0 || n < 0 || fchown(b, st.st_uid, st.st_gid) != 0 || fchmod(b, st.st_mode & 07777) != 0) rc = -1;
      if (a >= 0) close(a);
      if (b >= 0) close(b);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(from, e->d_name, target, sizeof(target) - 1);
      if (n < 0) { rc = -1; break; }
      target[n] = '\0';
      if (symlinkat(target, to, e->d_name) != 0 || fchownat(to, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) rc = -1;
    }
  }
  int e2 = errno;
  closedir(d);
  errno = e2;
  return rc;
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
