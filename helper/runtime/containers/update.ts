// `update`: a container's limits, in its cgroup now and in its record for later starts.
import { validateResources } from '../../cgroups/validate';
import { invalid, NscopeError } from '../../errors';
import { readJson, writeJsonAtomic } from '../../lib/atomic';
import type { LimitArgs, Limits } from '../../protocol/types';
import { blockIOFromOptions } from '../block-io-options';
import { limitsFromArgs, mergeLimits, resourcesFromLimits } from '../limits';
import { parseRestartPolicy } from '../restart-policy';
import type { ContainerRecord } from '../record';
import type { Spec } from '../spec';
import { cgroup, type ContainerContext, emitEvent, paths, save } from './context';

export interface UpdateResult { id: string; limits: Limits; warnings?: string[] }

/**
 * Docker's update --blkio-weight: kept in the container's spec (its next starts) and
 * written to its cgroup now; 0 takes the weight away. Where the host has no weights
 * (no BFQ/CFQ), discarded with Docker's warning, as create does.
 */
function updateBlockWeight(ctx: ContainerContext, r: ContainerRecord, weight: number, warnings: string[]): void {
  const { warnings: w } = blockIOFromOptions({ image: '', blkioWeight: weight }, ctx.cgroups.blockWeights);
  warnings.push(...w);
  if (w.length) return;
  const file = paths(ctx, r).config;
  const spec = readJson<Spec>(file);
  if (!spec) throw new NscopeError('failed', `container ${r.name}: config.json is missing`);
  const res = ((spec.linux ??= {}).resources ??= {});
  const b = { ...(res.blockIO ?? {}) };
  if (weight) b.weight = weight; else delete b.weight;
  res.blockIO = b;
  if (r.status !== 'exited' && weight) cgroup(ctx, r).apply({ blockIO: { weight } });
  writeJsonAtomic(file, spec, 0o600);
}

/** `restart`: a new restart policy (Docker's update --restart), for the container's next exits. */
export function update(ctx: ContainerContext, ref: string, args: LimitArgs & { blkioWeight?: number }, restart?: string): UpdateResult {
  const r = ctx.find(ref);
  const { blkioWeight, ...limitArgs } = args;
  if (blkioWeight !== undefined && (!Number.isInteger(blkioWeight) || blkioWeight < 0 || blkioWeight > 1000)) throw invalid(`--blkio-weight: ${String(blkioWeight).slice(0, 20)} is out of range; the range of blkio weight is from 10 to 1000 (0: none)`);
  const change = limitsFromArgs(limitArgs, r.limits);
  const policy = restart === undefined ? undefined : parseRestartPolicy(restart);
  if (Object.keys(change).length === 0 && !policy && blkioWeight === undefined) throw invalid('update: no limit given (--memory, --cpus, --pids-limit, --cpuset-cpus, --blkio-weight, --restart, ...)');
  const warnings: string[] = [];
  if (blkioWeight !== undefined) {
    updateBlockWeight(ctx, r, blkioWeight, warnings);
    if (Object.keys(change).length === 0 && !policy) {
      emitEvent(ctx, 'container.updated', r, { limits: r.limits });
      return { id: r.id, limits: r.limits, ...(warnings.length ? { warnings } : {}) };
    }
  }
  if (policy && policy.name !== 'no' && r.autoRemove) throw invalid('Restart policy cannot be updated because AutoRemove is enabled for the container');
  if (policy) {
    r.restartPolicy = policy;
    // a restart waiting for its back-off goes with the policy that asked for it
    if (policy.name === 'no') void ctx.restarts.cancel(ctx, r);
    if (Object.keys(change).length === 0) {
      save(ctx, r);
      emitEvent(ctx, 'container.updated', r, { limits: r.limits });
      return { id: r.id, limits: r.limits, ...(warnings.length ? { warnings } : {}) };
    }
  }
  const limits = mergeLimits(r.limits, change);
  const res = resourcesFromLimits(limits);
  validateResources(res);
  // an exited container has no cgroup: the limits apply when it starts again
  if (r.status !== 'exited') cgroup(ctx, r).apply(res);
  r.limits = limits;
  save(ctx, r);
  emitEvent(ctx, 'container.updated', r, { limits });
  return { id: r.id, limits, ...(warnings.length ? { warnings } : {}) };
}
