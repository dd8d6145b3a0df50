// The parts of `docker inspect`'s document that nscope reads back from a
// container's OCI spec: HostConfig's namespace modes (IpcMode, PidMode,
// UTSMode, UsernsMode, CgroupnsMode), ShmSize, Ulimits, Devices, MaskedPaths
// and ReadonlyPaths, the fields of Docker's that nscope refuses or discards
// (zero, as Docker shows them unset), and the paths of the container's
// /etc/hosts, /etc/resolv.conf and /etc/hostname. Docker's document always has
// these keys: a template such as `{{.HostConfig.ShmSize}}` or
// `{{.HostsPath}}` must not fail with "can't evaluate field".
interface SpecMount { destination?: string; type?: string; source?: string; options?: string[] }
interface SpecView {
  process?: { rlimits?: { type: string; soft: number; hard: number }[] };
  mounts?: SpecMount[];
  linux?: {
    namespaces?: { type: string; path?: string }[];
    devices?: { path: string; type?: string; major?: number; minor?: number }[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
  };
}

/** The runtime's own RLIMIT_NOFILE, which every container gets: not a --ulimit of the user's (Docker's Ulimits lists only those). */
const DEFAULT_NOFILE = 1024;

/** Docker's mode for a namespace: `own` when the container has one of its own, "host" without one, "container:…" when it joins another's. */
function mode(spec: SpecView, type: string, own: string): string {
  const ns = spec.linux?.namespaces?.find((n) => n.type === type);
  if (!ns) return 'host';
  return ns.path ? `container:${ns.path}` : own;
}

/** /dev/shm's size in bytes, from its tmpfs mount's size=…k (Docker's default, 64 MiB, otherwise). */
function shmSize(spec: SpecView): number {
  const shm = spec.mounts?.find((m) => m.destination === '/dev/shm' && m.type === 'tmpfs');
  const size = shm?.options?.find((o) => o.startsWith('size='))?.slice(5);
  const m = size && /^(\d+)([kmg]?)$/i.exec(size);
  if (!m) return 64 << 20;
  return Number(m[1]) * ({ '': 1, k: 1 << 10, m: 1 << 20, g: 1 << 30 } as Record<string, number>)[m[2].toLowerCase()];
}

/** "RLIMIT_NOFILE" 1024/2048 as Docker's {Name: "nofile", Hard: 2048, Soft: 1024}. */
function ulimits(spec: SpecView): { Name: string; Hard: number; Soft: number }[] {
  return (spec.process?.rlimits ?? [])
    .filter((r) => !(r.type === 'RLIMIT_NOFILE' && r.soft === DEFAULT_NOFILE && r.hard === DEFAULT_NOFILE))
    .map((r) => ({ Name: r.type.replace(/^RLIMIT_/, '').toLowerCase(), Hard: r.hard, Soft: r.soft }));
}

/** HostConfig's fields read from the spec, and Docker's fields nscope has no use for, as Docker shows them unset. */
export function specHostConfig(specIn: unknown) {
  const spec = (specIn ?? {}) as SpecView;
  return {
    // --ipc none: a namespace of its own without /dev/shm
    IpcMode: mode(spec, 'ipc', spec.mounts && !spec.mounts.some((m) => m.destination === '/dev/shm') ? 'none' : 'private'),
    PidMode: mode(spec, 'pid', ''),
    UTSMode: mode(spec, 'uts', ''),
    // nscope's --userns=auto maps a range of its own; Docker's only other mode is "host", its default
    UsernsMode: '',
    CgroupnsMode: mode(spec, 'cgroup', 'private'),
    Cgroup: '',
    ShmSize: shmSize(spec),
    Ulimits: ulimits(spec),
    Devices: (spec.linux?.devices ?? []).map((d) => ({ PathOnHost: d.path, PathInContainer: d.path, CgroupPermissions: 'rwm' })),
    MaskedPaths: spec.linux?.maskedPaths ?? [],
    ReadonlyPaths: spec.linux?.readonlyPaths ?? [],
    ConsoleSize: [0, 0],
    ContainerIDFile: '',
    // nscope has no links, GPUs, realtime CPU or Windows limits; --kernel-memory, --cpu-count and --cpu-percent are discarded
    Links: null,
    DeviceRequests: null,
    CpuCount: 0, CpuPercent: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0,
    IOMaximumBandwidth: 0, IOMaximumIOps: 0,
    KernelMemory: 0, KernelMemoryTCP: 0,
  };
}

/** HostsPath, ResolvConfPath, HostnamePath: the files bound over the container's (its own, with a network), else its init layer's. */
export function etcPaths(specIn: unknown, initLayer: string | undefined) {
  const spec = (specIn ?? {}) as SpecView;
  const file = (dest: string) => spec.mounts?.find((m) => m.destination === dest && m.type === 'bind')?.source ?? (initLayer ? `${initLayer}${dest}` : '');
  return { ResolvConfPath: file('/etc/resolv.conf'), HostnamePath: file('/etc/hostname'), HostsPath: file('/etc/hosts') };
}
