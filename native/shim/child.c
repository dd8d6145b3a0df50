/* The container's first process, between clone() and execve(): runs the
 * plan's operations in order. Any failure is written to the error pipe as
 * "step: strerror" and the child exits; the shim relays that line. */

#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <net/if.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int g_errfd = -1;
/* what the process exits with if it dies before its program runs: 127 as a
 * shell's "not found", 126 for a program found but not runnable (Docker's codes) */
static int g_die_status = 127;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...) {
  char msg[1024];
  msg[0] = 'E';
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg + 1, sizeof(msg) - 2, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  size_t len = strlen(msg);
  for (size_t i = 1; i < len; i++) if (msg[i] == '\n') msg[i] = ' ';
  msg[len++] = '\n';
  /* the shim may be gone (no monitor): no SIGPIPE for that; exec's is a pipe */
  if (send(g_errfd, msg, len, MSG_NOSIGNAL) < 0 && errno == ENOTSOCK && write(g_errfd, msg, len) < 0) { /* nobody to tell */ }
  _exit(g_die_status);
}

#define CHECK(expr, ...) do { if ((expr) < 0) die(__VA_ARGS__); } while (0)

static unsigned long num(const char *s) { return strtoul(s, NULL, 0); }

static void reset_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < NSIG; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    signal(s, SIG_DFL);
  }
}

/* Waiting for `start` the init is its pid namespace's init, which the kernel
 * gives no signal it has no handler for: `kill ID TERM` of a created container
 * would do nothing. runc's init, a Go program, dies of the signals Go exits on
 * (HUP, INT, TERM, QUIT and the faults) and outlives the others (USR1, ALRM,
 * real-time, ...): the same here; execve puts the defaults back. */
static void die_of_signal(int sig) { _exit(128 + sig); }

static void fatal_signals_end_init(void) {
  static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGTERM, SIGSYS, SIGSTKFLT };
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = die_of_signal;
  sigfillset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) sigaction(fatal[i], &sa, NULL);
}

/* Mount one entry of the spec on a target resolved inside the rootfs. */
static void do_mount(int rootfd, const char *src, const char *dst, const char *type,
                     unsigned long flags, const char *data, const char *kind) {
  const char *fstype = *type ? type : NULL;
  const char *opts = *data ? data : NULL;
  /* Create the mount point: a file for a bind of a file, else a directory. */
  int is_file = kind[0] == 'f';
  if (kind[0] == '-' && (flags & MS_BIND)) {
    struct stat st;
    if (stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) is_file = 1;
  }
  if (is_file) {
    char parent[4096];
    snprintf(parent, sizeof(parent), "%s", dst);
    char *slash = strrchr(parent, '/');
    if (slash) { *slash = '\0'; CHECK(mkdir_in_root(rootfd, parent, 0755), "mkdir %s: %s", parent, strerror(errno)); }
    /* an existing file is only looked up, never opened for writing: it may be on a
     * read-only file system (sysfs, for lxcfs's cpu/online), and opening it would copy
     * it up into the rw layer (/etc/hosts of the init layer, bind-mounted over) */
    int f = open_in_root(rootfd, dst, O_PATH, 0);
    if (f < 0) f = open_in_root(rootfd, dst, O_CREAT | O_WRONLY, 0);
    if (f < 0 && errno != EISDIR) die("create mount point %s: %s", dst, strerror(errno));
    if (f >= 0) close(f);
  } else {
    CHECK(mkdir_in_root(rootfd, dst, 0755), "mkdir %s: %s", dst, strerror(errno));
  }
  int tfd = open_in_root(rootfd, dst, O_PATH, 0);
  if (tfd < 0) die("open mount point %s: %s", dst, strerror(errno));
  char target[64];
  snprintf(target, sizeof(target), "/proc/self/fd/%d", tfd);
  unsigned long prop = flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE);
  unsigned long base = flags & ~(prop | MS_REC);
  if (flags & MS_BIND) {
    CHECK(mount(src, target, NULL, MS_BIND | (flags & MS_REC), NULL), "mount %s on %s: %s", src, dst, strerror(errno));
    /* the fd still names the covered directory: reopen to reach the new mount */
    close(tfd);
    tfd = open_in_root(rootfd, dst, O_PATH, 0);
    if (tfd < 0) die("open mount point %s: %s", dst, strerror(errno));
    snprintf(target, sizeof(target), "/proc/self/fd/%d", tfd);
    /* A bind mount ignores other flags: apply them with a remount. */
    unsigned long extra = base & ~MS_BIND;
    if (extra) {
      struct statvfs sv;
      unsigned long keep = 0;
      if (statvfs(target, &sv) == 0) {
        if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
      }
      CHECK(mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | extra | keep, NULL), "remount %s: %s", dst, strerror(errno));
    }
  } else {
    /* tmpcopyup: what the image has there is copied into the new tmpfs */
    int below = kind[0] == 'c' ? open_in_root(rootfd, dst, O_RDONLY | O_DIRECTORY, 0) : -1;
    if (kind[0] == 'c' && below < 0) die("tmpcopyup %s: open: %s", dst, strerror(errno));
    CHECK(mount(src, target, fstype, base, opts), "mount %s on %s: %s", fstype ? fstype : src, dst, strerror(errno));
    if (below >= 0) {
      int above = open_in_root(rootfd, dst, O_RDONLY | O_DIRECTORY, 0);
      if (above < 0 || copy_tree(below, above, 0) != 0) die("tmpcopyup %s: %s", dst, strerror(errno));
      close(above);
      close(below);
    }
    if (prop) {
      close(tfd);
      tfd = open_in_root(rootfd, dst, O_PATH, 0);
      if (tfd < 0) die("open mount point %s: %s", dst, strerror(errno));
      snprintf(target, sizeof(target), "/proc/self/fd/%d", tfd);
    }
  }
  if (prop) CHECK(mount(NULL, target, NULL, prop | (flags & MS_REC), NULL), "mount propagation %s: %s", dst, strerror(errno));
  close(tfd);
}

/* The console: a pty from the container's own /dev/pts becomes the init's
 * controlling terminal and stdio; its master goes to the shim (SCM_RIGHTS). */
static void do_console(struct plan *p, int errfd) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) die("console: open /dev/ptmx: %s", strerror(errno));
  if (unlockpt(master) != 0) die("console: unlockpt: %s", strerror(errno));
  char name[128];
  if (ptsname_r(master, name, sizeof(name)) != 0) die("console: ptsname: %s", strerror(errno));
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) die("console: open %s: %s", name, strerror(errno));
  if (p->rows > 0 && p->cols > 0) {
    struct winsize ws = {.ws_row = (unsigned short)p->rows, .ws_col = (unsigned short)p->cols};
    ioctl(slave, TIOCSWINSZ, &ws);
  }
  CHECK(setsid(), "console: setsid: %s", strerror(errno));
  CHECK(ioctl(slave, TIOCSCTTY, 0), "console: TIOCSCTTY: %s", strerror(errno));
  for (int fd = 0; fd < 3; fd++) CHECK(dup2(slave, fd), "console: dup2: %s", strerror(errno));
  close(slave);
  if (fd_send(errfd, "T\n", 2, master) != 0) die("console: send pty: %s", strerror(errno));
  close(master);
}

/* pivot_root into rootfs; when the kernel refuses (rootfs on the initramfs),
 * move the mount onto / and chroot, as runc's no-pivot mode does. */
static const char *do_pivot(int rootfd, int allow_chroot) {
  CHECK(fchdir(rootfd), "chdir rootfs: %s", strerror(errno));
  if (syscall(SYS_pivot_root, ".", ".") == 0) {
    /* The old root is now stacked under "."; detach it. */
    CHECK(mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL), "pivot_root: make old root slave: %s", strerror(errno));
    CHECK(umount2(".", MNT_DETACH), "pivot_root: umount old root: %s", strerror(errno));
    CHECK(chdir("/"), "chdir /: %s", strerror(errno));
    return "pivot_root";
  }
  int e = errno;
  if (!allow_chroot || e != EINVAL) die("pivot_root: %s", strerror(e));
  CHECK(mount(".", "/", NULL, MS_MOVE, NULL), "chroot fallback: move rootfs: %s", strerror(errno));
  CHECK(chroot("."), "chroot: %s", strerror(errno));
  CHECK(chdir("/"), "chdir /: %s", strerror(errno));
  return "chroot";
}

static void do_mask(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return;  /* nothing to hide */
  if (S_ISDIR(st.st_mode)) {
    CHECK(mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0"), "mask %s: %s", path, strerror(errno));
  } else {
    CHECK(mount("/dev/null", path, NULL, MS_BIND, NULL), "mask %s: %s", path, strerror(errno));
  }
}

static void do_readonly(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return;
  CHECK(mount(path, path, NULL, MS_BIND | MS_REC, NULL), "readonly %s: %s", path, strerror(errno));
  struct statvfs sv;
  unsigned long keep = 0;
  if (statvfs(path, &sv) == 0) {
    if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
  }
  CHECK(mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC | keep, NULL), "readonly remount %s: %s", path, strerror(errno));
}

/* rlimits: this host (and many CI/containers) lacks CAP_SYS_RESOURCE, so a
 * hard limit above the current one cannot be set. Clamp to what we have
 * rather than fail the container, as the user asked for "at most". */
static void do_rlimit(const char *res, const char *soft, const char *hard) {
  struct rlimit want = {
    .rlim_cur = strcmp(soft, "-1") ? (rlim_t)strtoull(soft, NULL, 0) : RLIM_INFINITY,
    .rlim_max = strcmp(hard, "-1") ? (rlim_t)strtoull(hard, NULL, 0) : RLIM_INFINITY,
  };
  int r = (int)num(res);
  if (setrlimit(r, &want) == 0) return;
  if (errno != EPERM) die("setrlimit %s: %s", res, strerror(errno));
  struct rlimit cur;
  if (getrlimit(r, &cur) != 0) return;
  if (want.rlim_max > cur.rlim_max) want.rlim_max = cur.rlim_max;
  if (want.rlim_cur > want.rlim_max) want.rlim_cur = want.rlim_max;
  (void)setrlimit(r, &want);
}

/* A new network namespace starts with lo down; up, as runc does (Docker's --network none has it). */
static void do_lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket for lo: %s", strerror(errno));
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
  CHECK(ioctl(s, SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS lo: %s", strerror(errno));
  ifr.ifr_flags |= IFF_UP;
  CHECK(ioctl(s, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS lo: %s", strerror(errno));
  close(s);
}

static void do_sysctl(const char *key, const char *value) {
  char path[512] = "/proc/sys/";
  size_t o = strlen(path);
  for (const char *k = key; *k && o < sizeof(path) - 1; k++) path[o++] = *k == '.' ? '/' : *k;
  path[o] = '\0';
  CHECK(write_file(path, value, strlen(value)), "sysctl %s: %s", key, strerror(errno));
}

static void do_setuid(const char *uid, const char *gid) {
  uid_t u = (uid_t)num(uid);
  gid_t g = (gid_t)num(gid);
  CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS): %s", strerror(errno));
  CHECK(setresgid(g, g, g), "setgid %u: %s", g, strerror(errno));
  CHECK(setresuid(u, u, u), "setuid %u: %s", u, strerror(errno));
  CHECK(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS): %s", strerror(errno));
}

static void do_setgroups(const char *csv) {
  gid_t groups[256];
  size_t n = 0;
  for (const char *p = csv; *p && n < 256;) {
    char *end;
    groups[n++] = (gid_t)strtoul(p, &end, 10);
    p = *end == ',' ? end + 1 : end;
    if (end == p && *p) break;
  }
  CHECK(setgroups(n, groups), "setgroups: %s", strerror(errno));
}

static int capset_raw(uint64_t eff, uint64_t perm, uint64_t inh) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
    {(uint32_t)eff, (uint32_t)perm, (uint32_t)inh},
    {(uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32)},
  };
  return (int)syscall(SYS_capset, &hdr, data);
}

static int last_cap(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  cached = 40;
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  if (f) { if (fscanf(f, "%d", &cached) != 1) cached = 40; fclose(f); }
  return cached;
}

/* Bounding set first (needs CAP_SETPCAP, still ours), then the process's
 * sets, then ambient (each ambient cap must be permitted+inheritable). */
static void do_caps(const char *b, const char *e, const char *p, const char *i, const char *a) {
  uint64_t bound = strtoull(b, NULL, 16), eff = strtoull(e, NULL, 16), perm = strtoull(p, NULL, 16);
  uint64_t inh = strtoull(i, NULL, 16), amb = strtoull(a, NULL, 16);
  int last = last_cap();
  /* After setuid to non-root with keepcaps the effective set is empty. */
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct cur[2];
  CHECK(syscall(SYS_capget, &hdr, cur), "capget: %s", strerror(errno));
  uint64_t have = (uint64_t)cur[0].permitted | ((uint64_t)cur[1].permitted << 32);
  CHECK(capset_raw(have, have, 0), "capset: %s", strerror(errno));
  /* Capabilities this host does not give us (e.g. CAP_SYS_RESOURCE missing
   * from the bounding set here) cannot be granted: --privileged means "all
   * we have", as with Docker. */
  eff &= have;
  perm &= have;
  inh &= have;
  amb &= perm & inh;
  for (int c = 0; c <= last; c++) {
    if (bound & (1ULL << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) die("prctl(PR_CAPBSET_DROP, %d): %s", c, strerror(errno));
  }
  CHECK(capset_raw(eff & perm, perm, inh), "capset: %s", strerror(errno));
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) die("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %s", strerror(errno));
  for (int c = 0; c <= last; c++) {
    if (!(amb & (1ULL << c))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0) die("prctl(PR_CAP_AMBIENT_RAISE, %d): %s", c, strerror(errno));
  }
}

/* execvp's lookup, but with the container's PATH rather than the shim's. */
static const char *find_program(const char *prog, char *const envp[], char *out, size_t outlen) {
  if (strchr(prog, '/')) {
    int err = access(prog, X_OK) != 0 ? errno : 0;
    /* a directory passes access(X_OK) yet execve refuses it: said now, as runc's
     * lookup does, so that it is `start` that fails and not the program's run */
    struct stat st;
    if (!err && stat(prog, &st) == 0 && S_ISDIR(st.st_mode)) err = EACCES;
    if (err) {
      if (err != ENOENT && err != ENOTDIR) g_die_status = 126;
      die("exec: %s: %s", prog, strerror(err));
    }
    return prog;
  }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char *const *e = envp; *e; e++) if (!strncmp(*e, "PATH=", 5)) path = *e + 5;
  int saw_eacces = 0;
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    size_t dl = colon ? (size_t)(colon - p) : strlen(p);
    snprintf(out, outlen, "%.*s%s%s", (int)dl, p, dl ? "/" : "", prog);
    struct stat st;
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(out, X_OK) == 0) return out;
      saw_eacces = 1;
    }
    if (!colon) break;
    p = colon + 1;
  }
  if (saw_eacces) g_die_status = 126;
  die("exec: \"%s\": %s", prog, saw_eacces ? "permission denied" : "executable file not found in $PATH");
}

/* In a user namespace of its own the child still has the host's ids (kuid 0,
 * unmapped there) until now: it opens what it needs from the host while it
 * can (bind-mount sources below 0700 directories), then becomes the
 * namespace's root, so every file it creates from here (mount points, /dev)
 * is owned by the container's root. */
static void become_userns_root(const struct plan *p, int from, int *bindfd) {
  for (int k = from + 1; k < p->nops; k++) {
    const struct op *o = &p->ops[k];
    if (strcmp(o->name, "mount") || !(num(o->argv[3]) & MS_BIND) || o->argv[0][0] != '/') continue;
    bindfd[k] = open(o->argv[0], O_PATH | O_CLOEXEC);
    if (bindfd[k] < 0) die("open bind source %s: %s", o->argv[0], strerror(errno));
  }
  CHECK(setgroups(0, NULL), "setgroups: %s", strerror(errno));
  CHECK(setresgid(0, 0, 0), "setgid 0 in the user namespace: %s", strerror(errno));
  CHECK(setresuid(0, 0, 0), "setuid 0 in the user namespace: %s", strerror(errno));
}

void child_main(struct plan *p, int errfd) {
  g_errfd = errfd;
  /* Until execve this process runs the host's nscope-shim: non-dumpable, its
   * /proc/PID/exe (and mem, fds) cannot be opened from inside the container
   * (the CVE-2019-5736 pattern). execve makes the container's program dumpable. */
  CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
  reset_signals();
  /* The container inherits nothing of the shim but stdio (and the fds the
   * caller asked to preserve, 3..3+N-1): every other fd becomes
   * close-on-exec (the error pipe closes at execve, which is how the shim
   * learns the exec succeeded). */
  syscall(SYS_close_range, 3 + (unsigned)p->preserve, ~0U, CLOSE_RANGE_CLOEXEC);

  /* A user namespace of its own: nothing before the shim has mapped it. */
  if (p->uidmap && userns_child_wait(p, errfd) != 0) die("wait for the user namespace's maps: %s", strerror(errno));

  int fifofd = -1;
  if (p->fifo) {
    fifofd = open(p->fifo, O_PATH | O_CLOEXEC);
    if (fifofd < 0) die("open exec fifo: %s", strerror(errno));
  }
  int rootfd = -1;
  static int bindfd[MAX_OPS];
  for (int k = 0; k < p->nops; k++) bindfd[k] = -1;
  const char *method = "none";
  char *argv[1024];
  char *envp[1024];
  int argc = 0, envc = 0;
  int seccomp_late = 0, seccomp_ready = 0;
  int lazy_exec = 0;
  char scerr[512];

  for (int k = 0; k < p->nops; k++) {
    struct op *o = &p->ops[k];
    const char *n = o->name;
    const char *const *a = o->argv;
    if (!strcmp(n, "join")) {
      int fd = open(a[1], O_RDONLY | O_CLOEXEC);
      if (fd < 0) die("open namespace %s: %s", a[1], strerror(errno));
      CHECK(setns(fd, (int)num(a[0])), "setns %s: %s", a[1], strerror(errno));
      close(fd);
    } else if (!strcmp(n, "cgroup")) {
      if (p->target) continue; /* exec: joined through fds opened before setns */
      CHECK(write_file(a[0], "0", 1), "join cgroup %s: %s", a[0], strerror(errno));
    } else if (!strcmp(n, "unshare")) {
      CHECK(unshare((int)num(a[0])), "unshare: %s", strerror(errno));
    } else if (!strcmp(n, "propagation")) {
      CHECK(mount(NULL, "/", NULL, num(a[0]), NULL), "make / private: %s", strerror(errno));
    } else if (!strcmp(n, "chdirhost")) {
      CHECK(chdir(a[0]), "chdir %s: %s", a[0], strerror(errno));
    } else if (!strcmp(n, "mountroot")) {
      const char *src = a[0], *type = a[1], *data = a[3];
      unsigned long flags = num(a[2]);
      if (flags & MS_BIND) CHECK(mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL), "bind rootfs %s: %s", p->rootfs, strerror(errno));
      else CHECK(mount(src, p->rootfs, type, flags, *data ? data : NULL), "mount %s rootfs: %s", type, strerror(errno));
      rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0) die("open rootfs %s: %s", p->rootfs, strerror(errno));
    } else if (!strcmp(n, "mountfd")) {
      CHECK(userns_attach_root(p), "move the overlay onto %s: %s", p->rootfs, strerror(errno));
      rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0) die("open rootfs %s: %s", p->rootfs, strerror(errno));
    } else if (!strcmp(n, "userroot")) {
      become_userns_root(p, k, bindfd);
    } else if (!strcmp(n, "mount")) {
      if (rootfd < 0) die("mount %s: rootfs not mounted", a[1]);
      char src[64];
      if (bindfd[k] >= 0) snprintf(src, sizeof(src), "/proc/self/fd/%d", bindfd[k]);
      do_mount(rootfd, bindfd[k] >= 0 ? src : a[0], a[1], a[2], num(a[3]), a[4], a[5]);
      if (bindfd[k] >= 0) { close(bindfd[k]); bindfd[k] = -1; }
    } else if (!strcmp(n, "hookpoint")) {
      /* the mounts are made, the old root still here: the runtime runs the prestart and
       * createRuntime hooks now (runc's procHooks) and writes one byte when they passed */
      if (p->hooksyncfd < 0) die("hookpoint: no hook fifo");
      if (write(errfd, "H\n", 2) != 2) _exit(127);
      char go = 0;
      ssize_t r;
      do r = read(p->hooksyncfd, &go, 1); while (r < 0 && errno == EINTR);
      close(p->hooksyncfd);
      if (r != 1 || go != '1') die("the prestart or createRuntime hooks failed");
    } else if (!strcmp(n, "cchook")) {
      if (run_hook(p, k, "createContainer", scerr, sizeof(scerr)) != 0) die("%s", scerr);
    } else if (!strcmp(n, "pivot")) {
      if (rootfd < 0) die("pivot_root: rootfs not mounted");
      method = do_pivot(rootfd, a[0][0] == '1');
    } else if (!strcmp(n, "mknod")) {
      mode_t mode = (mode_t)num(a[1]);
      unlink(a[0]);
      CHECK(mknod(a[0], mode, makedev(num(a[2]), num(a[3]))), "mknod %s: %s", a[0], strerror(errno));
      CHECK(chmod(a[0], mode & 07777), "chmod %s: %s", a[0], strerror(errno));
    } else if (!strcmp(n, "chown")) {
      /* a node of linux.devices with an owner: lchown, a link planted there is not followed */
      CHECK(lchown(a[0], (uid_t)num(a[1]), (gid_t)num(a[2])), "chown %s: %s", a[0], strerror(errno));
    } else if (!strcmp(n, "symlink")) {
      if (symlink(a[0], a[1]) != 0 && errno != EEXIST) die("symlink %s: %s", a[1], strerror(errno));
    } else if (!strcmp(n, "mkdir")) {
      if (mkdir(a[0], (mode_t)num(a[1])) != 0 && errno != EEXIST) die("mkdir %s: %s", a[0], strerror(errno));
    } else if (!strcmp(n, "console")) {
      do_console(p, errfd);
    } else if (!strcmp(n, "mask")) {
      do_mask(a[0]);
    } else if (!strcmp(n, "readonly")) {
      do_readonly(a[0]);
    } else if (!strcmp(n, "rootro")) {
      CHECK(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), "remount / read-only: %s", strerror(errno));
    } else if (!strcmp(n, "loup")) {
      do_lo_up();
    } else if (!strcmp(n, "hostname")) {
      CHECK(sethostname(a[0], strlen(a[0])), "sethostname: %s", strerror(errno));
    } else if (!strcmp(n, "domainname")) {
      CHECK(setdomainname(a[0], strlen(a[0])), "setdomainname: %s", strerror(errno));
    } else if (!strcmp(n, "sysctl")) {
      do_sysctl(a[0], a[1]);
    } else if (!strcmp(n, "rlimit")) {
      do_rlimit(a[0], a[1], a[2]);
    } else if (!strcmp(n, "oomscore")) {
      /* below the helper's own value needs CAP_SYS_RESOURCE, which some hosts keep out of every bounding set */
      CHECK(write_file("/proc/self/oom_score_adj", a[0], strlen(a[0])), "oom_score_adj %s: %s%s", a[0], strerror(errno),
            errno == EACCES ? " (a value below the helper's own needs CAP_SYS_RESOURCE, which this host does not give)" : "");
    } else if (!strcmp(n, "cwd")) {
      /* an exec'd process: its working directory must be there (runc's exec does not make it) */
      CHECK(chdir(a[0]), "chdir to cwd (\"%s\") set in config.json failed: %s", a[0], strerror(errno));
    } else if (!strcmp(n, "chdir")) {
      if (chdir(a[0]) != 0) {
        /* Like runc: a missing working directory is created. */
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", a[0]);
        for (char *s = buf + 1; *s; s++) if (*s == '/') { *s = '\0'; mkdir(buf, 0755); *s = '/'; }
        mkdir(buf, 0755);
        CHECK(chdir(a[0]), "chdir %s: %s", a[0], strerror(errno));
      }
    } else if (!strcmp(n, "setgroups")) {
      do_setgroups(a[0]);
    } else if (!strcmp(n, "setuid")) {
      do_setuid(a[0], a[1]);
    } else if (!strcmp(n, "caps")) {
      do_caps(a[0], a[1], a[2], a[3], a[4]);
    } else if (!strcmp(n, "nonewprivs")) {
      CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
    } else if (!strcmp(n, "umask")) {
      umask((mode_t)num(a[0]));
    } else if (!strcmp(n, "keyring")) {
      /* a new anonymous session keyring; a kernel without keys has nothing to hide */
      if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
        die("keyctl(KEYCTL_JOIN_SESSION_KEYRING): %s", strerror(errno));
    } else if (!strncmp(n, "seccomp", 7) && strcmp(n, "seccompload")) {
      continue; /* compiled by the shim before clone (sc_prepare) */
    } else if (!strcmp(n, "seccompload")) {
      if (a[0][0] == '1') seccomp_late = 1;
      else if (a[0][0] == '2') seccomp_ready = 1;
      else if (sc_load(p, scerr, sizeof(scerr)) != 0) die("%s", scerr);
    } else if (!strcmp(n, "env")) {
      if (envc < 1023) envp[envc++] = (char *)a[0];
    } else if (!strcmp(n, "arg")) {
      if (argc < 1023) argv[argc++] = (char *)a[0];
    } else if (!strcmp(n, "lazyexec")) {
      lazy_exec = 1;
    }
  }
  argv[argc] = NULL;
  envp[envc] = NULL;
  if (argc == 0) die("exec: no command given");
  char pathbuf[4096];
  /* lazyexec (a container made only to copy files into and commit, e.g. on a
   * FROM scratch image with no shell): the command is looked up at `start`,
   * as Docker does, so that create succeeds on a rootfs without it. */
  const char *prog = lazy_exec ? NULL : find_program(argv[0], envp, pathbuf, sizeof(pathbuf));

  /* Set-up done: tell the shim, then wait for `start` (a reader on the fifo). */
  char ready[64];
  int rl = snprintf(ready, sizeof(ready), "R%s\n", method);
  if (write(errfd, ready, rl) != rl) _exit(127);
  /* The filter allows what is left (helper/security/seccomp-oci.ts): loaded
   * now, while the daemon answers and `start` comes, not after it. */
  if (seccomp_ready && sc_load(p, scerr, sizeof(scerr)) != 0) die("%s", scerr);
  if (fifofd >= 0) {
    fatal_signals_end_init();
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fifofd);
    int w = open(link, O_WRONLY | O_CLOEXEC);
    if (w < 0) die("open exec fifo: %s", strerror(errno));
    if (write(w, "0", 1) != 1) die("write exec fifo: %s", strerror(errno));
    /* w stays open until execve closes it (O_CLOEXEC): the reader's end-of-file
     * tells `start` the command runs now (or the exec failed and we exited). */
    close(fifofd);
  }
  /* startContainer hooks: here, once `start` has let us go, before the program (runc's order);
   * said on the container's stderr too, where its logs show why it never ran */
  if (run_start_hooks(p, scerr, sizeof(scerr)) != 0) {
    dprintf(2, "%s\n", scerr);
    die("%s", scerr);
  }
  /* no_new_privs: the filter is the last thing before execve */
  if (!prog) prog = find_program(argv[0], envp, pathbuf, sizeof(pathbuf));
  if (seccomp_late && sc_load(p, scerr, sizeof(scerr)) != 0) die("%s", scerr);
  execve(prog, argv, envp);
  if (errno != ENOENT && errno != ENOTDIR) g_die_status = 126; /* a directory, no exec bit, a bad format */
  die("exec: %s: %s", argv[0], strerror(errno));
}
