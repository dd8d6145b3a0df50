// `update`: a container's limits, in its cgroup now and in its record for later starts.
import { validateResources } from '../../cgroups/validate';
import { invalid } from '../../errors';
import type { LimitArgs, Limits } from '../../protocol/types';
import { limitsFromArgs, mergeLimits, resourcesFromLimits } from '../limits';
import { cgroup, type ContainerContext, emitEvent, save } from './context';

export function update(ctx: ContainerContext, ref: string, args: LimitArgs): { id: string; limits: Limits } {
  const r = ctx.find(ref);
  const change = limitsFromArgs(args);
  if (Object.keys(change).length === 0) throw invalid('update: no limit given (--memory, --cpus, --pids-limit, --cpuset-cpus, ...)');
  const limits = mergeLimits(r.limits, change);
  const res = resourcesFromLimits(limits);
  validateResources(res);
  // an exited container has no cgroup: the limits apply when it starts again
  if (r.status !== 'exited') cgroup(ctx, r).apply(res);
  r.limits = limits;
  save(ctx, r);
  emitEvent(ctx, 'container.updated', r, { limits });
  return { id: r.id, limits };
}
