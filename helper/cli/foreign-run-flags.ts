// Docker's run/create flags that mean nothing for nscope's containers: a
// Windows-only QoS, a storage driver's quota, GPUs, IPv6, realtime CPU, the
// Docker API socket, legacy links. Each is taken, so a script written for `docker run`
// gets a reason rather than "unknown flag", and then refused by name, or
// discarded with the warning Docker itself gives where Docker discards it.
import { bool, str, FlagError, type Parsed } from './args';
import type { Flag } from './command';

export const FOREIGN_RUN_FLAGS: Flag[] = [
  { name: 'isolation', takesValue: true, help: 'Container isolation technology (Linux: only "default")' },
  { name: 'volume-driver', takesValue: true, help: 'Optional volume driver for the container (only "local")' },
  { name: 'disable-content-trust', help: 'Skip image verification (default true; nscope does no Docker Content Trust)' },
  { name: 'kernel-memory', takesValue: true, value: 'bytes', help: 'Kernel memory limit (deprecated: discarded with a warning, as the kernel no longer has one)' },
  { name: 'cpu-count', takesValue: true, value: 'int', help: 'CPU count (Windows only: discarded with a warning)' },
  { name: 'cpu-percent', takesValue: true, value: 'int', help: 'CPU percent (Windows only: discarded with a warning)' },
  { name: 'io-maxbandwidth', takesValue: true, value: 'bytes', help: 'Maximum IO bandwidth limit for the system drive (Windows only: refused; see --device-read-bps)' },
  { name: 'io-maxiops', takesValue: true, value: 'uint', help: 'Maximum IOps limit for the system drive (Windows only: refused; see --device-read-iops)' },
  { name: 'cpu-rt-period', takesValue: true, value: 'int', help: 'Limit CPU real-time period in microseconds (not supported by nscope: refused)' },
  { name: 'cpu-rt-runtime', takesValue: true, value: 'int', help: 'Limit CPU real-time runtime in microseconds (not supported by nscope: refused)' },
  { name: 'storage-opt', takesValue: true, repeat: true, help: 'Storage driver options for the container (not supported by nscope: refused)' },
  { name: 'gpus', takesValue: true, value: 'gpu-request', help: 'GPU devices to add to the container (not supported by nscope: refused; see --device)' },
  { name: 'ip6', takesValue: true, help: 'IPv6 address (nscope networks are IPv4: refused)' },
  { name: 'link-local-ip', takesValue: true, repeat: true, help: 'Container IPv4/IPv6 link-local addresses (not supported by nscope: refused)' },
  { name: 'link', takesValue: true, repeat: true, help: 'Add link to another container (legacy links are not supported by nscope: refused; names resolve on a user-defined network)' },
  { name: 'use-api-socket', help: 'Bind mount the Docker API socket (nscope\'s helper does not speak the Docker API: refused)' },
];

/** Refuses what nscope cannot do (by flag name, with why) and returns the warnings of what it discards. */
export function foreignRunFlags(p: Parsed): string[] {
  const refuse = (flag: string, why: string) => { if (p.flags[flag] !== undefined) throw new FlagError(`--${flag}: ${why}`); };
  const isolation = str(p, 'isolation');
  if (isolation !== undefined && isolation !== '' && isolation.toLowerCase() !== 'default') throw new FlagError(`invalid --isolation: "${isolation}" - linux only supports 'default'`);
  const driver = str(p, 'volume-driver');
  if (driver !== undefined && driver !== '' && driver !== 'local') throw new FlagError(`--volume-driver: "${driver}": nscope's volumes are local (the only driver)`);
  refuse('io-maxbandwidth', 'Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps (--device-write-bps limits a device)');
  refuse('io-maxiops', 'Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps (--device-write-iops limits a device)');
  refuse('cpu-rt-period', 'realtime CPU limits are not supported by nscope');
  refuse('cpu-rt-runtime', 'realtime CPU limits are not supported by nscope');
  refuse('storage-opt', "nscope's overlay layers have no size quota (Docker's needs overlay over xfs with pquota)");
  refuse('gpus', 'nscope has no GPU device driver (--device /dev/… passes a device node)');
  refuse('ip6', 'nscope networks are IPv4 only');
  refuse('link-local-ip', 'link-local addresses are not supported by nscope');
  // `network connect --link` is refused in the same words
  refuse('link', 'legacy links are not supported; use a user-defined network, where names resolve');
  if (bool(p, 'use-api-socket')) throw new FlagError("--use-api-socket: nscope's helper does not speak the Docker API");
  const warnings: string[] = [];
  if (str(p, 'kernel-memory') !== undefined) warnings.push('Specifying a kernel memory limit is deprecated and not supported by this kernel: Kernel memory limit discarded.');
  if (str(p, 'cpu-count') !== undefined) warnings.push('linux does not support CPU count. Count discarded.');
  if (str(p, 'cpu-percent') !== undefined) warnings.push('linux does not support CPU percent. Percent discarded.');
  return warnings;
}
