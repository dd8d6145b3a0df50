// The process of `runc exec`: read whole from --process FILE (what containerd
// and conmon pass), or the container's own process with runc's flags laid
// over it (args, --cwd, --env, --user, --cap, ...). Checked as runc checks
// it, and completed as runc completes it (HOME from the container's passwd).
import * as fs from 'fs';
import { invalid, NscopeError } from '../errors';
import { native } from '../native';
import { dropUnknownCaps } from './oci-caps';
import type { Process } from './spec';

export interface ExecFlags {
  args: string[];
  cwd?: string;
  env?: string[];
  tty?: boolean;
  /** "UID[:GID]", numbers only (as runc) */
  user?: string;
  additionalGids?: string[];
  caps?: string[];
  /** undefined: the container's own setting */
  noNewPrivs?: boolean;
  apparmor?: string;
  processLabel?: string;
}

/** --process FILE: a whole OCI process, nothing of the container's is merged in (as runc). */
export function processFromFile(file: string): Process {
  let p: Process;
  try {
    p = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw invalid(`--process ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw invalid(`--process ${file}: not an OCI process object`);
  return checkProcess(p);
}

export function processFromFlags(base: Process, f: ExecFlags): Process {
  const p: Process = structuredClone(base);
  p.args = f.args;
  if (f.cwd) p.cwd = f.cwd;
  if (f.caps?.length) {
    const caps = p.capabilities ?? {};
    for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) caps[set] = [...(caps[set] ?? []), ...f.caps];
    p.capabilities = caps;
  }
  p.env = [...(p.env ?? []), ...(f.env ?? [])];
  // runc: the container's terminal setting is not inherited, only -t gives one
  p.terminal = !!f.tty;
  delete p.consoleSize;
  if (f.noNewPrivs !== undefined) p.noNewPrivileges = f.noNewPrivs;
  if (f.user) {
    const m = /^(\d+)(?::(\d+))?$/.exec(f.user);
    if (!m) throw invalid(`--user: "${f.user}" is not UID[:GID] (numbers; names are resolved by the engine)`);
    p.user = { ...p.user, uid: Number(m[1]) };
    if (m[2] !== undefined) p.user.gid = Number(m[2]);
  }
  for (const g of f.additionalGids ?? []) {
    if (!/^\d+$/.test(g)) throw invalid(`--additional-gids: "${g}" is not a non-negative number`);
    p.user = { ...p.user, additionalGids: [...(p.user.additionalGids ?? []), Number(g)] };
  }
  if (f.apparmor) (p as Process & { apparmorProfile?: string }).apparmorProfile = f.apparmor;
  if (f.processLabel) (p as Process & { selinuxLabel?: string }).selinuxLabel = f.processLabel;
  return checkProcess(p);
}

/** runc's validateProcessSpec, and what nscope cannot apply named; unknown capabilities left out with a warning, as runc. */
export function checkProcess(p: Process): Process {
  if (!p.cwd) throw invalid('process: cwd property must not be empty');
  if (typeof p.cwd !== 'string' || !p.cwd.startsWith('/')) throw invalid(`process: cwd "${String(p.cwd)}" must be an absolute path`);
  if (!Array.isArray(p.args) || p.args.length === 0) throw invalid('process: args must not be empty');
  if (!p.user || typeof p.user !== 'object') p.user = { uid: 0, gid: 0 };
  const x = p as Process & { apparmorProfile?: string; selinuxLabel?: string };
  if (x.apparmorProfile) throw new NscopeError('unsupported', `process: apparmorProfile "${x.apparmorProfile}": AppArmor is not supported by nscope-runtime`);
  if (x.selinuxLabel) throw new NscopeError('unsupported', `process: selinuxLabel "${x.selinuxLabel}": SELinux is not supported by nscope-runtime`);
  return dropUnknownCaps(p);
}

/**
 * The environment as the process gets it: a later KEY=... replaces an
 * earlier one in its place (runc sets them one by one), and HOME is the
 * user's home from the container's /etc/passwd when not given ("/" without one).
 */
export function finalEnv(p: Process, initPid: number): string[] {
  const env = new Map<string, string>();
  for (const e of p.env ?? []) {
    const i = e.indexOf('=');
    if (i <= 0) throw invalid(`process: env "${e.slice(0, 64)}" is not KEY=VALUE`);
    env.set(e.slice(0, i), e);
  }
  if (!env.has('HOME')) env.set('HOME', `HOME=${homeOf(p.user?.uid ?? 0, initPid)}`);
  return [...env.values()];
}

function homeOf(uid: number, initPid: number): string {
  let text = '';
  try {
    // resolved inside the container's root: its /etc/passwd may be a symlink of its own
    const fd = native().openInRoot(`/proc/${initPid}/root`, 'etc/passwd', fs.constants.O_RDONLY);
    try { text = fs.readFileSync(fd, 'utf8'); } finally { fs.closeSync(fd); }
  } catch { /* no passwd: "/" */ }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && f[2] === String(uid) && f[5]) return f[5];
  }
  return '/';
}
