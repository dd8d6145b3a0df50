// The daemon's containers: create/start/stop/kill/remove, their state on
// disk, exit detection and events. Knows nothing of RPC: the server calls it.
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import type { Cgroup, CgroupDriver } from '../cgroups/types';
import { conflict, invalid, notFound, NscopeError } from '../errors';
import type { ImageStore } from '../images/store';
import type {
  ContainerDetail, ContainerStats, ContainerSummary, ExitStatus, LimitArgs, Limits, LiveSecurity, LogEntry, NscopeEvent,
  ProcessInfo, RunOptions,
} from '../protocol/types';
import { writeInitLayer } from '../rootfs/initlayer';
import { overlayDirs, rootfsLayout } from '../rootfs/layout';
import { validateResources } from '../cgroups/validate';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import { makeFifo, releaseFifo } from './fifo';
import { limitsFromArgs, mergeLimits, resourcesFromLimits } from './limits';
import { readLog } from './logs';
import { checkName, newId, randomName } from './names';
import { specFromOptions } from './options';
import { checkRunOptions } from './validate-options';
import { buildPlan } from './plan';
import { containerCgroupMounts } from './cgroup-mounts';
import { isSameProcess, procCmdline, procStartTime, procStatus } from '../lib/procinfo';
import { containerPaths, type ContainerRecord } from './record';
import { RunDir } from './run-dir';
import { spawnShim, writePlan } from './shim';
import { ExecSessions, type ExecSession } from './exec';
import { readLayeredFile } from '../rootfs/lookup';
import { thawCgroup } from '../rootfs/commit-freeze';
import { native } from '../native';
import type { ExecOptions, ShellInfo } from '../protocol/types';
import type { Spec } from './spec';
import type { EngineContainers } from './engine-containers';
import { signalNumber } from './signals';
import { ttyDimension, ttyResize } from './tty-size';
import { securityOf } from '../security/summary';
import { allocateIdMap, parseUserns, releaseIdMap, reserveAgain } from './userns';
import { toHostId, type IdMap } from '../lib/idmap';
import { delegateCgroup } from '../cgroups/delegate';
import { readLiveSecurity } from '../security/live';
import { removeShiftedLayers, shiftedLayers, shiftedLayersDir, shiftOwners } from '../rootfs/idmap-copy';

export interface ManagerOptions {
  root: string;
  images: ImageStore;
  cgroups: CgroupDriver;
  /** parent of every container's cgroup, e.g. "nscope" */
  cgroupParent?: string;
  /** the containers engines run with nscope-runtime: a ref that names one of them gets its engine's refusal, not "No such container" */
  engines?: EngineContainers;
}

export class ContainerManager extends EventEmitter {
  private readonly root: string;
  private readonly dir: string;
  private readonly run: RunDir;
  private readonly records = new Map<string, ContainerRecord>();
  private readonly waiters = new Map<string, ((s: ExitStatus) => void)[]>();
  private readonly watchers = new Map<string, fs.FSWatcher>();
  /** exit handling in progress (events, state, clean-up), by container id */
  private readonly exiting = new Map<string, Promise<void>>();
  private sweeper?: NodeJS.Timeout;
  readonly execs = new ExecSessions();
  /** the host's cgroup hierarchies as containers mount them (the mount table does not change under us) */
  private readonly cgroupMounts = containerCgroupMounts();
  /**
   * --userns=auto: idmap the image layers (Linux >= 5.19), or (false) give
   * each range shifted copies. NSCOPE_USERNS_IDMAP=0 asks for copies.
   */
  private idmapLayers = process.env.NSCOPE_USERNS_IDMAP !== '0';

  constructor(private readonly opts: ManagerOptions) {
    super();
    this.root = opts.root;
    this.dir = path.join(opts.root, 'containers');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.run = RunDir.open(opts.root, (msg) => process.stderr.write(`nscope: warning: ${msg}\n`));
  }

  // ---- lookup ----

  /** By full id, unique id prefix, or name. */
  find(ref: string): ContainerRecord {
    if (typeof ref !== 'string' || !ref) throw invalid('container: no id or name given');
    const byId = this.records.get(ref);
    if (byId) return byId;
    for (const r of this.records.values()) if (r.name === ref) return r;
    if (/^[0-9a-f]{3,64}$/.test(ref)) {
      const hits = [...this.records.values()].filter((r) => r.id.startsWith(ref));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw invalid(`container id prefix "${ref}" is ambiguous`);
    }
    const engine = this.opts.engines?.lookup(ref);
    if (engine) this.opts.engines!.refuse(engine, 'exec');
    throw notFound(`No such container: ${ref}`);
  }

  private pathsOf(id: string, ephemeral = false) { return containerPaths(path.join(this.dir, id), path.join(this.run.path, id), ephemeral); }
  private paths(r: ContainerRecord) { return this.pathsOf(r.id, r.autoRemove); }
  private layout(r: ContainerRecord) { const p = this.paths(r); return rootfsLayout(this.root, p.dir, r.layers, p.run); }
  private save(r: ContainerRecord) { writeJsonAtomic(this.paths(r).state, r); }
  private emitEvent(type: NscopeEvent['type'], r: ContainerRecord, extra: Partial<NscopeEvent> = {}) {
    const ev: NscopeEvent = { type, id: r.id, name: r.name, time: new Date().toISOString(), ...extra };
    this.emit('event', ev);
  }
  /**
   * The container's cgroup. Its parent ("nscope") stays while the daemon runs
   * (making it again costs a mkdir per hierarchy and the cpuset set-up on
   * every create) and goes in close() if empty.
   */
  private cgroup(r: ContainerRecord): Cgroup { return this.opts.cgroups.open(r.cgroupRel); }
  private get cgroupParent(): string { return this.opts.cgroupParent ?? 'nscope'; }

  // ---- recovery ----

  /** Finds every container on disk again (after a restart or kill -9) and reconciles its state. */
  recover(): void {
    const ids = new Set(fs.readdirSync(this.dir));
    // runtime dirs of containers that are gone (removed while the helper was down)
    for (const id of fs.readdirSync(this.run.path)) if (!ids.has(id) && !id.startsWith('.')) fs.rmSync(path.join(this.run.path, id), { recursive: true, force: true });
    for (const id of ids) {
      // an auto-removed container's state is on the tmpfs
      const ephemeral = fs.existsSync(this.pathsOf(id, true).config);
      const p = this.pathsOf(id, ephemeral);
      const r = readJson<ContainerRecord>(p.state);
      if (!r?.pid) {
        // The helper died while creating it (state.json is first written once
        // the shim reports "ok"): kill what may have started, drop the rest.
        // config.json, written before anything else, names its cgroup.
        const cgroupsPath = readJson<Spec>(p.config)?.linux?.cgroupsPath;
        const pid = Number(fs.readFileSync(p.pid, { encoding: 'utf8', flag: 'a+' }) || 0);
        if (pid && procStartTime(pid) !== null) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        const gone = cgroupsPath ? this.opts.cgroups.open(cgroupsPath).destroy().catch(() => undefined) : Promise.resolve();
        void gone.then(() => { for (const d of [p.dir, p.run]) fs.rmSync(d, { recursive: true, force: true }); });
        continue;
      }
      this.records.set(r.id, r);
      if (r.idMap) reserveAgain(r.idMap, p.dir);
      // after a reboot the tmpfs is empty: the init layer and mount point come back
      if (!fs.existsSync(p.run)) this.makeRunDir(r);
      // a commit that froze it did not live to thaw it
      if (fs.existsSync(this.freezeMarker(r.id))) {
        try { thawCgroup(`/${r.cgroupRel}`, this.opts.cgroups.version); } catch { /* no cgroup any more */ }
        fs.rmSync(this.freezeMarker(r.id), { force: true });
      }
      if (r.status === 'exited') continue;
      if (fs.existsSync(p.exit) || !isSameProcess(r.pid, r.pidStart)) void this.onExit(r.id);
      else this.watchExit(r);
    }
    // A monitor that was killed writes no exit file: notice dead inits too.
    this.sweeper = setInterval(() => {
      for (const r of this.records.values()) {
        if (r.status !== 'exited' && this.watchers.has(r.id) && !isSameProcess(r.pid, r.pidStart)) void this.onExit(r.id);
      }
    }, 1000);
    this.sweeper.unref();
  }

  /** For containers we did not spawn in this process: their exit file appearing. */
  private watchExit(r: ContainerRecord) {
    const p = this.paths(r);
    try {
      const w = fs.watch(p.dir, (_ev, file) => { if (file === 'exit.json') void this.onExit(r.id); });
      w.on('error', () => { /* dir removed */ });
      this.watchers.set(r.id, w);
    } catch { /* dir gone */ }
    if (fs.existsSync(p.exit)) void this.onExit(r.id);
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    // running containers keep their cgroups (and so the parent): only an empty parent goes
    try { this.opts.cgroups.pruneEmpty(this.cgroupParent); } catch { /* still in use */ }
    // Their monitors write exit files on the tmpfs: it stays while any runs.
    // Without one, it goes; the next start rebuilds what stopped ones need.
    if (![...this.records.values()].some((r) => r.status !== 'exited')) this.run.release();
  }

  // ---- create / start ----

  async create(opts: RunOptions): Promise<{ id: string; name: string; warnings: string[] }> {
    checkRunOptions(opts);
    if (!opts.image) throw invalid('create: no image given');
    const image = await this.resolveImage(opts.image);
    const name = opts.name !== undefined ? checkName(opts.name) : randomName((n) => this.hasName(n));
    if (this.hasName(name)) throw conflict(`the container name "${name}" is already in use by container ${[...this.records.values()].find((x) => x.name === name)!.id.slice(0, 12)}`);
    const limits = limitsFromArgs(opts);
    const id = newId();
    const hostname = opts.hostname ?? id.slice(0, 12);
    if (opts.hostname !== undefined && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(opts.hostname)) throw invalid(`--hostname: "${opts.hostname}" is not a valid host name`);
    const cfg = image.config.config ?? {};
    // taken and recorded with no await in between: two creates never get the same range
    const userns = parseUserns(opts.userns);
    const idMap = userns ? allocateIdMap(userns.size, this.pathsOf(id).dir, [...this.records.values()].flatMap((x) => x.idMap ?? [])) : undefined;
    const spec = specFromOptions({ opts, image: cfg, layers: image.layerDirs, hostname, containerPid: (ref) => this.runningPid(ref), idMap });
    const cgroupRel = `${this.cgroupParent}/${id}`;
    spec.linux!.cgroupsPath = `/${cgroupRel}`;
    spec.linux!.resources = { ...resourcesFromLimits(limits), devices: spec.linux!.resources?.devices };

    const p = this.pathsOf(id, !!opts.rm);
    const layout = rootfsLayout(this.root, p.dir, image.layerDirs, p.run);
    const r: ContainerRecord = {
      id, name, image: image.name, imageId: image.id, command: spec.process.args, created: new Date().toISOString(),
      status: 'created', autoRemove: !!opts.rm, hostname, limits, cgroupRel, layers: image.layerDirs,
      labels: opts.labels ?? {}, stopSignal: cfg.StopSignal, tty: !!opts.tty, interactive: !!opts.interactive,
      ...(idMap ? { idMap } : {}),
    };
    spec.process.terminal = !!opts.tty;
    const term = { rows: ttyDimension(opts.rows, 'rows', 'create'), cols: ttyDimension(opts.cols, 'cols', 'create') };
    let cg: Cgroup | undefined;
    try {
      fs.mkdirSync(p.dir, { mode: 0o700 });
      fs.mkdirSync(p.run, { mode: 0o700 });
      this.records.set(id, r);
      // config.json first: after a crash from here until state.json exists,
      // recover() finds the cgroup to remove in it
      writeJsonAtomic(p.config, spec);
      cg = this.opts.cgroups.create(cgroupRel, spec.linux!.resources!);
      for (const d of [layout.upper, layout.work]) fs.mkdirSync(d, { mode: 0o755 });
      if (idMap) this.giveToUserns(r, cg, layout.upper);
      this.makeRunDir(r);
      const shim = await this.spawn(r, spec, cg, term);
      r.pid = shim.pid;
      r.pidStart = procStartTime(shim.pid) ?? undefined;
      r.shimPid = shim.shimPid;
      r.rootSwitch = shim.method;
      this.save(r);
      void shim.exited.then(() => this.onExit(id));
    } catch (e) {
      this.records.delete(id);
      releaseIdMap(idMap);
      if (cg) await cg.destroy().catch(() => undefined);
      for (const d of [p.dir, p.run]) fs.rmSync(d, { recursive: true, force: true });
      throw e;
    }
    this.emitEvent('container.created', r);
    return { id, name, warnings: [] };
  }

  /**
   * The embedded default image `host` is built from the host's programs on
   * first use, the way Docker pulls a missing image: nothing to download.
   */
  private async resolveImage(ref: string) {
    try {
      return this.opts.images.resolve(ref);
    } catch (e) {
      if (!(e instanceof NscopeError) || e.code !== 'not_found' || !/^host(:latest)?$/.test(ref)) throw e;
      const img = await this.opts.images.buildFromHost('host');
      this.emit('event', { type: 'image.added', id: img.id, name: img.name, time: new Date().toISOString() } satisfies NscopeEvent);
      return this.opts.images.resolve(ref);
    }
  }

  /**
   * What the root of a container's own user namespace must own: its cgroup
   * (delegated) and the top of its rw layer (the / it sees; below it, the
   * container's writes are owned by its mapped ids as they happen).
   */
  private giveToUserns(r: ContainerRecord, cg: Cgroup, upper?: string): void {
    const uid = toHostId(r.idMap!.uid, 0);
    const gid = toHostId(r.idMap!.gid, 0);
    if (uid === undefined || gid === undefined) throw invalid('--userns: the mapping has no root');
    delegateCgroup(cg, uid, gid);
    if (upper) fs.chownSync(upper, uid, gid);
  }

  /**
   * Writes the plan and spawns the shim. A container with its own user
   * namespace gets idmapped image layers; where the kernel refuses those,
   * from then on shifted copies of the layers (rootfs/idmap-copy.ts).
   */
  private async spawn(r: ContainerRecord, spec: Spec, cg: Cgroup, term: { rows?: number; cols?: number } = {}) {
    const p = this.paths(r);
    if (r.idMap && !this.idmapLayers) await this.useShiftedLayers(r);
    this.writePlan(r, spec, cg, term);
    try {
      return await spawnShim(p.plan);
    } catch (e) {
      if (!r.idMap || !this.idmapLayers || !/idmapped mount:/.test((e as Error).message)) throw e;
      process.stderr.write(`nscope: warning: ${(e as Error).message}; containers with --userns=auto get copies of their image layers instead\n`);
      this.idmapLayers = false;
      for (const f of [p.plan, p.fifo, p.ctl]) fs.rmSync(f, { force: true });
      await this.useShiftedLayers(r);
      this.writePlan(r, spec, cg, term);
      return spawnShim(p.plan);
    }
  }

  /** Copies of the image layers owned by the container's range, and its init layer given to it too. */
  private async useShiftedLayers(r: ContainerRecord): Promise<void> {
    await shiftedLayers(this.root, r.layers, r.idMap!);
    await shiftOwners(this.layout(r).init, r.idMap!);
  }

  /** The shim's plan for the container, and the fifos it opens. */
  private writePlan(r: ContainerRecord, spec: Spec, cg: Cgroup, term: { rows?: number; cols?: number } = {}): void {
    const p = this.paths(r);
    const attach = r.tty || r.interactive ? { socket: p.attach, ctl: p.ctl, interactive: !!r.interactive, ...term } : undefined;
    let layout = this.layout(r);
    const copies = !!r.idMap && !this.idmapLayers;
    if (copies) layout = { ...layout, lower: r.layers.map((l) => path.join(shiftedLayersDir(this.root, r.idMap!), path.basename(l))) };
    const plan = buildPlan({
      spec, rootfs: layout.mountpoint, bundle: p.dir, overlay: overlayDirs(layout, { volatile: r.autoRemove }), cgroupProcs: cg.joinFiles(),
      logFile: p.log, exitFile: p.exit, pidFile: p.pid, fifo: p.fifo, attach, cgroupMounts: this.cgroupMounts,
      seccompCacheDir: this.run.seccompCache(), idmapLayers: !copies,
    });
    writePlan(p.plan, plan.buffer);
    makeFifo(p.fifo);
    if (attach) makeFifo(p.ctl, 0o600);
  }

  /** The container's runtime dir on the tmpfs: its init layer and its rootfs mount point. */
  private makeRunDir(r: ContainerRecord): void {
    const l = this.layout(r);
    fs.mkdirSync(this.paths(r).run, { recursive: true, mode: 0o700 });
    for (const d of [l.mountpoint, l.init]) fs.mkdirSync(d, { mode: 0o755 });
    writeInitLayer(l.init, r.hostname);
  }

  private hasName(n: string) { for (const r of this.records.values()) if (r.name === n) return true; return false; }

  private runningPid(ref: string): number {
    const r = this.find(ref);
    if (r.status !== 'running' || !r.pid) throw conflict(`container ${ref} is not running`);
    return r.pid;
  }

  async start(ref: string): Promise<{ id: string }> {
    const r = this.find(ref);
    if (r.status === 'running') return { id: r.id };
    if (r.status === 'exited') await this.recreate(r);
    await releaseFifo(this.paths(r).fifo, r.pid!, r.pidStart);
    if (r.status === 'created') {
      r.status = 'running';
      r.startedAt = new Date().toISOString();
      this.save(r);
      this.emitEvent('container.started', r);
    }
    return { id: r.id };
  }

  /**
   * `start` of an exited container, as in Docker: the same rw layer, config
   * and log, a new init. Its cgroup went at the exit; it is made again with
   * the limits the container has now (`update` included).
   */
  private async recreate(r: ContainerRecord): Promise<void> {
    await this.exiting.get(r.id); // the previous exit's clean-up first
    if (!this.records.has(r.id)) throw notFound(`No such container: ${r.id}`);
    if (r.status !== 'exited') return;
    const p = this.paths(r);
    const spec = readJson<Spec>(p.config);
    if (!spec) throw conflict(`container ${r.name} cannot be started again: its config.json is missing`);
    for (const f of [p.exit, p.pid, p.fifo, p.ctl, p.plan]) fs.rmSync(f, { force: true });
    const cg = this.opts.cgroups.create(r.cgroupRel, { ...resourcesFromLimits(r.limits), devices: spec.linux?.resources?.devices });
    try {
      if (r.idMap) this.giveToUserns(r, cg);
      // made again: the tmpfs it was on may have gone with a reboot
      const shim = await this.spawn(r, spec, cg);
      Object.assign(r, { status: 'created', pid: shim.pid, pidStart: procStartTime(shim.pid) ?? undefined, shimPid: shim.shimPid, rootSwitch: shim.method });
      delete r.exit;
      delete r.finishedAt;
      this.save(r);
      void shim.exited.then(() => this.onExit(r.id));
    } catch (e) {
      await cg.destroy().catch(() => undefined);
      throw e;
    }
  }

  // ---- exit ----

  private onExit(id: string): Promise<void> {
    const pending = this.exiting.get(id);
    if (pending) return pending;
    const r = this.records.get(id);
    if (!r || r.status === 'exited') return Promise.resolve();
    const done = this.handleExit(r).finally(() => this.exiting.delete(id));
    this.exiting.set(id, done);
    return done;
  }

  private async handleExit(r: ContainerRecord): Promise<void> {
    const id = r.id;
    const p = this.paths(r);
    const file = readJson<{ exitCode: number; signal: number; finishedAt: string; error?: string }>(p.exit);
    let oomKills = 0;
    const cg = this.cgroup(r);
    try { oomKills = cg.oomKills(); } catch { /* gone */ }
    const oomKilled = oomKills > 0;
    const exit: ExitStatus = file
      ? { exitCode: file.exitCode, signal: file.signal || undefined, oomKilled, finishedAt: file.finishedAt, error: file.error }
      : { exitCode: 255, oomKilled, finishedAt: new Date().toISOString(), error: 'the container\'s monitor was lost; exit status unknown' };
    this.watchers.get(id)?.close();
    this.watchers.delete(id);
    r.status = 'exited';
    r.exit = exit;
    r.finishedAt = exit.finishedAt;
    // Waiters first, and their replies written before anything else: the
    // rest is not on the user's critical path. (A crash before the save
    // below is fine: recover() finds the exit file again.)
    for (const w of this.waiters.get(id) ?? []) w(exit);
    this.waiters.delete(id);
    await new Promise((res) => setImmediate(res));
    try { fs.unlinkSync(p.fifo); } catch { /* started */ }
    // an auto-removed container's state is about to go with its directory
    if (!r.autoRemove) this.save(r);
    if (oomKilled) this.emitEvent('container.oom', r);
    this.emitEvent('container.exited', r, { exitCode: exit.exitCode });
    // Whatever the init left behind (processes outside its PID namespace) goes with the cgroup.
    if (r.autoRemove) await this.removeExited(r).catch(() => undefined);
    else await cg.destroy().catch(() => undefined);
  }

  wait(ref: string): Promise<ExitStatus> {
    const r = this.find(ref);
    if (r.status === 'exited') return Promise.resolve(r.exit!);
    return new Promise((resolve) => {
      const list = this.waiters.get(r.id) ?? [];
      list.push(resolve);
      this.waiters.set(r.id, list);
    });
  }

  // ---- signals ----

  kill(ref: string, signal: string | number = 'SIGKILL'): { id: string } {
    const r = this.find(ref);
    if (r.status === 'exited' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`container ${r.name} is not running`);
    process.kill(r.pid!, signalNumber(signal));
    return { id: r.id };
  }

  async stop(ref: string, timeout?: number): Promise<{ id: string }> {
    const r = this.find(ref);
    if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0 || timeout > 86400)) throw invalid(`--time: ${timeout} is not between 0 and 86400 seconds`);
    if (r.status === 'exited') return { id: r.id };
    const exited = this.wait(r.id);
    const t = timeout ?? 10;
    if (t > 0) {
      try { process.kill(r.pid!, signalNumber(r.stopSignal ?? 'SIGTERM')); } catch { /* already gone */ }
      const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), t * 1000).unref());
      if (await Promise.race([exited, timer]) !== 'timeout') return { id: r.id };
    }
    try { process.kill(r.pid!, 'SIGKILL'); } catch { /* gone */ }
    await exited;
    return { id: r.id };
  }

  async remove(ref: string, force = false): Promise<{ id: string }> {
    const r = this.find(ref);
    if (r.status !== 'exited') {
      // a created container's init only waits for start: it goes without force, as in Docker and runc
      if (!force && r.status === 'running') throw conflict(`cannot remove container ${r.name}: it is running; stop it first or force the removal`);
      const exited = this.wait(r.id);
      try { process.kill(r.pid!, 'SIGKILL'); } catch { /* gone */ }
      await exited;
    }
    // let the exit handling finish first: its events come before "removed"
    await this.exiting.get(r.id);
    if (!this.records.has(r.id)) return { id: r.id }; // auto-removed meanwhile
    await this.removeExited(r);
    return { id: r.id };
  }

  private async removeExited(r: ContainerRecord): Promise<void> {
    if (!this.records.has(r.id)) return;
    this.records.delete(r.id);
    await this.cgroup(r).destroy().catch(() => undefined);
    const p = this.paths(r);
    // in libuv's threads: a big rw layer must not hold up other requests
    await Promise.all([p.dir, p.run].map((d) => fs.promises.rm(d, { recursive: true, force: true })));
    if (r.idMap) await removeShiftedLayers(this.root, r.idMap);
    releaseIdMap(r.idMap);
    this.emitEvent('container.removed', r);
  }

  // ---- views ----

  summary(r: ContainerRecord): ContainerSummary {
    return {
      id: r.id, name: r.name, image: r.image, imageId: r.imageId, command: r.command, status: r.status, created: r.created,
      startedAt: r.startedAt, finishedAt: r.finishedAt, exitCode: r.exit?.exitCode, signal: r.exit?.signal,
      oomKilled: r.exit?.oomKilled, pid: r.status === 'exited' ? undefined : r.pid, labels: r.labels,
    };
  }

  list(all = false): ContainerSummary[] {
    return [...this.records.values()]
      .filter((r) => all || r.status === 'running')
      .sort((a, b) => b.created.localeCompare(a.created))
      .map((r) => this.summary(r));
  }

  inspect(ref: string): ContainerDetail {
    const r = this.find(ref);
    const p = this.paths(r);
    const layout = this.layout(r);
    const spec = readJson<Spec>(p.config);
    const nsTypes = ['mount', 'pid', 'network', 'ipc', 'uts', 'cgroup'];
    const declared = spec?.linux?.namespaces ?? [];
    const namespaces = nsTypes.map((type) => {
      const d = declared.find((n) => n.type === type);
      return { type, path: d?.path, shared: !d || !!d.path };
    });
    return {
      ...this.summary(r), hostname: r.hostname, rootSwitch: r.rootSwitch,
      rootfs: { lower: layout.lower, init: layout.init, upper: layout.upper, work: layout.work, mountpoint: layout.mountpoint },
      cgroup: { version: this.opts.cgroups.version, path: `/${r.cgroupRel}` }, limits: r.limits, logPath: p.log, bundle: p.dir,
      namespaces, error: r.exit?.error, autoRemove: r.autoRemove, spec, security: { ...securityOf(spec ?? undefined), live: this.liveSecurity(r) },
    };
  }

  /** The init's confinement as the kernel has it, while the container runs (a created one's init has not applied it yet). */
  private liveSecurity(r: ContainerRecord): LiveSecurity | undefined {
    if (r.status !== 'running' || !r.pid) return undefined;
    const live = readLiveSecurity(r.pid);
    // read first, then checked: if the pid was reused meanwhile, what was read is not the container's
    return live && isSameProcess(r.pid, r.pidStart) ? live : undefined;
  }

  update(ref: string, args: LimitArgs): { id: string; limits: Limits } {
    const r = this.find(ref);
    const change = limitsFromArgs(args);
    if (Object.keys(change).length === 0) throw invalid('update: no limit given (--memory, --cpus, --pids-limit, --cpuset-cpus, ...)');
    const limits = mergeLimits(r.limits, change);
    const res = resourcesFromLimits(limits);
    validateResources(res);
    // an exited container has no cgroup: the limits apply when it starts again
    if (r.status !== 'exited') this.cgroup(r).apply(res);
    r.limits = limits;
    this.save(r);
    this.emitEvent('container.updated', r, { limits });
    return { id: r.id, limits };
  }

  stats(ref: string): ContainerStats {
    const r = this.find(ref);
    if (r.status === 'exited') throw conflict(`container ${r.name} is not running`);
    const s = this.cgroup(r).stats();
    return { memoryUsage: s.memoryUsage, memoryLimit: s.memoryLimit, cpuUsageNs: s.cpuUsageNs, pidsCurrent: s.pidsCurrent, pidsLimit: s.pidsLimit, oomKills: s.oomKills };
  }

  top(ref: string): ProcessInfo[] {
    const r = this.find(ref);
    if (r.status === 'exited') throw conflict(`container ${r.name} is not running`);
    const out: ProcessInfo[] = [];
    for (const pid of this.cgroup(r).pids()) {
      const st = procStatus(pid);
      if (!st) continue;
      // NSpid lists the pid in each nested namespace: the last is the container's view
      out.push({ pid, nsPid: st.nsPids.length > 1 ? st.nsPids[st.nsPids.length - 1] : st.nsPids[0] ?? null, ppid: st.ppid, uid: st.uid, state: st.state, command: procCmdline(pid) });
    }
    return out.sort((a, b) => a.pid - b.pid);
  }

  logs(ref: string, tail?: number): LogEntry[] {
    const r = this.find(ref);
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw invalid(`--tail: ${tail} is not a count`);
    return readLog(this.paths(r).log, tail);
  }

  logPath(ref: string): { file: string; running: () => boolean } {
    const r = this.find(ref);
    return { file: this.paths(r).log, running: () => this.records.get(r.id)?.status !== 'exited' && this.records.has(r.id) };
  }

  // ---- exec ----

  private runningRecord(ref: string): ContainerRecord {
    const r = this.find(ref);
    if (r.status !== 'running' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`container ${r.name} is not running`);
    return r;
  }

  async exec(o: ExecOptions): Promise<ExecSession> {
    if (!o || typeof o !== 'object') throw invalid('exec: options missing');
    const r = this.runningRecord(o.id);
    const spec = readJson<Spec>(this.paths(r).config);
    if (!spec) throw new NscopeError('failed', `container ${r.name}: config.json is missing`);
    return this.execs.start({ containerId: r.id, pid: r.pid!, spec, cgroupProcs: this.cgroup(r).joinFiles(), layers: this.fileLayers(r), seccompCacheDir: this.run.seccompCache() }, o);
  }

  /** The container's files as layers (bottom to top): image, init, then its rw layer. */
  private fileLayers(r: ContainerRecord): string[] {
    const l = this.layout(r);
    return [...l.lower, l.init, l.upper];
  }

  /** Reads a small file as the container sees it (through its root when running, else its layers). */
  readContainerFile(r: ContainerRecord, rel: string): string | null {
    if (r.status === 'running' && isSameProcess(r.pid, r.pidStart)) {
      let fd: number | undefined;
      try {
        fd = native().openInRoot(`/proc/${r.pid}/root`, rel, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
        const st = fs.fstatSync(fd);
        if (!st.isFile() || st.size > 1 << 20) return null;
        return fs.readFileSync(fd, 'utf8');
      } catch { return null; } finally { if (fd !== undefined) fs.closeSync(fd); }
    }
    return readLayeredFile(this.fileLayers(r), rel);
  }

  private isExecutable(r: ContainerRecord, file: string): boolean {
    if (r.status === 'running' && isSameProcess(r.pid, r.pidStart)) {
      let fd: number | undefined;
      try {
        fd = native().openInRoot(`/proc/${r.pid}/root`, file, 0o10000000 /* O_PATH */);
        const st = fs.fstatSync(fd);
        return st.isFile() && (st.mode & 0o111) !== 0;
      } catch { return false; } finally { if (fd !== undefined) fs.closeSync(fd); }
    }
    return readLayeredFile(this.fileLayers(r), file) !== null;
  }

  shells(ref: string, user?: string): ShellInfo {
    const r = this.find(ref);
    const listed = (this.readContainerFile(r, 'etc/shells') ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/'));
    const candidates = [...new Set([...listed, '/bin/bash', '/bin/sh'])];
    const shells = candidates.filter((s) => this.isExecutable(r, s));
    let loginShell: string | undefined;
    const passwd = (this.readContainerFile(r, 'etc/passwd') ?? '').split('\n').map((l) => l.split(':')).filter((p) => p.length >= 7);
    // who can log in: a shell that is not nologin/false (system accounts have those)
    const users = passwd.filter((p) => p[0] === 'root' || (p[6] && !/(nologin|false)$/.test(p[6]))).map((p) => p[0]);
    users.sort((a, b) => (b === 'root' ? 1 : 0) - (a === 'root' ? 1 : 0));
    if (user) {
      const e = passwd.find((p) => p[0] === user || p[2] === user);
      if (!e) throw notFound(`unable to find user ${user}: no matching entries in passwd file`);
      if (e[6] && this.isExecutable(r, e[6])) loginShell = e[6];
    }
    // bash first when present: the best interactive shell of the usual ones
    shells.sort((a, b) => (b.endsWith('/bash') ? 1 : 0) - (a.endsWith('/bash') ? 1 : 0));
    return { shells, loginShell, users: [...new Set(users)] };
  }

  /** Running containers with their init pid, for the namespace listing. */
  runningRefs(): { id: string; name: string; pid: number }[] {
    return [...this.records.values()].filter((r) => r.status !== 'exited' && r.pid).map((r) => ({ id: r.id, name: r.name, pid: r.pid! }));
  }

  initPid(ref: string): number {
    const r = this.find(ref);
    if (r.status === 'exited' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`container ${r.name} is not running`);
    return r.pid!;
  }

  /** A container's layers on disk, for diffs and commits (works on stopped containers too). */
  layers(ref: string): { id: string; name: string; status: ContainerRecord['status']; image: string; imageId: string; pid?: number; lower: string[]; init: string; upper: string; idMap?: IdMap } {
    const r = this.find(ref);
    const l = this.layout(r);
    return { id: r.id, name: r.name, status: r.status, image: r.image, imageId: r.imageId, pid: r.status === 'running' ? r.pid : undefined, lower: l.lower, init: l.init, upper: l.upper, idMap: r.idMap };
  }

  /** The container's cgroup as inspect names it (commit-source.ts, live-cgroup.ts). */
  cgroupOf(ref: string): { version: 1 | 2; path: string } {
    return { version: this.opts.cgroups.version, path: `/${this.find(ref).cgroupRel}` };
  }

  /** The file that says a commit froze the container (see commit-freeze.ts). */
  freezeMarker(ref: string): string {
    return path.join(this.paths(this.find(ref)).run, 'frozen-for-commit');
  }

  /** Where to attach to a container's console or stdin. */
  attachSocket(ref: string): string {
    const r = this.find(ref);
    if (!r.tty && !r.interactive) throw conflict(`container ${r.name} has neither a tty nor an open stdin (create it with -t or -i)`);
    if (r.status === 'exited') throw conflict(`container ${r.name} has exited`);
    return this.paths(r).attach;
  }

  resize(ref: string, rows: number, cols: number): { id: string } {
    const r = this.find(ref);
    if (!r.tty) throw conflict(`container ${r.name} has no tty`);
    const size = ttyResize(rows, cols, 'resize');
    if (!size || r.status === 'exited') return { id: r.id };
    const fd = fs.openSync(this.paths(r).ctl, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try { fs.writeSync(fd, `r ${size.rows} ${size.cols}\n`); } finally { fs.closeSync(fd); }
    return { id: r.id };
  }

  counts() {
    let running = 0;
    for (const r of this.records.values()) if (r.status === 'running') running++;
    return { total: this.records.size, running };
  }

  imageInUse(imageId: string): string | undefined {
    for (const r of this.records.values()) if (r.imageId === imageId) return r.name;
    return undefined;
  }
}

export { NscopeError };
