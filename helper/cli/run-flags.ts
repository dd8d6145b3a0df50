// The flags of `run` and `create` (and the limit flags `update` shares), and
// their translation into the protocol's RunOptions.
import type { HealthConfig, LimitArgs, RunOptions } from '../protocol';
import * as fs from 'fs';
import { bool, FlagError, list, str, UsageError, type Parsed } from './args';
import type { Flag } from './command';
import { envFromFlags, labelsFromFlags } from './env-file';
import { terminalSize } from './exec';
import { goDurationNs } from '../lib/go-duration';
import { FOREIGN_RUN_FLAGS } from './foreign-run-flags';
import { parseBytes } from '../cgroups/units';

export const LIMIT_FLAGS: Flag[] = [
  { name: 'memory', short: 'm', takesValue: true, value: 'bytes', help: 'Memory limit (64m, 1g)' },
  { name: 'memory-swap', takesValue: true, value: 'bytes', help: 'Memory plus swap limit: -1 for unlimited swap (needs --memory)' },
  { name: 'memory-reservation', takesValue: true, value: 'bytes', help: 'Memory soft limit: what the kernel reclaims down to under pressure (at least 6m, at most --memory)' },
  { name: 'cpus', takesValue: true, value: 'decimal', help: 'Number of CPUs (0.5)' },
  { name: 'cpu-shares', short: 'c', takesValue: true, value: 'int', help: 'CPU shares (relative weight, 2-262144)' },
  { name: 'cpu-period', takesValue: true, value: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) period, microseconds (1000-1000000)' },
  { name: 'cpu-quota', takesValue: true, value: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) quota, microseconds per period (at least 1000; -1: none)' },
  { name: 'pids-limit', takesValue: true, value: 'int', help: 'Limit on the number of processes (0 or -1: unlimited)' },
  { name: 'cpuset-cpus', takesValue: true, help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', takesValue: true, help: 'Memory nodes in which to allow execution (0-3, 0,1)' },
];

export const CREATE_FLAGS: Flag[] = [
  ...LIMIT_FLAGS,
  { name: 'name', takesValue: true, help: 'Assign a name to the container' },
  // -h is --hostname, as in Docker: only --help asks run/create for usage
  { name: 'hostname', short: 'h', takesValue: true, help: 'Container host name' },
  { name: 'env', short: 'e', takesValue: true, repeat: true, help: 'Set an environment variable (KEY=VALUE, or KEY alone for its value here)' },
  { name: 'env-file', takesValue: true, repeat: true, help: 'Read in a file of environment variables (KEY=VALUE lines, KEY alone for its value here, # comments)' },
  { name: 'workdir', short: 'w', takesValue: true, help: 'Working directory inside the container' },
  { name: 'volume', short: 'v', takesValue: true, repeat: true, help: 'A volume or bind mount: NAME:CONTAINER[:ro|nocopy], HOST-PATH:CONTAINER[:ro], or CONTAINER alone (an anonymous volume)' },
  { name: 'volumes-from', takesValue: true, repeat: true, help: 'Mount the volumes and binds of another container (CONTAINER[:ro|rw])' },
  { name: 'mount', takesValue: true, repeat: true, help: 'A mount, Docker\'s syntax: type=volume|bind|tmpfs,source=…,target=…[,readonly][,volume-nocopy][,tmpfs-size=…]' },
  { name: 'tmpfs', takesValue: true, repeat: true, help: 'A tmpfs mount: CONTAINER[:size=64m,mode=1777,…]' },
  { name: 'lxcfs', help: "lxcfs's /proc/meminfo, /proc/cpuinfo, … over the container's, so free and nproc show its limits" },
  { name: 'user', short: 'u', takesValue: true, help: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'rm', help: 'Automatically remove the container when it exits' },
  { name: 'privileged', help: 'Give extended privileges to this container (every capability, no seccomp, no masked paths)' },
  { name: 'read-only', help: "Mount the container's root filesystem as read only" },
  { name: 'cap-add', takesValue: true, repeat: true, help: 'Add Linux capabilities' },
  { name: 'cap-drop', takesValue: true, repeat: true, help: 'Drop Linux capabilities' },
  { name: 'security-opt', takesValue: true, repeat: true, help: 'Security options: seccomp=PROFILE.json, seccomp=unconfined, no-new-privileges[=false]' },
  { name: 'network', takesValue: true, aliases: ['net'], help: 'Network: bridge (default: the network "nscope"), NAME, none (only lo), host, container:ID, or a /proc/PID/ns/net path' },
  { name: 'publish', short: 'p', takesValue: true, repeat: true, help: "Publish a container's port on the host: [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]" },
  { name: 'publish-all', short: 'P', help: "Publish every port the image EXPOSEs (and --expose adds) to a free host port" },
  { name: 'expose', takesValue: true, repeat: true, help: 'Expose a port or a range of ports (80, 8000-8010/udp) beside the image\'s EXPOSE' },
  { name: 'add-host', takesValue: true, repeat: true, help: 'Add a custom host-to-IP mapping (host:ip) to /etc/hosts' },
  { name: 'dns', takesValue: true, repeat: true, help: 'Set custom DNS servers' },
  { name: 'dns-search', takesValue: true, repeat: true, help: 'Set custom DNS search domains' },
  { name: 'dns-option', takesValue: true, repeat: true, help: 'Set DNS options' },
  { name: 'network-alias', takesValue: true, repeat: true, help: 'Another name the container has on a user-defined network' },
  { name: 'log-driver', takesValue: true, help: 'Logging driver for the container: json-file (default), local or none' },
  { name: 'log-opt', takesValue: true, repeat: true, help: 'Log driver options: max-size=10m, max-file=3 (rotation)' },
  { name: 'device-cgroup-rule', takesValue: true, repeat: true, help: "Add a rule to the cgroup allowed devices list ('c 1:3 mr', 'b 8:* rw')" },
  { name: 'memory-swappiness', takesValue: true, value: 'int', help: 'Tune container memory swappiness (0 to 100) (default -1; cgroup v1)' },
  { name: 'blkio-weight', takesValue: true, value: 'uint16', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
  { name: 'blkio-weight-device', takesValue: true, repeat: true, value: 'list', help: 'Block IO weight (relative device weight): DEVICE:WEIGHT' },
  { name: 'device-read-bps', takesValue: true, repeat: true, value: 'list', help: 'Limit read rate (bytes per second) from a device: DEVICE:RATE (1mb)' },
  { name: 'device-write-bps', takesValue: true, repeat: true, value: 'list', help: 'Limit write rate (bytes per second) to a device: DEVICE:RATE (1mb)' },
  { name: 'device-read-iops', takesValue: true, repeat: true, value: 'list', help: 'Limit read rate (IO per second) from a device: DEVICE:RATE' },
  { name: 'device-write-iops', takesValue: true, repeat: true, value: 'list', help: 'Limit write rate (IO per second) to a device: DEVICE:RATE' },
  { name: 'ip', takesValue: true, help: 'IPv4 address (e.g., 172.30.100.104) on its user-defined network' },
  { name: 'mac-address', takesValue: true, help: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { name: 'pid', takesValue: true, help: 'PID namespace: private (default), host, container:ID, or a path' },
  { name: 'ipc', takesValue: true, help: 'IPC namespace: private (default), shareable (private, may be joined), none (private, no /dev/shm), host, container:ID, or a path' },
  { name: 'uts', takesValue: true, help: 'UTS namespace: private (default), host, or a path' },
  { name: 'cgroupns', takesValue: true, help: 'Cgroup namespace: private (default) or host' },
  { name: 'userns', takesValue: true, help: 'User namespace: host (default), or auto[:size=N] for one of its own mapping root to an unused range' },
  { name: 'entrypoint', takesValue: true, help: "Overwrite the image's ENTRYPOINT ('' clears it)" },
  { name: 'restart', takesValue: true, help: 'Restart policy to apply when a container exits: no, on-failure[:max-retries], always, unless-stopped (default "no")' },
  { name: 'stop-signal', takesValue: true, help: 'Signal to stop the container (default: the image\'s STOPSIGNAL, else SIGTERM)' },
  { name: 'stop-timeout', takesValue: true, value: 'int', help: 'Seconds to wait for the stop signal before SIGKILL (default 10; -1: for ever)' },
  { name: 'init', help: 'Run an init inside the container that forwards signals and reaps processes (the host\'s docker-init)' },
  { name: 'oom-kill-disable', help: 'Disable OOM Killer: at its memory limit the container waits instead (cgroup v1; give --memory too)' },
  { name: 'oom-score-adj', takesValue: true, value: 'int', help: "Tune host's OOM preferences (-1000 to 1000)" },
  { name: 'domainname', takesValue: true, help: 'Container NIS domain name' },
  { name: 'cgroup-parent', takesValue: true, help: "Optional parent cgroup for the container (a path from the cgroup hierarchies' root; default: the helper's --cgroup-parent)" },
  { name: 'shm-size', takesValue: true, value: 'bytes', help: 'Size of /dev/shm (default 64m)' },
  { name: 'sysctl', takesValue: true, repeat: true, help: 'Sysctl options of the container\'s own namespaces: net.* (not with --network host), kernel.msg*/sem/shm*, fs.mqueue.*' },
  { name: 'group-add', takesValue: true, repeat: true, help: 'Add additional groups to join (GID or a name in the image\'s /etc/group)' },
  { name: 'device', takesValue: true, repeat: true, help: 'Add a host device to the container: HOST[:CONTAINER][:PERMISSIONS] (PERMISSIONS: r, w, m; default rwm)' },
  { name: 'ulimit', takesValue: true, repeat: true, help: 'Ulimit options: NAME=SOFT[:HARD] (nofile, nproc, core, memlock, stack, …; -1 for unlimited)' },
  { name: 'label', short: 'l', takesValue: true, repeat: true, help: 'Set metadata on the container (KEY=VALUE)' },
  { name: 'label-file', takesValue: true, repeat: true, help: 'Read in a line delimited file of labels (KEY=VALUE lines, # comments)' },
  { name: 'annotation', takesValue: true, repeat: true, value: 'map', help: "Add an annotation to the container (KEY=VALUE, on its OCI spec)" },
  { name: 'runtime', takesValue: true, help: 'Runtime to use for this container (nscope runs its own: only "nscope")' },
  { name: 'attach', short: 'a', takesValue: true, repeat: true, help: 'Attach to STDIN, STDOUT or STDERR (run without -d: only the streams named are passed)' },
  ...FOREIGN_RUN_FLAGS,
  { name: 'health-cmd', takesValue: true, help: 'Command to run to check health (run with /bin/sh -c in the container)' },
  { name: 'health-interval', takesValue: true, value: 'duration', help: 'Time between running the check (ms|s|m|h) (default 30s)' },
  { name: 'health-timeout', takesValue: true, value: 'duration', help: 'Maximum time to allow one check to run (ms|s|m|h) (default 30s)' },
  { name: 'health-start-period', takesValue: true, value: 'duration', help: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  { name: 'health-start-interval', takesValue: true, value: 'duration', help: 'Time between running the check during the start period (ms|s|m|h) (default: the interval)' },
  { name: 'health-retries', takesValue: true, value: 'int', help: 'Consecutive failures needed to report unhealthy (default 3)' },
  { name: 'no-healthcheck', help: 'Disable any container-specified HEALTHCHECK' },
  { name: 'cidfile', takesValue: true, help: 'Write the container ID to the file (which must not exist)' },
  { name: 'quiet', short: 'q', help: 'Suppress the pull output' },
  { name: 'tty', short: 't', help: 'Allocate a pseudo-TTY' },
  { name: 'interactive', short: 'i', help: 'Keep STDIN open (attach it)' },
];

const STREAMS = ['stdin', 'stdout', 'stderr'];

/** -a's streams, lower case; undefined when -a was not given. */
export function attachStreams(p: Parsed): Set<string> | undefined {
  const given = list(p, 'attach');
  if (!given?.length) return undefined;
  const out = new Set<string>();
  for (const s of given) {
    const v = s.toLowerCase();
    if (!STREAMS.includes(v)) throw new FlagError(`invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    out.add(v);
  }
  return out;
}

/** --annotation KEY=VALUE, as an object (undefined: none given). */
export function annotationsOf(p: Parsed): Record<string, string> | undefined {
  const given = list(p, 'annotation');
  if (!given?.length) return undefined;
  const out: Record<string, string> = {};
  for (const a of given) {
    const i = a.indexOf('=');
    if (i <= 0) throw new FlagError(`invalid argument "${a}" for "--annotation" flag: an annotation is KEY=VALUE`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

/** An integer flag (a sign allowed); its range is the helper's to check. */
function intFlag(p: Parsed, flag: string): number | undefined {
  const v = str(p, flag);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/**
 * A limit flag's value of the wrong form (`--memory abc`, `--cpus x`) is the
 * flag parser's refusal in Docker's CLI: exit 125 from run, create and update
 * alike, before anything is asked of the helper. Ranges stay the helper's.
 */
function checkLimitSyntax(f: Flag, v: string): void {
  const named = `"${f.short ? `-${f.short}, ` : ''}--${f.name}"`;
  if (f.value === 'bytes') {
    // memory-swap's -1 is "unlimited swap" (Docker's MemSwapBytes)
    if (f.name === 'memory-swap' && /^\s*-1\s*$/.test(v)) return;
    try { parseBytes(v, `--${f.name}`); } catch { throw new FlagError(`invalid argument "${v}" for ${named} flag: invalid size: '${v}' (a number with an optional unit b, k, m, g or t, e.g. 64m)`); }
  } else if (f.value === 'int') {
    if (!/^\s*-?\d+\s*$/.test(v)) throw new FlagError(`invalid argument "${v}" for ${named} flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  } else if (f.value === 'decimal') {
    if (!v.trim() || !Number.isFinite(Number(v))) throw new FlagError(`invalid argument "${v}" for ${named} flag: failed to parse ${v} as a rational number`);
  }
}

export function limitArgs(p: Parsed): LimitArgs {
  for (const f of LIMIT_FLAGS) {
    const v = str(p, f.name);
    if (v !== undefined) checkLimitSyntax(f, v);
  }
  const out: LimitArgs = {};
  const m: [string, keyof LimitArgs][] = [
    ['memory', 'memory'], ['memory-swap', 'memorySwap'], ['memory-reservation', 'memoryReservation'], ['cpus', 'cpus'], ['cpu-shares', 'cpuShares'],
    ['cpu-period', 'cpuPeriod'], ['cpu-quota', 'cpuQuota'],
    ['pids-limit', 'pidsLimit'], ['cpuset-cpus', 'cpusetCpus'], ['cpuset-mems', 'cpusetMems'],
  ];
  for (const [flag, key] of m) {
    const v = str(p, flag);
    if (v !== undefined) (out as Record<string, string>)[key] = v;
  }
  return out;
}

export function runOptions(p: Parsed): RunOptions {
  const [image, ...cmd] = p.positionals;
  const labels = labelsFromFlags(list(p, 'label-file'), list(p, 'label'));
  const entry = str(p, 'entrypoint');
  return {
    ...limitArgs(p),
    image,
    cmd: cmd.length ? cmd : undefined,
    entrypoint: entry === undefined ? undefined : entry === '' ? [] : [entry],
    name: str(p, 'name'),
    hostname: str(p, 'hostname'),
    env: envFromFlags(list(p, 'env-file'), list(p, 'env')),
    workdir: str(p, 'workdir'),
    volumes: list(p, 'volume'),
    mounts: list(p, 'mount'),
    volumesFrom: list(p, 'volumes-from'),
    tmpfs: list(p, 'tmpfs'),
    lxcfs: bool(p, 'lxcfs') || undefined,
    user: str(p, 'user'),
    rm: bool(p, 'rm'),
    tty: bool(p, 'tty'),
    interactive: bool(p, 'interactive'),
    // no size (the helper's default) where this terminal reports none (0x0), as Docker does
    ...(bool(p, 'tty') ? terminalSize() : undefined),
    privileged: bool(p, 'privileged'),
    readOnly: bool(p, 'read-only'),
    capAdd: list(p, 'cap-add'),
    capDrop: list(p, 'cap-drop'),
    net: str(p, 'network'),
    publish: list(p, 'publish'),
    publishAll: bool(p, 'publish-all') || undefined,
    expose: list(p, 'expose'),
    networkAliases: list(p, 'network-alias'),
    ip: str(p, 'ip'),
    memorySwappiness: intFlag(p, 'memory-swappiness'),
    deviceCgroupRules: list(p, 'device-cgroup-rule'),
    logDriver: str(p, 'log-driver'),
    logOpts: list(p, 'log-opt'),
    blkioWeight: intFlag(p, 'blkio-weight'),
    blkioWeightDevice: list(p, 'blkio-weight-device'),
    deviceReadBps: list(p, 'device-read-bps'),
    deviceWriteBps: list(p, 'device-write-bps'),
    deviceReadIops: list(p, 'device-read-iops'),
    deviceWriteIops: list(p, 'device-write-iops'),
    macAddress: str(p, 'mac-address'),
    addHosts: list(p, 'add-host'),
    dns: list(p, 'dns'),
    dnsSearch: list(p, 'dns-search'),
    dnsOptions: list(p, 'dns-option'),
    pid: str(p, 'pid'),
    ipc: str(p, 'ipc'),
    uts: str(p, 'uts'),
    cgroupns: str(p, 'cgroupns'),
    securityOpt: securityOpts(list(p, 'security-opt')),
    userns: str(p, 'userns'),
    ulimits: list(p, 'ulimit'),
    init: bool(p, 'init') || undefined,
    oomKillDisable: bool(p, 'oom-kill-disable') || undefined,
    oomScoreAdj: intFlag(p, 'oom-score-adj'),
    domainname: str(p, 'domainname'),
    cgroupParent: str(p, 'cgroup-parent'),
    shmSize: str(p, 'shm-size'),
    sysctls: list(p, 'sysctl'),
    groupAdd: list(p, 'group-add'),
    devices: list(p, 'device'),
    restart: str(p, 'restart'),
    stopSignal: str(p, 'stop-signal'),
    stopTimeout: intFlag(p, 'stop-timeout'),
    labels,
    annotations: annotationsOf(p),
    runtime: str(p, 'runtime'),
    healthcheck: healthFromFlags(p),
  };
}

/**
 * --health-* and --no-healthcheck as Docker's CLI takes them: set fields go
 * over the image's HEALTHCHECK (the helper merges), --health-cmd is a
 * CMD-SHELL; a negative value or --no-healthcheck with a --health-* flag is
 * refused here, the rest (below 1ms) by the helper.
 */
export function healthFromFlags(p: Parsed): HealthConfig | undefined {
  const duration = (flag: string): number | undefined => {
    const v = str(p, flag);
    if (v === undefined) return undefined;
    const ns = goDurationNs(v);
    if (ns === undefined) throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: time: invalid duration "${v}"`);
    if (ns < 0) throw new UsageError(`--${flag} cannot be negative`);
    return ns;
  };
  const cmd = str(p, 'health-cmd');
  const h: HealthConfig = {
    ...(cmd ? { test: ['CMD-SHELL', cmd] } : {}),
    interval: duration('health-interval'), timeout: duration('health-timeout'), startPeriod: duration('health-start-period'), startInterval: duration('health-start-interval'), retries: intFlag(p, 'health-retries'),
  };
  if (h.retries !== undefined && h.retries < 0) throw new UsageError('--health-retries cannot be negative');
  const set = !!cmd || !!h.interval || !!h.timeout || !!h.startPeriod || !!h.startInterval || !!h.retries;
  if (bool(p, 'no-healthcheck')) {
    if (set) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    return { test: ['NONE'] };
  }
  if (!set) return undefined;
  for (const k of Object.keys(h) as (keyof HealthConfig)[]) if (!h[k]) delete h[k];
  return h;
}

/**
 * `--security-opt seccomp=FILE` names a file on the client's side, as with
 * Docker: the CLI reads it (with the caller's permissions, never the root
 * helper's) and sends its text. `seccomp=unconfined` and the other options
 * go as they are; the helper checks them all.
 */
export function securityOpts(values: string[] | undefined): string[] | undefined {
  return values?.map((v) => {
    const m = /^seccomp[=:]([\s\S]+)$/.exec(v);
    if (!m || m[1] === 'unconfined') return v;
    try {
      return `seccomp=${fs.readFileSync(m[1], 'utf8')}`;
    } catch (e) {
      throw new UsageError(`--security-opt seccomp: cannot read the profile ${m[1]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  });
}
