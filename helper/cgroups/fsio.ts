// Reading and writing cgroup files. Cgroupfs has its own rules: a value must
// arrive in one write(2), files cannot be created (so never O_CREAT), some are
// write-only (cgroup.kill: opening it for reading fails), and the kernel's
// refusal (EBUSY, EINVAL) is the only validation feedback, so it is turned into
// a message that names the file and the value.
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';

const ERRNO_TEXT: Record<string, string> = {
  EBUSY: 'device or resource busy',
  EINVAL: 'invalid argument',
  ERANGE: 'value out of range',
  ENOSPC: 'no space left on device (an empty cpuset, or a limit reached)',
  EPERM: 'operation not permitted',
  EACCES: 'permission denied',
  ENOENT: 'no such file',
  EEXIST: 'already exists',
  ENOTEMPTY: 'not empty',
  EAGAIN: 'resource temporarily unavailable',
};

export function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return (code && ERRNO_TEXT[code]) ?? (err instanceof Error ? err.message : String(err));
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

/** The file's content without the trailing newline; undefined if it does not exist. */
export function readOpt(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENODEV') return undefined;
    throw new NscopeError('failed', `cannot read ${file}: ${errnoText(err)}`);
  }
}

export function read(file: string): string {
  const v = readOpt(file);
  if (v === undefined) throw new NscopeError('failed', `cannot read ${file}: no such file`);
  return v;
}

/**
 * Parses a kernel number. Values above 2^53 (v1's "unlimited" is
 * 0x7FFFFFFFFFFFF000) lose precision as a JS number, so callers compare
 * them against UNLIMITED_THRESHOLD rather than an exact value.
 */
export function parseNum(file: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new NscopeError('failed', `unexpected content in ${file}: ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

export function readNumOpt(file: string): number | undefined {
  const t = readOpt(file);
  return t === undefined ? undefined : parseNum(file, t);
}

/** Anything at or above 2^60 bytes is a kernel "no limit" sentinel (v1: 2^63-4096, rounded to page size). */
export const UNLIMITED_THRESHOLD = 2 ** 60;

/** "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
export function readKeyed(file: string): Map<string, number> | undefined {
  const t = readOpt(file);
  if (t === undefined) return undefined;
  const m = new Map<string, number>();
  for (const line of t.split('\n')) {
    const [k, v] = line.split(/\s+/);
    if (k && v !== undefined) m.set(k, Number(v));
  }
  return m;
}

/**
 * Writes `value` in one write(2) without O_CREAT/O_TRUNC. On refusal throws
 * "<what>: cannot set <value> (<file>): <reason>[; hint]".
 */
export function write(file: string, value: string, hint?: (code: string | undefined) => string | undefined): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY);
    const buf = Buffer.from(value);
    const n = fs.writeSync(fd, buf, 0, buf.length);
    if (n !== buf.length) throw Object.assign(new Error('short write'), { code: 'EIO' });
  } catch (err) {
    const code = errnoCode(err);
    const extra = hint?.(code);
    const msg = `cannot set ${path.basename(file)} to ${JSON.stringify(value)} in ${path.dirname(file)}: ${errnoText(err)}${extra ? `; ${extra}` : ''}`;
    throw new NscopeError(code === 'EINVAL' || code === 'ERANGE' ? 'invalid' : 'failed', msg);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Why the kernel refused a cpuset: ERANGE = beyond the CPUs the kernel knows, EINVAL = not allowed in the parent. */
export function cpusetHint(code: string | undefined): string | undefined {
  if (code !== 'EINVAL' && code !== 'ERANGE') return undefined;
  const online = readOpt('/sys/devices/system/cpu/online');
  return `the CPUs/nodes must be online${online ? ` (CPUs online: ${online})` : ''} and allowed in the parent cgroup`;
}

export function exists(p: string): boolean {
  return fs.existsSync(p);
}

/**
 * mkdir -p below `root`, returning the directories it created (outermost first)
 * so destroy() removes exactly those. A concurrent destroy of a shared parent
 * (another nscope process rmdir-ing an empty "nscope/") can remove a parent
 * between two mkdirs: retry the whole walk on ENOENT.
 */
export function mkdirTracked(root: string, rel: string): string[] {
  const parts = rel.split('/');
  for (let attempt = 0; ; attempt++) {
    const created: string[] = [];
    try {
      let dir = root;
      for (const p of parts) {
        dir = path.join(dir, p);
        try {
          fs.mkdirSync(dir);
          created.push(dir);
        } catch (err) {
          if (errnoCode(err) !== 'EEXIST') throw err;
        }
      }
      return created;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' && attempt < 5) continue;
      // Undo what this call made so a failed create leaves nothing behind.
      for (const d of created.reverse()) {
        try { fs.rmdirSync(d); } catch { /* best effort */ }
      }
      throw new NscopeError('failed', `cannot create cgroup ${path.join(root, rel)}: ${errnoText(err)}`);
    }
  }
}

/** Sub-cgroups of `dir`, deepest first (the order rmdir needs). */
export function descendants(dir: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return out;
    throw err;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const sub = path.join(dir, e.name);
    out.push(...descendants(sub), sub);
  }
  return out;
}

/** All PIDs in cgroup.procs of `dir` and its descendants; [] if the cgroup is gone. */
export function procsRecursive(dir: string): number[] {
  const pids = new Set<number>();
  for (const d of [dir, ...descendants(dir)]) {
    const t = readOpt(path.join(d, 'cgroup.procs'));
    if (!t) continue;
    for (const l of t.split('\n')) if (l) pids.add(Number(l));
  }
  return [...pids];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * rmdir that tolerates "already gone" and retries EBUSY: right after the last
 * process exits the kernel may still hold the css for a moment.
 */
export async function rmdirRetry(dir: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) {
        throw new NscopeError('failed', `cannot remove cgroup ${dir}: ${errnoText(err)}`);
      }
    }
    await sleep(delay);
  }
}

/** rmdir only if empty; a parent still shared with other containers stays. */
export function rmdirIfEmpty(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY' || code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw new NscopeError('failed', `cannot remove cgroup ${dir}: ${errnoText(err)}`);
  }
}

/**
 * Sends `signal` to each pid, ignoring ones that already exited. Refuses if
 * this very process is among them: a cgroups path that resolved to the
 * daemon's own cgroup must not make it kill itself.
 */
export function signalAll(pids: number[], signal: NodeJS.Signals, rel = 'the cgroup'): void {
  assertNotSelf(pids, rel);
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if (errnoCode(err) !== 'ESRCH') throw new NscopeError('failed', `cannot send ${signal} to pid ${pid}: ${errnoText(err)}`);
    }
  }
}

export function assertNotSelf(pids: number[], rel: string): void {
  if (pids.includes(process.pid)) {
    throw new NscopeError('conflict', `cgroup ${rel} contains this process (pid ${process.pid}); refusing to kill it`);
  }
}
