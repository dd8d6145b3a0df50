// Freezing a running container while its rw layer is read for a commit
// (`docker commit` pauses by default too): the cgroup freezer, v1
// freezer.state or v2 cgroup.freeze. Frozen processes cannot write, so the
// layer is a consistent snapshot. A cgroup that was frozen already is left
// frozen afterwards.
import * as fs from 'fs';
import * as path from 'path';
import { parseCgroupMounts, relToMount, uniqueHierarchies } from '../cgroups/mountinfo';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (f: string) => { try { return fs.readFileSync(f, 'utf8').trim(); } catch { return undefined; } };

/** Where the freezer's control file of a cgroup ("/nscope/<id>") is, from the mount table; undefined when no hierarchy has one. */
export function freezerPath(cgroupPath: string, version: 1 | 2, mountinfo: string): string | undefined {
  const mounts = uniqueHierarchies(parseCgroupMounts(mountinfo));
  const m = version === 1
    ? mounts.find((x) => x.fsType === 'cgroup' && x.controllers.includes('freezer'))
    : mounts.find((x) => x.fsType === 'cgroup2');
  if (!m) return undefined;
  const rel = relToMount(cgroupPath, m.root);
  if (rel === null) return undefined;
  return path.join(m.mountPoint, rel, version === 1 ? 'freezer.state' : 'cgroup.freeze');
}

/** The freezer's control file of a cgroup on this host, if it has one. */
export function freezerFile(cgroupPath: string, version: 1 | 2): string | undefined {
  const file = freezerPath(cgroupPath, version, read('/proc/self/mountinfo') ?? '');
  return file && fs.existsSync(file) ? file : undefined;
}

/** Thaws a cgroup a helper froze for a commit and could not thaw (it died): recover() calls it when the marker is there. */
export function thawCgroup(cgroupPath: string, version: 1 | 2): void {
  const file = freezerFile(cgroupPath, version);
  if (file) fs.writeFileSync(file, version === 1 ? 'THAWED' : '0');
}

/**
 * Freezes the cgroup's processes; resolves to the function that thaws them,
 * or to null when the cgroup cannot be frozen here (no freezer) or did not
 * freeze within `timeoutMs` (then it is thawed again before returning).
 */
export async function freezeCgroup(cgroupPath: string, version: 1 | 2, o: { timeoutMs?: number; marker?: string } = {}): Promise<(() => void) | null> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const file = freezerFile(cgroupPath, version);
  if (!file) return null;
  const v1 = version === 1;
  const events = path.join(path.dirname(file), 'cgroup.events');
  const frozen = () => (v1 ? read(file) === 'FROZEN' : /^frozen 1$/m.test(read(events) ?? ''));
  if (frozen()) return () => undefined; // someone froze it: theirs to thaw
  const thaw = () => {
    try { fs.writeFileSync(file, v1 ? 'THAWED' : '0'); } catch { /* gone */ }
    if (o.marker) fs.rmSync(o.marker, { force: true });
  };
  // the marker first: whoever finds it (a restarted helper) knows the freeze is ours to undo
  if (o.marker) fs.writeFileSync(o.marker, '');
  try { fs.writeFileSync(file, v1 ? 'FROZEN' : '1'); } catch { thaw(); return null; }
  const deadline = Date.now() + timeoutMs;
  while (!frozen()) {
    if (Date.now() > deadline) { thaw(); return null; }
    await sleep(5);
  }
  return thaw;
}
