/*
 * `create` is the one call of an engine that needs the Node runtime, and
 * node takes ~20 ms to start. The shim that will set the container up
 * (clone, mounts, pivot_root) does not need to wait for that: the front door
 * spawns it now, as `nscope-shim --standby`, so its exec and the loading of
 * it and of libseccomp happen while node starts. The Node runtime finds it in
 * NSCOPE_RUNTIME_STANDBY ("PID STATUSFD PLANFD": the shim is this process's
 * child, and this process becomes node), writes the plan's path to PLANFD
 * and reads the shim's status lines from STATUSFD, as with a shim it spawned
 * itself (helper/runtime/front-standby.ts). A node that never gets that far
 * (bad arguments, a bad bundle) closes PLANFD, at the latest by exiting, and
 * the shim exits without a word.
 *
 * The shim gets what the Node runtime would give it: the caller's stdio as
 * its 0-2, the status pipe as 3, the plan pipe as 4, nothing else; its own
 * session, no blocked or ignored signals.
 */
#include "standby.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

void spawn_standby(void)
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
	posix_spawnattr_init(&at);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
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
