/*
 * nscope-runtime's front door. An engine starts the runtime four times per
 * container (create, start, delete, delete --force; state and kill between),
 * and a Node process costs 30-45 ms where runc takes 5-10: the short calls
 * are answered here, from the files `create` left in the container's state
 * dir (fast: pid, start time, fifo, freezer, cgroup dirs, hooks; state.tpl:
 * the OCI state JSON with @STATUS@ and @PID@ to fill in). Anything else —
 * create, exec, hooks to run, --all, a container still running at delete,
 * an older state dir, any flag this file does not know — goes to the Node
 * implementation (bin/nscope-runtime.cjs), which stays the reference.
 * bin/nscope-runtime is a link to this program, so an engine starts it
 * directly, without a shell in between.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "create.h"

#define MAX_CGROUPS 32

static char **orig_argv;
static const char *root = "/run/nscope-runtime";
static const char *logfile;
static int logjson;

struct fast {
	long pid;
	unsigned long long start;
	char fifo[PATH_MAX];
	char freezer[PATH_MAX]; /* "" when the host has no freezer */
	int freeze_v2;
	char cgroups[MAX_CGROUPS][PATH_MAX];
	int ncgroups;
	int hooks_poststart, hooks_poststop;
};

enum status { CREATED, RUNNING, PAUSED, STOPPED };
static const char *status_name[] = { "created", "running", "paused", "stopped" };

/* The Node implementation, with the caller's arguments untouched. */
static void fallback(void)
{
	char self[PATH_MAX], js[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		/* <repo>/build/Release/nscope-runtime-front -> <repo>/bin/nscope-runtime.cjs */
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(self, '/');
			if (slash) *slash = 0;
		}
		snprintf(js, sizeof js, "%s/bin/nscope-runtime.cjs", self);
		int argc = 0;
		for (char **a = orig_argv + 1; *a; a++) argc++;
		char **argv = calloc((size_t)argc + 4, sizeof(char *));
		if (argv) {
			argv[0] = "node";
			/* V8 keeps its snapshot's string-hash seed instead of making a new
			 * one (a prime search: ~3 ms of node's ~28 ms start here). A random
			 * seed guards a long-lived process against hash flooding; this
			 * one reads its caller's own files and exits. */
			argv[1] = "--no-rehash-snapshot";
			argv[2] = js;
			for (int i = 0; i < argc; i++) argv[i + 3] = orig_argv[i + 1];
			execvp("node", argv);
		}
	}
	dprintf(2, "nscope-runtime: cannot start node for the full runtime: %s\n", strerror(errno));
	exit(1);
}

/* runc's way: one line on stderr, and the same as a logrus line in --log. */
static int fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dprintf(2, "nscope-runtime: %s\n", msg);
	if (logfile) {
		int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			char when[32], line[2200], esc[2100];
			time_t t = time(NULL);
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
			size_t j = 0;
			for (const char *p = msg; *p && j < sizeof esc - 8; p++) {
				if (*p == '"' || *p == '\\') esc[j++] = '\\';
				if ((unsigned char)*p < 0x20) { j += (size_t)snprintf(esc + j, 8, "\\u%04x", *p); continue; }
				esc[j++] = *p;
			}
			esc[j] = 0;
			int len = logjson ? snprintf(line, sizeof line, "{\"level\":\"error\",\"msg\":\"%s\",\"time\":\"%s\"}\n", esc, when)
			                  : snprintf(line, sizeof line, "time=\"%s\" level=error msg=\"%s\"\n", when, esc);
			if (len > 0 && write(fd, line, (size_t)len) < 0) { /* the stderr line was written */ }
			close(fd);
		}
	}
	return 1;
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || !isalnum((unsigned char)id[0])) return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("_.+-", id[i])) return 0;
	return 1;
}

static int read_fast(const char *dir, struct fast *f)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/fast", dir);
	FILE *fp = fopen(path, "re");
	if (!fp) return -1;
	memset(f, 0, sizeof *f);
	char line[PATH_MAX + 32];
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = 0;
		char *v = strchr(line, ' ');
		if (!v) continue;
		*v++ = 0;
		if (!strcmp(line, "pid")) f->pid = strtol(v, NULL, 10);
		else if (!strcmp(line, "start")) f->start = strtoull(v, NULL, 10);
		else if (!strcmp(line, "fifo")) snprintf(f->fifo, sizeof f->fifo, "%s", v);
		else if (!strcmp(line, "freezer")) snprintf(f->freezer, sizeof f->freezer, "%s", v);
		else if (!strcmp(line, "freeze-v2")) f->freeze_v2 = atoi(v);
		else if (!strcmp(line, "cgroup") && f->ncgroups < MAX_CGROUPS) snprintf(f->cgroups[f->ncgroups++], PATH_MAX, "%s", v);
		else if (!strcmp(line, "hook")) {
			if (!strcmp(v, "poststart")) f->hooks_poststart = 1;
			if (!strcmp(v, "poststop")) f->hooks_poststop = 1;
		}
	}
	fclose(fp);
	return f->pid > 0 && f->fifo[0] ? 0 : -1;
}

/* The process is still the one `create` started (a reused pid has another start time). */
static int same_process(long pid, unsigned long long start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p) return 0;
	/* after "pid (comm)": field 3 is the state, field 22 the start time */
	char state = p[2];
	if (state == 'Z' || state == 'X') return 0;
	int field = 2;
	for (p++; *p && field < 22; p++)
		if (*p == ' ') field++;
	return start == 0 || strtoull(p, NULL, 10) == start;
}

static int frozen(const struct fast *f)
{
	if (!f->freezer[0]) return 0;
	char buf[32] = "";
	int fd = open(f->freezer, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) return 0;
	buf[n] = 0;
	return f->freeze_v2 ? buf[0] == '1' : !strncmp(buf, "FROZEN", 6);
}

static enum status status_of(const char *dir, const struct fast *f)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/exit.json", dir);
	if (!access(path, F_OK)) return STOPPED;
	if (!same_process(f->pid, f->start)) return STOPPED;
	if (frozen(f)) return PAUSED; /* as runc: the freezer first, a created container can be paused too */
	return access(f->fifo, F_OK) ? RUNNING : CREATED;
}

static int cmd_state(const char *dir, const char *id)
{
	struct fast f;
	if (read_fast(dir, &f)) fallback();
	enum status s = status_of(dir, &f);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/state.tpl", dir);
	FILE *fp = fopen(path, "re");
	if (!fp) fallback();
	static char tpl[256 * 1024];
	size_t n = fread(tpl, 1, sizeof tpl - 1, fp);
	int big = !feof(fp);
	fclose(fp);
	if (big) fallback();
	tpl[n] = 0;
	char *st = strstr(tpl, "@STATUS@"), *pd = strstr(tpl, "@PID@");
	if (!st || !pd || pd < st) fallback();
	*st = 0;
	*pd = 0;
	printf("%s%s%s%ld%s", tpl, status_name[s], st + 8, s == STOPPED ? 0L : f.pid, pd + 5);
	(void)id;
	return fflush(stdout) ? 1 : 0;
}

/*
 * Lets the init go (runc's protocol): it blocks opening exec.fifo for
 * writing until a reader opens it, writes one byte, and execs; its end
 * closes with the exec. Opened O_RDWR the fifo never reads end-of-file
 * before the init has opened its end; a read-only end then waits for the
 * exec, so that once `start` answers the container runs its command.
 */
static int release(const struct fast *f)
{
	int fd = open(f->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) return fail("cannot start: exec fifo: %s", strerror(errno));
	int got = 0;
	for (int waited = 0; !got; waited += 20) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 20);
		char c;
		if (r > 0 && read(fd, &c, 1) == 1) { got = 1; break; }
		if (!same_process(f->pid, f->start)) {
			/* it may have taken the go and run to its end already (/bin/true): the byte tells */
			if (read(fd, &c, 1) == 1) { got = 1; break; }
			close(fd);
			unlink(f->fifo);
			return fail("cannot start: the container's init is gone");
		}
		if (waited > 10000) {
			close(fd);
			return fail("cannot start: the container's init did not answer");
		}
	}
	int execd = open(f->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	close(fd);
	unlink(f->fifo);
	if (execd >= 0) {
		/* the exec is microseconds away; should the init be stuck before it, don't hold `start` up */
		for (int waited = 0; waited < 2000; waited += 20) {
			struct pollfd p = { .fd = execd, .events = POLLIN };
			if (poll(&p, 1, 20) > 0 && (p.revents & (POLLHUP | POLLERR))) break;
		}
		close(execd);
	}
	return 0;
}

static int cmd_start(const char *dir, const char *id)
{
	struct fast f;
	if (read_fast(dir, &f) || f.hooks_poststart) fallback();
	enum status s = status_of(dir, &f);
	if (s != CREATED) return fail("cannot start a container that is %s", status_name[s]);
	(void)id;
	return release(&f);
}

static const struct { const char *name; int sig; } SIGNALS[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

/* A number or a name with or without SIG (any case); -1 for what Node should judge. */
static int parse_signal(const char *s)
{
	if (isdigit((unsigned char)s[0])) {
		char *end;
		long n = strtol(s, &end, 10);
		return *end || n < 1 || n > 64 ? -1 : (int)n;
	}
	if (!strncasecmp(s, "SIG", 3)) s += 3;
	for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
		if (!strcasecmp(s, SIGNALS[i].name)) return SIGNALS[i].sig;
	return -1;
}

static int cmd_kill(const char *dir, const char *id, const char *sigtext)
{
	struct fast f;
	if (read_fast(dir, &f)) fallback();
	int sig = parse_signal(sigtext ? sigtext : "TERM");
	if (sig < 0) fallback();
	/* runc's words: containerd takes "container not running" as "already gone", not as a failure */
	if (status_of(dir, &f) == STOPPED) return fail("%s: container not running", id);
	if (kill((pid_t)f.pid, sig) && errno != ESRCH) return fail("kill %s: %s", id, strerror(errno));
	if (sig == SIGKILL && frozen(&f)) {
		/* a paused container: the KILL acts only once thawed (as runc does) */
		int fd = open(f.freezer, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			const char *v = f.freeze_v2 ? "0" : "THAWED";
			if (write(fd, v, strlen(v)) < 0) { /* the kill is sent; a thaw that fails shows in state */ }
			close(fd);
		}
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (flag == FTW_DP) return rmdir(path) && errno != ENOENT ? -1 : 0;
	return unlink(path) && errno != ENOENT ? -1 : 0;
}

static int cgroup_empty(const char *dir)
{
	char path[PATH_MAX + 16], c;
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return errno == ENOENT;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	return n == 0;
}

static int cmd_delete(const char *dir, const char *id, int force)
{
	char state[PATH_MAX];
	snprintf(state, sizeof state, "%s/state.json", dir);
	if (access(state, F_OK)) {
		if (access(dir, F_OK)) {
			/* as runc: `delete --force` of a container that is not there succeeds (containerd's shim calls it after `delete`) */
			if (force) return 0;
			return fail("container \"%s\" does not exist", id);
		}
		fallback(); /* a directory without state: an aborted create, Node's to judge */
	}
	struct fast f;
	if (read_fast(dir, &f) || f.hooks_poststop) fallback();
	if (status_of(dir, &f) != STOPPED) fallback(); /* kill, wait, then delete: Node's */
	for (int i = 0; i < f.ncgroups; i++)
		if (!cgroup_empty(f.cgroups[i])) fallback(); /* leftovers to kill first */
	for (int i = 0; i < f.ncgroups; i++) {
		for (int tries = 0; rmdir(f.cgroups[i]) && errno == EBUSY && tries < 100; tries++) usleep(10000);
		if (!access(f.cgroups[i], F_OK)) fallback();
	}
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT)) return fail("delete %s: removing %s: %s", id, dir, strerror(errno));
	return 0;
}

/* Whether argv[i] is a flag with a value (the value is then argv[i+1] unless given with '='). */
static const char *global_value(char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	while (*a == '-') a++;
	size_t n = strlen(name);
	if (strncmp(a, name, n)) return NULL;
	if (a[n] == '=') return a + n + 1;
	if (a[n] == 0 && argv[*i + 1]) return argv[++*i];
	return NULL;
}

int main(int argc, char **argv)
{
	(void)argc;
	orig_argv = argv;
	/* only create.c sets these */
	unsetenv(STANDBY_ENV);
	unsetenv(REPORT_ENV);
	int i = 1;
	for (; argv[i] && argv[i][0] == '-'; i++) {
		const char *v;
		const char *a = argv[i] + (argv[i][1] == '-' ? 2 : 1);
		if ((v = global_value(argv, &i, "root"))) root = v;
		else if ((v = global_value(argv, &i, "log-format"))) {
			if (strcmp(v, "json") && strcmp(v, "text")) fallback();
			logjson = !strcmp(v, "json");
		} else if ((v = global_value(argv, &i, "log"))) logfile = v;
		else if ((v = global_value(argv, &i, "rootless")) || (v = global_value(argv, &i, "criu"))) {
			if (!strcmp(v, "true")) fallback();
		} else if (!strcmp(a, "debug") || !strcmp(a, "systemd-cgroup") || !strcmp(a, "systemd-cgroup=true") || !strcmp(a, "debug=true")) continue;
		else fallback(); /* --help, --version, anything else */
	}
	const char *cmd = argv[i];
	if (!cmd) fallback();
	if (!strcmp(cmd, "create")) {
		/* node's, around which create.c saves what it can; not when the
		 * caller's fds 3.. are to reach the container (--preserve-fds) */
		for (int j = i + 1; argv[j]; j++)
			if (!strncmp(argv[j], "--preserve-fds", 14) || !strncmp(argv[j], "-preserve-fds", 13)) fallback();
		create_via_node(fallback);
	}
	/* the command's own flags and positionals */
	const char *pos[3] = { 0 };
	int npos = 0, force = 0;
	for (int j = i + 1; argv[j]; j++) {
		const char *a = argv[j];
		if (a[0] == '-' && a[1]) {
			if (!strcmp(cmd, "delete") && (!strcmp(a, "--force") || !strcmp(a, "-f") || !strcmp(a, "--force=true") || !strcmp(a, "-force"))) { force = 1; continue; }
			fallback(); /* --all, --help, anything else */
		}
		if (npos == 3) fallback();
		pos[npos++] = a;
	}
	if (!pos[0] || !valid_id(pos[0])) fallback();
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s/%s", root, pos[0]) >= (int)sizeof dir) fallback();
	if (!strcmp(cmd, "state") && npos == 1) return cmd_state(dir, pos[0]);
	if (!strcmp(cmd, "start") && npos == 1) return cmd_start(dir, pos[0]);
	if (!strcmp(cmd, "kill") && npos <= 2) return cmd_kill(dir, pos[0], pos[1]);
	if (!strcmp(cmd, "delete") && npos == 1) return cmd_delete(dir, pos[0], force);
	fallback();
	return 1;
}
