// `top CONTAINER [ps OPTIONS]` as Docker answers it: the helper's host runs
// `ps` with the caller's options (Docker's default -ef), and the rows are cut
// to the container's processes by the PID column. A thread line (`ps -m`,
// PID "-") stays with the process above it. The options go to ps as separate
// arguments, never through a shell.
import { execFile } from 'child_process';
import { invalid, NscopeError } from '../errors';
import type { PsTable } from '../protocol';

const MAX_ARGS = 32;
const MAX_ARG = 256;

/** The caller's ps options: strings, bounded; `pid=PID`-style renames of other columns refused as Docker refuses them. */
export function checkPsArgs(args: unknown): string[] {
  if (args === undefined) return ['-ef'];
  if (!Array.isArray(args) || args.length > MAX_ARGS || args.some((a) => typeof a !== 'string' || a.length > MAX_ARG || a.includes('\0'))) {
    throw invalid(`top: ps options must be at most ${MAX_ARGS} strings of at most ${MAX_ARG} characters`);
  }
  if (!args.length) return ['-ef'];
  // `-o user=PID` would make another column read as the PID one
  for (const m of args.join(' ').matchAll(/(?:^|\s|,)([^\s,=]*)=\s*(PID\S*)/g)) {
    if (m[1] !== 'pid') throw invalid(`top: specifying "${m[1]}=${m[2]}" is not allowed`);
  }
  return args as string[];
}

/** ps's output cut to `pids`: the columns after the last title joined back into it (CMD holds blanks). */
export function parsePs(output: string, pids: number[]): PsTable {
  const lines = output.split('\n');
  const titles = (lines[0] ?? '').trim().split(/\s+/).filter(Boolean);
  const at = titles.indexOf('PID');
  if (at < 0) throw invalid('top: couldn\'t find the PID field in ps output (an -o list must name pid)');
  const want = new Set(pids);
  const processes: string[][] = [];
  let keepThreads = false;
  const row = (fields: string[]) => [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (!fields.length) continue;
    if (fields[at] === '-') { if (keepThreads) processes.push(row(fields)); continue; }
    const pid = Number(fields[at]);
    if (!Number.isInteger(pid)) throw new NscopeError('failed', `top: unexpected pid "${fields[at]}" in ps output`);
    keepThreads = want.has(pid);
    if (keepThreads) processes.push(row(fields));
  }
  return { titles, processes };
}

/** Runs the host's ps with `args` and keeps the rows of `pids`. */
export function psTable(pids: number[], args: string[]): Promise<PsTable> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { timeout: 10_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'ps is not installed on the helper\'s host' : (stderr.trim() || err.message).split('\n')[0];
        reject(new NscopeError(err.code === 'ENOENT' ? 'failed' : 'invalid', `top: ps ${args.join(' ')}: ${why}`));
        return;
      }
      try { resolve(parsePs(stdout, pids)); } catch (e) { reject(e); }
    });
  });
}
