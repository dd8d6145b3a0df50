/* Containers with a user namespace of their own (--userns=auto, OCI
 * linux.uidMappings). The child is cloned straight into the new user
 * namespace together with its other namespaces, so they all belong to it
 * (the container's root administers its own network, hostname, mounts).
 * What it then cannot do without the host's privileges, the shim does for
 * it between clone and the child's set-up:
 *   - write /proc/PID/uid_map and gid_map;
 *   - build the overlay root: the image layers are idmapped (mount_setattr
 *     MOUNT_ATTR_IDMAP with the child's user namespace) so the image's root
 *     files show as the container's root, then the overlay is mounted over
 *     them in the host's user namespace, in a throw-away mount namespace of
 *     a short-lived helper process, and handed to the child as a detached
 *     mount (open_tree OPEN_TREE_CLONE + SCM_RIGHTS) that it moves onto its
 *     rootfs. The upper layer is not idmapped: what the container writes is
 *     owned by its mapped ids on the host, as with Docker's userns-remap.
 * The child waits for "M" (maps written, overlay attached) before anything. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


static int write_map(pid_t pid, const char *file, const char *map) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
  return write_file(path, map, strlen(map));
}

static void helper_fail(int sock, const char *fmt, const char *a, int e) {
  char msg[1024];
  msg[0] = 'E';
  snprintf(msg + 1, sizeof(msg) - 1, fmt, a, strerror(e));
  if (write(sock, msg, strlen(msg)) < 0) { /* the shim reports the helper's death */ }
  _exit(1);
}

/* In the helper process: a private mount namespace where each listed layer
 * is covered by an idmapped clone of itself, the overlay mounted on the
 * rootfs dir, and a detached copy of that overlay sent back. */
static void overlay_helper(const struct plan *p, int userns_fd, int sock) {
  if (unshare(CLONE_NEWNS) != 0) helper_fail(sock, "overlay: unshare(CLONE_NEWNS)%s: %s", "", errno);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) helper_fail(sock, "overlay: make / private%s: %s", "", errno);
  if (chdir(p->ovlbase) != 0) helper_fail(sock, "overlay: chdir %s: %s", p->ovlbase, errno);
  for (int i = 0; i < p->nidmap; i++) {
    const char *layer = p->idmap[i];
    int t = (int)syscall(SYS_open_tree, AT_FDCWD, layer, OPEN_TREE_CLONE | O_CLOEXEC);
    if (t < 0) helper_fail(sock, "idmapped mount: open_tree %s: %s", layer, errno);
    struct mount_attr_args attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
    if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof(attr)) != 0)
      helper_fail(sock, "idmapped mount: mount_setattr(MOUNT_ATTR_IDMAP) %s: %s", layer, errno);
    if (syscall(SYS_move_mount, t, "", AT_FDCWD, layer, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      helper_fail(sock, "idmapped mount: move_mount %s: %s", layer, errno);
    close(t);
  }
  if (mount("overlay", p->rootfs, "overlay", 0, p->ovldata) != 0) helper_fail(sock, "mount overlay on %s: %s", p->rootfs, errno);
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, p->rootfs, OPEN_TREE_CLONE | O_CLOEXEC);
  if (tree < 0) helper_fail(sock, "overlay: open_tree %s: %s", p->rootfs, errno);
  if (fd_send(sock, "M\n", 2, tree) != 0) helper_fail(sock, "overlay: send%s: %s", "", errno);
  _exit(0);
}

static int build_overlay(const struct plan *p, pid_t child, char *err, size_t len) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)child);
  int userns_fd = open(path, O_RDONLY | O_CLOEXEC);
  if (userns_fd < 0) { snprintf(err, len, "open %s: %s", path, strerror(errno)); return -1; }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) { snprintf(err, len, "socketpair: %s", strerror(errno)); close(userns_fd); return -1; }
  pid_t h = fork();
  if (h < 0) { snprintf(err, len, "fork: %s", strerror(errno)); close(userns_fd); close(sv[0]); close(sv[1]); return -1; }
  if (h == 0) { close(sv[0]); overlay_helper(p, userns_fd, sv[1]); }
  close(sv[1]);
  close(userns_fd);
  char msg[1024];
  int fd = -1;
  ssize_t n = fd_recv_line(sv[0], msg, sizeof(msg), &fd);
  close(sv[0]);
  int ws;
  while (waitpid(h, &ws, 0) < 0 && errno == EINTR) {}
  if (n > 0 && msg[0] == 'M' && fd >= 0) return fd;
  if (fd >= 0) close(fd);
  snprintf(err, len, "%s", n > 0 && msg[0] == 'E' ? msg + 1 : "overlay: the helper process died");
  return -1;
}

int userns_parent(const struct plan *p, pid_t child, int sync, char *err, size_t len) {
  if (write_map(child, "uid_map", p->uidmap) != 0) { snprintf(err, len, "write uid_map: %s", strerror(errno)); return -1; }
  if (write_map(child, "gid_map", p->gidmap) != 0) { snprintf(err, len, "write gid_map: %s", strerror(errno)); return -1; }
  int fd = -1;
  if (p->ovldata && (fd = build_overlay(p, child, err, len)) < 0) return -1;
  int r = fd_send(sync, "M\n", 2, fd);
  if (r != 0) snprintf(err, len, "userns: tell the container: %s", strerror(errno));
  if (fd >= 0) close(fd);
  return r;
}

int userns_child_wait(struct plan *p, int sync) {
  char msg[8];
  int fd = -1;
  ssize_t n = fd_recv_line(sync, msg, sizeof(msg), &fd);
  if (n <= 0 || msg[0] != 'M') { errno = n < 0 ? errno : EPIPE; return -1; }
  p->ovlfd = fd;
  return 0;
}

int userns_attach_root(const struct plan *p) {
  return (int)syscall(SYS_move_mount, p->ovlfd, "", AT_FDCWD, p->rootfs, MOVE_MOUNT_F_EMPTY_PATH);
}
