// runc pause / resume: the container's cgroup frozen or thawed through the
// cgroup freezer (v1 freezer.state, v2 cgroup.freeze), the same files a
// commit freezes (rootfs/commit-freeze.ts). `state` says "paused" while the
// freezer holds the cgroup, whoever froze it, as runc reads it.
import * as fs from 'fs';
import { detectCgroups } from '../cgroups/detect';
import { conflict, NscopeError } from '../errors';
import { freezeCgroup, freezerFile, thawCgroup } from '../rootfs/commit-freeze';

/** How long a freeze may take before pause gives up (a task in uninterruptible sleep delays it). */
const FREEZE_TIMEOUT_MS = 10000;

/** True while the container's cgroup is frozen (v1 FROZEN, v2 cgroup.freeze 1). */
export function isFrozen(cgroupRel: string, version: 1 | 2 = detectCgroups().version): boolean {
  const file = freezerFile(`/${cgroupRel}`, version);
  if (!file) return false;
  let v: string;
  try { v = fs.readFileSync(file, 'utf8').trim(); } catch { return false; }
  return version === 1 ? v === 'FROZEN' : v === '1';
}

/** Freezes every process of the cgroup; fails (and leaves it thawed) if the host has no freezer or it does not freeze in time. */
export async function pauseCgroup(cgroupRel: string): Promise<void> {
  const version = detectCgroups().version;
  if (!freezerFile(`/${cgroupRel}`, version)) {
    throw new NscopeError('unsupported', `pause: no cgroup freezer for /${cgroupRel} on this host (v1: the freezer hierarchy is not mounted; v2: no cgroup.freeze, kernel < 5.2)`);
  }
  const thaw = await freezeCgroup(`/${cgroupRel}`, version, { timeoutMs: FREEZE_TIMEOUT_MS });
  if (!thaw) throw new NscopeError('failed', `pause: the cgroup /${cgroupRel} did not freeze within ${FREEZE_TIMEOUT_MS / 1000}s; it was thawed again`);
}

export function resumeCgroup(cgroupRel: string): void {
  const version = detectCgroups().version;
  if (!isFrozen(cgroupRel, version)) throw conflict('container not paused');
  thawCgroup(`/${cgroupRel}`, version);
}

/** Thaws a frozen cgroup so a SIGKILL sent to it takes effect (v1 frozen tasks act on it only when thawed). */
export function thawForKill(cgroupRel: string): void {
  const version = detectCgroups().version;
  if (isFrozen(cgroupRel, version)) thawCgroup(`/${cgroupRel}`, version);
}
