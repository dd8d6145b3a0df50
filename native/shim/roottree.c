/* nscope-shim root-tree PID TARGET: a running container's root filesystem
 * alone (its overlay, none of the mounts over it: /proc, /dev, volumes,
 * /etc/hosts) mounted read-only at TARGET in our own mount namespace, for
 * `nscope export` of a running container. The overlay is cloned inside the
 * container's mount namespace (open_tree OPEN_TREE_CLONE without
 * AT_RECURSIVE: that mount only), then attached here (move_mount). A mount
 * namespace can only be entered by a single-threaded process: this one. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


static int fail(const char *step, const char *what) {
  fprintf(stderr, "nscope-shim root-tree: %s %s: %s\n", step, what, strerror(errno));
  return 1;
}

int root_tree_main(const char *pid, const char *target) {
  char ns[64];
  if (strspn(pid, "0123456789") != strlen(pid) || strlen(pid) > 10) { errno = EINVAL; return fail("pid", pid); }
  snprintf(ns, sizeof(ns), "/proc/%s/ns/mnt", pid);
  int theirs = open(ns, O_RDONLY | O_CLOEXEC);
  if (theirs < 0) return fail("open", ns);
  int ours = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (ours < 0) return fail("open", "/proc/self/ns/mnt");
  if (setns(theirs, CLONE_NEWNS) != 0) return fail("setns", ns);
  /* setns made the namespace's root (the container's, after its pivot_root) our "/" */
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | O_CLOEXEC);
  if (tree < 0) return fail("open_tree", "/");
  struct mount_attr_args a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &a, sizeof(a)) != 0) return fail("mount_setattr", "(read-only)");
  if (setns(ours, CLONE_NEWNS) != 0) return fail("setns", "/proc/self/ns/mnt");
  if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0) return fail("move_mount", target);
  return 0;
}
