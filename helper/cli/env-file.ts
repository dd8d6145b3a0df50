// `--env-file FILE` and `-e KEY` (no value), and `--label-file FILE`, as Docker's client reads them:
// on the client's side, with the caller's permissions and environment —
// never by the root helper, which would read any file on the host for them.
import * as fs from 'fs';
import { UsageError } from './args';

const WHITESPACE = ' \t';

/**
 * Docker's env file: one KEY=VALUE a line, the value taken as it is (no
 * quotes, no expansion); `KEY` alone takes the value it has in the client's
 * environment and is left out if it has none; lines starting with `#` and
 * blank lines are skipped; leading whitespace is dropped, a key with
 * whitespace in it is an error.
 */
export function parseEnvFile(text: string, file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw new UsageError(`poorly formatted environment: no variable name on line '${line}'`);
    if ([...WHITESPACE].some((c) => key.includes(c))) throw new UsageError(`poorly formatted environment: variable '${key}' contains whitespaces`);
    if (line.includes('\0')) throw new UsageError(`env file ${file}: line ${i + 1} contains a NUL byte`);
    if (eq >= 0) out.push(line);
    else if (env[key] !== undefined) out.push(`${key}=${env[key]}`);
  });
  return out;
}

/**
 * The container's environment from the command line: every --env-file in
 * order, then every -e (so -e wins, whatever the order of the flags, as in
 * Docker). `-e KEY` alone takes the client's value, or is left out.
 */
export function envFromFlags(files: string[] | undefined, envs: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  if (!files?.length && !envs) return undefined;
  const out: string[] = [];
  for (const f of files ?? []) out.push(...parseEnvFile(readFlagFile(f, 'env'), f, env));
  for (const e of envs ?? []) {
    if (e.includes('=')) { out.push(e); continue; }
    if (e === '') throw new UsageError('poorly formatted environment: variable \'\' is empty');
    if (env[e] !== undefined) out.push(`${e}=${env[e]}`);
  }
  return out;
}

/** A file a flag names (--env-file, --label-file), read by the client, as text. */
function readFlagFile(f: string, kind: 'env' | 'label'): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(f);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`open ${f}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message}`);
  }
  return decodeLines(bytes, f, kind);
}

/**
 * The container's labels: every --label-file in order (Docker's: a label a
 * line, KEY=VALUE or KEY alone for an empty value, `#` comments and blank
 * lines skipped), then every -l, which wins.
 */
export function labelsFromFlags(files: string[] | undefined, labels: string[] | undefined): Record<string, string> | undefined {
  const lines: string[] = [];
  for (const f of files ?? []) {
    for (const raw of readFlagFile(f, 'label').split(/\r?\n/)) {
      const line = raw.trim();
      if (line && !line.startsWith('#')) lines.push(line);
    }
  }
  lines.push(...(labels ?? []));
  if (!lines.length) return undefined;
  const out: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf('=');
    const key = i < 0 ? l : l.slice(0, i);
    if (!key) throw new UsageError(`invalid label '${l}': empty name`);
    out[key] = i < 0 ? '' : l.slice(i + 1);
  }
  return out;
}

/** The file as text; bytes that are not UTF-8 are an error naming the line, as in Docker. */
function decodeLines(bytes: Buffer, file: string, kind: 'env' | 'label' = 'env'): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try { return strict.decode(bytes); } catch { /* find the line */ }
  let start = 0;
  for (let line = 1; ; line++) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl;
    try { strict.decode(bytes.subarray(start, end)); } catch { throw new UsageError(`${kind} file ${file} contains invalid utf8 bytes at line ${line}`); }
    if (nl < 0) return bytes.toString('utf8');
    start = nl + 1;
  }
}
