// What `nscope build` gives every RUN step's container beyond the step's own
// command: docker build's --memory, --cpu-*, --cpuset-*, --cgroup-parent,
// --shm-size, --ulimit, --security-opt and --add-host, as `run` takes them
// (the same RunOptions fields: the helper's container.create parses and
// range-checks them for each RUN, as for any caller). As in Docker's builder
// they are not part of a step's cache key: a cached RUN is not run again
// under other limits.
import { parseBytes } from '../cgroups/units';
import { parseExtraHost } from '../network/dns-options';
import type { RunOptions } from '../protocol/types';
import { limitsFromArgs } from '../runtime/limits';
import { BuildError } from './build-error';

export const RUN_STEP_FIELDS = [
  'memory', 'memorySwap', 'cpuShares', 'cpuPeriod', 'cpuQuota', 'cpusetCpus', 'cpusetMems',
  'cgroupParent', 'shmSize', 'ulimits', 'securityOpt', 'addHosts',
] as const;

export type RunStepOptions = Pick<RunOptions, typeof RUN_STEP_FIELDS[number]>;

/**
 * Only the fields above, those set (a caller's object may hold more: the
 * build never passes on a `privileged` or a `volumes` it was handed), and a
 * first check of what needs no helper to check, so a typo fails before the
 * first step rather than at the first RUN, or never in a build without one.
 * The host's CPUs and memory nodes, the ulimits' ceilings and the cgroup
 * parent are the helper's to check (it may be another machine's).
 */
export function runStepOptions(o: RunStepOptions | undefined): RunStepOptions {
  const out: Record<string, unknown> = {};
  for (const k of RUN_STEP_FIELDS) if (o?.[k] !== undefined) out[k] = o[k];
  const picked = out as RunStepOptions;
  try {
    limitsFromArgs({ memory: picked.memory, memorySwap: picked.memorySwap, cpuShares: picked.cpuShares, cpuPeriod: picked.cpuPeriod, cpuQuota: picked.cpuQuota });
    if (picked.shmSize !== undefined && picked.shmSize !== '') parseBytes(picked.shmSize, '--shm-size');
    // host-gateway is the helper's own address: only the form is checked here
    for (const h of picked.addHosts ?? []) parseExtraHost(h, () => '0.0.0.0');
  } catch (e) {
    throw new BuildError((e as Error).message);
  }
  return picked;
}
