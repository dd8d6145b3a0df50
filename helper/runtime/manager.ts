// The daemon's containers: create/start/stop/kill/remove, their state on
// disk, exit detection and events. Knows nothing of RPC: the server calls it.
// A facade: each verb is a module of containers/ over one shared
// ContainerContext (containers/context.ts); lookup (find, list) stays here.
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import type { CgroupDriver } from '../cgroups/types';
import { invalid, notFound, NscopeError } from '../errors';
import type { ImageStore } from '../images/store';
import type {
  ContainerDetail, ContainerStats, ContainerSummary, ExecOptions, ExitStatus, LimitArgs, LogEntry, ProcessInfo, RunOptions,
  ShellInfo,
} from '../protocol/types';
import { containerCgroupMounts } from './cgroup-mounts';
import { attachSocket, resize } from './containers/attach';
import type { ContainerContext } from './containers/context';
import { create } from './containers/create';
import { exec, readContainerFile, shells } from './containers/exec';
import { close, recover } from './containers/recover';
import { ShimStandby } from './shim-standby';
import { copyRoot, type CopyRoot } from './containers/copy-root';
import { remove } from './containers/remove';
import { neverStarted } from './containers/exec-failure';
import { start, startSettled } from './containers/start';
import { Restarts } from './containers/restart';
import { HealthMonitors } from './containers/health';
import { kill, stop } from './containers/stop';
import { update, type UpdateResult } from './containers/update';
import {
  cgroupOf, type ContainerLayersView, counts, freezeMarker, imageInUse, initPid, inspect, layers, logAttributes, logPath, logs, runningRefs, rwSize, stats,
  pids, summary, top,
} from './containers/views';
import { pause, unpause } from './containers/pause';
import { rename } from './containers/rename';
import { connect, disconnect, ports } from './containers/network';
import { wait } from './containers/wait';
import { Networking } from '../network/networking';
import type { DefaultNetworkOptions } from '../network/store';
import type { PortMapping } from '../protocol/types';
import { ExecSessions, type ExecSession } from './exec';
import type { EngineContainers } from './engine-containers';
import type { ContainerRecord } from './record';
import { RunDir } from './run-dir';
import { DEFAULT_LXCFS_DIR } from '../volumes/lxcfs';
import { VolumeStore } from '../volumes/store';

export interface ManagerOptions {
  root: string;
  images: ImageStore;
  cgroups: CgroupDriver;
  /** parent of every container's cgroup, e.g. "nscope" */
  cgroupParent?: string;
  /** the containers engines run with nscope-runtime: a ref that names one of them gets its engine's refusal, not "No such container" */
  engines?: EngineContainers;
  /** lxcfs's mount point (default /var/lib/lxcfs), and whether every container gets its files (the helper's --lxcfs) */
  lxcfsDir?: string;
  lxcfs?: boolean;
  /** the default network's bridge and subnet (daemon flags) */
  network?: DefaultNetworkOptions;
}

export class ContainerManager extends EventEmitter {
  readonly execs = new ExecSessions();
  private readonly ctx: ContainerContext;
  /** the volumes (a container's use of one is in its record) */
  readonly volumes: VolumeStore;

  /** the containers engines run with nscope-runtime (engine-containers.ts) */
  private readonly engines?: EngineContainers;

  constructor(opts: ManagerOptions) {
    super();
    this.engines = opts.engines;
    const cgroupMounts = containerCgroupMounts();
    const dir = path.join(opts.root, 'containers');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.volumes = new VolumeStore(opts.root, (name) => [...this.ctx.records.values()].filter((r) => r.volumes?.some((v) => v.name === name)).map((r) => r.name),
      (type, name) => this.emit('event', { type, id: name, name, time: new Date().toISOString() }));
    this.volumes.sweep();
    this.ctx = {
      root: opts.root,
      dir,
      run: RunDir.open(opts.root, (msg) => process.stderr.write(`nscope: warning: ${msg}\n`)),
      records: new Map(),
      images: opts.images,
      cgroups: opts.cgroups,
      cgroupParent: opts.cgroupParent ?? 'nscope',
      cgroupMounts,
      execs: this.execs,
      net: new Networking(opts.root, opts.network ?? {}, this),
      events: this,
      find: (ref) => this.find(ref),
      exits: { waiters: new Map(), watchers: new Map(), exiting: new Map(), starting: new Map() },
      idmapLayers: process.env.NSCOPE_USERNS_IDMAP !== '0',
      volumes: this.volumes,
      lxcfs: { dir: opts.lxcfsDir ?? DEFAULT_LXCFS_DIR, byDefault: !!opts.lxcfs },
      shims: new ShimStandby(),
      health: new HealthMonitors(),
      restarts: new Restarts((id) => start(this.ctx, id, { auto: true })),
    };
  }

  // ---- lookup ----

  /** By full id, unique id prefix, or name. */
  find(ref: string): ContainerRecord {
    if (typeof ref !== 'string' || !ref) throw invalid('container: no id or name given');
    const records = this.ctx.records;
    const byId = records.get(ref);
    if (byId) return byId;
    // a name with Docker's leading "/" too (inspect's .Name: `stop $(inspect -f '{{.Name}}' x)`)
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    for (const r of records.values()) if (r.name === name) return r;
    // as Docker: a prefix of any length, and its words when it names more than one
    if (/^[0-9a-f]{1,64}$/.test(ref)) {
      const hits = [...records.values()].filter((r) => r.id.startsWith(ref));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw invalid(`Multiple IDs found with provided prefix: ${ref}`);
    }
    // one that an engine runs with nscope-runtime: its engine's refusal, not "No such container"
    const engine = this.engines?.lookup(ref);
    if (engine) this.engines!.refuse(engine, 'exec');
    throw notFound(`No such container: ${ref}`);
  }

  /** `size`: with each one's rw layer size (a walk of its files). */
  list(all = false, size = false): ContainerSummary[] {
    const idOf = this.ctx.images.idResolver();
    return [...this.ctx.records.values()]
      // an exited --rm container is on its way out (its waiters were answered before its removal, which
      // may still be tearing down its network): as Docker, it is no longer listed; one its restart
      // policy is about to start again is listed with the running, as Docker's `ps` lists it
      // (one never started, whose program could not be executed, is listed as Docker lists it: created)
      .filter((r) => (all || r.status === 'running' || (r.restarting && r.status === 'exited')) && !(r.autoRemove && r.status === 'exited' && !neverStarted(r)))
      .sort((a, b) => b.created.localeCompare(a.created))
      .map((r) => ({ ...summary(r, this.ctx, idOf), ...(size ? { sizeRw: rwSize(this.ctx, r) } : {}) }));
  }

  // ---- the daemon's start and stop (containers/recover.ts) ----

  recover(): void { recover(this.ctx); }
  close(): Promise<void> { return close(this.ctx); }

  // ---- lifecycle verbs (containers/<verb>.ts) ----

  create(opts: RunOptions): Promise<{ id: string; name: string; warnings: string[] }> { return create(this.ctx, opts); }
  start(ref: string): Promise<{ id: string }> { return start(this.ctx, ref); }
  wait(ref: string, next = false): Promise<ExitStatus> { return wait(this.ctx, ref, next); }
  // each after a start under way (containers/start.ts: startSettled)
  async kill(ref: string, signal: string | number = 'SIGKILL'): Promise<{ id: string }> { await startSettled(this.ctx, ref); return kill(this.ctx, ref, signal); }
  async stop(ref: string, timeout?: number, signal?: string): Promise<{ id: string }> { await startSettled(this.ctx, ref); return stop(this.ctx, ref, timeout, signal); }
  async remove(ref: string, force = false, volumes = false): Promise<{ id: string }> { await startSettled(this.ctx, ref); return remove(this.ctx, ref, force, volumes); }
  update(ref: string, args: LimitArgs & { blkioWeight?: number }, restart?: string): UpdateResult { return update(this.ctx, ref, args, restart); }
  pause(ref: string): Promise<{ id: string }> { return pause(this.ctx, ref); }
  unpause(ref: string): { id: string } { return unpause(this.ctx, ref); }
  rename(ref: string, name: string): { id: string; name: string } { return rename(this.ctx, ref, name); }
  exec(o: ExecOptions): Promise<ExecSession> { return exec(this.ctx, o); }
  attachSocket(ref: string): string { return attachSocket(this.ctx, ref); }
  resize(ref: string, rows: number, cols: number): { id: string } { return resize(this.ctx, ref, rows, cols); }

  // ---- networks (containers/network.ts; the rest in ../network/) ----

  get networking(): Networking { return this.ctx.net; }
  networkConnect(network: string, ref: string, aliases?: string[], ip?: string): Promise<{ network: string; container: string }> { return connect(this.ctx, network, ref, aliases, ip); }
  networkDisconnect(network: string, ref: string): Promise<{ network: string; container: string }> { return disconnect(this.ctx, network, ref); }
  ports(ref: string): PortMapping[] { return ports(this.ctx, ref); }

  // ---- views (containers/views.ts, containers/exec.ts) ----

  summary(r: ContainerRecord): ContainerSummary { return summary(r, this.ctx); }
  inspect(ref: string, size = false): ContainerDetail {
    const d = inspect(this.ctx, ref);
    return size ? { ...d, sizeRw: rwSize(this.ctx, this.ctx.find(d.id)) } : d;
  }
  stats(ref: string): ContainerStats { return stats(this.ctx, ref); }
  top(ref: string): ProcessInfo[] { return top(this.ctx, ref); }
  pids(ref: string): number[] { return pids(this.ctx, ref); }
  logs(ref: string, tail?: number): LogEntry[] { return logs(this.ctx, ref, tail); }
  logPath(ref: string, live = false): { file: string; running: () => boolean } { return logPath(this.ctx, ref, live); }
  logAttrs(ref: string): Record<string, string> { return logAttributes(this.ctx, ref); }
  readContainerFile(r: ContainerRecord, rel: string): string | null { return readContainerFile(this.ctx, r, rel); }
  shells(ref: string, user?: string): ShellInfo { return shells(this.ctx, ref, user); }
  runningRefs(): { id: string; name: string; pid: number }[] { return runningRefs(this.ctx); }
  initPid(ref: string): number { return initPid(this.ctx, ref); }
  layers(ref: string): ContainerLayersView { return layers(this.ctx, ref); }
  /** where a copy into or out of the container works (containers/copy-root.ts) */
  copyRoot(ref: string, o: { rootfsOnly?: boolean; write?: boolean } = {}): CopyRoot { return copyRoot(this.ctx, ref, o); }
  cgroupOf(ref: string): { version: 1 | 2; path: string } { return cgroupOf(this.ctx, ref); }
  freezeMarker(ref: string): string { return freezeMarker(this.ctx, ref); }
  counts(): { total: number; running: number } { return counts(this.ctx); }
  imageInUse(imageId: string): ReturnType<typeof imageInUse> { return imageInUse(this.ctx, imageId); }
}

export { NscopeError };
