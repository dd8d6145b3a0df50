// Shared by the cgroups integration tests: unique names, processes placed in a
// cgroup, and a final check that nothing named *nscope* is left anywhere.
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cgroupName } from '../helpers/run-scope';
import type { Cgroup } from '../../helper/cgroups/types';

export const isRoot = process.getuid?.() === 0;

/** A unique parent per test, so a failed run never collides with the next. */
export function uniqueParent(): string {
  return cgroupName(String(process.pid));
}

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function track(child: ChildProcess): Spawned {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/**
 * Runs argv inside `cg` from its first instruction: a shell writes its own
 * pid to every cgroup.procs, then execs the command (what the runtime's init
 * does in C). Nothing runs outside the cgroup, so a limit applies to all of it.
 */
export function spawnIn(cg: Cgroup, argv: string[]): Spawned {
  const join = cg.procsFiles().map((f) => `echo $$ > '${f}' || exit 99`).join('; ');
  return track(spawn('/bin/sh', ['-c', `${join}; exec "$@"`, 'sh', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

export function spawnPlain(argv: string[]): Spawned {
  return track(spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }));
}

export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every directory named *nscope* under /sys/fs/cgroup, 4 levels deep (the find(1) of the brief). */
export function leftovers(prefix = 'nscope'): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name.includes(prefix)) out.push(p);
      walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 1);
  return out;
}
