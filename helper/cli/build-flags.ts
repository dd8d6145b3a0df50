// The flags `nscope build` takes from `docker build` beyond the build's own
// (-t, -f, --build-arg, …): those for every RUN step's container, named,
// parsed and read as `run` reads them (./run-flags.ts), the image's, and
// those of Docker's builder that nscope's has no use for, accepted or
// refused as each help says.
import { hostPlatform } from '../images/oci';
import { formatPlatform } from '../registry/manifest';
import type { RunStepOptions } from '../build/run-step';
import { bool, list, str, type Parsed } from './args';
import type { Flag } from './command';
import { labelsFromFlags } from './env-file';
import { CREATE_FLAGS, limitArgs, securityOpts } from './run-flags';

/** run's flag `name` (its short name and value's name, so the two stay alike), described for a build. */
function runFlag(name: string, help: string): Flag {
  const f = CREATE_FLAGS.find((x) => x.name === name);
  if (!f) throw new Error(`run has no --${name}`);
  return { ...f, help };
}

/** Applied to each RUN step's container, as `run` applies them. */
export const RUN_STEP_FLAGS: Flag[] = [
  runFlag('memory', 'Memory limit of each RUN step (64m, 1g)'),
  runFlag('memory-swap', 'Memory plus swap limit of each RUN step: -1 for unlimited swap (needs --memory)'),
  runFlag('cpu-shares', 'CPU shares of each RUN step (relative weight, 2-262144)'),
  runFlag('cpu-period', 'Limit the CPU CFS (Completely Fair Scheduler) period of each RUN step, microseconds (1000-1000000)'),
  runFlag('cpu-quota', 'Limit the CPU CFS (Completely Fair Scheduler) quota of each RUN step, microseconds per period (at least 1000; -1: none)'),
  runFlag('cpuset-cpus', 'CPUs in which RUN steps may run (0-3, 0,1)'),
  runFlag('cpuset-mems', 'Memory nodes in which RUN steps may run (0-3, 0,1)'),
  runFlag('cgroup-parent', "Parent cgroup of the RUN steps' containers (a path from the cgroup hierarchies' root; default: the helper's --cgroup-parent)"),
  runFlag('shm-size', 'Size of /dev/shm in RUN steps (default 64m)'),
  runFlag('ulimit', 'Ulimit options of RUN steps: NAME=SOFT[:HARD] (nofile, nproc, core, memlock, stack, …; -1 for unlimited)'),
  runFlag('security-opt', 'Security options of RUN steps: seccomp=PROFILE.json, seccomp=unconfined, no-new-privileges[=false]'),
  runFlag('add-host', "Add a custom host-to-IP mapping (host:ip) to the RUN steps' /etc/hosts"),
];

export const IMAGE_FLAGS: Flag[] = [
  { name: 'label', takesValue: true, repeat: true, help: 'Set metadata for the image (KEY=VALUE), as a LABEL at the end of the stage built would' },
  { name: 'iidfile', takesValue: true, help: 'Write the image ID (sha256:…) to the file' },
  { name: 'secret', takesValue: true, repeat: true, value: 'stringArray', help: 'A secret RUN --mount=type=secret,id=ID shows as a file, never kept in a layer: id=ID,src=FILE or id=ID,env=VAR (the id alone: the variable of that name)' },
  { name: 'ssh', takesValue: true, repeat: true, value: 'stringArray', help: 'SSH agent sockets or keys for RUN --mount=type=ssh: not supported (refused)' },
  { name: 'platform', takesValue: true, value: 'os/arch[/variant]', help: `Set the platform: only this host's, ${formatPlatform(hostPlatform())} (RUN steps run natively); FROM's pulls ask for it` },
];

/** docker build's flags for its own builder's ways: what nscope does instead is in each help. */
export const DOCKER_BUILDER_FLAGS: Flag[] = [
  { name: 'rm', help: 'Remove intermediate containers after a successful build (default true; nscope always removes them, with --rm=false too)' },
  { name: 'force-rm', help: 'Always remove intermediate containers (nscope always does, after a failed build too)' },
  { name: 'cache-from', takesValue: true, repeat: true, value: 'strings', help: "Images to consider as cache sources: accepted and ignored (nscope's layer cache is its own record of this machine's builds)" },
  { name: 'compress', help: 'Compress the build context using gzip: accepted, no effect (nscope sends only what COPY and ADD copy, not the context)' },
  { name: 'disable-content-trust', help: 'Skip image verification (default true; nscope verifies no signatures, so --disable-content-trust=false is refused)' },
  { name: 'isolation', takesValue: true, help: "Container isolation technology: only 'default' on Linux" },
  { name: 'squash', help: 'Squash newly built layers into a single new layer: not supported (refused)' },
];

export const BUILD_DOCKER_FLAGS: Flag[] = [...IMAGE_FLAGS, ...RUN_STEP_FLAGS, ...DOCKER_BUILDER_FLAGS];

/** The RUN steps' options from the flags, as `run` reads the same flags (the seccomp profile read here, with the caller's permissions). */
export function runStepFlags(p: Parsed): RunStepOptions {
  const { memory, memorySwap, cpuShares, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems } = limitArgs(p);
  const all: RunStepOptions = {
    memory, memorySwap, cpuShares, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems,
    cgroupParent: str(p, 'cgroup-parent'), shmSize: str(p, 'shm-size'), ulimits: list(p, 'ulimit'),
    securityOpt: securityOpts(list(p, 'security-opt')), addHosts: list(p, 'add-host'),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as RunStepOptions;
}

/** --label KEY=VALUE (KEY alone: an empty value), as `run --label` reads them. */
export const imageLabels = (p: Parsed): Record<string, string> | undefined => labelsFromFlags(undefined, list(p, 'label'));

/**
 * Refuses what Docker's builder can do and nscope's cannot, in Docker's words
 * where it has them (--isolation: its daemon's on Linux), before anything is
 * built; as Docker's daemon refuses them, a failed build (exit 1), not a
 * misused flag.
 */
export function refuseUnsupported(p: Parsed): void {
  const isolation = str(p, 'isolation');
  if (isolation !== undefined && isolation !== '' && isolation.toLowerCase() !== 'default') {
    throw new Error(`Invalid isolation: "${isolation}" - linux only supports 'default'`);
  }
  if (list(p, 'ssh')?.length) throw new Error('--ssh is not supported: nscope build forwards no SSH agent (RUN --mount=type=ssh); a --secret can carry a key');
  if (bool(p, 'squash')) throw new Error('--squash is not supported: nscope build keeps a layer per RUN, COPY and ADD (a multi-stage build that COPYs --from the result makes fewer)');
  if (p.flags['disable-content-trust'] === false) throw new Error('--disable-content-trust=false: content trust (verifying signed images) is not supported by nscope');
}
