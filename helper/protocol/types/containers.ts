// Containers: the data their methods (../methods/containers.ts) take and return.
import type { ContainerSecurity } from './security';

export type ContainerStatus = 'created' | 'running' | 'exited';

/** The user's limits in Docker's terms (bytes, CPUs), as run/update take them. */
export interface Limits {
  /** bytes; -1 = unlimited */
  memory?: number;
  /** memory + swap in bytes (Docker's --memory-swap); -1 = unlimited swap */
  memorySwap?: number;
  /** soft limit in bytes (Docker's --memory-reservation: v1 memory.soft_limit_in_bytes, v2 memory.low); 0 = none */
  memoryReservation?: number;
  /** --oom-kill-disable: at its memory limit its processes wait instead of being killed (cgroup v1 only; v2 has no such switch) */
  oomKillDisable?: boolean;
  /** CPUs, e.g. 0.5 (with cpuPeriod: the quota over the period); -1 = unlimited */
  cpus?: number;
  /** the CFS period in µs, where --cpu-period/--cpu-quota set the limit (absent: --cpus's, 100000) */
  cpuPeriod?: number;
  /** relative weight (cpu.shares, 2..262144) */
  cpuShares?: number;
  /** max processes; -1 = unlimited */
  pidsLimit?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
}

/** Limits as strings/numbers the way a user types them ("64m", "0.5"). */
export interface LimitArgs {
  memory?: string | number;
  memorySwap?: string | number;
  memoryReservation?: string | number;
  cpus?: string | number;
  cpuShares?: string | number;
  /** Docker's --cpu-period and --cpu-quota (µs): the limit as the kernel takes it, instead of --cpus */
  cpuPeriod?: string | number;
  cpuQuota?: string | number;
  pidsLimit?: string | number;
  cpusetCpus?: string;
  cpusetMems?: string;
}

export interface RunOptions extends LimitArgs {
  image: string;
  /** Replaces the image's Cmd */
  cmd?: string[];
  entrypoint?: string[];
  name?: string;
  hostname?: string;
  /** KEY=VALUE */
  env?: string[];
  workdir?: string;
  /** USER[:GROUP], names or numbers */
  user?: string;
  /** HOST:CONTAINER[:ro] bind mounts, NAME:CONTAINER[:ro|nocopy] named volumes, /CONTAINER anonymous volumes */
  volumes?: string[];
  /** Removes the container when it exits */
  rm?: boolean;
  /** a console (pseudo-terminal) for the command, like docker run -t */
  tty?: boolean;
  /** keep stdin open for attach, like docker run -i */
  interactive?: boolean;
  /** the console's initial size */
  rows?: number;
  cols?: number;
  privileged?: boolean;
  readOnly?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /**
   * `bridge` (the default network "nscope"), a network's name, `none` (only lo),
   * `host`, `container:ID`, or a /proc/PID/ns/net path to join ('private' = none)
   */
  net?: string;
  /** -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp] */
  publish?: string[];
  /** -P: every port the image EXPOSEs, to a free host port */
  publishAll?: boolean;
  /** --expose: ports (PORT[-PORT][/tcp|udp|sctp]) exposed beside the image's EXPOSE, published by publishAll */
  expose?: string[];
  /** --network-alias: more names on a user-defined network */
  networkAliases?: string[];
  /** --init: the host's docker-init (tini) as PID 1, the command its child */
  init?: boolean;
  /** --oom-kill-disable (cgroup v1): see Limits.oomKillDisable */
  oomKillDisable?: boolean;
  /** --oom-score-adj: the init's and every exec'd process's /proc/PID/oom_score_adj, -1000..1000 */
  oomScoreAdj?: number;
  /** --domainname: the NIS domain name of its own UTS namespace */
  domainname?: string;
  /** --cgroup-parent: the cgroup its own is made under (a path from the hierarchies' root), instead of the helper's */
  cgroupParent?: string;
  /** --log-driver json-file (default), local or none; --log-opt max-size=10m, max-file=3 */
  logDriver?: string;
  logOpts?: string[];
  /** --device-cgroup-rule 'c 1:3 mr': device numbers the container may use, no node made */
  deviceCgroupRules?: string[];
  /** --memory-swappiness: 0..100 (-1: the kernel's); cgroup v1 only, discarded with Docker's warning on v2 */
  memorySwappiness?: number;
  /** --blkio-weight: 10..1000 (0: not set); discarded with a warning where the host's I/O schedulers keep no weights */
  blkioWeight?: number;
  /** --blkio-weight-device DEVICE:WEIGHT; --device-{read,write}-{bps,iops} DEVICE:RATE (bps with a unit: 1mb) */
  blkioWeightDevice?: string[];
  deviceReadBps?: string[];
  deviceWriteBps?: string[];
  deviceReadIops?: string[];
  deviceWriteIops?: string[];
  /** --ip: its IPv4 address on its (user-defined) network, instead of the next free one */
  ip?: string;
  /** --mac-address: its interface's MAC address on that network */
  macAddress?: string;
  /** --shm-size: the /dev/shm tmpfs's size (default 64m) */
  shmSize?: string | number;
  /** --sysctl KEY=VALUE: only those of the container's own namespaces (net.* with its own netns, the IPC ones with its own IPC ns) */
  sysctls?: string[];
  /** --group-add: more groups for its process, GIDs or names in the image's /etc/group */
  groupAdd?: string[];
  /** --device HOST[:CONTAINER][:rwm]: a host device node in the container, allowed by its device cgroup */
  devices?: string[];
  /** --add-host NAME:IP: lines of its /etc/hosts */
  addHosts?: string[];
  /** --dns, --dns-search, --dns-option: over the host's in its /etc/resolv.conf */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** --mount type=volume|bind|tmpfs,source=…,target=…[,readonly][,volume-nocopy][,tmpfs-size=…] (Docker's syntax) */
  mounts?: string[];
  /** --volumes-from CONTAINER[:ro|rw]: another container's volumes and binds */
  volumesFrom?: string[];
  /** --tmpfs /path[:size=…,mode=…] */
  tmpfs?: string[];
  /** lxcfs's /proc files over the container's, so free/nproc show its limits */
  lxcfs?: boolean;
  pid?: string;
  ipc?: string;
  uts?: string;
  cgroupns?: string;
  labels?: Record<string, string>;
  /** Docker's --annotation: OCI annotations on the container's spec (beside its labels), inspect's HostConfig.Annotations */
  annotations?: Record<string, string>;
  /** Docker's --runtime: nscope runs its containers itself, so only "nscope" (or none) is taken */
  runtime?: string;
  /** Docker's --security-opt: `seccomp=unconfined`, `seccomp=<profile JSON text>` (the CLI reads the file), `no-new-privileges[=true|false]` */
  securityOpt?: string[];
  /** Docker's --restart: no (default), on-failure[:N], always, unless-stopped */
  restart?: string;
  /** Docker's --stop-signal: what `stop` sends first (default: the image's STOPSIGNAL, else SIGTERM) */
  stopSignal?: string;
  /** Docker's --stop-timeout: seconds `stop` waits before SIGKILL (default 10; -1 waits for ever) */
  stopTimeout?: number;
  /** Docker's --ulimit NAME=SOFT[:HARD] (nofile, nproc, core, memlock, stack, …; -1 or unlimited), checked by the helper */
  ulimits?: string[];
  /** `host` (default) or `auto[:size=N]`: a user namespace of its own mapping root to an unused range */
  userns?: string;
  /**
   * Look the command up at `start`, not at `create` (as Docker does): a
   * container made only to copy files into or out of and commit (a build's
   * COPY) can be made on an image with no shell, e.g. one built FROM scratch.
   */
  lookupAtStart?: boolean;
  /** Docker's --health-*: over the image's HEALTHCHECK field by field (absent or 0: the image's, else Docker's default); test ["NONE"] turns it off */
  healthcheck?: HealthConfig;
}

/**
 * Docker's HealthConfig (an image config's Healthcheck, camel-cased): test
 * ["NONE"], ["CMD", argv…] or ["CMD-SHELL", "command"] (empty: the image's);
 * durations in nanoseconds, 0 = not set.
 */
export interface HealthConfig {
  test?: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  /** nanoseconds between probes during the start period, while still starting (Docker's StartInterval) */
  startInterval?: number;
  retries?: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One run of a container's health check (Docker's HealthcheckResult): ISO times, output's first 4 KiB; exit code -1 where it could not run or timed out */
export interface HealthProbe { start: string; end: string; exitCode: number; output: string }

/** Docker's State.Health: its status, failures in a row, the last 5 probes */
export interface HealthState { status: HealthStatus; failingStreak: number; log: HealthProbe[] }

/** Who runs a container nscope did not create: an engine that drives nscope-runtime (see helper/runtime/engine-containers.ts). */
export type EngineName = 'docker' | 'containerd' | 'podman' | 'nscope-runtime';

export interface ContainerEngine {
  name: EngineName;
  /** the runtime's --root its state is under */
  root: string;
  /** containerd's namespace (Docker's is "moby") */
  namespace?: string;
  /** how to act on it, e.g. `docker stop 0123456789ab` (for stop: the verb goes after the command) */
  command: string;
}

export interface ContainerSummary {
  id: string;
  name: string;
  /** the image's name in the store (`alpine:latest`), or its ID when it has none */
  image: string;
  /** the image as named at create (`alpine`, `alpine@sha256:…`, an ID prefix): Docker's Config.Image */
  imageRef?: string;
  /** that name now means another image, or none (a new pull, a re-tag): `ps` shows the ID instead, as Docker's */
  imageMoved?: boolean;
  imageId: string;
  command: string[];
  status: ContainerStatus;
  created: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  signal?: number;
  oomKilled?: boolean;
  /** the container's first process, on the host */
  pid?: number;
  /** a running container whose cgroup is frozen (`nscope pause`, or a commit under way); Docker's state "paused" */
  paused?: boolean;
  labels?: Record<string, string>;
  /** exited, and its restart policy starts it again once the back-off has passed (Docker's "Restarting") */
  restarting?: boolean;
  /** bytes of its rw layer (container.list with `size`) */
  sizeRw?: number;
  /** set when an engine (Docker, containerd, Podman) owns it: it is shown, its limits can change, its lifecycle is the engine's */
  engine?: ContainerEngine;
  /** published ports bound now (a running container's; Docker's list has them too, for `ps`'s PORTS) */
  ports?: import('./network').PortMapping[];
  /** a running container's health (absent: it has no health check) */
  health?: HealthStatus;
}

export interface NamespaceRef { type: string; path?: string; shared: boolean }

export interface ContainerDetail extends ContainerSummary {
  hostname: string;
  /** How the root was switched: pivot_root, or chroot where pivot_root is impossible */
  rootSwitch?: 'pivot_root' | 'chroot' | 'none';
  rootfs: { lower: string[]; init: string; upper: string; work: string; mountpoint: string };
  cgroup: { version: 1 | 2; path: string };
  limits: Limits;
  logPath: string;
  bundle: string;
  namespaces: NamespaceRef[];
  /** an error from set-up or exec, e.g. `exec: "foo": executable file not found in $PATH` */
  error?: string;
  /** the user its command runs as (-u, else the image's USER; Docker's Config.User), absent for root */
  user?: string;
  autoRemove: boolean;
  /** what `stop` sends first (--stop-signal, else the image's STOPSIGNAL, else SIGTERM) */
  stopSignal?: string;
  /** seconds `stop` waits for it before SIGKILL (--stop-timeout; -1: for ever) */
  stopTimeout?: number;
  /** its restart policy as --restart takes it ("no", "on-failure:2", "always", …) */
  restartPolicy?: string;
  /** restarts by the policy since the user last started it (Docker's RestartCount) */
  restartCount?: number;
  /** The OCI runtime spec the container runs with (config.json). */
  spec: unknown;
  /** --cgroup-parent, where one was given */
  cgroupParent?: string;
  /** --log-driver and --log-opt as given (absent: json-file, no rotation) */
  logConfig?: { type: string; config: Record<string, string> };
  /** --annotation */
  annotations?: Record<string, string>;
  /** the block devices its spec's blockIO names, "MAJ:MIN" -> "/dev/NAME" (as the helper's host calls them) */
  devicePaths?: Record<string, string>;
  /** The confinement the container got, as its spec asks for it. */
  security: ContainerSecurity;
  /** its networks while it runs (none with --network none/host/container:) */
  networks?: import('./network').ContainerNetwork[];
  /** published ports, as asked (-p, -P) and as bound */
  ports?: import('./network').PortMapping[];
  /** its own netns's networks as configured, running or not (Docker lists a stopped container's networks too) */
  networksAsked?: { name: string; aliases: string[]; ip?: string; mac?: string }[];
  /** published ports as asked, running or not (Docker's HostConfig.PortBindings; -P's and a range's host port 0 until bound) */
  portsAsked?: import('./network').PortMapping[];
  /** --expose's ports ("8080/tcp"), exposed beside the image's EXPOSE */
  exposed?: string[];
  /** volumes, binds and tmpfs mounts */
  mounts?: import('./volumes').MountInfo[];
  /** created with a console (-t) / stdin kept open (-i): Docker's Config.Tty and Config.OpenStdin */
  tty?: boolean;
  interactive?: boolean;
  /**
   * Docker's HostConfig.NetworkMode: the first network's name, `none`, `host`
   * (the helper's netns), or `container:…` (another container's netns, by its path)
   */
  networkMode?: string;
  /** the health check it has (its own over the image's), Docker's Config.Healthcheck; absent: none anywhere */
  healthcheck?: HealthConfig;
  /** its health's state, as Docker's State.Health (kept when it stops) */
  healthState?: HealthState;
}

export interface ExitStatus { exitCode: number; signal?: number; oomKilled: boolean; finishedAt?: string; error?: string }

/** `top CONTAINER [ps OPTIONS]`: ps's column titles and the container's rows (the last column holds the rest of the line) */
export interface PsTable { titles: string[]; processes: string[][] }

export interface ProcessInfo { pid: number; nsPid: number | null; ppid: number; uid: number; state: string; command: string }

export interface ContainerStats {
  memoryUsage: number;
  memoryLimit: number | null;
  cpuUsageNs: number;
  pidsCurrent: number;
  pidsLimit: number | null;
  oomKills: number;
  /** CPU time per CPU in ns, where the cgroup tells (v1) */
  cpuPerCoreNs?: number[];
  /** bytes over the container's interfaces other than lo, since they were made */
  netRx?: number;
  netTx?: number;
  /** bytes read from / written to block devices by the cgroup */
  blockRead?: number;
  blockWrite?: number;
}

/**
 * One line of a `stream.open` kind `stats` (./streams.ts): a JSON object per
 * interval. Counters are totals, rates are left to the reader (time is ms
 * since the epoch); cpuPercent is Docker's (100 = one busy CPU), null on the
 * first line, which has no previous sample to compare with.
 */
export interface StatsLine {
  time: number;
  cpuPercent: number | null;
  /** per CPU, 100 = that CPU fully busy (v1 only) */
  cpuPerCore?: number[];
  memoryUsage: number;
  memoryLimit: number | null;
  pids: number;
  pidsLimit: number | null;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
}

export interface LogEntry { log: string; stream: 'stdout' | 'stderr'; time: string }
