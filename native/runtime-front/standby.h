/* The shim of a `create`, spawned by the front door before it hands over to
 * node: see standby.c. */
#ifndef NSCOPE_FRONT_STANDBY_H
#define NSCOPE_FRONT_STANDBY_H

/* The variable that tells the Node runtime about it: "PID STATUSFD PLANFD". */
#define STANDBY_ENV "NSCOPE_RUNTIME_STANDBY"

/* Spawns `nscope-shim --standby` beside this program and sets STANDBY_ENV;
 * on any failure sets nothing (the Node runtime then spawns its own). */
void spawn_standby(void);

#endif
