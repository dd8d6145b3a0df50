// Which cgroup driver this host needs, decided from what is mounted
// (/proc/self/mountinfo) and where this process is (/proc/self/cgroup), never
// from fixed paths. Three shapes exist in the wild:
//  - unified: /sys/fs/cgroup is cgroup2 with every controller;
//  - hybrid: v1 controller mounts plus a cgroup2 mount (often /sys/fs/cgroup/unified)
//    that carries few or no controllers (this VM: only hugetlb). The v1 side is
//    the one with the limits; the cgroup2 side is ignored (crun refuses such
//    hosts; nscope just does not use it);
//  - legacy: v1 only.
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';
import { CgroupMount, parseCgroupMounts, parseProcCgroup, ProcCgroupLine, relToMount, uniqueHierarchies } from './mountinfo';
import type { CgroupDriver } from './types';
import { V1Driver } from './v1';
import { V2Driver } from './v2';

/** Controllers that carry the limits nscope sets; whichever side has them wins. */
const LIMIT_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuset'];

export interface DetectOptions {
  /** Text of /proc/self/mountinfo (for tests against other hosts' layouts). */
  mountinfo?: string;
  /** Text of /proc/self/cgroup. */
  procCgroup?: string;
  /** Reads a cgroup2 mount's cgroup.controllers; defaults to the file. */
  v2Controllers?: (mountPoint: string) => string[];
}

export interface Detection {
  version: 1 | 2;
  /** v2: the cgroup2 mount used; v1: undefined. */
  v2Mount?: CgroupMount;
  /** v1: the hierarchies (one mount each). */
  v1Mounts: CgroupMount[];
  /** Controllers offered by the chosen side. */
  controllers: string[];
  /** This process's cgroup, relative to the chosen mount(s). */
  own: string;
}

function readControllers(mountPoint: string): string[] {
  try {
    return fs.readFileSync(path.join(mountPoint, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** The decision alone, as plain data (pure given the options' texts). */
export function detect(opts: DetectOptions = {}): Detection {
  const mountinfo = opts.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const procCgroup = opts.procCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8');
  const mounts = uniqueHierarchies(parseCgroupMounts(mountinfo));
  const self = parseProcCgroup(procCgroup);
  const v1Mounts = mounts.filter((m) => m.fsType === 'cgroup');
  const v1Ctrls = v1Mounts.flatMap((m) => m.controllers).filter((c) => LIMIT_CONTROLLERS.includes(c) || c === 'cpuacct');

  // A cgroup2 mount is usable when it offers limit controllers that no v1
  // mount has taken (a controller is bound to one hierarchy at a time).
  const v2Candidates = mounts.filter((m) => m.fsType === 'cgroup2');
  let best: { m: CgroupMount; ctrls: string[] } | undefined;
  for (const m of v2Candidates) {
    const ctrls = (opts.v2Controllers ?? readControllers)(m.mountPoint);
    const useful = ctrls.filter((c) => LIMIT_CONTROLLERS.includes(c)).length;
    if (!best || useful > best.ctrls.filter((c) => LIMIT_CONTROLLERS.includes(c)).length) best = { m, ctrls };
  }
  const v2Useful = best ? best.ctrls.filter((c) => LIMIT_CONTROLLERS.includes(c)) : [];

  if (best && v2Useful.length > 0 && v2Useful.length >= v1Ctrls.filter((c) => c !== 'cpuacct').length) {
    const line = self.find((l) => l.id === 0 && l.controllers.length === 0);
    return { version: 2, v2Mount: best.m, v1Mounts: [], controllers: best.ctrls, own: ownIn(line, best.m) };
  }
  if (v1Ctrls.length > 0) {
    // ownCgroup() on v1 is the memory hierarchy's view: the one whose nesting
    // matters (limits of the caller's memory cgroup then apply to children).
    const ref = v1Mounts.find((m) => m.controllers.includes('memory')) ?? v1Mounts.find((m) => m.controllers.some((c) => v1Ctrls.includes(c)))!;
    const line = self.find((l) => l.controllers.some((c) => ref.controllers.includes(c)));
    return { version: 1, v1Mounts, controllers: [...new Set(v1Ctrls)], own: ownIn(line, ref) };
  }
  const seen = mounts.map((m) => `${m.mountPoint} (${m.fsType}${m.controllers.length ? ': ' + m.controllers.join(',') : ''})`).join(', ') || 'none';
  throw new NscopeError('unsupported', `no usable cgroup hierarchy: need cgroup v2 with memory/pids/cpu in cgroup.controllers, or cgroup v1 controller mounts; found ${seen}`);
}

function ownIn(line: ProcCgroupLine | undefined, m: CgroupMount): string {
  if (!line) return '';
  // Outside the mounted subtree (a bind-mounted view of another branch):
  // the caller's cgroup is not reachable, so relative paths start at the mount.
  return relToMount(line.path, m.root) ?? '';
}

export function detectCgroups(opts: DetectOptions = {}): CgroupDriver {
  return driverFor(detect(opts));
}

/** The driver of a detection already made (a create needs both: see runtime/cgroup-mounts.ts). */
export function driverFor(d: Detection): CgroupDriver {
  if (d.version === 2) return new V2Driver(d.v2Mount!.mountPoint, d.controllers, d.own);
  return V1Driver.fromMounts(d.v1Mounts, d.own);
}
