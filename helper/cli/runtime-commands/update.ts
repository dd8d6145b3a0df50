// `nscope-runtime update`: new limits for a live container, from
// --resources FILE|- (a LinuxResources JSON, what engines send) or from
// runc's flags; applied through the cgroup driver (runtime/oci-update.ts).
import * as fs from 'fs';
import * as path from 'path';
import { detectCgroups } from '../../cgroups/detect';
import { conflict } from '../../errors';
import { resourcesFromFlags, resourcesFromJson } from '../../runtime/oci-update';
import { str } from '../args';
import { containerId, type RuntimeCommand } from './types';

export const updateCommand: RuntimeCommand = {
  name: 'update',
  summary: 'update container resource constraints',
  usage: '<container-id>',
  description: `The accepted format is as follow (unchanged values can be omitted; 0 or "" leaves a value as it is):

{
  "memory": { "limit": 0, "reservation": 0, "swap": 0 },
  "cpu": { "shares": 0, "quota": 0, "period": 0, "cpus": "", "mems": "" },
  "pids": { "limit": 0 }
}

Note: if data is to be read from a file or the standard input, all
other options are ignored. Block I/O, hugetlb, realtime CPU and Intel RDT
limits are refused: nscope does not set them.`,
  flags: [
    { name: 'resources', short: 'r', takesValue: true, help: "path to the file containing the resources to update or '-' to read from the standard input" },
    { name: 'blkio-weight', takesValue: true, help: 'Specifies per cgroup weight (not supported by nscope: only 0)' },
    { name: 'cpu-period', takesValue: true, help: 'CPU CFS period to be used for hardcapping (in usecs). 0 to use system default' },
    { name: 'cpu-quota', takesValue: true, help: 'CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period' },
    { name: 'cpu-share', takesValue: true, aliases: ['cpu-shares'], help: 'CPU shares (relative weight vs. other containers)' },
    { name: 'cpu-rt-period', takesValue: true, help: 'CPU realtime period (not supported by nscope)' },
    { name: 'cpu-rt-runtime', takesValue: true, help: 'CPU realtime hardcap limit (not supported by nscope)' },
    { name: 'cpuset-cpus', takesValue: true, help: 'CPU(s) to use' },
    { name: 'cpuset-mems', takesValue: true, help: 'Memory node(s) to use' },
    { name: 'memory', takesValue: true, help: 'Memory limit (in bytes, or with a unit: 64m)' },
    { name: 'memory-reservation', takesValue: true, help: 'Memory reservation or soft_limit (in bytes)' },
    { name: 'memory-swap', takesValue: true, help: "Total memory usage (memory + swap); set '-1' to enable unlimited swap" },
    { name: 'pids-limit', takesValue: true, help: 'Maximum number of pids allowed in the container' },
    { name: 'l3-cache-schema', takesValue: true, help: 'Intel RDT/CAT L3 cache schema (not supported by nscope)' },
    { name: 'mem-bw-schema', takesValue: true, help: 'Intel RDT/MBA memory bandwidth schema (not supported by nscope)' },
  ],
  async run(ctx, p) {
    const id = containerId(this, p);
    const { state, status } = ctx.rt.live(id);
    if (status === 'stopped' || status === 'creating') throw conflict(`container not running: cannot update a ${status} container`);
    const source = str(p, 'resources');
    let res;
    if (source !== undefined) {
      const text = source === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(path.resolve(source), 'utf8');
      res = resourcesFromJson(text, source === '-' ? 'resources from stdin' : source);
    } else {
      res = resourcesFromFlags({
        memory: str(p, 'memory'), memorySwap: str(p, 'memory-swap'), memoryReservation: str(p, 'memory-reservation'),
        cpuShares: str(p, 'cpu-share'), cpuQuota: str(p, 'cpu-quota'), cpuPeriod: str(p, 'cpu-period'),
        cpusetCpus: str(p, 'cpuset-cpus'), cpusetMems: str(p, 'cpuset-mems'), pidsLimit: str(p, 'pids-limit'),
        blkioWeight: str(p, 'blkio-weight'), cpuRtPeriod: str(p, 'cpu-rt-period'), cpuRtRuntime: str(p, 'cpu-rt-runtime'),
        l3CacheSchema: str(p, 'l3-cache-schema'), memBwSchema: str(p, 'mem-bw-schema'),
      });
    }
    detectCgroups().open(state.cgroupRel).apply(res);
    return 0;
  },
};
