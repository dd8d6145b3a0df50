/* nscope-shim PLANFILE — see shim.h. Status lines on fd 3 for whoever
 * spawned us (the daemon or nscope-runtime):
 *   "ok <pid> <pivot_root|chroot|none>"  the container is created, waiting for start
 *   "error <step: reason>"                set-up failed; nothing is left running
 *   "exit <code> <signal>"                the container's init ended (also in exitfile)
 * The shim survives its parent: it runs in its own session and ignores SIGHUP
 * and SIGPIPE, so killing the daemon leaves the container and its monitor. */

#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static struct plan g_plan;
static int g_status = 3;

static void status(const char *fmt, const char *a, const char *b) {
  char line[1200];
  int n = snprintf(line, sizeof(line), fmt, a, b);
  if (n > 0 && g_status >= 0 && write(g_status, line, (size_t)n) < 0) { /* the parent went away */ }
}

static void json_escape(char *out, size_t len, const char *s) {
  size_t o = 0;
  for (; *s && o + 8 < len; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
    else if (c < 0x20) o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
    else out[o++] = (char)c;
  }
  out[o] = '\0';
}

static void record_exit(int wstatus, const char *exec_error) {
  int code = 0, sig = 0;
  if (WIFEXITED(wstatus)) code = WEXITSTATUS(wstatus);
  else if (WIFSIGNALED(wstatus)) { sig = WTERMSIG(wstatus); code = 128 + sig; }
  char when[64], esc[1100] = "", json[1400];
  iso_time(when, sizeof(when));
  if (exec_error) json_escape(esc, sizeof(esc), exec_error);
  int n = snprintf(json, sizeof(json),
                   "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\"%s%s%s}\n",
                   code, sig, when, exec_error ? ",\"error\":\"" : "", esc, exec_error ? "\"" : "");
  if (g_plan.exitfile && write_file_atomic(g_plan.exitfile, json, (size_t)n) != 0)
    fprintf(stderr, "nscope-shim: write %s: %s\n", g_plan.exitfile, strerror(errno));
  char c[16], s[16];
  snprintf(c, sizeof(c), "%d", code);
  snprintf(s, sizeof(s), "%d", sig);
  status("exit %s %s\n", c, s);
}

/* Reads one '\n'-terminated message from the child's error pipe. */
static ssize_t read_msg(int fd, char *buf, size_t len) {
  size_t o = 0;
  while (o < len - 1) {
    ssize_t n = read(fd, buf + o, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (buf[o] == '\n') break;
    o++;
  }
  buf[o] = '\0';
  return (ssize_t)o;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: nscope-shim PLANFILE\n"); return 2; }
  if (fcntl(g_status, F_GETFD) < 0) g_status = -1;
  char err[512];
  if (plan_load(argv[1], &g_plan, err, sizeof(err)) != 0) { status("error %s%s\n", err, ""); return 1; }

  if (getsid(0) != getpid()) setsid();
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

  int logfd = -1;
  int out[2] = {-1, -1}, errp[2] = {-1, -1};
  if (g_plan.logfile) {
    logfd = open(g_plan.logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (logfd < 0) { snprintf(err, sizeof(err), "open log %s: %s", g_plan.logfile, strerror(errno)); status("error %s%s\n", err, ""); return 1; }
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) { status("error pipe: %s%s\n", strerror(errno), ""); return 1; }
  }
  if (g_plan.joinpid) {
    int fd = open(g_plan.joinpid, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) != 0) { status("error setns pid %s: %s\n", g_plan.joinpid, strerror(errno)); return 1; }
    close(fd);
  }
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) != 0) { status("error pipe: %s%s\n", strerror(errno), ""); return 1; }

  /* fork-like clone: the child continues here on a copy of our stack. */
  pid_t pid = (pid_t)syscall(SYS_clone, g_plan.clone_flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) { status("error clone: %s%s\n", strerror(errno), ""); return 1; }
  if (pid == 0) {
    close(sync[0]);
    if (g_plan.logfile) {
      int null = open("/dev/null", O_RDONLY);
      if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0) _exit(127);
    }
    child_main(&g_plan, sync[1]);
    _exit(127);
  }
  close(sync[1]);
  if (g_plan.logfile) {
    close(out[1]);
    close(errp[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
  }

  char msg[1100];
  read_msg(sync[0], msg, sizeof(msg));
  if (msg[0] != 'R') {
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    status("error %s%s\n", msg[0] == 'E' ? msg + 1 : "container init died during set-up", "");
    return 1;
  }
  if (g_plan.pidfile) {
    char p[32];
    int n = snprintf(p, sizeof(p), "%d", (int)pid);
    if (write_file_atomic(g_plan.pidfile, p, (size_t)n) != 0) {
      kill(pid, SIGKILL);
      status("error write pid file: %s%s\n", strerror(errno), "");
      return 1;
    }
  }
  char pidstr[32];
  snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
  status("ok %s %s\n", pidstr, msg + 1);

  /* Monitor: copy logs until the init exits; remember a late exec error. */
  struct logstream so = {.fd = out[0], .name = "stdout"}, se = {.fd = errp[0], .name = "stderr"};
  char exec_error[1100] = "";
  int syncfd = sync[0];
  int wstatus = 0;
  for (;;) {
    struct pollfd fds[4];
    int nf = 0;
    fds[nf++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    fds[nf++] = (struct pollfd){.fd = syncfd, .events = POLLIN};
    fds[nf++] = (struct pollfd){.fd = so.fd, .events = POLLIN};
    fds[nf++] = (struct pollfd){.fd = se.fd, .events = POLLIN};
    if (poll(fds, nf, -1) < 0 && errno != EINTR) break;
    if (syncfd >= 0 && fds[1].revents) {
      ssize_t n = read_msg(syncfd, msg, sizeof(msg));
      if (n > 0 && msg[0] == 'E') snprintf(exec_error, sizeof(exec_error), "%s", msg + 1);
      else if (n == 0) { close(syncfd); syncfd = -1; }
    }
    if (logfd >= 0) {
      if (so.fd >= 0 && fds[2].revents) log_pump(&so, logfd, 0);
      if (se.fd >= 0 && fds[3].revents) log_pump(&se, logfd, 0);
    }
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof(si)) == sizeof(si)) {}
    pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
  }
  /* The init is gone: whatever it wrote is in the pipes (unless a process
   * outside its PID namespace still holds them: don't wait for EOF). */
  if (logfd >= 0) {
    log_pump(&so, logfd, 1);
    log_pump(&se, logfd, 1);
  }
  if (syncfd >= 0 && exec_error[0] == '\0') {
    fcntl(syncfd, F_SETFL, O_NONBLOCK);
    if (read_msg(syncfd, msg, sizeof(msg)) > 0 && msg[0] == 'E') snprintf(exec_error, sizeof(exec_error), "%s", msg + 1);
  }
  record_exit(wstatus, exec_error[0] ? exec_error : NULL);
  return 0;
}
