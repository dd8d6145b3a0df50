// What every `nscope` command is made of, and the helpers they share.
import type { HelperClient } from '../protocol/client';
import { UsageError, type FlagSpec, type Parsed, str } from './args';

export interface Ctx { socket: string; client(): Promise<HelperClient> }

export type Command = { flags: FlagSpec[]; stop?: boolean; min?: number; usage: string; run: (p: Parsed, ctx: Ctx) => Promise<number> };

export const FORMAT: FlagSpec = { name: 'format', takesValue: true };
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

