// `exec` into a running container, and what a shell in it needs: its files
// as it sees them, its shells and users.
import * as fs from 'fs';
import { conflict, invalid, notFound, NscopeError } from '../../errors';
import { readJson } from '../../lib/atomic';
import { isSameProcess } from '../../lib/procinfo';
import { native } from '../../native';
import type { ExecOptions, ShellInfo } from '../../protocol/types';
import { readLayeredFile } from '../../rootfs/lookup';
import type { ExecSession } from '../exec';
import type { ContainerRecord } from '../record';
import type { Spec } from '../spec';
import { cgroup, type ContainerContext, layout, paths } from './context';
import { isPaused } from './pause';
import { shownName } from '../user';

function runningRecord(ctx: ContainerContext, ref: string): ContainerRecord {
  const r = ctx.find(ref);
  if (r.status !== 'running' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`container ${r.name} is not running`);
  return r;
}

export async function exec(ctx: ContainerContext, o: ExecOptions): Promise<ExecSession> {
  if (!o || typeof o !== 'object') throw invalid('exec: options missing');
  const r = runningRecord(ctx, o.id);
  // its processes are frozen: the exec'd one would join them and hang until unpause, so refuse as Docker does
  if (isPaused(ctx, r)) throw conflict(`container ${r.name} is paused, unpause the container before exec`);
  const spec = readJson<Spec>(paths(ctx, r).config);
  if (!spec) throw new NscopeError('failed', `container ${r.name}: config.json is missing`);
  return ctx.execs.start({ containerId: r.id, pid: r.pid!, spec, cgroupProcs: cgroup(ctx, r).joinFiles(), layers: fileLayers(ctx, r), seccompCacheDir: ctx.run.seccompCache() }, o);
}

/** The container's files as layers (bottom to top): image, init, then its rw layer. */
function fileLayers(ctx: ContainerContext, r: ContainerRecord): string[] {
  const l = layout(ctx, r);
  return [...l.lower, l.init, l.upper];
}

/** Reads a small file as the container sees it (through its root when running, else its layers). */
export function readContainerFile(ctx: ContainerContext, r: ContainerRecord, rel: string): string | null {
  if (r.status === 'running' && isSameProcess(r.pid, r.pidStart)) {
    let fd: number | undefined;
    try {
      fd = native().openInRoot(`/proc/${r.pid}/root`, rel, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.size > 1 << 20) return null;
      return fs.readFileSync(fd, 'utf8');
    } catch { return null; } finally { if (fd !== undefined) fs.closeSync(fd); }
  }
  return readLayeredFile(fileLayers(ctx, r), rel);
}

function isExecutable(ctx: ContainerContext, r: ContainerRecord, file: string): boolean {
  if (r.status === 'running' && isSameProcess(r.pid, r.pidStart)) {
    let fd: number | undefined;
    try {
      fd = native().openInRoot(`/proc/${r.pid}/root`, file, 0o10000000 /* O_PATH */);
      const st = fs.fstatSync(fd);
      return st.isFile() && (st.mode & 0o111) !== 0;
    } catch { return false; } finally { if (fd !== undefined) fs.closeSync(fd); }
  }
  return readLayeredFile(fileLayers(ctx, r), file) !== null;
}

export function shells(ctx: ContainerContext, ref: string, user?: string): ShellInfo {
  const r = ctx.find(ref);
  const listed = (readContainerFile(ctx, r, 'etc/shells') ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/'));
  const candidates = [...new Set([...listed, '/bin/bash', '/bin/sh'])];
  const found = candidates.filter((s) => isExecutable(ctx, r, s));
  let loginShell: string | undefined;
  const passwd = (readContainerFile(ctx, r, 'etc/passwd') ?? '').split('\n').map((l) => l.split(':')).filter((p) => p.length >= 7);
  // who can log in: a shell that is not nologin/false (system accounts have those)
  const users = passwd.filter((p) => p[0] === 'root' || (p[6] && !/(nologin|false)$/.test(p[6]))).map((p) => p[0]);
  users.sort((a, b) => (b === 'root' ? 1 : 0) - (a === 'root' ? 1 : 0));
  if (user) {
    const e = passwd.find((p) => p[0] === user || p[2] === user);
    if (!e) throw notFound(`unable to find user ${shownName(user)}: no matching entries in passwd file`);
    if (e[6] && isExecutable(ctx, r, e[6])) loginShell = e[6];
  }
  // bash first when present: the best interactive shell of the usual ones
  found.sort((a, b) => (b.endsWith('/bash') ? 1 : 0) - (a.endsWith('/bash') ? 1 : 0));
  return { shells: found, loginShell, users: [...new Set(users)] };
}
