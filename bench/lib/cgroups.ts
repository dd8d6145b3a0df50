// cgroup housekeeping for the benchmark: where the hierarchies are mounted,
// removing the bench's own cgroups (deepest first), and the leak check
// `find /sys/fs/cgroup -maxdepth 4 -name '*nscope*'`.
import * as fs from 'fs';
import * as path from 'path';

export interface CgMount { mountPoint: string; fsType: 'cgroup' | 'cgroup2' }

export function cgroupMounts(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): CgMount[] {
  const out: CgMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    const fsType = line.slice(sep + 3).split(' ')[0];
    if (fsType === 'cgroup' || fsType === 'cgroup2') out.push({ mountPoint: fields[4].replace(/\\040/g, ' '), fsType });
  }
  return out;
}

/**
 * cgroup2 mounts beside v1 hierarchies (the "hybrid" layout, e.g.
 * /sys/fs/cgroup/unified): crun refuses such hosts, so its timer loop runs in a
 * private mount namespace where these are unmounted.
 */
export function hybridUnifiedMounts(): string[] {
  const ms = cgroupMounts();
  if (!ms.some((m) => m.fsType === 'cgroup')) return [];
  return ms.filter((m) => m.fsType === 'cgroup2').map((m) => m.mountPoint);
}

/** Directories below `base` up to `maxDepth` whose name matches `pred`. */
export function findDirs(base: string, maxDepth: number, pred: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > maxDepth) return;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (pred(e.name)) out.push(p);
      walk(p, depth + 1);
    }
  };
  walk(base, 1);
  return out;
}

/** Like `find /sys/fs/cgroup -maxdepth 4 -name '*nscope*'`. */
export function nscopeCgroups(): string[] {
  return findDirs('/sys/fs/cgroup', 4, (n) => n.includes('nscope'));
}

/** rmdir every cgroup whose own name contains `marker` (and everything below it), deepest first. */
export function removeCgroups(marker: string): string[] {
  const failed: string[] = [];
  const tops = findDirs('/sys/fs/cgroup', 4, (n) => n.includes(marker));
  const all = new Set<string>();
  for (const t of tops) {
    all.add(t);
    for (const d of findDirs(t, 64, () => true)) all.add(d);
  }
  const sorted = [...all].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const d of sorted) {
    try { fs.rmdirSync(d); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') failed.push(`${d}: ${(e as Error).message}`);
    }
  }
  return failed;
}
