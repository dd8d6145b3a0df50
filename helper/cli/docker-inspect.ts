// `nscope inspect` as `docker inspect` prints it: the same keys in the same
// places (State.Pid, NetworkSettings.IPAddress, HostConfig.Memory, …), so
// scripts and `-f '{{…}}'` templates written for Docker work unchanged.
// What only nscope knows (its rootfs layout, cgroup, spec, security) stays
// whole under `Nscope`, the helper's own document.
import type { ContainerDetail, HealthConfig, HealthState, ImageDetailInfo, ImageSummaryInfo, NetworkSummary, PortMapping } from '../protocol';
import { DEFAULT_CAPS } from '../runtime/spec';
import { goMap, goStringMap } from '../lib/go-template';
import { dnsNames } from '../network/dns-names';
import type { BlockIO, ThrottleDevice } from '../cgroups/block-io-limits';
import { etcPaths, specHostConfig } from './docker-host-config';

/** Go's zero time, which Docker prints for a container never started or never stopped */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The parts of an OCI image config Docker's inspect reads. */
interface OciConfig {
  created?: string;
  architecture?: string;
  variant?: string;
  os?: string;
  author?: string;
  config?: {
    User?: string; Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string;
    Labels?: Record<string, string>; ExposedPorts?: Record<string, object>; Volumes?: Record<string, object>; StopSignal?: string;
    Healthcheck?: unknown; OnBuild?: string[]; Shell?: string[]; ArgsEscaped?: boolean;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { comment?: string }[];
}

interface Process { args?: string[]; env?: string[]; cwd?: string; terminal?: boolean; user?: { uid?: number; gid?: number } }
interface SpecView { process?: Process & { oomScoreAdj?: number }; root?: { readonly?: boolean }; domainname?: string; linux?: { resources?: { blockIO?: BlockIO; memory?: { swappiness?: number } } } }

const portKey = (p: { containerPort: number; protocol: string }) => `${p.containerPort}/${p.protocol}`;

/** "80/tcp": [{HostIp, HostPort}], Docker's NetworkSettings.Ports and HostConfig.PortBindings */
function portMap(ports: PortMapping[], exposed: string[], asked = false): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = goMap({});
  for (const k of exposed) out[k] = null;
  // what was asked (HostConfig.PortBindings) says "" for every address; where it listens (NetworkSettings.Ports), 0.0.0.0
  for (const p of ports) (out[portKey(p)] ??= []).push({ HostIp: p.hostIp || (asked ? '' : '0.0.0.0'), HostPort: p.hostPort ? String(p.hostPort) : '' });
  return out;
}

const emptySet = (keys: string[]) => goMap(Object.fromEntries(keys.map((k) => [k, {}])));

/**
 * Docker's Config struct has fields its JSON leaves out when empty (omitempty):
 * a template still reads them (`{{json .Config.Shell}}` is null), so they are
 * there for templates, their zero value, and not in `{{json .}}` (not enumerable).
 */
function withStructZeros<T extends object>(config: T): T {
  const zeros: Record<string, unknown> = { Healthcheck: null, ArgsEscaped: false, NetworkDisabled: false, MacAddress: '', StopTimeout: null, Shell: null };
  for (const [k, v] of Object.entries(zeros)) if (!Object.hasOwn(config, k)) Object.defineProperty(config, k, { value: v, enumerable: false });
  return config;
}

/** The command split as Docker keeps it: the image's entrypoint, if the command starts with it, and the rest. */
function splitCommand(command: string[], entrypoint: string[] | undefined): { Entrypoint: string[] | null; Cmd: string[] | null } {
  if (entrypoint?.length && entrypoint.every((a, i) => command[i] === a)) {
    const rest = command.slice(entrypoint.length);
    return { Entrypoint: entrypoint, Cmd: rest.length ? rest : null };
  }
  return { Entrypoint: null, Cmd: command.length ? command : null };
}

function addrOf(cidr: string | undefined): { ip: string; prefix: number } {
  if (!cidr) return { ip: '', prefix: 0 };
  const [ip, prefix] = cidr.split('/');
  return { ip, prefix: Number(prefix) || 0 };
}

/** `docker inspect CONTAINER`'s document. `image` (its config) fills Config's image-given fields; `networks` gives the networks' ids. */
export function dockerContainer(d: ContainerDetail, image?: ImageDetailInfo, networks: NetworkSummary[] = []) {
  const spec = (d.spec ?? {}) as SpecView;
  const proc = spec.process ?? {};
  const cfg = ((image?.config ?? {}) as OciConfig).config ?? {};
  const argv = proc.args ?? d.command;
  const paused = !!d.paused;
  // Docker's restarting container (between an exit and its policy's start) is "restarting", and Running stays true
  const status = d.status === 'running' && paused ? 'paused' : d.restarting ? 'restarting' : d.status;
  const ports = d.ports ?? [];
  const exposed = [...new Set([...Object.keys(cfg.ExposedPorts ?? {}), ...(d.exposed ?? []), ...ports.map(portKey)])];
  const caps = d.security?.capabilities ?? [];
  const privileged = !!d.security?.privileged;
  const uid = proc.user?.uid ?? 0;
  const gid = proc.user?.gid ?? 0;
  const nets = d.networks ?? [];
  const first = addrOf(nets[0]?.address);
  const mounts = d.mounts ?? [];
  const running = d.status === 'running';
  return {
    Id: d.id,
    Created: d.created,
    Path: argv[0] ?? '',
    Args: argv.slice(1),
    State: {
      Status: status,
      Running: running || !!d.restarting,
      Paused: paused,
      Restarting: !!d.restarting,
      OOMKilled: !!d.oomKilled,
      Dead: false,
      Pid: running ? d.pid ?? 0 : 0,
      ExitCode: d.exitCode ?? 0,
      Error: d.error ?? '',
      StartedAt: d.startedAt ?? ZERO_TIME,
      FinishedAt: d.finishedAt ?? ZERO_TIME,
      ...(d.healthState ? { Health: dockerHealth(d.healthState) } : {}),
    },
    Image: d.imageId,
    ...etcPaths(d.spec, d.rootfs?.init),
    LogPath: d.logPath ?? '',
    Name: `/${d.name}`,
    RestartCount: d.restartCount ?? 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '', ProcessLabel: '', AppArmorProfile: '',
    // the exec sessions are the helper's alone: none is listed
    ExecIDs: null,
    HostConfig: {
      Binds: mounts.filter((m) => m.type !== 'tmpfs').map((m) => `${m.type === 'volume' ? m.name ?? m.source : m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`),
      NetworkMode: d.networkMode ?? (nets[0]?.network || 'default'),
      PortBindings: portMap(d.portsAsked ?? [], [], true),
      AutoRemove: !!d.autoRemove,
      RestartPolicy: restartPolicy(d.restartPolicy),
      CapAdd: privileged ? null : caps.filter((c) => !DEFAULT_CAPS.includes(c)),
      CapDrop: privileged ? null : DEFAULT_CAPS.filter((c) => !caps.includes(c)),
      Privileged: privileged,
      ReadonlyRootfs: !!spec.root?.readonly,
      SecurityOpt: [
        ...(d.security?.seccomp === 'unconfined' && !privileged ? ['seccomp=unconfined'] : []),
        ...(d.security?.noNewPrivileges ? ['no-new-privileges'] : []),
      ],
      Memory: d.limits?.memory && d.limits.memory > 0 ? d.limits.memory : 0,
      MemorySwap: d.limits?.memorySwap ?? 0,
      // --cpus is NanoCpus; --cpu-period/--cpu-quota are themselves (Docker keeps them apart too)
      NanoCpus: d.limits?.cpus && d.limits.cpus > 0 && d.limits.cpuPeriod === undefined ? Math.round(d.limits.cpus * 1e9) : 0,
      CpuPeriod: d.limits?.cpuPeriod ?? 0,
      CpuQuota: d.limits?.cpuPeriod !== undefined && d.limits.cpus !== undefined ? (d.limits.cpus > 0 ? Math.round(d.limits.cpus * d.limits.cpuPeriod) : -1) : 0,
      CpuShares: d.limits?.cpuShares ?? 0,
      CpusetCpus: d.limits?.cpusetCpus ?? '',
      CpusetMems: d.limits?.cpusetMems ?? '',
      PidsLimit: d.limits?.pidsLimit && d.limits.pidsLimit > 0 ? d.limits.pidsLimit : null,
      MemoryReservation: d.limits?.memoryReservation && d.limits.memoryReservation > 0 ? d.limits.memoryReservation : 0,
      OomKillDisable: !!d.limits?.oomKillDisable,
      OomScoreAdj: proc.oomScoreAdj ?? 0,
      LogConfig: { Type: d.logConfig?.type ?? 'json-file', Config: goStringMap(d.logConfig?.config ?? {}) },
      MemorySwappiness: spec.linux?.resources?.memory?.swappiness ?? null,
      ...blkioFields(spec.linux?.resources?.blockIO, d.devicePaths ?? {}),
      CgroupParent: d.cgroupParent ?? '',
      Runtime: 'nscope', Isolation: '', VolumeDriver: '',
      ...(d.annotations ? { Annotations: goStringMap(d.annotations) } : {}),
      Tmpfs: goStringMap(Object.fromEntries(mounts.filter((m) => m.type === 'tmpfs').map((m) => [m.destination, '']))),
      ...specHostConfig(d.spec),
    },
    GraphDriver: {
      Name: 'overlay2',
      Data: d.rootfs ? {
        // as Docker's overlay2: the init layer first, then the image's layers top-down (rootfs.lower is bottom-up)
        LowerDir: [d.rootfs.init, ...[...d.rootfs.lower].reverse()].filter(Boolean).join(':'),
        MergedDir: d.rootfs.mountpoint,
        UpperDir: d.rootfs.upper,
        WorkDir: d.rootfs.work,
      } : null,
    },
    // inspect --size: the rw layer, and it with the image under it
    ...(d.sizeRw === undefined ? {} : { SizeRw: d.sizeRw, SizeRootFs: d.sizeRw + (image?.size ?? 0) }),
    Mounts: mounts.map((m) => ({
      Type: m.type,
      ...(m.type === 'volume' ? { Name: m.name ?? '' } : {}),
      Source: m.source ?? '',
      Destination: m.destination,
      ...(m.type === 'volume' ? { Driver: 'local' } : {}),
      Mode: m.readOnly ? 'ro' : '',
      RW: !m.readOnly,
      Propagation: m.type === 'bind' ? 'rprivate' : '',
    })),
    Config: withStructZeros({
      Hostname: d.hostname ?? '',
      Domainname: spec.domainname ?? '',
      User: uid === 0 && gid === 0 ? cfg.User ?? '' : `${uid}:${gid}`,
      AttachStdin: false,
      AttachStdout: !d.tty,
      AttachStderr: !d.tty,
      ExposedPorts: exposed.length ? emptySet(exposed) : null,
      Tty: !!d.tty,
      OpenStdin: !!d.interactive,
      StdinOnce: false,
      Env: proc.env ?? [],
      ...splitCommand(d.command, cfg.Entrypoint),
      Image: d.imageRef ?? d.image,
      Volumes: cfg.Volumes ? emptySet(Object.keys(cfg.Volumes)) : null,
      WorkingDir: proc.cwd && proc.cwd !== '/' ? proc.cwd : cfg.WorkingDir ?? '',
      OnBuild: cfg.OnBuild ?? null,
      Labels: goStringMap({ ...(d.labels ?? {}) }),
      StopSignal: d.stopSignal ?? cfg.StopSignal ?? 'SIGTERM',
      ...(d.healthcheck ? { Healthcheck: dockerHealthConfig(d.healthcheck) } : {}),
      ...(d.stopTimeout !== undefined && d.stopTimeout !== 10 ? { StopTimeout: d.stopTimeout } : {}),
      ...(cfg.Shell ? { Shell: cfg.Shell } : {}),
    }),
    NetworkSettings: {
      Bridge: '',
      SandboxKey: running && d.pid && nets.length ? `/proc/${d.pid}/ns/net` : '',
      Ports: portMap(ports, exposed),
      Gateway: nets[0]?.gateway ?? '',
      IPAddress: first.ip,
      IPPrefixLen: first.prefix,
      MacAddress: nets[0]?.mac ?? '',
      Networks: goMap(Object.fromEntries([...nets.map((n) => {
        const a = addrOf(n.address);
        const net = networks.find((x) => x.name === n.network);
        return [n.network, {
          IPAMConfig: n.requestedIp ? { IPv4Address: n.requestedIp } : null,
          Aliases: n.aliases.length ? n.aliases : null,
          MacAddress: n.mac ?? '',
          NetworkID: net?.id ?? '',
          Gateway: n.gateway ?? '',
          IPAddress: a.ip,
          IPPrefixLen: a.prefix,
          // Docker's DNS answers names on user-defined networks only: none on the default one
          DNSNames: net?.isDefault ? null : dnsNames(d, n.aliases),
        }] as const;
      }),
      // a container that is not running keeps its networks, as Docker shows them: configured, no address yet
      ...(d.networksAsked ?? []).filter((n) => !nets.some((x) => x.network === n.name)).map((n) => [n.name, {
        IPAMConfig: n.ip ? { IPv4Address: n.ip } : null,
        Aliases: n.aliases.length ? n.aliases : null,
        MacAddress: n.mac ?? '',
        NetworkID: networks.find((x) => x.name === n.name)?.id ?? '',
        Gateway: '',
        IPAddress: '',
        IPPrefixLen: 0,
        DNSNames: null,
      }] as const)])),
    },
    Nscope: d,
  };
}

/** "on-failure:3" as Docker's HostConfig.RestartPolicy: {Name: "on-failure", MaximumRetryCount: 3}; none is Name "no" */
function restartPolicy(p: string | undefined): { Name: string; MaximumRetryCount: number } {
  const [name, count] = (p || 'no').split(':');
  return { Name: name, MaximumRetryCount: Number(count) || 0 };
}

/** Docker's RepoDigests entry: `alpine@sha256:…` for Docker Hub's library images, else registry/repository@digest */
function repoDigest(o: NonNullable<ImageDetailInfo['origin']>): string {
  const repo = o.registry === 'docker.io' ? o.repository.replace(/^library\//, '') : `${o.registry}/${o.repository}`;
  return `${repo}@${o.digest}`;
}

/** `docker image inspect IMAGE`'s document; `names`: every name the image has (`nscope images` lists one row per name). */
export function dockerImage(i: ImageDetailInfo, names: ImageSummaryInfo[] = []) {
  const c = (i.config ?? {}) as OciConfig;
  const cfg = c.config ?? {};
  const tags = [...new Set([i.name, ...names.filter((n) => n.id === i.id).map((n) => n.name)])].filter((n) => n !== '<none>:<none>');
  const digests = [...new Set([i, ...names.filter((n) => n.id === i.id)].flatMap((n) => (n.origin ? [repoDigest(n.origin)] : [])))];
  return {
    Id: i.id,
    RepoTags: tags,
    RepoDigests: digests,
    Parent: '',
    Comment: c.history?.[c.history.length - 1]?.comment ?? '',
    Created: c.created ?? i.created ?? '',
    DockerVersion: '',
    Author: c.author ?? '',
    Config: withStructZeros({
      Hostname: '', Domainname: '',
      User: cfg.User ?? '',
      AttachStdin: false, AttachStdout: false, AttachStderr: false,
      ExposedPorts: cfg.ExposedPorts ? emptySet(Object.keys(cfg.ExposedPorts)) : null,
      Tty: false, OpenStdin: false, StdinOnce: false,
      Env: cfg.Env ?? null,
      Cmd: cfg.Cmd ?? null,
      ...(cfg.Healthcheck ? { Healthcheck: cfg.Healthcheck } : {}),
      Image: '',
      Volumes: cfg.Volumes ? emptySet(Object.keys(cfg.Volumes)) : null,
      WorkingDir: cfg.WorkingDir ?? '',
      Entrypoint: cfg.Entrypoint ?? null,
      OnBuild: cfg.OnBuild ?? null,
      Labels: cfg.Labels ? goStringMap({ ...cfg.Labels }) : null,
      StopSignal: cfg.StopSignal ?? '',
      ...(cfg.Shell ? { Shell: cfg.Shell } : {}),
      ...(cfg.ArgsEscaped ? { ArgsEscaped: true } : {}),
    }),
    Architecture: c.architecture ?? '',
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os ?? '',
    Size: i.size,
    GraphDriver: {
      Name: 'overlay2',
      Data: i.layers.length ? {
        LowerDir: i.layers.slice(0, -1).map((l) => l.dir).filter(Boolean).reverse().join(':'),
        UpperDir: i.layers[i.layers.length - 1].dir ?? '',
      } : null,
    },
    RootFS: { Type: c.rootfs?.type ?? 'layers', Layers: c.rootfs?.diff_ids ?? i.layers.map((l) => l.diffId) },
    Nscope: i,
  };
}

/** Docker's State.Health */
function dockerHealth(h: HealthState) {
  return {
    Status: h.status, FailingStreak: h.failingStreak,
    Log: h.log.map((x) => ({ Start: x.start, End: x.end, ExitCode: x.exitCode, Output: x.output })),
  };
}

/** Docker's Config.Healthcheck: its fields, the unset ones left out (omitempty) */
function dockerHealthConfig(h: HealthConfig) {
  return {
    Test: h.test ?? [],
    ...(h.interval ? { Interval: h.interval } : {}), ...(h.timeout ? { Timeout: h.timeout } : {}),
    ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}), ...(h.startInterval ? { StartInterval: h.startInterval } : {}), ...(h.retries ? { Retries: h.retries } : {}),
  };
}

/** HostConfig's block I/O fields, Docker's names: the devices by their paths (the helper names them: devicePaths). */
function blkioFields(b: BlockIO | undefined, paths: Record<string, string>) {
  const name = (d: { major: number; minor: number }) => paths[`${d.major}:${d.minor}`] ?? `${d.major}:${d.minor}`;
  const rates = (l: ThrottleDevice[] | undefined) => (l ?? []).map((d) => ({ Path: name(d), Rate: d.rate }));
  return {
    BlkioWeight: b?.weight ?? 0,
    BlkioWeightDevice: (b?.weightDevice ?? []).map((d) => ({ Path: name(d), Weight: d.weight ?? 0 })),
    BlkioDeviceReadBps: rates(b?.throttleReadBpsDevice),
    BlkioDeviceWriteBps: rates(b?.throttleWriteBpsDevice),
    BlkioDeviceReadIOps: rates(b?.throttleReadIOPSDevice),
    BlkioDeviceWriteIOps: rates(b?.throttleWriteIOPSDevice),
  };
}
