// `--ulimit name=soft[:hard]` (Docker's syntax and checks, go-units'
// ParseUlimit) -> the OCI spec's process.rlimits, which the shim sets in the
// container's init and in every process exec'd into it.
import * as fs from 'fs';
import { invalid } from '../errors';
import type { Rlimit } from './spec';

/** Docker's names (go-units' ulimitNameMapping) -> the OCI spec's types. */
const NAMES: Record<string, string> = {
  as: 'RLIMIT_AS', core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE', locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', nofile: 'RLIMIT_NOFILE', nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME', sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK',
};

/** -1 (or "unlimited") is RLIM_INFINITY; the shim reads -1 so. */
function limitValue(s: string, name: string): number {
  if (s === 'unlimited' || s === '-1') return -1;
  if (!/^\d+$/.test(s)) throw invalid(`--ulimit ${name}: "${s}" is not a number (or -1/unlimited)`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw invalid(`--ulimit ${name}: ${s} is out of range`);
  return n;
}

/** The kernel's ceiling for RLIMIT_NOFILE: a hard limit above fs.nr_open (or unlimited) makes setrlimit fail. */
function nrOpen(): number {
  try { return Number(fs.readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) || 1048576; } catch { return 1048576; }
}

export function parseUlimit(v: string): Rlimit {
  if (typeof v !== 'string') throw invalid('--ulimit: not a string');
  const eq = v.indexOf('=');
  if (eq < 0) throw invalid(`invalid ulimit argument: ${v}`);
  const name = v.slice(0, eq);
  const type = Object.prototype.hasOwnProperty.call(NAMES, name) ? NAMES[name] : undefined;
  if (!type) throw invalid(`invalid ulimit type: ${name} (one of ${Object.keys(NAMES).join(', ')})`);
  const parts = v.slice(eq + 1).split(':');
  if (parts.length > 2) throw invalid(`too many limit value arguments - ${v.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const soft = limitValue(parts[0], name);
  const hard = parts.length === 2 ? limitValue(parts[1], name) : soft;
  if (hard !== -1) {
    if (soft === -1) throw invalid(`--ulimit ${name}: ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    if (soft > hard) throw invalid(`--ulimit ${name}: ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  if (name === 'nofile') {
    const max = nrOpen();
    if (hard === -1 || hard > max) throw invalid(`--ulimit nofile: ${hard === -1 ? 'unlimited' : hard} is above the kernel's maximum of open files (fs.nr_open = ${max})`);
  }
  return { type, soft, hard };
}

/** The spec's rlimits with the --ulimit values over them (a later one for the same name wins, as in Docker). */
export function applyUlimits(base: Rlimit[] | undefined, ulimits: string[] | undefined): Rlimit[] | undefined {
  if (!ulimits?.length) return base;
  const out = new Map<string, Rlimit>((base ?? []).map((r) => [r.type, r]));
  for (const u of ulimits) { const r = parseUlimit(u); out.set(r.type, r); }
  return [...out.values()];
}
