/* `create`, the call the front door hands to node: see create.c. */
#ifndef NSCOPE_FRONT_CREATE_H
#define NSCOPE_FRONT_CREATE_H

/* What tells the Node runtime about the standby shim: "PID STATUSFD PLANFD". */
#define STANDBY_ENV "NSCOPE_RUNTIME_STANDBY"
/* ... and where it reports its exit code before it exits: "FD". */
#define REPORT_ENV "NSCOPE_RUNTIME_REPORT"

/* Runs exec_node() (which does not return) in a child, with a standby shim
 * and a report pipe, and exits with the code node reports. */
void create_via_node(void (*exec_node)(void)) __attribute__((noreturn));

#endif
