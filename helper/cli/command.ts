// What every `nscope` command is made of, and the helpers they share.
import type { HelperClient } from '../protocol/client';
import { UsageError, type FlagSpec, type Parsed, str } from './args';

export interface Ctx { socket: string; client(): Promise<HelperClient> }

/** A flag of an `nscope` command. Its `help` is required: --help is printed from these tables. */
export type Flag = FlagSpec & { help: string };

/** Where a command is listed in `nscope --help`. */
export type Group = 'Containers' | 'Images' | 'Files' | 'Helper';

export type Command = {
  /** one line for `nscope --help` and the command's own help */
  summary: string;
  group: Group;
  flags: Flag[];
  /** everything after the first positional is the container's command (run, create, exec) */
  stop?: boolean;
  min?: number;
  /** after `nscope `: the arguments, e.g. 'stop [OPTIONS] CONTAINER...' */
  usage: string;
  /** for commands with subcommands (image, file): each one's usage and what it does */
  subcommands?: [usage: string, summary: string][];
  run: (p: Parsed, ctx: Ctx) => Promise<number>;
};

export const FORMAT: Flag = { name: 'format', takesValue: true, help: 'Output format: "table" (the default) or "json"' };
export const json = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');
export const wantsJson = (p: Parsed) => {
  const f = str(p, 'format');
  if (f !== undefined && f !== 'json' && f !== 'table') throw new UsageError(`--format: "${f}" is not json or table`);
  return f === 'json';
};


/** Runs fn for each positional id; errors are reported per id, like Docker. */
export async function eachId(p: Parsed, ctx: Ctx, fn: (c: HelperClient, id: string) => Promise<unknown>): Promise<number> {
  const c = await ctx.client();
  let rc = 0;
  for (const id of p.positionals) {
    try { await fn(c, id); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); rc = 1; }
  }
  return rc;
}
