// What the daemon shows of its containers: summaries, inspect, stats, top,
// logs, their layers and cgroup, counts. Reads only.
import * as path from 'path';
import { conflict, invalid } from '../../errors';
import { readJson } from '../../lib/atomic';
import { isSameProcess } from '../../lib/procinfo';
import { processesOf } from '../process-info';
import { readNetDev } from '../../lib/proc-net-dev';
import type { ContainerDetail, ContainerStats, ContainerStatus, ContainerSummary, LiveSecurity, LogEntry, ProcessInfo } from '../../protocol/types';
import type { ContainerLayers } from '../../rootfs/layout';
import { readLiveSecurity } from '../../security/live';
import { securityOf } from '../../security/summary';
import { readLog } from '../logs';
import { ATTR_OPTIONS, logAttrs } from '../log-attrs';
import { formatRestartPolicy } from '../restart-policy';
import { DEFAULT_STOP_TIMEOUT } from '../stop-options';
import type { ContainerRecord } from '../record';
import type { Spec } from '../spec';
import { treeSize } from '../../volumes/size';
import { cgroup, type ContainerContext, layout, paths } from './context';
import { isPaused } from './pause';
import { shownStatus } from './exec-failure';
import { devicePath } from '../block-io-options';
import { THROTTLES, type BlockIO } from '../../cgroups/block-io-limits';

/** ContainerLayers (rootfs/layout.ts) and what the runtime knows of the container besides. */
export interface ContainerLayersView extends ContainerLayers {
  status: ContainerStatus;
  image: string;
  /** its init, while it runs */
  pid?: number;
}

/**
 * `ctx`: also whether it is paused (a read of its freezer file) and whether
 * the name it was made from still means its image (`idOf`: one look at the
 * store for a whole list; else one here).
 */
export function summary(r: ContainerRecord, ctx?: ContainerContext, idOf?: (ref: string) => string | undefined): ContainerSummary {
  const ref = r.imageRef ?? r.image;
  const lookup = idOf ?? (ctx ? ctx.images.idResolver() : undefined);
  return {
    id: r.id, name: r.name, image: r.image, imageRef: ref, ...(lookup && lookup(ref) !== r.imageId ? { imageMoved: true } : {}), imageId: r.imageId, command: r.command, status: shownStatus(r), created: r.created,
    startedAt: r.startedAt, finishedAt: r.finishedAt, exitCode: r.exit?.exitCode, signal: r.exit?.signal,
    oomKilled: r.exit?.oomKilled, pid: r.status === 'exited' ? undefined : r.pid, labels: r.labels,
    ...(r.restarting && r.status === 'exited' ? { restarting: true } : {}),
    ...(ctx && isPaused(ctx, r) ? { paused: true } : {}),
    ...(ctx && r.status === 'running' ? portsOf(ctx, r.id) : {}),
    ...(r.status === 'running' && r.health ? { health: r.health.status } : {}),
  };
}

/** The ports bound for a running container, when it has any (kept out of the summary otherwise). */
function portsOf(ctx: ContainerContext, id: string): { ports?: ReturnType<ContainerContext['net']['ports']> } {
  const ports = ctx.net.ports(id);
  return ports.length ? { ports } : {};
}

export function inspect(ctx: ContainerContext, ref: string): ContainerDetail {
  const r = ctx.find(ref);
  const p = paths(ctx, r);
  const l = layout(ctx, r);
  const spec = readJson<Spec>(p.config);
  const nsTypes = ['mount', 'pid', 'network', 'ipc', 'uts', 'cgroup'];
  const declared = spec?.linux?.namespaces ?? [];
  const namespaces = nsTypes.map((type) => {
    const d = declared.find((n) => n.type === type);
    return { type, path: d?.path, shared: !d || !!d.path };
  });
  return {
    ...summary(r, ctx), hostname: r.hostname, rootSwitch: r.rootSwitch,
    rootfs: { lower: l.lower, init: l.init, upper: l.upper, work: l.work, mountpoint: l.mountpoint },
    cgroup: cgroupOf(ctx, r.id), limits: r.limits, logPath: p.log, bundle: p.dir,
    namespaces, error: r.exit?.error, user: r.user ?? userOfSpec(spec), autoRemove: r.autoRemove, spec,
    ...(r.cgroupParent ? { cgroupParent: r.cgroupParent } : {}),
    ...(r.logConfig ? { logConfig: { type: r.logConfig.type, config: r.logConfig.config } } : {}),
    ...(r.annotations ? { annotations: r.annotations } : {}),
    ...blockDevicePaths(spec?.linux?.resources?.blockIO),
    stopSignal: r.stopSignal ?? 'SIGTERM', stopTimeout: r.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
    restartPolicy: formatRestartPolicy(r.restartPolicy), restartCount: r.restartCount ?? 0, mounts: r.mounts ?? [], security: { ...securityOf(spec ?? undefined), live: liveSecurity(r) },
    networks: ctx.net.containerNetworks(r.id), ports: ctx.net.ports(r.id), ...(r.network?.ports.length ? { portsAsked: r.network.ports } : {}),
    ...(r.network?.networks.length ? { networksAsked: r.network.networks } : {}),
    tty: !!r.tty, interactive: !!r.interactive, networkMode: networkMode(r, declared),
    ...(r.healthcheck ? { healthcheck: r.healthcheck } : {}), ...(r.exposed ? { exposed: r.exposed } : {}), ...(r.health ? { healthState: r.health } : {}),
  };
}

/** A container made before its record kept -u / USER: its spec's ids (absent for root). */
function userOfSpec(spec: Spec | null): string | undefined {
  const u = spec?.process?.user;
  return u && (u.uid !== 0 || u.gid !== 0) ? `${u.uid}:${u.gid}` : undefined;
}

/** What Docker's HostConfig.NetworkMode would say: the record keeps the networks of a netns of its own; without one, the spec says whose netns it joins. */
function networkMode(r: ContainerRecord, declared: { type: string; path?: string }[]): string {
  if (r.network) return r.network.networks[0]?.name ?? 'none';
  const net = declared.find((n) => n.type === 'network');
  if (!net) return 'host';
  return net.path ? `container:${net.path}` : 'none';
}

/** The init's confinement as the kernel has it, while the container runs (a created one's init has not applied it yet). */
function liveSecurity(r: ContainerRecord): LiveSecurity | undefined {
  if (r.status !== 'running' || !r.pid) return undefined;
  const live = readLiveSecurity(r.pid);
  // read first, then checked: if the pid was reused meanwhile, what was read is not the container's
  return live && isSameProcess(r.pid, r.pidStart) ? live : undefined;
}

export function stats(ctx: ContainerContext, ref: string): ContainerStats {
  const r = ctx.find(ref);
  if (r.status === 'exited') throw conflict(`container ${r.name} is not running`);
  const s = cgroup(ctx, r).stats();
  // the init's /proc/PID/net/dev is its network namespace's; checked after reading, as the pid may be reused
  const net = r.pid ? readNetDev(r.pid) : undefined;
  const ours = net && isSameProcess(r.pid, r.pidStart);
  return {
    memoryUsage: s.memoryUsage, memoryLimit: s.memoryLimit, cpuUsageNs: s.cpuUsageNs, pidsCurrent: s.pidsCurrent, pidsLimit: s.pidsLimit, oomKills: s.oomKills,
    cpuPerCoreNs: s.cpuPerCoreNs, blockRead: s.blockRead, blockWrite: s.blockWrite,
    netRx: ours ? net.rx : undefined, netTx: ours ? net.tx : undefined,
  };
}

/** The host pids of a running container's processes (its cgroup's). */
export function pids(ctx: ContainerContext, ref: string): number[] {
  const r = ctx.find(ref);
  if (r.status === 'exited') throw conflict(`container ${r.name} is not running`);
  return cgroup(ctx, r).pids();
}

export function top(ctx: ContainerContext, ref: string): ProcessInfo[] {
  return processesOf(pids(ctx, ref));
}

export function logs(ctx: ContainerContext, ref: string, tail?: number): LogEntry[] {
  const r = ctx.find(ref);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw invalid(`--tail: ${tail} is not a count`);
  readable(r);
  return readLog(paths(ctx, r).log, tail);
}

export function logPath(ctx: ContainerContext, ref: string, live = false): { file: string; running: () => boolean } {
  const r = ctx.find(ref);
  if (!live) readable(r);
  // live (an attached run, start -a) is opened before the start: an exited container is waited
  // for until a start has begun (its startedAt moves), then until that run exits
  const waitStart = live && r.status === 'exited';
  const startedAt = r.startedAt;
  return {
    file: paths(ctx, r).log,
    running: () => {
      const now = ctx.records.get(r.id);
      if (!now) return false;
      if (now.status !== 'exited') return true;
      return waitStart && now.startedAt === startedAt;
    },
  };
}

/** The attributes its --log-opt labels/env/tag give each log line (`logs --details`). */
export function logAttributes(ctx: ContainerContext, ref: string): Record<string, string> {
  const r = ctx.find(ref);
  const config = r.logConfig?.config ?? {};
  if (!Object.keys(config).some((k) => ATTR_OPTIONS.includes(k))) return {};
  const env = readJson<Spec>(paths(ctx, r).config)?.process?.env ?? [];
  return logAttrs(config, { id: r.id, name: r.name, image: r.imageRef ?? r.image, imageId: r.imageId, labels: r.labels ?? {}, env });
}

/** Bytes of a container's rw layer (Docker's SizeRw), each inode once. */
export function rwSize(ctx: ContainerContext, r: ContainerRecord): number {
  return treeSize(layout(ctx, r).upper);
}

/** Running containers with their init pid, for the namespace listing. */
export function runningRefs(ctx: ContainerContext): { id: string; name: string; pid: number }[] {
  return [...ctx.records.values()].filter((r) => r.status !== 'exited' && r.pid).map((r) => ({ id: r.id, name: r.name, pid: r.pid! }));
}

export function initPid(ctx: ContainerContext, ref: string): number {
  const r = ctx.find(ref);
  if (r.status === 'exited' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`container ${r.name} is not running`);
  return r.pid!;
}

/** A container's layers on disk, for diffs and commits (works on stopped containers too). */
export function layers(ctx: ContainerContext, ref: string): ContainerLayersView {
  const r = ctx.find(ref);
  const l = layout(ctx, r);
  return { id: r.id, name: r.name, status: r.status, image: r.image, imageId: r.imageId, pid: r.status === 'running' ? r.pid : undefined, lower: l.lower, init: l.init, upper: l.upper, idMap: r.idMap };
}

/** The container's cgroup as inspect names it (commit-source.ts, live-cgroup.ts). */
export function cgroupOf(ctx: ContainerContext, ref: string): { version: 1 | 2; path: string } {
  return { version: ctx.cgroups.version, path: `/${ctx.find(ref).cgroupRel}` };
}

/** The file that says a commit froze the container (see commit-freeze.ts). */
export function freezeMarker(ctx: ContainerContext, ref: string): string {
  return path.join(paths(ctx, ctx.find(ref)).run, 'frozen-for-commit');
}

export function counts(ctx: ContainerContext) {
  let running = 0;
  let paused = 0;
  for (const r of ctx.records.values()) {
    if (r.status !== 'running') continue;
    running++;
    if (isPaused(ctx, r)) paused++;
  }
  return { total: ctx.records.size, running, paused };
}

/** A container that uses the image: a running one if there is one (rmi -f cannot take an image from under it). */
export function imageInUse(ctx: ContainerContext, imageId: string): { name: string; id: string; running: boolean } | undefined {
  let found: { name: string; id: string; running: boolean } | undefined;
  for (const r of ctx.records.values()) {
    if (r.imageId !== imageId) continue;
    found = { name: r.name, id: r.id, running: r.status === 'running' };
    if (found.running) break;
  }
  return found;
}

/** The paths of the devices a blockIO names (inspect shows paths, the spec has numbers). */
function blockDevicePaths(b: BlockIO | undefined): { devicePaths?: Record<string, string> } {
  if (!b) return {};
  const devs = [...(b.weightDevice ?? []), ...THROTTLES.flatMap((k) => b[k] ?? [])];
  if (!devs.length) return {};
  return { devicePaths: Object.fromEntries(devs.map((d) => [`${d.major}:${d.minor}`, devicePath(d.major, d.minor)])) };
}

/** Docker's answer for a container whose log driver keeps nothing. */
function readable(r: ContainerRecord): void {
  if (r.logConfig?.type === 'none') throw conflict('configured logging driver does not support reading');
}
