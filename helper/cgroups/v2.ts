// The cgroup v2 driver: one tree, controllers switched on per level. A
// controller's files exist in a cgroup only if its parent lists it in
// cgroup.subtree_control, so create() enables what it needs in every ancestor
// (Documentation/admin-guide/cgroup-v2.rst, "Enabling and Disabling").
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError, invalid } from '../errors';
import { parseIoStat } from './block-io';
import { packDeviceRules } from './devices';
import * as io from './fsio';
import { normalizeRel } from './paths';
import { native } from '../native';
import type { Cgroup, CgroupDriver, CgroupLimits, CgroupStats, LinuxResources, OpenOptions } from './types';
import { any, validateResources } from './validate';
import { hasBlockIO, v2BlockIOWrites } from './block-io-limits';

/** The controllers nscope enables (only those the kernel offers are written). */
export const V2_WANTED = ['cpu', 'cpuset', 'io', 'memory', 'pids'] as const;

/** OCI/v1 cpu.shares (2..262144) to v2 cpu.weight (1..10000), runc's formula. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** Approximate inverse, for display: exact at the ends, otherwise within one weight step (~26 shares). */
export function weightToShares(weight: number): number {
  return 2 + Math.round(((weight - 1) * 262142) / 9999);
}

export interface V2Options {
  /** false: act as on a kernel before 5.14 (no cgroup.kill), to test the freeze+signal path. */
  cgroupKill?: boolean;
}

export class V2Driver implements CgroupDriver {
  readonly version = 2 as const;
  readonly controllers: readonly string[];
  readonly swapAccounting: boolean;
  readonly blockWeights = true;

  /**
   * `mountPoint`: the cgroup2 mount; `available`: its cgroup.controllers;
   * `own`: this process's cgroup relative to the mount point.
   */
  constructor(readonly mountPoint: string, available: string[], private readonly own: string, readonly opts: V2Options = {}) {
    this.controllers = available;
    this.swapAccounting = available.includes('memory') && hasSwapFiles(mountPoint, own);
  }

  ownCgroup(): string {
    return this.own;
  }

  pruneEmpty(rel: string): void {
    io.rmdirIfEmpty(path.join(this.mountPoint, normalizeRel(rel)));
  }

  create(rel: string, res: LinuxResources = {}): Cgroup {
    rel = normalizeRel(rel);
    validateResources(res);
    const leaf = path.join(this.mountPoint, rel);
    const failures = new Map<string, string>();
    const created: string[] = [];
    try {
      // Enable top-down: a controller can be enabled in a child's
      // subtree_control only once the parent has it.
      let dir = this.mountPoint;
      for (const part of rel.split('/')) {
        enableControllers(dir, failures);
        created.push(...io.mkdirTracked(dir, part));
        dir = path.join(dir, part);
      }
      const cg = new V2Cgroup(this, rel, created.filter((d) => d !== leaf), failures);
      cg.apply(res);
      return cg;
    } catch (err) {
      for (const d of created.reverse()) io.rmdirIfEmpty(d);
      throw err;
    }
  }

  open(rel: string, opts: OpenOptions = {}): Cgroup {
    rel = normalizeRel(rel);
    const leaf = path.join(this.mountPoint, rel);
    const owned: string[] = [];
    const depth = Math.min(opts.ownedParents ?? 0, rel.split('/').length - 1);
    for (let i = 0, d = leaf; i < depth; i++) owned.unshift((d = path.dirname(d)));
    return new V2Cgroup(this, rel, owned, new Map());
  }
}

/**
 * Swap accounting shows as memory.swap.current next to memory.current in any
 * non-root cgroup with the memory controller (neither exists at the root).
 * Look in our own cgroup, else in the first child of the root that has memory.
 */
function hasSwapFiles(mountPoint: string, own: string): boolean {
  const candidates = [path.join(mountPoint, own)];
  try {
    for (const e of fs.readdirSync(mountPoint, { withFileTypes: true })) if (e.isDirectory()) candidates.push(path.join(mountPoint, e.name));
  } catch { /* unreadable: no evidence */ }
  const withMemory = candidates.find((d) => io.exists(path.join(d, 'memory.current')));
  return !!withMemory && io.exists(path.join(withMemory, 'memory.swap.current'));
}

/**
 * Writes +ctrl for each wanted controller that `dir` offers and has not enabled.
 * One write per controller: if one is refused (cpu with realtime tasks
 * present, or EBUSY because `dir` has processes of its own: the "no internal
 * processes" rule) the others still go in; the refusal is remembered and
 * reported if a limit for that controller is asked for later.
 */
function enableControllers(dir: string, failures: Map<string, string>): void {
  const offered = (io.readOpt(path.join(dir, 'cgroup.controllers')) ?? '').split(/\s+/);
  const enabled = (io.readOpt(path.join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/);
  for (const c of V2_WANTED) {
    if (!offered.includes(c) || enabled.includes(c)) continue;
    try {
      io.write(path.join(dir, 'cgroup.subtree_control'), `+${c}`, (code) =>
        code === 'EBUSY' ? `${dir} has processes of its own (cgroup v2 allows controllers only above leaves); use a cgroup path outside it` : undefined);
    } catch (err) {
      failures.set(c, err instanceof Error ? err.message : String(err));
    }
  }
}

class V2Cgroup implements Cgroup {
  private readonly dir: string;

  constructor(private readonly d: V2Driver, readonly rel: string, readonly ownedParents: string[], private readonly failures: Map<string, string>) {
    this.dir = path.join(d.mountPoint, rel);
  }

  private f(name: string): string {
    return path.join(this.dir, name);
  }

  /** The file for a limit, or a clear error if its controller is not enabled here. */
  private need(ctrl: string, file: string, what: string): string {
    const p = this.f(file);
    if (io.exists(p)) return p;
    if (!this.d.controllers.includes(ctrl)) throw new NscopeError('unsupported', `${what}: the ${ctrl} controller is not available in this cgroup v2 hierarchy`);
    const why = this.failures.get(ctrl);
    throw new NscopeError('unsupported', `${what}: the ${ctrl} controller is not enabled for ${this.rel}${why ? ` (${why})` : ' (not in the parent\'s cgroup.subtree_control)'}`);
  }

  joinFiles(): string[] {
    return this.procsFiles();
  }

  procsFiles(): string[] {
    return [this.f('cgroup.procs')];
  }

  exists(): boolean {
    return io.exists(this.dir);
  }

  apply(res: LinuxResources): void {
    validateResources(res);
    // what cannot be written here is refused before anything is
    const blkio = hasBlockIO(res.blockIO)
      ? v2BlockIOWrites(res.blockIO!, io.exists(this.f('io.bfq.weight')) ? true : io.exists(this.f('io.weight')) ? false : undefined).map(([file, lines]) => [this.need('io', file, 'blockIO'), lines] as const)
      : [];
    for (const [k, v] of Object.entries(res.unified ?? {})) {
      try { io.write(path.join(this.dir, k), v); } catch (e) {
        const missing = !fs.existsSync(path.join(this.dir, k));
        throw invalid(`resources.unified.${k}: ${missing ? 'no such file in the container\'s cgroup (is its controller enabled?)' : (e as Error).message}`);
      }
    }
    if (any(res.memory)) this.applyMemory(res.memory!);
    const c = res.cpu;
    if (c) {
      if (c.shares !== undefined && c.shares !== 0) io.write(this.need('cpu', 'cpu.weight', 'cpu.shares'), String(sharesToWeight(c.shares)));
      if (c.quota !== undefined || c.period !== undefined) {
        // cpu.max is "$MAX $PERIOD"; "$MAX" alone keeps the period, but a
        // period alone is not accepted, so carry the current quota over.
        const file = this.need('cpu', 'cpu.max', 'cpu.quota');
        const quota = c.quota !== undefined ? (c.quota === -1 ? 'max' : String(c.quota)) : io.read(file).split(' ')[0];
        io.write(file, c.period !== undefined ? `${quota} ${c.period}` : quota);
      }
      if (c.mems !== undefined && c.mems !== '') io.write(this.need('cpuset', 'cpuset.mems', 'cpu.mems'), c.mems, io.cpusetHint);
      if (c.cpus !== undefined && c.cpus !== '') {
        io.write(this.need('cpuset', 'cpuset.cpus', 'cpu.cpus'), c.cpus,
          io.cpusetHint);
      }
    }
    if (res.pids?.limit !== undefined) {
      const l = res.pids.limit;
      io.write(this.need('pids', 'pids.max', 'pids.limit'), l <= 0 ? 'max' : String(l));
    }
    if (res.devices?.length) this.applyDevices(res.devices);
    for (const [file, lines] of blkio) for (const l of lines) io.write(file, l);
  }

  /**
   * v2 has no devices controller: without a device program any container
   * with CAP_MKNOD could make and open /dev/sda. The rules become one
   * program replacing the previous one (an update), as runc and crun do.
   */
  private applyDevices(rules: NonNullable<LinuxResources['devices']>): void {
    try {
      native().attachDeviceFilter(this.dir, packDeviceRules(rules));
    } catch (err) {
      const code = io.errnoCode(err);
      throw new NscopeError('failed', `devices: cannot set the device filter of cgroup ${this.rel}: ${(err as Error).message}${code ? ` (${code})` : ''}`);
    }
  }

  private applyMemory(m: NonNullable<LinuxResources['memory']>): void {
    const maxFile = this.need('memory', 'memory.max', 'memory');
    let { limit, swap } = m;
    if (limit === -1 && swap === undefined && io.exists(this.f('memory.swap.max'))) swap = -1;
    if (limit !== undefined) {
      io.write(maxFile, limit === -1 ? 'max' : String(limit), (code) =>
        code === 'EBUSY' ? `the cgroup uses ${io.readOpt(this.f('memory.current'))} bytes` : undefined);
    }
    if (swap !== undefined) {
      // OCI swap is memory+swap; v2 memory.swap.max is swap alone.
      const swFile = this.f('memory.swap.max');
      if (!io.exists(swFile)) {
        if (swap === -1) return this.applyLow(m.reservation);
        throw new NscopeError('unsupported', 'memory.swap: this kernel has no swap accounting (no memory.swap.max)');
      }
      let value = 'max';
      if (swap !== -1) {
        const cur = limit ?? parseMax(io.read(maxFile));
        if (cur === null || cur === -1) throw invalid(`memory.swap: ${swap} limits memory+swap while the memory limit is unlimited; give a memory limit too`);
        if (swap < cur) throw invalid(`memory.swap: ${swap} is below the memory limit ${cur}; it is memory+swap total, so it must be >= the limit`);
        value = String(swap - cur);
      }
      io.write(swFile, value);
    }
    this.applyLow(m.reservation);
  }

  private applyLow(reservation: number | undefined): void {
    // memory.low is best-effort protection; "no reservation" is 0, not "max".
    if (reservation !== undefined) io.write(this.need('memory', 'memory.low', 'memory.reservation'), String(reservation === -1 ? 0 : reservation));
  }

  limits(): CgroupLimits {
    const max = (f: string) => {
      const t = io.readOpt(this.f(f));
      return t === undefined ? undefined : parseMax(t);
    };
    const memoryLimit = max('memory.max') ?? null;
    const swapMax = max('memory.swap.max');
    const cpuMax = io.readOpt(this.f('cpu.max'))?.split(' ');
    const weight = io.readNumOpt(this.f('cpu.weight'));
    const low = max('memory.low');
    return {
      memoryLimit,
      memorySwap: swapMax === undefined ? undefined : swapMax === null || memoryLimit === null ? null : memoryLimit + swapMax,
      memoryReservation: low === undefined || low === 0 ? null : low,
      cpuQuota: cpuMax ? parseMax(cpuMax[0]) : null,
      cpuPeriod: cpuMax?.[1] !== undefined ? Number(cpuMax[1]) : undefined,
      cpuWeight: weight,
      cpuShares: weight === undefined ? undefined : weightToShares(weight),
      cpusetCpus: io.readOpt(this.f('cpuset.cpus')),
      cpusetMems: io.readOpt(this.f('cpuset.mems')),
      pidsLimit: max('pids.max') ?? null,
    };
  }

  oomKills(): number {
    return io.readKeyed(this.f('memory.events'))?.get('oom_kill') ?? 0;
  }

  stats(): CgroupStats {
    const limits = this.limits();
    const cpu = io.readKeyed(this.f('cpu.stat'));
    const events = io.readKeyed(this.f('memory.events'));
    const mstat = io.readKeyed(this.f('memory.stat'));
    const ioText = io.readOpt(this.f('io.stat'));
    const block = ioText === undefined ? undefined : parseIoStat(ioText);
    return {
      memoryUsage: io.readNumOpt(this.f('memory.current')) ?? 0,
      memoryLimit: limits.memoryLimit,
      memoryMaxUsage: io.readNumOpt(this.f('memory.peak')),
      memoryInactiveFile: mstat?.get('inactive_file'),
      cpuUsageNs: (cpu?.get('usage_usec') ?? 0) * 1000,
      blockRead: block?.read,
      blockWrite: block?.write,
      pidsCurrent: io.readNumOpt(this.f('pids.current')) ?? this.pids().length,
      pidsLimit: limits.pidsLimit,
      // memory.events counts the subtree (memory.events.local would not).
      oomKills: events?.get('oom_kill') ?? 0,
      cpuQuota: limits.cpuQuota,
      cpuPeriod: limits.cpuPeriod,
      limits,
    };
  }

  pids(): number[] {
    return io.procsRecursive(this.dir).sort((a, b) => a - b);
  }

  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    // cgroup.kill (5.14+) kills the whole subtree atomically, forks included.
    io.assertNotSelf(this.pids(), this.rel);
    if (signal === 'SIGKILL' && this.hasKill()) {
      try {
        io.write(this.f('cgroup.kill'), '1');
        return;
      } catch (err) {
        if (!this.exists()) return;
        throw err;
      }
    }
    io.signalAll(this.pids(), signal, this.rel);
  }

  async destroy(): Promise<void> {
    if (!this.exists()) return this.removeParents();
    io.assertNotSelf(this.pids(), this.rel);
    const freezeFile = this.f('cgroup.freeze');
    const canFreeze = io.exists(freezeFile);
    try {
      // With cgroup.kill the kernel does the atomic part; otherwise freeze
      // so a fork loop cannot outrun the kill loop. v2 frozen tasks still die
      // from SIGKILL (cgroup-v2.rst: "can be killed by a fatal signal").
      if (canFreeze && !this.hasKill()) await this.freeze(freezeFile);
      const deadline = Date.now() + 10000;
      for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
        if (!this.populated()) break;
        this.killAll('SIGKILL');
        if (Date.now() > deadline) {
          throw new NscopeError('failed', `cgroup ${this.rel}: processes ${this.pids().join(', ')} did not exit after SIGKILL (stuck in the kernel?)`);
        }
        await io.sleep(delay);
      }
    } finally {
      if (canFreeze && io.exists(freezeFile)) {
        try { io.write(freezeFile, '0'); } catch { /* gone meanwhile */ }
      }
    }
    for (const sub of io.descendants(this.dir)) await io.rmdirRetry(sub);
    await io.rmdirRetry(this.dir);
    this.removeParents();
  }

  private hasKill(): boolean {
    return this.d.opts.cgroupKill !== false && io.exists(this.f('cgroup.kill'));
  }

  private removeParents(): void {
    for (const p of [...this.ownedParents].reverse()) io.rmdirIfEmpty(p);
  }

  /** cgroup.events "populated" covers the subtree; fall back to listing. */
  private populated(): boolean {
    const ev = io.readKeyed(this.f('cgroup.events'));
    const p = ev?.get('populated');
    return p === undefined ? this.pids().length > 0 : p === 1;
  }

  private async freeze(file: string): Promise<void> {
    try { io.write(file, '1'); } catch { return; }
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && io.readKeyed(this.f('cgroup.events'))?.get('frozen') !== 1) await io.sleep(5);
  }
}

/** "max" -> null, else the number. */
function parseMax(t: string): number | null {
  return t === 'max' ? null : Number(t);
}
