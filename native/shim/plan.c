/* Reads the plan file: NUL-separated tokens, an operation name followed by
 * its arguments. The arity table is the whole grammar; an unknown name or a
 * short operation is an error naming it. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *name; int argc; } arity[] = {
  /* monitor-level */
  {"clone", 1}, {"joinpid", 1}, {"log", 1}, {"logrotate", 2}, {"exitfile", 1}, {"pidfile", 1},
  {"fifo", 1}, {"rootfs", 1}, {"target", 1}, {"tty", 2}, {"interactive", 0},
  {"attach", 1}, {"ctl", 1}, {"console", 0}, {"consolesocket", 1}, {"seccompcache", 1},
  {"uidmap", 1}, {"gidmap", 1}, {"ovl", 2}, {"ovlidmap", 1}, {"detach", 0}, {"preservefds", 1}, {"earlypid", 0},
  {"hooksync", 1},
  /* child, in order */
  {"join", 2}, {"cgroup", 1}, {"unshare", 1}, {"propagation", 1},
  {"chdirhost", 1}, {"mountroot", 4}, {"mount", 6}, {"pivot", 1},
  {"mknod", 4}, {"chown", 3}, {"symlink", 2}, {"mkdir", 2}, {"mask", 1}, {"readonly", 1},
  {"rootro", 0}, {"loup", 0}, {"hostname", 1}, {"domainname", 1}, {"sysctl", 2},
  {"rlimit", 3}, {"oomscore", 1}, {"chdir", 1}, {"cwd", 1}, {"setgroups", 1},
  {"setuid", 2}, {"caps", 5}, {"nonewprivs", 0}, {"umask", 1},
  {"env", 1}, {"arg", 1}, {"hook", 3}, {"cchook", 3}, {"hookpoint", 0}, {"hookarg", 1}, {"hookenv", 1}, {"keyring", 0}, {"lazyexec", 0}, {"mountfd", 0}, {"userroot", 0},
  {"seccomp", 2}, {"seccomparch", 1}, {"seccomprule", 3}, {"seccomparg", 4}, {"seccompload", 1},
};

static int lookup(const char *name) {
  for (size_t i = 0; i < sizeof(arity) / sizeof(arity[0]); i++)
    if (strcmp(arity[i].name, name) == 0) return arity[i].argc;
  return -1;
}

int plan_load(const char *file, struct plan *p, char *err, size_t errlen) {
  memset(p, 0, sizeof(*p));
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { snprintf(err, errlen, "open plan %s: %s", file, strerror(errno)); return -1; }
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (16 << 20)) {
    snprintf(err, errlen, "plan %s: empty or too large", file);
    close(fd);
    return -1;
  }
  p->buf = malloc(st.st_size + 1);
  if (!p->buf) { snprintf(err, errlen, "plan: out of memory"); close(fd); return -1; }
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, p->buf + got, st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { snprintf(err, errlen, "read plan: %s", n < 0 ? strerror(errno) : "short read"); close(fd); return -1; }
    got += n;
  }
  close(fd);
  p->buf[got] = '\0';
  if (p->buf[got - 1] != '\0') { snprintf(err, errlen, "plan: not NUL-terminated"); return -1; }

  char *cur = p->buf, *end = p->buf + got;
  while (cur < end) {
    const char *name = cur;
    cur += strlen(cur) + 1;
    int n = lookup(name);
    if (n < 0) { snprintf(err, errlen, "plan: unknown operation '%.64s'", name); return -1; }
    if (p->nops >= MAX_OPS) { snprintf(err, errlen, "plan: too many operations"); return -1; }
    struct op *o = &p->ops[p->nops];
    o->name = name;
    o->argc = n;
    for (int i = 0; i < n; i++) {
      if (cur >= end) { snprintf(err, errlen, "plan: operation '%s' lacks arguments", name); return -1; }
      o->argv[i] = cur;
      cur += strlen(cur) + 1;
    }
    if (!strcmp(name, "clone")) p->clone_flags = strtoul(o->argv[0], NULL, 0);
    else if (!strcmp(name, "joinpid")) p->joinpid = o->argv[0];
    else if (!strcmp(name, "log")) p->logfile = o->argv[0];
    else if (!strcmp(name, "logrotate")) {
      p->logmax = strtoll(o->argv[0], NULL, 10);
      p->logfiles = atoi(o->argv[1]);
      if (p->logmax < 0 || p->logfiles < 1 || p->logfiles > 100) { snprintf(err, errlen, "plan: logrotate %.20s %.8s is out of range (a size >= 0, 1-100 files)", o->argv[0], o->argv[1]); return -1; }
    }
    else if (!strcmp(name, "exitfile")) p->exitfile = o->argv[0];
    else if (!strcmp(name, "pidfile")) p->pidfile = o->argv[0];
    else if (!strcmp(name, "fifo")) p->fifo = o->argv[0];
    else if (!strcmp(name, "rootfs")) p->rootfs = o->argv[0];
    else if (!strcmp(name, "target")) p->target = o->argv[0];
    else if (!strcmp(name, "tty")) { p->tty = 1; p->rows = atoi(o->argv[0]); p->cols = atoi(o->argv[1]); }
    else if (!strcmp(name, "interactive")) p->interactive = 1;
    else if (!strcmp(name, "preservefds")) {
      p->preserve = atoi(o->argv[0]);
      if (p->preserve < 0 || p->preserve > 1024) { snprintf(err, errlen, "plan: preservefds %.16s is out of range (0-1024)", o->argv[0]); return -1; }
    }
    else if (!strcmp(name, "attach")) p->attach = o->argv[0];
    else if (!strcmp(name, "ctl")) p->ctl = o->argv[0];
    else if (!strcmp(name, "consolesocket")) p->consolesocket = o->argv[0];
    else if (!strcmp(name, "seccompcache")) p->seccompcache = o->argv[0];
    else if (!strcmp(name, "uidmap")) p->uidmap = o->argv[0];
    else if (!strcmp(name, "detach")) p->detach = 1;
    else if (!strcmp(name, "earlypid")) p->earlypid = 1;
    else if (!strcmp(name, "hooksync")) p->hooksync = o->argv[0];
    else if (!strcmp(name, "gidmap")) p->gidmap = o->argv[0];
    else if (!strcmp(name, "ovl")) { p->ovlbase = o->argv[0]; p->ovldata = o->argv[1]; }
    else if (!strcmp(name, "ovlidmap")) {
      if (p->nidmap >= 256) { snprintf(err, errlen, "plan: too many idmapped layers"); return -1; }
      p->idmap[p->nidmap++] = o->argv[0];
    }
    else p->nops++;  /* a child operation, kept in order */
  }
  if (!p->rootfs && !p->target) { snprintf(err, errlen, "plan: no rootfs"); return -1; }
  if (!p->uidmap != !p->gidmap) { snprintf(err, errlen, "plan: uidmap and gidmap go together"); return -1; }
  if (p->ovldata && !p->uidmap) { snprintf(err, errlen, "plan: a prepared overlay needs a user namespace"); return -1; }
  if (p->detach && (p->logfile || p->attach)) { snprintf(err, errlen, "plan: a container without a monitor has no log or attach socket"); return -1; }
  p->ovlfd = -1;
  p->hooksyncfd = -1;
  return 0;
}
