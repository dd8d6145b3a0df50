// The cgroup v1 driver: one directory per mounted hierarchy. Controllers may be
// mounted alone (/sys/fs/cgroup/cpu) or together (cpu,cpuacct): every path is
// computed per mount, never from a controller name. Hierarchies without a
// limit to set (devices, freezer, blkio, name=systemd) are still joined: the
// freezer gives destroy() an atomic stop, and name=systemd keeps a container
// out of the daemon's systemd unit, so stopping the service does not kill it.
import * as path from 'path';
import { NscopeError, invalid } from '../errors';
import { parseBlkioServiceBytes, parsePerCpu } from './block-io';
import * as io from './fsio';
import type { CgroupMount } from './mountinfo';
import { normalizeRel } from './paths';
import type { Cgroup, CgroupDriver, CgroupLimits, CgroupStats, LinuxResources, OpenOptions } from './types';
import { any, validateResources } from './validate';
import { hasBlockIO, v1BlockIOWrites, type BlockIO, type FileWrites } from './block-io-limits';

/** The v1 hierarchies nscope joins, by the controller (or name=) that identifies them. */
export const V1_JOINED = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'devices', 'freezer', 'blkio', 'name=systemd'] as const;

export interface V1Hierarchy {
  mountPoint: string;
  /** Controllers on this mount that nscope cares about. */
  controllers: string[];
}

export class V1Driver implements CgroupDriver {
  readonly version = 1 as const;
  readonly controllers: readonly string[];
  readonly swapAccounting: boolean;
  readonly blockWeights: boolean;

  /** `own`: this process's cgroup relative to the mount point (see ownCgroup). */
  constructor(readonly hierarchies: V1Hierarchy[], private readonly own: string) {
    this.controllers = hierarchies.flatMap((h) => h.controllers).filter((c) => !c.startsWith('name='));
    const mem = hierarchies.find((h) => h.controllers.includes('memory'));
    this.swapAccounting = !!mem && io.exists(path.join(mem.mountPoint, 'memory.memsw.limit_in_bytes'));
    const blkio = hierarchies.find((h) => h.controllers.includes('blkio'));
    this.blockWeights = !!blkio && ['blkio.bfq.weight', 'blkio.weight'].some((f) => io.exists(path.join(blkio.mountPoint, f)));
  }

  static fromMounts(mounts: CgroupMount[], own: string): V1Driver {
    const hs: V1Hierarchy[] = [];
    for (const m of mounts) {
      if (m.fsType !== 'cgroup') continue;
      const ctrls = m.controllers.filter((c) => (V1_JOINED as readonly string[]).includes(c));
      if (ctrls.length) hs.push({ mountPoint: m.mountPoint, controllers: ctrls });
    }
    return new V1Driver(hs, own);
  }

  ownCgroup(): string {
    return this.own;
  }

  pruneEmpty(rel: string): void {
    rel = normalizeRel(rel);
    for (const h of this.hierarchies) io.rmdirIfEmpty(path.join(h.mountPoint, rel));
  }

  create(rel: string, res: LinuxResources = {}): Cgroup {
    rel = normalizeRel(rel);
    validateResources(res);
    const created: string[] = [];
    try {
      for (const h of this.hierarchies) {
        created.push(...io.mkdirTracked(h.mountPoint, rel));
        if (h.controllers.includes('cpuset')) initCpuset(h.mountPoint, rel);
      }
      const cg = new V1Cgroup(this, rel, created.filter((d) => !d.endsWith('/' + rel)));
      cg.apply(res);
      return cg;
    } catch (err) {
      // Nothing can be in a cgroup that was never returned: remove what we made.
      for (const d of created.reverse()) io.rmdirIfEmpty(d);
      throw err;
    }
  }

  open(rel: string, opts: OpenOptions = {}): Cgroup {
    rel = normalizeRel(rel);
    const cg = new V1Cgroup(this, rel, []);
    const depth = Math.min(opts.ownedParents ?? 0, rel.split('/').length - 1);
    for (const h of this.hierarchies) {
      // outermost first, as create() records them; destroy() walks them in reverse
      const chain: string[] = [];
      for (let i = 0, d = path.join(h.mountPoint, rel); i < depth; i++) chain.unshift((d = path.dirname(d)));
      cg.ownedParents.push(...chain);
    }
    return cg;
  }

  /** The hierarchy carrying `ctrl`, or undefined if it is not mounted. */
  hierarchy(ctrl: string): V1Hierarchy | undefined {
    return this.hierarchies.find((h) => h.controllers.includes(ctrl));
  }
}

/**
 * A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and
 * no process can join it (ENOSPC) until both are set. Copy them from the parent
 * down the path, intermediate directories included, like runc's ensureParent.
 */
function initCpuset(mountPoint: string, rel: string): void {
  let parent = mountPoint;
  for (const part of rel.split('/')) {
    const dir = path.join(parent, part);
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (io.read(path.join(dir, f)) === '') io.write(path.join(dir, f), io.read(path.join(parent, f)));
    }
    parent = dir;
  }
}

class V1Cgroup implements Cgroup {
  /** Parents (absolute, outermost first) destroy() removes when empty. */
  readonly ownedParents: string[];

  constructor(private readonly d: V1Driver, readonly rel: string, ownedParents: string[]) {
    this.ownedParents = ownedParents;
  }

  private dirs(): string[] {
    return this.d.hierarchies.map((h) => path.join(h.mountPoint, this.rel));
  }

  /** Directory of this cgroup in the hierarchy carrying `ctrl`. */
  private dir(ctrl: string): string | undefined {
    const h = this.d.hierarchy(ctrl);
    return h && path.join(h.mountPoint, this.rel);
  }

  private need(ctrl: string, what: string): string {
    const dir = this.dir(ctrl);
    if (!dir) throw new NscopeError('unsupported', `${what}: the ${ctrl} cgroup controller is not mounted on this host`);
    return dir;
  }

  procsFiles(): string[] {
    return this.dirs().map((d) => path.join(d, 'cgroup.procs'));
  }

  joinFiles(): string[] {
    return this.dirs().map((d) => path.join(d, 'tasks'));
  }

  exists(): boolean {
    return this.dirs().some(io.exists);
  }

  apply(res: LinuxResources): void {
    validateResources(res);
    if (res.unified && Object.keys(res.unified).length) throw invalid(`resources.unified: ${Object.keys(res.unified).join(', ')} are cgroup v2 files; this host uses cgroup v1`);
    // what cannot be written here is refused before anything is
    const blkio = hasBlockIO(res.blockIO) ? this.blockIOWrites(res.blockIO!) : undefined;
    if (any(res.memory)) this.applyMemory(res.memory!);
    const c = res.cpu;
    if (c) {
      if (c.shares !== undefined && c.shares !== 0) io.write(path.join(this.need('cpu', 'cpu.shares'), 'cpu.shares'), String(c.shares));
      if (c.period !== undefined || c.quota !== undefined) this.applyCfs(c.quota, c.period);
      // mems first: a cpuset with cpus but no mems is as unusable as the reverse.
      if (c.mems !== undefined && c.mems !== '') io.write(path.join(this.need('cpuset', 'cpu.mems'), 'cpuset.mems'), c.mems, io.cpusetHint);
      if (c.cpus !== undefined && c.cpus !== '') {
        io.write(path.join(this.need('cpuset', 'cpu.cpus'), 'cpuset.cpus'), c.cpus,
          io.cpusetHint);
      }
    }
    if (res.pids?.limit !== undefined) {
      const l = res.pids.limit;
      io.write(path.join(this.need('pids', 'pids.limit'), 'pids.max'), l <= 0 ? 'max' : String(l));
    }
    if (res.devices?.length) this.applyDevices(res.devices);
    for (const [file, lines] of blkio ?? []) for (const l of lines) io.write(file, l);
  }

  /** Weights (BFQ's files, else CFQ's) and throttles, a line a write, with the files' full paths. */
  private blockIOWrites(b: BlockIO): FileWrites {
    const dir = this.need('blkio', 'blockIO');
    const bfq = io.exists(path.join(dir, 'blkio.bfq.weight')) ? true : io.exists(path.join(dir, 'blkio.weight')) ? false : undefined;
    return v1BlockIOWrites(b, bfq).map(([file, lines]) => [path.join(dir, file), lines]);
  }

  /** Rules in order, each to devices.allow or devices.deny ("c 1:3 rwm"). */
  private applyDevices(rules: NonNullable<LinuxResources['devices']>): void {
    const dir = this.need('devices', 'devices');
    for (const r of rules) {
      const num = (n: number | undefined) => (n === undefined || n === -1 ? '*' : String(n));
      const type = r.type ?? 'a';
      const rule = type === 'a' ? 'a' : `${type} ${num(r.major)}:${num(r.minor)} ${r.access || 'rwm'}`;
      io.write(path.join(dir, r.allow ? 'devices.allow' : 'devices.deny'), rule);
    }
  }

  private applyMemory(m: NonNullable<LinuxResources['memory']>): void {
    const dir = this.need('memory', 'memory');
    const memFile = path.join(dir, 'memory.limit_in_bytes');
    const swFile = path.join(dir, 'memory.memsw.limit_in_bytes');
    const hasSwap = io.exists(swFile);
    let { limit, swap } = m;
    // Unlimited memory with a limited memory+swap would be refused (memsw must
    // be >= memory): lifting the memory limit lifts the total too (runc does the same).
    if (limit === -1 && swap === undefined && hasSwap) swap = -1;
    if (swap !== undefined && !hasSwap && swap !== -1) {
      throw new NscopeError('unsupported', 'memory.swap: this kernel has no swap accounting (no memory.memsw.limit_in_bytes; boot with swapaccount=1)');
    }
    const usageHint = (code: string | undefined) => {
      if (code === 'EBUSY') return `the cgroup uses ${io.readOpt(path.join(dir, 'memory.usage_in_bytes'))} bytes and could not be shrunk below the new limit`;
      if (code === 'EINVAL') return `memory must not exceed memory+swap (memory.memsw.limit_in_bytes is ${io.readOpt(swFile)})`;
      return undefined;
    };
    const swHint = (code: string | undefined) =>
      code === 'EINVAL' ? `memory+swap must be >= memory (memory.limit_in_bytes is ${io.readOpt(memFile)})` : usageHint(code);
    const writeMem = () => limit !== undefined && io.write(memFile, String(limit), usageHint);
    const writeSwap = () => swap !== undefined && hasSwap && io.write(swFile, String(swap), swHint);
    // The kernel keeps memory <= memory+swap at every moment, so the order
    // depends on direction: if the new total is at least the current memory
    // limit, raise/set the total first; otherwise lower memory first.
    if (limit !== undefined && swap !== undefined) {
      const cur = io.parseNum(memFile, io.read(memFile));
      if (swap === -1 || swap >= cur) { writeSwap(); writeMem(); } else { writeMem(); writeSwap(); }
    } else {
      writeMem();
      writeSwap();
    }
    if (m.reservation !== undefined) io.write(path.join(dir, 'memory.soft_limit_in_bytes'), String(m.reservation));
    if (m.disableOOMKiller !== undefined) io.write(path.join(dir, 'memory.oom_control'), m.disableOOMKiller ? '1' : '0');
    if (m.swappiness !== undefined && m.swappiness !== -1) io.write(path.join(dir, 'memory.swappiness'), String(m.swappiness));
  }

  /**
   * The kernel checks quota/period as a pair against parent and children, so
   * one order can be refused where the other works (runc: period first, then
   * on EINVAL quota first).
   */
  private applyCfs(quota: number | undefined, period: number | undefined): void {
    const dir = this.need('cpu', 'cpu.quota');
    const wq = () => quota !== undefined && io.write(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
    const wp = () => period !== undefined && io.write(path.join(dir, 'cpu.cfs_period_us'), String(period));
    try {
      wp(); wq();
    } catch (err) {
      if (!(err instanceof NscopeError) || err.code !== 'invalid' || quota === undefined || period === undefined) throw err;
      wq(); wp();
    }
  }

  limits(): CgroupLimits {
    const mem = this.dir('memory');
    const cpu = this.dir('cpu');
    const cpuset = this.dir('cpuset');
    const pids = this.dir('pids');
    const bytes = (f: string | undefined) => {
      const n = f === undefined ? undefined : io.readNumOpt(f);
      return n === undefined || n >= io.UNLIMITED_THRESHOLD ? null : n;
    };
    const quota = cpu ? io.readNumOpt(path.join(cpu, 'cpu.cfs_quota_us')) : undefined;
    const pidsMax = pids ? io.readOpt(path.join(pids, 'pids.max')) : undefined;
    const swFile = mem && path.join(mem, 'memory.memsw.limit_in_bytes');
    return {
      memoryLimit: bytes(mem && path.join(mem, 'memory.limit_in_bytes')),
      memorySwap: swFile && io.exists(swFile) ? bytes(swFile) : undefined,
      memoryReservation: bytes(mem && path.join(mem, 'memory.soft_limit_in_bytes')),
      cpuQuota: quota === undefined || quota < 0 ? null : quota,
      cpuPeriod: cpu ? io.readNumOpt(path.join(cpu, 'cpu.cfs_period_us')) : undefined,
      cpuShares: cpu ? io.readNumOpt(path.join(cpu, 'cpu.shares')) : undefined,
      cpusetCpus: cpuset ? io.readOpt(path.join(cpuset, 'cpuset.cpus')) : undefined,
      cpusetMems: cpuset ? io.readOpt(path.join(cpuset, 'cpuset.mems')) : undefined,
      pidsLimit: pidsMax === undefined || pidsMax === 'max' ? null : Number(pidsMax),
    };
  }

  oomKills(): number {
    const mem = this.dir('memory');
    return (mem && io.readKeyed(path.join(mem, 'memory.oom_control'))?.get('oom_kill')) || 0;
  }

  stats(): CgroupStats {
    const limits = this.limits();
    const mem = this.dir('memory');
    const num = (dir: string | undefined, f: string) => (dir ? io.readNumOpt(path.join(dir, f)) : undefined);
    const oom = mem ? io.readKeyed(path.join(mem, 'memory.oom_control')) : undefined;
    const mstat = mem ? io.readKeyed(path.join(mem, 'memory.stat')) : undefined;
    const blkio = this.dir('blkio');
    const blockText = blkio ? io.readOpt(path.join(blkio, 'blkio.throttle.io_service_bytes')) : undefined;
    const block = blockText === undefined ? undefined : parseBlkioServiceBytes(blockText);
    const acct = this.dir('cpuacct');
    const perCpu = acct ? io.readOpt(path.join(acct, 'cpuacct.usage_percpu')) : undefined;
    return {
      memoryUsage: num(mem, 'memory.usage_in_bytes') ?? 0,
      memoryLimit: limits.memoryLimit,
      memoryMaxUsage: num(mem, 'memory.max_usage_in_bytes'),
      memoryInactiveFile: mstat?.get('total_inactive_file'),
      cpuUsageNs: num(acct, 'cpuacct.usage') ?? 0,
      cpuPerCoreNs: perCpu === undefined ? undefined : parsePerCpu(perCpu),
      blockRead: block?.read,
      blockWrite: block?.write,
      pidsCurrent: num(this.dir('pids'), 'pids.current') ?? this.pids().length,
      pidsLimit: limits.pidsLimit,
      oomKills: oom?.get('oom_kill') ?? 0,
      underOom: oom ? oom.get('under_oom') === 1 : undefined,
      cpuQuota: limits.cpuQuota,
      cpuPeriod: limits.cpuPeriod,
      limits,
    };
  }

  pids(): number[] {
    // The union over hierarchies: a process whose join failed halfway is
    // still ours to list and kill.
    const all = new Set<number>();
    for (const d of this.dirs()) for (const p of io.procsRecursive(d)) all.add(p);
    return [...all].sort((a, b) => a - b);
  }

  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    io.signalAll(this.pids(), signal, this.rel);
  }

  async destroy(): Promise<void> {
    // Check before freezing: freezing our own cgroup would freeze us.
    io.assertNotSelf(this.pids(), this.rel);
    const freezer = this.dir('freezer');
    const state = freezer && path.join(freezer, 'freezer.state');
    const frozen = !!state && io.exists(state) && (await freeze(state));
    try {
      // Frozen, the set of processes cannot grow between reading and killing.
      // Without a freezer, repeat until a pass finds nobody.
      const deadline = Date.now() + 10000;
      for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
        const pids = this.pids();
        if (pids.length === 0) break;
        io.signalAll(pids, 'SIGKILL', this.rel);
        // v1 frozen tasks do not act on SIGKILL until thawed; the pending
        // signal kills each one before it runs another user instruction.
        if (frozen) thaw(state!);
        if (Date.now() > deadline) {
          throw new NscopeError('failed', `cgroup ${this.rel}: processes ${pids.join(', ')} did not exit after SIGKILL (stuck in the kernel?)`);
        }
        await io.sleep(delay);
      }
    } finally {
      if (frozen && io.exists(state!)) thaw(state!);
    }
    for (const d of this.dirs()) {
      for (const sub of io.descendants(d)) await io.rmdirRetry(sub);
      await io.rmdirRetry(d);
    }
    for (const p of [...this.ownedParents].reverse()) io.rmdirIfEmpty(p);
  }
}

/** FROZEN is reached asynchronously (FREEZING while tasks are in the kernel). */
async function freeze(state: string): Promise<boolean> {
  try {
    io.write(state, 'FROZEN');
  } catch (err) {
    if (io.errnoCode(err) === 'ENOENT' || !io.exists(state)) return false;
    throw err;
  }
  const deadline = Date.now() + 2000;
  while (io.readOpt(state) === 'FREEZING' && Date.now() < deadline) await io.sleep(5);
  return true; // even if still FREEZING: whatever froze cannot fork
}

function thaw(state: string): void {
  try {
    io.write(state, 'THAWED');
  } catch {
    /* the cgroup is gone; nothing left to thaw */
  }
}
