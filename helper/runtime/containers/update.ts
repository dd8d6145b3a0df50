// `update`: a container's limits, in its cgroup now and in its record for later starts.
import { validateResources } from '../../cgroups/validate';
import { invalid } from '../../errors';
import type { LimitArgs, Limits } from '../../protocol/types';
import { limitsFromArgs, mergeLimits, resourcesFromLimits } from '../limits';
import { parseRestartPolicy } from '../restart-policy';
import { cgroup, type ContainerContext, emitEvent, save } from './context';

/** `restart`: a new restart policy (Docker's update --restart), for the container's next exits. */
export function update(ctx: ContainerContext, ref: string, args: LimitArgs, restart?: string): { id: string; limits: Limits } {
  const r = ctx.find(ref);
  const change = limitsFromArgs(args, r.limits);
  const policy = restart === undefined ? undefined : parseRestartPolicy(restart);
  if (Object.keys(change).length === 0 && !policy) throw invalid('update: no limit given (--memory, --cpus, --pids-limit, --cpuset-cpus, --restart, ...)');
  if (policy && policy.name !== 'no' && r.autoRemove) throw invalid('Restart policy cannot be updated because AutoRemove is enabled for the container');
  if (policy) {
    r.restartPolicy = policy;
    // a restart waiting for its back-off goes with the policy that asked for it
    if (policy.name === 'no') void ctx.restarts.cancel(ctx, r);
    if (Object.keys(change).length === 0) {
      save(ctx, r);
      emitEvent(ctx, 'container.updated', r, { limits: r.limits });
      return { id: r.id, limits: r.limits };
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
  return { id: r.id, limits };
}
