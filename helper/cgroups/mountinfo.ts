// Parsing /proc/self/mountinfo and /proc/self/cgroup. Pure functions over the
// file text so detection can be tested against fixtures of other hosts
// (pure v2, co-mounted cpu,cpuacct, cgroup namespaces) on this one.
import { parseMountinfo } from '../lib/mountinfo';

export interface CgroupMount {
  /** "major:minor" of the superblock: two mounts with the same one are the same hierarchy. */
  dev: string;
  /** The path inside the hierarchy that is mounted here ("/" unless in a cgroup namespace or a bind mount). */
  root: string;
  mountPoint: string;
  fsType: 'cgroup' | 'cgroup2';
  /** v1: the controllers bound to it (e.g. ["cpu","cpuacct"]) and named hierarchies ("name=systemd"). */
  controllers: string[];
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const m of parseMountinfo(mountinfo)) {
    if (m.fsType !== 'cgroup' && m.fsType !== 'cgroup2') continue;
    out.push({
      dev: m.dev, root: m.root, mountPoint: m.mountPoint, fsType: m.fsType,
      // Super options of a v1 mount are "rw,cpu,cpuacct" or "rw,xattr,name=systemd";
      // the generic ones are not controllers.
      controllers: m.fsType === 'cgroup'
        ? m.superOptions.filter((o) => !V1_GENERIC_OPTS.has(o) && !o.startsWith('release_agent='))
        : [],
    });
  }
  return out;
}

const V1_GENERIC_OPTS = new Set(['rw', 'ro', 'noprefix', 'clone_children', 'xattr', 'cpuset_v2_mode', 'all', 'none', 'favordynmods']);

/**
 * One mount per hierarchy. A hierarchy can be mounted several times (bind
 * mounts, a container's view); prefer the one showing the whole tree
 * (root "/"), then the one under /sys/fs/cgroup, then the first.
 */
export function uniqueHierarchies(mounts: CgroupMount[]): CgroupMount[] {
  const best = new Map<string, CgroupMount>();
  const score = (m: CgroupMount) => (m.root === '/' ? 2 : 0) + (m.mountPoint.startsWith('/sys/fs/cgroup') ? 1 : 0);
  for (const m of mounts) {
    const cur = best.get(m.dev);
    if (!cur || score(m) > score(cur)) best.set(m.dev, m);
  }
  return [...best.values()];
}

/** /proc/self/cgroup: hierarchy id → controllers → path. The v2 line is "0::/path". */
export interface ProcCgroupLine { id: number; controllers: string[]; path: string }

export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const out: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    out.push({
      id: Number(line.slice(0, a)),
      controllers: line.slice(a + 1, b) === '' ? [] : line.slice(a + 1, b).split(','),
      path: line.slice(b + 1),
    });
  }
  return out;
}

/**
 * Maps a path from /proc/self/cgroup to one relative to the mount point:
 * if the mount shows a subtree (root "/docker/x"), strip it. A path outside
 * the mounted subtree cannot be reached through this mount; return null.
 */
export function relToMount(cgPath: string, mountRoot: string): string | null {
  const p = cgPath.replace(/\/+$/, '') || '/';
  const r = mountRoot.replace(/\/+$/, '') || '/';
  if (r === '/') return p.replace(/^\/+/, '');
  if (p === r) return '';
  if (p.startsWith(r + '/')) return p.slice(r.length + 1);
  return null;
}
