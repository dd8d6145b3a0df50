/* The container's seccomp filter. helper/security/seccomp-oci.ts checked the
 * spec and encoded it as plan operations (actions and operators already
 * libseccomp's numbers). libseccomp turns them into BPF in the shim, on the
 * host, before the container's process exists (sc_prepare); the process only
 * loads that program with seccomp(2), among its last steps (sc_load; when:
 * seccomp-oci.ts).
 *
 * Compiling Docker's profile for three ABIs costs 16-30 ms, against ~0.3 ms
 * to load it (mostly the kernel's BPF JIT; bench/phases.ts), so the BPF is
 * kept in the plan's cache file (the runtime tmpfs, named by a digest of the
 * operations): every container after the first with the same profile and
 * capabilities loads it as it is. The binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2)
 * is also the faster one to load: 1,246 instructions against 1,001 for the
 * plain list, but the kernel's per-syscall action cache, built by running the
 * filter for every syscall number of every ABI, walks a tree in a few steps
 * (0.25 ms against 0.73 ms per load here). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_BPF (BPF_MAXINSNS * sizeof(struct sock_filter))

static int fail(char *err, size_t len, const char *step, int rc) {
  snprintf(err, len, "%s: %s", step, strerror(rc < 0 ? -rc : rc));
  return -1;
}

static int compile(struct plan *p, int opstart, scmp_filter_ctx *out, char *err, size_t len) {
  const struct op *o = &p->ops[opstart];
  scmp_filter_ctx ctx = seccomp_init((uint32_t)strtoul(o->argv[0], NULL, 0));
  if (!ctx) { snprintf(err, len, "seccomp_init: invalid default action %s", o->argv[0]); return -1; }
  *out = ctx;
  /* The spec decides no_new_privs, not libseccomp (which sets it by default). */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  /* A binary tree of syscall numbers: a few comparisons per syscall instead
   * of a walk down ~350 rules, on every syscall the container makes. */
  if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc != 0) return fail(err, len, "seccomp_attr_set", rc);
  for (int k = opstart + 1; k < p->nops; k++) {
    const struct op *r = &p->ops[k];
    if (!strcmp(r->name, "seccomparch")) {
      uint32_t arch = seccomp_arch_resolve_name(r->argv[0]);
      if (arch == 0) { snprintf(err, len, "seccomp: architecture %s is not known to libseccomp", r->argv[0]); return -1; }
      rc = seccomp_arch_add(ctx, arch);
      if (rc != 0 && rc != -EEXIST) return fail(err, len, "seccomp_arch_add", rc);
    } else if (!strcmp(r->name, "seccomprule")) {
      int nargs = atoi(r->argv[2]);
      if (nargs < 0 || nargs > 6 || k + nargs >= p->nops) { snprintf(err, len, "seccomp rule %s: bad conditions", r->argv[0]); return -1; }
      struct scmp_arg_cmp cmp[6];
      for (int i = 0; i < nargs; i++) {
        const struct op *a = &p->ops[k + 1 + i];
        if (strcmp(a->name, "seccomparg")) { snprintf(err, len, "seccomp rule %s: bad conditions", r->argv[0]); return -1; }
        cmp[i] = (struct scmp_arg_cmp){
          .arg = (unsigned)strtoul(a->argv[0], NULL, 10), .op = (enum scmp_compare)strtoul(a->argv[1], NULL, 10),
          .datum_a = strtoull(a->argv[2], NULL, 10), .datum_b = strtoull(a->argv[3], NULL, 10),
        };
      }
      k += nargs;
      uint32_t action = (uint32_t)strtoul(r->argv[1], NULL, 0);
      /* the same rule for each name of a comma-separated list */
      for (const char *name = r->argv[0]; *name;) {
        size_t n = strcspn(name, ",");
        char one[65];
        if (n == 0 || n >= sizeof(one)) { snprintf(err, len, "seccomp rule %.64s: bad syscall name", name); return -1; }
        memcpy(one, name, n);
        one[n] = '\0';
        name += n + (name[n] == ',');
        /* a profile lists every architecture's syscalls: one this libseccomp
         * does not know is skipped, as runc does */
        int nr = seccomp_syscall_resolve_name(one);
        if (nr == __NR_SCMP_ERROR) continue;
        rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)nargs, cmp);
        if (rc != 0) { snprintf(err, len, "seccomp_rule_add %s: %s", one, strerror(-rc)); return -1; }
      }
    } else if (!strcmp(r->name, "seccompload")) {
      break;
    }
  }
  return 0;
}

/* Reads a whole BPF program (at most MAX_BPF bytes) from fd. */
static int read_bpf(int fd, struct plan *p) {
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0 || (size_t)st.st_size > MAX_BPF || st.st_size % sizeof(struct sock_filter)) { errno = EINVAL; return -1; }
  char *buf = malloc((size_t)st.st_size);
  if (!buf) return -1;
  if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) { free(buf); errno = EIO; return -1; }
  p->bpf = buf;
  p->bpf_len = (size_t)st.st_size;
  return 0;
}

int sc_prepare(struct plan *p, char *err, size_t len) {
  int start = -1;
  for (int k = 0; k < p->nops; k++) if (!strcmp(p->ops[k].name, "seccomp")) { start = k; break; }
  if (start < 0) return 0;
  unsigned long f = strtoul(p->ops[start].argv[1], NULL, 0);
  p->sc_flags = ((f & 1) ? SECCOMP_FILTER_FLAG_TSYNC : 0) | ((f & 2) ? SECCOMP_FILTER_FLAG_LOG : 0) |
                ((f & 4) ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0);
  if (p->seccompcache) {
    int fd = open(p->seccompcache, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
      int r = read_bpf(fd, p);
      close(fd);
      if (r == 0) return 0;
      /* unreadable or damaged: compile again below and replace it */
    }
  }
  scmp_filter_ctx ctx = NULL;
  int rc = compile(p, start, &ctx, err, len);
  if (rc == 0) {
    char tmp[4200];
    int fd;
    if (p->seccompcache) {
      snprintf(tmp, sizeof(tmp), "%s.%d.tmp", p->seccompcache, (int)getpid());
      fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0 && errno == ENOENT) {
        /* the cache directory is made on first use */
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s", p->seccompcache);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) { *slash = '\0'; mkdir(dir, 0700); }
        fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
      }
    } else {
      fd = (int)syscall(SYS_memfd_create, "nscope-seccomp", MFD_CLOEXEC);
    }
    if (fd < 0) rc = fail(err, len, "seccomp: open filter file", errno);
    else {
      int e = seccomp_export_bpf(ctx, fd);
      if (e != 0) rc = fail(err, len, "seccomp_export_bpf", e);
      else if (read_bpf(fd, p) != 0) rc = fail(err, len, "seccomp: read compiled filter", errno);
      close(fd);
      if (p->seccompcache) {
        if (rc == 0 && rename(tmp, p->seccompcache) != 0) unlink(tmp);  /* the cache is only a cache */
        else if (rc != 0) unlink(tmp);
      }
    }
  }
  if (ctx) seccomp_release(ctx);
  return rc;
}

int sc_load(const struct plan *p, char *err, size_t len) {
  if (!p->bpf) return 0;
  struct sock_fprog prog = {.len = (unsigned short)(p->bpf_len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)p->bpf};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->sc_flags, &prog) != 0) return fail(err, len, "seccomp(SECCOMP_SET_MODE_FILTER)", errno);
  return 0;
}
