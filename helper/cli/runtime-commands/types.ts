// One nscope-runtime command as the command line knows it: its help (runc's
// layout: NAME, USAGE, DESCRIPTION, OPTIONS) and, for the commands kept in
// this folder, how it runs.
import type { OciRuntime } from '../../runtime/oci-runtime';
import { UsageError, type FlagSpec, type Parsed } from '../args';

export interface HelpFlag extends FlagSpec {
  help: string;
}

export interface RuntimeContext {
  rt: OciRuntime;
  /** --debug: say more on stderr */
  debug: boolean;
}

export interface RuntimeCommand {
  name: string;
  /** one line: the command list and NAME */
  summary: string;
  /** after "nscope-runtime NAME " in USAGE */
  usage: string;
  description?: string;
  flags: HelpFlag[];
  /** exec: flags stop at the container id, everything after it is the command */
  stopAtFirstPositional?: boolean;
  /** absent: the command runs in runtime-main.ts (create, start, state, kill, delete, run, ps, list) */
  run?(ctx: RuntimeContext, args: Parsed): Promise<number>;
}

/** The container id, or runc's usage error. */
export function containerId(cmd: RuntimeCommand, p: Parsed): string {
  const id = p.positionals[0];
  if (!id) throw new UsageError(`${cmd.name}: requires a container id (usage: nscope-runtime ${cmd.name} ${cmd.usage})`);
  return id;
}

/** --preserve-fds N (create, run, exec): the count, 0 when not given. */
export function preserveFdsCount(p: Parsed): number {
  const v = p.flags['preserve-fds'];
  if (v === undefined) return 0;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--preserve-fds: "${v}" is not a number`);
  return Number(v);
}

/** An error that ends nscope-runtime with `code` rather than 1 (exec's failures: runc's 255, never a code the process could have exited with). */
export function withExitCode(e: unknown, code: number): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  (err as Error & { exitCode?: number }).exitCode = code;
  return err;
}
