/* nscope-shim PLANFILE — see shim.h. Status lines on fd 3 for whoever
 * spawned us (the daemon or nscope-runtime):
 *   "pid <pid>"                           the init exists, set-up under way (plan: earlypid)
 *   "hooks <pid>"                         the init waits at its hook point (plan: hooksync)
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
#include <sys/socket.h>
#include <sys/stat.h>
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

/* --standby: the daemon spawns a shim before it is needed and hands it a
 * plan's path on fd 4 when a container is made, so a create waits for
 * neither the spawn nor the loading of this program. EOF (the daemon closed
 * its pool or went away) ends it quietly. */
static char *standby_plan(void) {
  static char path[4096];
  size_t n = 0;
  while (n + 1 < sizeof(path)) {
    ssize_t r = read(4, path + n, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || path[n] == '\n') break;
    n++;
  }
  close(4);
  path[n] = '\0';
  return n ? path : NULL;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "exec")) return exec_main(argv[2]);
  if (argc == 4 && !strcmp(argv[1], "root-tree")) return root_tree_main(argv[2], argv[3]);
  if (argc == 2 && !strcmp(argv[1], "--standby") && !(argv[1] = standby_plan())) return 0;
  if (argc != 2) { fprintf(stderr, "usage: nscope-shim PLANFILE | nscope-shim --standby (plan path on fd 4) | nscope-shim exec PLANFILE | nscope-shim root-tree PID TARGET\n"); return 2; }
  if (fcntl(g_status, F_GETFD) < 0) g_status = -1;
  char err[512];
  if (plan_load(argv[1], &g_plan, err, sizeof(err)) != 0) { status("error %s%s\n", err, ""); return 1; }
  if (sc_prepare(&g_plan, err, sizeof(err)) != 0) { status("error %s%s\n", err, ""); return 1; }

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
    if (g_plan.logmax > 0) log_rotation(logfd, g_plan.logfile, g_plan.logmax, g_plan.logfiles);
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) { status("error pipe: %s%s\n", strerror(errno), ""); return 1; }
  }
  if (g_plan.joinpid) {
    int fd = open(g_plan.joinpid, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) != 0) { status("error setns pid %s: %s\n", g_plan.joinpid, strerror(errno)); return 1; }
    close(fd);
  }
  /* -i without a console: the container's stdin is a pipe fed from the attach socket */
  int in[2] = {-1, -1};
  if (g_plan.interactive && !g_plan.tty && pipe2(in, O_CLOEXEC) != 0) { status("error pipe: %s%s\n", strerror(errno), ""); return 1; }
  struct attach at = {.listen_fd = -1, .tty = g_plan.tty, .input_fd = -1, .ctl_fd = -1, .pty_fd = -1};
  for (int i = 0; i < MAX_ATTACH; i++) at.clients[i] = -1;
  if (g_plan.attach && attach_listen(&at, g_plan.attach) != 0) { status("error attach socket %s: %s\n", g_plan.attach, strerror(errno)); return 1; }
  if (g_plan.ctl) at.ctl_fd = open(g_plan.ctl, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  /* the runtime's end of the hook fifo is open (read-write), so this open does not wait;
   * the init reads from it, and gets end-of-file if the runtime dies */
  if (g_plan.hooksync) {
    g_plan.hooksyncfd = open(g_plan.hooksync, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (g_plan.hooksyncfd < 0 || fcntl(g_plan.hooksyncfd, F_SETFL, 0) != 0) { status("error open hook fifo %s: %s\n", g_plan.hooksync, strerror(errno)); return 1; }
  }
  int sync[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) != 0) { status("error socketpair: %s%s\n", strerror(errno), ""); return 1; }

  /* fork-like clone: the child continues here on a copy of our stack. */
  pid_t pid = (pid_t)syscall(SYS_clone, g_plan.clone_flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) { status("error clone: %s%s\n", strerror(errno), ""); return 1; }
  if (pid == 0) {
    close(sync[0]);
    /* without --preserve-fds, child_main marks 3 and 4 close-on-exec with the rest */
    if (g_plan.preserve > 0) preserve_fds_down(g_plan.preserve, sync[1]);
    if (g_plan.logfile) {
      int stdin_fd = in[0] >= 0 ? in[0] : open("/dev/null", O_RDONLY);
      if (stdin_fd < 0 || dup2(stdin_fd, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0) _exit(127);
    }
    child_main(&g_plan, sync[1]);
    _exit(127);
  }
  close(sync[1]);
  if (g_plan.hooksyncfd >= 0) close(g_plan.hooksyncfd);
  if (g_plan.uidmap && userns_parent(&g_plan, pid, sync[0], err, sizeof(err)) != 0) {
    kill(pid, SIGKILL);
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    status("error %s%s\n", err, "");
    return 1;
  }
  if (g_plan.earlypid) {
    char early[32];
    snprintf(early, sizeof(early), "%d", (int)pid);
    status("pid %s%s\n", early, "");
  }
  if (in[0] >= 0) { close(in[0]); at.input_fd = in[1]; }
  if (g_plan.logfile) {
    close(out[1]);
    close(errp[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
  }

  char msg[1100];
  int master = -1;
  fd_recv_line(sync[0], msg, sizeof(msg), &master);
  if (msg[0] == 'H') {
    /* the init is at its hook point: the runtime runs the prestart and createRuntime hooks, then lets it go on */
    char hp[32];
    snprintf(hp, sizeof(hp), "%d", (int)pid);
    status("hooks %s%s\n", hp, "");
    fd_recv_line(sync[0], msg, sizeof(msg), &master);
  }
  if (msg[0] == 'T') {
    /* the console: its master came with the message; then comes "R" */
    if (g_plan.consolesocket && master >= 0) {
      int sent = console_send(g_plan.consolesocket, master);
      int e = errno;
      close(master);
      master = -1;
      if (sent != 0) {
        kill(pid, SIGKILL);
        int ws;
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
        status("error console socket %s: %s\n", g_plan.consolesocket, strerror(e));
        return 1;
      }
    } else {
      at.input_fd = at.pty_fd = master;
      fcntl(master, F_SETFL, O_NONBLOCK);
    }
    fd_recv_line(sync[0], msg, sizeof(msg), NULL);
  }
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
  char okline[128];
  snprintf(okline, sizeof(okline), "%.64s %d", msg + 1, (int)getpid());
  status("ok %s %s\n", pidstr, okline);
  /* No monitor: the init waits on the exec fifo and is inherited by the
   * nearest subreaper (containerd's shim, conmon) or init, which reaps it. */
  if (g_plan.detach) return 0;

  /* Monitor: copy output to the log and attached clients until the init
   * exits; remember a late exec error. */
  struct logstream so = {.name = "stdout"}, se = {.name = "stderr"};
  int outfd[3] = {master >= 0 ? master : -1, master >= 0 ? -1 : out[0], master >= 0 ? -1 : errp[0]};
  if (master >= 0) { close(out[0]); close(errp[0]); }
  struct logstream *ls[3] = {&so, &so, &se};
  const int streamno[3] = {1, 1, 2};
  char exec_error[1100] = "";
  int syncfd = sync[0];
  int wstatus = 0, exited = 0;
  char buf[32768];
  while (!exited) {
    struct pollfd fds[7 + MAX_ATTACH];
    int nf = 0;
    fds[nf++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    fds[nf++] = (struct pollfd){.fd = syncfd, .events = POLLIN};
    for (int k = 0; k < 3; k++) fds[nf++] = (struct pollfd){.fd = outfd[k], .events = POLLIN};
    fds[nf++] = (struct pollfd){.fd = at.listen_fd, .events = POLLIN};
    int ctl_slot = nf;
    fds[nf++] = (struct pollfd){.fd = at.ctl_fd, .events = POLLIN};
    int first_client = nf;
    for (int k = 0; k < MAX_ATTACH; k++) fds[nf++] = (struct pollfd){.fd = at.clients[k] >= 0 && at.client_in[k] ? at.clients[k] : -1, .events = POLLIN};
    if (poll(fds, (nfds_t)nf, -1) < 0 && errno != EINTR) break;
    if (syncfd >= 0 && fds[1].revents) {
      ssize_t n = fd_recv_line(syncfd, msg, sizeof(msg), NULL);
      if (n > 0 && msg[0] == 'E') snprintf(exec_error, sizeof(exec_error), "%s", msg + 1);
      else if (n == 0) { close(syncfd); syncfd = -1; }
    }
    /* A client that connected before the output came (`run` attaches, then
     * starts the container) is taken in first: output read in the same
     * wake-up must reach it, not only the log (a shell's first prompt). */
    if (at.listen_fd >= 0 && fds[5].revents) attach_accept(&at);
    for (int k = 0; k < 3; k++) {
      if (outfd[k] < 0 || !fds[2 + k].revents) continue;
      ssize_t n = read(outfd[k], buf, sizeof(buf));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) { close(outfd[k]); outfd[k] = -1; if (logfd >= 0) log_feed(ls[k], logfd, "", 0, 1); continue; }
      attach_output(&at, streamno[k], buf, (size_t)n);
      if (logfd >= 0) log_feed(ls[k], logfd, buf, (size_t)n, 0);
    }
    if (at.ctl_fd >= 0 && fds[ctl_slot].revents) attach_control(&at);
    for (int k = 0; k < MAX_ATTACH; k++) if (fds[first_client + k].fd >= 0 && fds[first_client + k].revents) attach_input(&at, k);
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof(si)) == sizeof(si)) {}
    if (waitpid(pid, &wstatus, WNOHANG) == pid) exited = 1;
  }
  /* The init is gone: take what is left in the pipes (a process outside its
   * PID namespace may still hold them: don't wait for EOF). */
  for (int k = 0; k < 3; k++) {
    if (outfd[k] < 0) continue;
    fcntl(outfd[k], F_SETFL, O_NONBLOCK);
    for (int rounds = 0; rounds < 1024; rounds++) {
      ssize_t n = read(outfd[k], buf, sizeof(buf));
      if (n <= 0) break;
      attach_output(&at, streamno[k], buf, (size_t)n);
      if (logfd >= 0) log_feed(ls[k], logfd, buf, (size_t)n, 0);
    }
    if (logfd >= 0) log_feed(ls[k], logfd, "", 0, 1);
  }
  attach_close_all(&at);
  if (g_plan.attach) unlink(g_plan.attach);
  if (syncfd >= 0 && exec_error[0] == '\0') {
    fcntl(syncfd, F_SETFL, O_NONBLOCK);
    if (fd_recv_line(syncfd, msg, sizeof(msg), NULL) > 0 && msg[0] == 'E') snprintf(exec_error, sizeof(exec_error), "%s", msg + 1);
  }
  record_exit(wstatus, exec_error[0] ? exec_error : NULL);
  return 0;
}
