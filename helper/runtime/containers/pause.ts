// `pause` / `unpause`: a running container's cgroup frozen and thawed through
// the cgroup freezer, as runc pause does (oci-freeze.ts does the files).
// A paused container is still "running"; `paused` in its summary says so.
import * as fs from 'fs';
import { conflict } from '../../errors';
import { freezerPath } from '../../rootfs/commit-freeze';
import { isFrozen, pauseCgroup, resumeCgroup, thawForKill } from '../oci-freeze';
import type { ContainerRecord } from '../record';
import { type ContainerContext, emitEvent } from './context';

export async function pause(ctx: ContainerContext, ref: string): Promise<{ id: string }> {
  const r = ctx.find(ref);
  if (r.status !== 'running') throw conflict(`container ${r.name} is not running`);
  if (isFrozen(r.cgroupRel, ctx.cgroups.version)) throw conflict(`container ${r.name} is already paused`);
  await pauseCgroup(r.cgroupRel);
  emitEvent(ctx, 'container.paused', r);
  return { id: r.id };
}

export function unpause(ctx: ContainerContext, ref: string): { id: string } {
  const r = ctx.find(ref);
  if (r.status !== 'running' || !isFrozen(r.cgroupRel, ctx.cgroups.version)) throw conflict(`container ${r.name} is not paused`);
  resumeCgroup(r.cgroupRel);
  emitEvent(ctx, 'container.unpaused', r);
  return { id: r.id };
}

/** The cgroup mounts, read once: every list asks each running container whether it is paused. */
let mountinfo: string | undefined;

export function isPaused(ctx: ContainerContext, r: ContainerRecord): boolean {
  if (r.status !== 'running') return false;
  mountinfo ??= fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const file = freezerPath(`/${r.cgroupRel}`, ctx.cgroups.version, mountinfo);
  let v: string;
  try { v = file ? fs.readFileSync(file, 'utf8').trim() : ''; } catch { return false; }
  return ctx.cgroups.version === 1 ? v === 'FROZEN' : v === '1';
}

/**
 * After a signal to a paused container: its processes take it only once
 * thawed (a frozen task acts on nothing, SIGKILL included), so stop, kill and
 * rm -f thaw it, as Docker's do.
 */
export function thawAfterSignal(ctx: ContainerContext, r: ContainerRecord): void {
  if (!isPaused(ctx, r)) return;
  thawForKill(r.cgroupRel);
  emitEvent(ctx, 'container.unpaused', r);
}
