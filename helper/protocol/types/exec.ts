// Exec: a new process in a running container (the helper side of "Open
// shell in container"). The byte stream itself is a `stream.open` of kind
// `exec` (see streams.ts); its methods (../methods/exec.ts) act on a running
// exec by its id.
export interface ExecOptions {
  /** container id or name */
  id: string;
  cmd: string[];
  /** allocate a pseudo-terminal inside the container (docker exec -t) */
  tty?: boolean;
  /** keep stdin open (docker exec -i) */
  interactive?: boolean;
  /** USER[:GROUP], names or numbers from the container's /etc/passwd and /etc/group */
  user?: string;
  workdir?: string;
  /** KEY=VALUE, added to the container's environment */
  env?: string[];
  /** initial window size with tty */
  rows?: number;
  cols?: number;
  /** docker exec -d: the process runs on its own, its output discarded; the stream closes at once */
  detach?: boolean;
  /** docker exec --privileged: every capability (the container's seccomp filter still applies, as in Docker) */
  privileged?: boolean;
}

export interface ExecStatus { execId: string; containerId: string; running: boolean; pid?: number; exitCode?: number; error?: string }

export interface ShellInfo {
  /** shells the container has, best first (/etc/shells, else /bin/bash, /bin/sh) */
  shells: string[];
  /** the login shell of `user` from the container's /etc/passwd, if it has one */
  loginShell?: string;
  /** users of the container's /etc/passwd who can log in (a real shell), root first */
  users: string[];
}
