// `top CONTAINER [ps OPTIONS]` as Docker answers it, and `nscope-runtime ps
// ID [ps OPTIONS]` as runc does: the host runs `ps` with the caller's options
// (default -ef), and the rows are cut to the container's processes by the PID
// column. A thread line (`ps -m`, PID "-") stays with the process above it.
// The options go to ps as separate arguments, never through a shell.
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

/**
 * ps's output cut to `pids` by its PID column: the header and the lines
 * kept as ps wrote them (runc ps prints them so), each with its fields.
 */
export function psLines(output: string, pids: number[]): { header: string; titles: string[]; rows: { line: string; fields: string[] }[] } {
  const lines = output.split('\n');
  const header = lines[0] ?? '';
  const titles = header.trim().split(/\s+/).filter(Boolean);
  const at = titles.indexOf('PID');
  if (at < 0) throw invalid('couldn\'t find the PID field in ps output (an -o list must name pid)');
  const want = new Set(pids);
  const rows: { line: string; fields: string[] }[] = [];
  let keepThreads = false;
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (!fields.length) continue;
    if (fields[at] === '-') { if (keepThreads) rows.push({ line, fields }); continue; }
    const pid = Number(fields[at]);
    if (!Number.isInteger(pid)) throw new NscopeError('failed', `unexpected pid "${fields[at]}" in ps output`);
    keepThreads = want.has(pid);
    if (keepThreads) rows.push({ line, fields });
  }
  return { header, titles, rows };
}

/** ps's output cut to `pids`, as Docker's table: the columns after the last title joined back into it (CMD holds blanks). */
export function parsePs(output: string, pids: number[]): PsTable {
  const { titles, rows } = psLines(output, pids);
  const n = titles.length;
  return { titles, processes: rows.map(({ fields }) => [...fields.slice(0, n - 1), fields.slice(n - 1).join(' ')]) };
}

/** The host's ps with `args`: its output, or a one-line error naming the options. */
export function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { timeout: 10_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (!err) { resolve(stdout); return; }
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      const why = missing ? 'ps is not installed on this host' : (stderr.trim() || err.message).split('\n')[0];
      reject(new NscopeError(missing ? 'failed' : 'invalid', `ps ${args.join(' ')}: ${why}`));
    });
  });
}

/** Runs the host's ps with `args` and keeps the rows of `pids` (`top`: its errors say so). */
export async function psTable(pids: number[], args: string[]): Promise<PsTable> {
  try {
    return parsePs(await runPs(args), pids);
  } catch (e) {
    throw e instanceof NscopeError ? new NscopeError(e.code, `top: ${e.message}`) : e;
  }
}
