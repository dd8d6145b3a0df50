/* nscope-shim exec PLANFILE: a process entering a running container, what
 * `nsenter` + runc exec do. The plan names the container init's pid; every
 * namespace fd and cgroup.procs file is opened first, then joined (mount
 * last), and the shim forks so the child lands in the PID namespace. With a
 * TTY the pty is allocated inside the container's /dev/pts, and the shim
 * relays it to its stdin/stdout, or (runc's --console-socket) sends its
 * master to a socket and keeps no copy; fd 4 carries control lines from the
 * helper ("r ROWS COLS" to resize, "k SIG" to signal). Status lines on fd 3
 * as for containers: "ok PID", "error MSG", "exit CODE SIGNAL". With
 * `detach` (runc exec --detach) the shim reports "ok PID" once the execve is
 * done and exits: the process is then the caller's subreaper's to wait for.
 * With `preservefds N` the shim's fds 5..5+N-1 become the process's 3..3+N-1. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void status_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void status_line(const char *fmt, ...) {
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n > 0 && write(3, line, (size_t)n) < 0) { /* helper gone */ }
}

static const struct { const char *file; int type; } NS_ORDER[] = {
  /* user first (when used), mount last: after it, host paths are gone */
  {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
  {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
};

static int same_ns(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static void relay(int from, int to, int *open_flag) {
  char buf[32768];
  ssize_t n = read(from, buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) { *open_flag = 0; return; }
  for (ssize_t o = 0; o < n;) {
    ssize_t w = write(to, buf + o, (size_t)(n - o));
    if (w < 0) { if (errno == EINTR) continue; if (errno == EAGAIN) { struct pollfd p = {to, POLLOUT, 0}; poll(&p, 1, 1000); continue; } *open_flag = 0; return; }
    o += w;
  }
}

static void control(int fd, int master, pid_t child, int *open_flag) {
  static char buf[256];
  static size_t len;
  ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
  if (n <= 0) { if (n == 0 || errno != EINTR) *open_flag = 0; return; }
  len += (size_t)n;
  buf[len] = '\0';
  char *line = buf, *nl;
  while ((nl = strchr(line, '\n'))) {
    *nl = '\0';
    unsigned rows, cols;
    int sig;
    if (sscanf(line, "r %u %u", &rows, &cols) == 2 && master >= 0) {
      struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
      ioctl(master, TIOCSWINSZ, &ws);
    } else if (sscanf(line, "k %d", &sig) == 1 && sig > 0 && sig < 65) {
      kill(child, sig);
    }
    line = nl + 1;
  }
  len = strlen(line);
  memmove(buf, line, len);
}

/* One line from the child ("R..." set up, "E..." failed); "" at end-of-file. */
static void sync_line(int fd, char *msg, size_t len) {
  size_t o = 0;
  for (;;) {
    ssize_t n = read(fd, msg + o, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || msg[o] == '\n' || o + 2 >= len) break;
    o++;
  }
  msg[o] = '\0';
}

int exec_main(const char *planfile) {
  struct plan p;
  char err[512];
  if (plan_load(planfile, &p, err, sizeof(err)) != 0) { status_line("error %s\n", err); return 1; }
  if (!p.target) { status_line("error exec plan: no target pid\n"); return 1; }
  if (sc_prepare(&p, err, sizeof(err)) != 0) { status_line("error %s\n", err); return 1; }
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

  /* Non-dumpable before joining anything: the child forked below appears in
   * the container's /proc running this host binary until its execve, and
   * must not be opened through /proc/PID/exe (CVE-2019-5736). */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) { status_line("error prctl(PR_SET_DUMPABLE): %s\n", strerror(errno)); return 1; }
  /* Open everything that lives on the host before joining anything. */
  int nsfd[7];
  for (int i = 0; i < 7; i++) {
    char path[64], self[64];
    snprintf(path, sizeof(path), "/proc/%s/ns/%s", p.target, NS_ORDER[i].file);
    snprintf(self, sizeof(self), "/proc/self/ns/%s", NS_ORDER[i].file);
    nsfd[i] = -1;
    if (same_ns(path, self)) continue; /* shared with the host: nothing to join */
    nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd[i] < 0) {
      if (errno == ENOENT && i == 0) continue;
      status_line("error open %s: %s\n", path, errno == ENOENT ? "the container is not running" : strerror(errno));
      return 1;
    }
  }
  /* the console socket is a host path: connect while it is reachable */
  int consock = -1;
  if (p.consolesocket) {
    consock = console_connect(p.consolesocket);
    if (consock < 0) { status_line("error connect console socket %s: %s\n", p.consolesocket, strerror(errno)); return 1; }
  }
  int cgfd[32], ncg = 0;
  for (int k = 0; k < p.nops && ncg < 32; k++) {
    if (strcmp(p.ops[k].name, "cgroup")) continue;
    cgfd[ncg] = open(p.ops[k].argv[0], O_WRONLY | O_CLOEXEC);
    if (cgfd[ncg] < 0) { status_line("error open %s: %s\n", p.ops[k].argv[0], strerror(errno)); return 1; }
    ncg++;
  }
  for (int i = 0; i < 7; i++) {
    if (nsfd[i] < 0) continue;
    if (setns(nsfd[i], NS_ORDER[i].type) != 0) { status_line("error setns %s: %s\n", NS_ORDER[i].file, strerror(errno)); return 1; }
    close(nsfd[i]);
  }
  /* In the container's own user namespace, as its root: the pty and what the
   * process creates are owned by ids the container knows (not overflow). */
  if (nsfd[0] >= 0 && (setgroups(0, NULL) != 0 || setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)) {
    status_line("error become root of the container's user namespace: %s\n", strerror(errno));
    return 1;
  }

  /* Now inside the container's mount namespace: its /dev/pts for the TTY. */
  int master = -1, slave = -1;
  if (p.tty) {
    master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) { status_line("error open /dev/ptmx in the container: %s\n", strerror(errno)); return 1; }
    if (grantpt(master) != 0 || unlockpt(master) != 0) { status_line("error unlockpt: %s\n", strerror(errno)); return 1; }
    char name[128];
    if (ptsname_r(master, name, sizeof(name)) != 0) { status_line("error ptsname: %s\n", strerror(errno)); return 1; }
    slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) { status_line("error open %s: %s\n", name, strerror(errno)); return 1; }
    struct winsize ws = {.ws_row = (unsigned short)p.rows, .ws_col = (unsigned short)p.cols};
    if (ws.ws_row && ws.ws_col) ioctl(master, TIOCSWINSZ, &ws);
  }

  int sync[2];
  if (pipe2(sync, O_CLOEXEC) != 0) { status_line("error pipe: %s\n", strerror(errno)); return 1; }
  pid_t pid = fork();
  if (pid < 0) { status_line("error fork: %s\n", strerror(errno)); return 1; }
  if (pid == 0) {
    close(sync[0]);
    for (int i = 0; i < ncg; i++) { if (write(cgfd[i], "0", 1) != 1) { /* reported below */ } close(cgfd[i]); }
    setsid();
    if (p.tty) {
      if (ioctl(slave, TIOCSCTTY, 0) != 0) _exit(127);
      dup2(slave, 0); dup2(slave, 1); dup2(slave, 2);
      close(slave);
      close(master);
    } else if (!p.interactive) {
      int null = open("/dev/null", O_RDONLY);
      if (null >= 0) { dup2(null, 0); close(null); }
    }
    preserve_fds_down(p.preserve, sync[1]);
    child_main(&p, sync[1]);
    _exit(127);
  }
  close(sync[1]);
  if (slave >= 0) close(slave);
  for (int i = 0; i < ncg; i++) close(cgfd[i]);
  char msg[1100];
  sync_line(sync[0], msg, sizeof(msg));
  if (msg[0] != 'R') {
    int ws;
    waitpid(pid, &ws, 0);
    status_line("error %s\n", msg[0] == 'E' ? msg + 1 : "exec: the process died during set-up");
    return 1;
  }
  if (consock >= 0) {
    /* the receiver owns the console from now on */
    int sent = console_send_fd(consock, master);
    int e = errno;
    close(consock);
    close(master);
    master = -1;
    if (sent != 0) {
      kill(pid, SIGKILL);
      int ws;
      waitpid(pid, &ws, 0);
      status_line("error send console to %s: %s\n", p.consolesocket, strerror(e));
      return 1;
    }
  }
  if (p.detach) {
    /* the pipe closes at execve (close-on-exec); an "E" line instead is an
     * exec failure, reported as the error of this exec */
    sync_line(sync[0], msg, sizeof(msg));
    if (msg[0] == 'E') {
      int ws;
      waitpid(pid, &ws, 0);
      status_line("error %s\n", msg + 1);
      return 1;
    }
    status_line("ok %d none %d\n", (int)pid, (int)getpid());
    return 0;
  }
  status_line("ok %d none %d\n", (int)pid, (int)getpid());
  /* after R the child execs: a later E is an exec failure */
  fcntl(sync[0], F_SETFL, O_NONBLOCK);

  int in_open = p.tty && p.interactive && master >= 0, out_open = master >= 0, ctl_open = fcntl(4, F_GETFD) >= 0;
  if (master >= 0) fcntl(master, F_SETFL, O_NONBLOCK);
  int wstatus = 0;
  char exec_err[1100] = "";
  for (;;) {
    struct pollfd fds[5] = {
      {sfd, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}, {out_open ? master : -1, POLLIN, 0},
      {ctl_open ? 4 : -1, POLLIN, 0}, {sync[0], POLLIN, 0},
    };
    if (poll(fds, 5, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents) {
      relay(0, master, &in_open);
      /* the client went away: hang up, as a terminal would */
      if (!in_open && master >= 0) { close(master); master = -1; out_open = 0; }
    }
    if (fds[2].revents) relay(master, 1, &out_open);
    if (fds[3].revents) control(4, master, pid, &ctl_open);
    if (fds[4].revents) {
      ssize_t n = read(sync[0], exec_err, sizeof(exec_err) - 1);
      if (n > 0) { exec_err[n] = '\0'; char *nl = strchr(exec_err, '\n'); if (nl) *nl = '\0'; }
      close(sync[0]);
      sync[0] = -1;
    }
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof(si)) == sizeof(si)) {}
    if (waitpid(pid, &wstatus, WNOHANG) == pid) break;
  }
  /* drain what the process wrote before it ended */
  if (master >= 0 && out_open) { for (int i = 0; i < 64 && out_open; i++) { struct pollfd pf = {master, POLLIN, 0}; if (poll(&pf, 1, 0) <= 0) break; relay(master, 1, &out_open); } }
  int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
  if (exec_err[0] == 'E') status_line("execerror %s\n", exec_err + 1);
  status_line("exit %d %d\n", code, sig);
  return 0;
}
