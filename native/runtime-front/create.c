/*
 * `create` is the one call of an engine that needs the Node runtime, and
 * node takes ~20 ms to start and ~4 ms to end. Neither needs to be on the
 * engine's path in full:
 *
 * - The shim that will set the container up (clone, mounts, pivot_root) does
 *   not wait for node: it is spawned first, as `nscope-shim --standby`, so its
 *   exec and the loading of it and of libseccomp happen while node starts.
 *   The Node runtime finds it in NSCOPE_RUNTIME_STANDBY ("PID STATUSFD
 *   PLANFD": the shim is node's child), writes the plan's path to PLANFD and
 *   reads the shim's status lines from STATUSFD, as with a shim it spawned
 *   itself (helper/runtime/front-standby.ts). A node that never gets that far
 *   (bad arguments, a bad bundle) closes PLANFD and the shim exits quietly.
 *   The shim gets what the Node runtime would give it: the caller's stdio as
 *   its 0-2, the status pipe as 3, the plan pipe as 4, nothing else; its own
 *   session, no blocked or ignored signals.
 *
 * - Node runs as this process's child and writes its exit code to the pipe
 *   in NSCOPE_RUNTIME_REPORT once everything is done (state written, hooks
 *   run, pid file there); this process exits with it at once. Node's own
 *   exit — its heap freed, the kernel unmapping ~50 MB — then goes on
 *   without the engine waiting for it, and ends at the latest with this
 *   process (PR_SET_PDEATHSIG). A node that dies without a report gives its
 *   own status (a signal as 128+N).
 */
#include "create.h"
#include "../spawnattr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Spawns the standby shim and sets STANDBY_ENV; on any failure sets nothing
 * (the Node runtime then spawns its own). */
static void spawn_standby(void)
{
	char shim[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", shim, sizeof shim - 16);
	if (n <= 0) return;
	shim[n] = 0;
	char *slash = strrchr(shim, '/');
	if (!slash) return;
	strcpy(slash + 1, "nscope-shim"); /* beside us in build/Release */

	int st[2], pl[2];
	if (pipe2(st, O_CLOEXEC)) return;
	if (pipe2(pl, O_CLOEXEC)) { close(st[0]); close(st[1]); return; }
	/* the shim's ends above 4, so that placing them at 3 and 4 overwrites neither */
	int st_w = fcntl(st[1], F_DUPFD_CLOEXEC, 5), pl_r = fcntl(pl[0], F_DUPFD_CLOEXEC, 5);
	close(st[1]);
	close(pl[0]);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, st_w, 3);
	posix_spawn_file_actions_adddup2(&fa, pl_r, 4);
	spawnattr_clean(&at);
	char *argv[] = { shim, "--standby", NULL };
	pid_t pid = -1;
	int rc = st_w < 0 || pl_r < 0 ? -1 : posix_spawn(&pid, shim, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (st_w >= 0) close(st_w);
	if (pl_r >= 0) close(pl_r);
	/* our ends outlive the exec into node */
	if (rc != 0 || fcntl(st[0], F_SETFD, 0) || fcntl(pl[1], F_SETFD, 0)) {
		close(st[0]);
		close(pl[1]);
		return; /* a shim spawned all the same exits on the EOF */
	}
	char v[64];
	snprintf(v, sizeof v, "%d %d %d", (int)pid, st[0], pl[1]);
	setenv(STANDBY_ENV, v, 1);
}

void create_via_node(void (*exec_node)(void))
{
	int rp[2];
	pid_t pid = -1, front = getpid();
	if (pipe2(rp, O_CLOEXEC) == 0 && (pid = fork()) < 0) {
		close(rp[0]);
		close(rp[1]);
	}
	if (pid <= 0) {
		/* the child, or no child to be had: this process becomes node */
		if (pid == 0) {
			close(rp[0]);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != front) _exit(1); /* the front door is gone already */
		}
		spawn_standby(); /* before the report pipe loses O_CLOEXEC: the shim must not hold it */
		if (pid == 0 && fcntl(rp[1], F_SETFD, 0) == 0) {
			char v[16];
			snprintf(v, sizeof v, "%d", rp[1]);
			setenv(REPORT_ENV, v, 1);
		}
		exec_node();
	}
	close(rp[1]);
	unsigned char code;
	ssize_t n;
	while ((n = read(rp[0], &code, 1)) < 0 && errno == EINTR) {}
	if (n == 1) _exit(code);
	int st;
	while (waitpid(pid, &st, 0) < 0) if (errno != EINTR) _exit(1);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
