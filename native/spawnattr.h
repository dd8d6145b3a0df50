/* What every process nscope spawns gets (the shim, a standby shim, a hook):
 * no blocked or ignored signal inherited from the spawner (node blocks and
 * ignores some), and a session of its own. Shared by the addon and the
 * runtime's front door; header only, C and C++. */
#ifndef NSCOPE_SPAWNATTR_H
#define NSCOPE_SPAWNATTR_H

#include <signal.h>
#include <spawn.h>

static inline void spawnattr_clean(posix_spawnattr_t *at)
{
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(at);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &all);
	posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
}

#endif
