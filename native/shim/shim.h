/* nscope-shim: the per-container monitor and container init set-up.
 *
 * The daemon (or nscope-runtime) writes a "plan" — a flat list of operations
 * derived from the OCI runtime spec by helper/runtime/plan.ts — and spawns
 * this small single-threaded program. It clones the container's first
 * process into new namespaces, where the operations run in order (mounts,
 * pivot_root, devices, credentials, capabilities) before execve. The shim
 * stays as the container init's parent: it copies stdout/stderr to a
 * json-file log and records the exit status in a file, so the daemon can be
 * killed and restarted without losing a container (the conmon pattern).
 *
 * Plan file format: NUL-terminated strings; each operation is its name
 * followed by a fixed number of arguments (see plan.c). No JavaScript ever
 * runs in the child, and every failure is reported as "step: strerror".
 */
#ifndef NSCOPE_SHIM_H
#define NSCOPE_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_OPS 4096

/* The new mount API (open_tree, move_mount, mount_setattr: Linux 5.2/5.12),
 * where the C library's headers predate it: userns.c and roottree.c */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
struct mount_attr_args { uint64_t attr_set, attr_clr, propagation, userns_fd; };

struct op {
  const char *name;
  int argc;
  const char *argv[6];
};

struct plan {
  char *buf;            /* owns every string */
  struct op ops[MAX_OPS];
  int nops;
  /* monitor-level settings */
  unsigned long clone_flags;
  const char *joinpid;
  const char *logfile;  /* NULL: the container inherits the shim's stdio */
  long long logmax;     /* --log-opt max-size: rotate before the log passes it (0: never) */
  int logfiles;         /* --log-opt max-file: files kept, the live one included (1: truncated instead) */
  const char *exitfile;
  const char *pidfile;
  const char *fifo;
  const char *rootfs;
  /* exec: the container init's pid whose namespaces are joined */
  const char *target;
  int tty, rows, cols, interactive;
  /* fds 3..3+preserve-1 reach the process (runc's --preserve-fds) */
  int preserve;
  /* a status line "pid PID" as soon as the init exists, before its set-up:
   * nscope-runtime's create writes what needs the pid meanwhile */
  int earlypid;
  /* containers with a console or stdin: the attach socket and control fifo */
  const char *attach;
  const char *ctl;
  /* runc's --console-socket: where the console's pty master goes */
  const char *consolesocket;
  /* seccomp: where the compiled filter is cached, and the program itself */
  const char *seccompcache;
  void *bpf;
  size_t bpf_len;
  unsigned sc_flags;
  /* a user namespace of its own: the maps the shim writes, and the overlay
   * it builds (idmapped layers) for the child, which gets it as ovlfd */
  const char *uidmap;
  const char *gidmap;
  const char *ovlbase;
  const char *ovldata;
  const char *idmap[256];
  int nidmap;
  int ovlfd;
  /* OCI prestart/createRuntime hooks (nscope-runtime): a fifo the runtime
   * holds open; the init stops at "hookpoint" until the runtime's byte on it */
  const char *hooksync;
  int hooksyncfd;
  /* no monitor (nscope-runtime create, as runc): exit once the container is
   * created; its init is inherited by the caller's subreaper. For exec (runc
   * exec --detach): report "ok PID" once the execve is done, and exit. */
  int detach;
};

/* plan.c */
int plan_load(const char *file, struct plan *p, char *err, size_t errlen);

/* exec.c: `nscope-shim exec PLANFILE` */
int exec_main(const char *planfile);
/* roottree.c: a running container's overlay alone, read-only, at TARGET here (export) */
int root_tree_main(const char *pid, const char *target);

/* child.c: runs in the cloned child; never returns on success (execve). */
void child_main(struct plan *p, int errfd);

/* hooks.c: the hook of the plan's operation k (hook, cchook), run by the init; -1 and a message naming `stage` on a failure */
int run_hook(const struct plan *p, int k, const char *stage, char *err, size_t len);
/* hooks.c: the plan's startContainer hooks, run by the init after `start` */
int run_start_hooks(const struct plan *p, char *err, size_t len);

/* preserve.c: --preserve-fds N, in the started process: fds 3 and 4 closed, 5..5+N-1 moved to 3..3+N-1 (or a death told on errfd) */
void preserve_fds_down(int n, int errfd);

/* fdpass.c: a descriptor and a short payload over a Unix socket (SCM_RIGHTS) */
int fd_send(int sock, const char *payload, size_t len, int fd);
ssize_t fd_recv_line(int sock, char *buf, size_t len, int *fd);

/* userns.c: the shim's part (maps, overlay) after clone, and the child's */
int userns_parent(const struct plan *p, pid_t child, int sync, char *err, size_t len);
int userns_child_wait(struct plan *p, int sync);
int userns_attach_root(const struct plan *p);

/* sockaddr.c: a Unix socket address for any path length; *dirfd (or -1) to close after bind/connect */
struct sockaddr_un;
int unix_sockaddr(const char *path, struct sockaddr_un *addr, int *dirfd);

/* fsutil.c */
int open_in_root(int rootfd, const char *path, int flags, int resolve_extra);
int mkdir_in_root(int rootfd, const char *path, mode_t mode);
int write_file(const char *path, const char *data, size_t len);
int copy_tree(int from, int to, int depth);
int write_file_atomic(const char *path, const char *data, size_t len);

/* seccomp.c: the filter of the plan's seccomp* operations, compiled (or read
 * from the cache) by the shim before clone/fork, loaded by the child */
int sc_prepare(struct plan *p, char *err, size_t len);
int sc_load(const struct plan *p, char *err, size_t len);

/* logjson.c */
struct logstream {
  const char *name;     /* "stdout" / "stderr" */
  char buf[16384];
  size_t len;
};
void log_feed(struct logstream *s, int logfd, const char *data, size_t len, int flush);
/* Rotation of the log open on `fd` (`path`): before a line would take it past `max` bytes,
 * path.N-1 -> path.N … path -> path.1 and a new path on the same fd number (files > 1), or
 * the file truncated (files == 1). max 0: never. */
void log_rotation(int fd, const char *path, long long max, int files);

/* attach.c: the container's attach socket (run -it / attach) and its control fifo */
#define MAX_ATTACH 8
struct attach {
  int listen_fd;
  int clients[MAX_ATTACH];
  int client_in[MAX_ATTACH]; /* 1 while the client may still send input */
  int tty;
  int input_fd;   /* where clients' bytes go: the pty master or the stdin pipe; -1 none */
  int ctl_fd;     /* "r ROWS COLS" lines */
  int pty_fd;     /* pty master, for resizes */
};
int attach_listen(struct attach *a, const char *path);
/* console.c: sends the pty master over SCM_RIGHTS to the socket at `path`
 * (console_send), or in two steps: connect, then send on that socket */
int console_send(const char *path, int master);
int console_connect(const char *path);
int console_send_fd(int sock, int master);
void attach_accept(struct attach *a);
void attach_output(struct attach *a, int stream, const char *data, size_t len);
void attach_input(struct attach *a, int client_index);
void attach_control(struct attach *a);
void attach_close_all(struct attach *a);
void iso_time(char *out, size_t len);

#endif
