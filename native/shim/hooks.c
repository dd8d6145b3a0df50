/* The OCI hooks the container's init runs itself, as runc's does:
 * startContainer ("hook") in the container (its namespaces, root, user and
 * capabilities), once `start` has let it go and before its program runs;
 * createContainer ("cchook") during create, in the container's namespaces
 * after its mounts and before pivot_root (so the path is the runtime's).
 * Each gets the state on stdin and is killed at its timeout; a failure is
 * returned, and the init ends without running its program.
 *
 * The plan holds each as "hook|cchook PATH TIMEOUT STATE" followed by its
 * "hookarg" and "hookenv" operations; STATE is the state's JSON without
 * its closing brace: the pid (getpid(), as runc gives it) is only known here. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_MAX_ARGS 1024

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int write_all(int fd, const char *b, size_t left) {
  while (left > 0) {
    ssize_t w = write(fd, b, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    b += w;
    left -= (size_t)w;
  }
  return 0;
}

int run_hook(const struct plan *p, int k, const char *stage, char *err, size_t len) {
  const struct op *h = &p->ops[k];
  const char *path = h->argv[0];
  long timeout = strtol(h->argv[1], NULL, 10);
  static char *argv[HOOK_MAX_ARGS + 1], *envp[HOOK_MAX_ARGS + 1];
  int argc = 0, envc = 0;
  for (int j = k + 1; j < p->nops; j++) {
    const struct op *o = &p->ops[j];
    if (!strcmp(o->name, "hookarg")) { if (argc < HOOK_MAX_ARGS) argv[argc++] = (char *)o->argv[0]; }
    else if (!strcmp(o->name, "hookenv")) { if (envc < HOOK_MAX_ARGS) envp[envc++] = (char *)o->argv[0]; }
    else break;
  }
  if (argc == 0) argv[argc++] = (char *)path;
  argv[argc] = NULL;
  envp[envc] = NULL;

  /* the state in a memory file, as the hook's stdin: written whole before
   * the hook starts, so one that never reads cannot block the init */
  char tail[64];
  int n = snprintf(tail, sizeof(tail), ",\"pid\":%d}", (int)getpid());
  int fd = (int)syscall(SYS_memfd_create, "oci-state", MFD_CLOEXEC);
  if (fd < 0 || write_all(fd, h->argv[2], strlen(h->argv[2])) != 0 || write_all(fd, tail, (size_t)n) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
    snprintf(err, len, "%s hook %s: the state for its stdin: %s", stage, path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  pid_t c = fork();
  if (c < 0) {
    snprintf(err, len, "%s hook %s: fork: %s", stage, path, strerror(errno));
    close(fd);
    return -1;
  }
  if (c == 0) {
    if (dup2(fd, 0) < 0) _exit(127);
    execve(path, argv, envp);
    dprintf(2, "%s hook %s: %s\n", stage, path, strerror(errno));
    _exit(127);
  }
  close(fd);

  long long deadline = timeout > 0 ? now_ms() + timeout * 1000 : 0;
  int st = 0, timed_out = 0;
  for (;;) {
    pid_t r = waitpid(c, &st, timeout > 0 ? WNOHANG : 0);
    if (r == c) break;
    if (r < 0 && errno != EINTR) {
      snprintf(err, len, "%s hook %s: waitpid: %s", stage, path, strerror(errno));
      return -1;
    }
    if (r == 0 && now_ms() >= deadline) {
      kill(c, SIGKILL);
      timed_out = 1;
      while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
      break;
    }
    if (r == 0) {
      struct timespec t = { 0, 5 * 1000 * 1000 };
      nanosleep(&t, NULL);
    }
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  if (timed_out) snprintf(err, len, "%s hook %s failed: killed by SIGKILL (timeout)", stage, path);
  else if (WIFSIGNALED(st)) snprintf(err, len, "%s hook %s failed: killed by signal %d", stage, path, WTERMSIG(st));
  else snprintf(err, len, "%s hook %s failed: exit status %d", stage, path, WEXITSTATUS(st));
  return -1;
}

int run_start_hooks(const struct plan *p, char *err, size_t len) {
  for (int k = 0; k < p->nops; k++)
    if (!strcmp(p->ops[k].name, "hook") && run_hook(p, k, "startContainer", err, len) != 0) return -1;
  return 0;
}
