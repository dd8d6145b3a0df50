// A container whose command cannot be executed (not found, a directory, not
// executable): as in Docker, `create` still makes it and `start` is what
// fails. Its init finds out while it is set up, so the create that spawned it
// keeps the container as one that never ran, with Docker's exit code (127 not
// found, 126 not executable) and the error, which `inspect` shows; `start`
// looks again (a `cp` may have put the program there meanwhile).
import type { ContainerRecord } from '../record';
import type { ContainerStatus } from '../../protocol/types';
import { type ContainerContext, save } from './context';

/**
 * The exit code Docker gives a container whose init could not execute its
 * program, from the init's error (native/shim/child.c: find_program's "exec: …"),
 * or undefined for any other set-up error.
 */
export function execFailureCode(message: string): 126 | 127 | undefined {
  // `exec: "name": …` (its PATH search) or `exec: /path: …` (a path given)
  if (!/^exec: ("[^"]*"|\S+): /.test(message)) return undefined;
  if (/executable file not found|no such file or directory|not a directory/i.test(message)) return 127;
  return 126;
}

/** Records a start that failed at the exec: its code and error (Docker's ExitCode and State.Error). */
export function recordExecFailure(ctx: ContainerContext, r: ContainerRecord, code: 126 | 127, message: string): void {
  r.exit = { exitCode: code, oomKilled: false, error: message };
  if (ctx.records.has(r.id)) save(ctx, r);
}

/** Never started (its create's init could not exec, or died before `start`): Docker's "created", whatever exit it has. */
export function neverStarted(r: ContainerRecord): boolean {
  return r.status === 'exited' && !r.startedAt;
}

/** The status a view shows: Docker's, for which a container that never started is "created". */
export function shownStatus(r: ContainerRecord): ContainerStatus {
  return neverStarted(r) ? 'created' : r.status;
}
