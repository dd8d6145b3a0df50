// Where nscope's run latency goes, step by step, on this host.
//
// The daemon's create/start/exit/remove path (helper/runtime/containers/) is
// replayed in this process with the same modules (spec, init layer, atomic
// state files, cgroup driver, plan, nscope-shim, exec fifo), a timer around
// each step. Then the shim's part is taken apart by ablation: the same run
// with one piece of the plan left out (overlay, cgroup joins, the
// /sys/fs/cgroup mounts, masked/read-only paths, namespaces, ...), so each
// piece's cost is the difference of medians. Confinement is measured the
// same way: the default seccomp profile against none (and against compiling
// it on every run, i.e. without the cache), and --userns=auto against the
// default (a negative "saved" is what it adds). Nothing here changes nscope;
// it measures what would be saved.
//
//   node dist/bench/phases.js [--runs N] [--warmup W] [--mode cold|warm|both] [--gap MS]
//                             [--only VARIANT,...] [--state-dir DIR] [--out FILE]
//
// Modes as in run.ts: cold = --gap ms (default 50) idle before each run, so
// each starts with a cold cgroup_threadgroup_rwsem (without it a variant that
// follows another one's cgroup join gets that join's RCU grace period for free
// and looks cheaper); warm = the same variant replayed once, untimed, right
// before.
//
// The replay mirrors containers/create.ts, start.ts, exit.ts (onExit) and remove.ts;
// when those change, this file must follow (see the step names below).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { detectCgroups } from '../helper/cgroups/detect';
import type { Cgroup, CgroupDriver } from '../helper/cgroups/types';
import { overlayDirs, rootfsLayout } from '../helper/rootfs/layout';
import { writeInitLayer } from '../helper/rootfs/initlayer';
import { readJson, writeJsonAtomic } from '../helper/lib/atomic';
import { delegateCgroup } from '../helper/cgroups/delegate';
import { containerCgroupMounts } from '../helper/runtime/cgroup-mounts';
import { makeFifo, releaseFifo } from '../helper/runtime/fifo';
import { resourcesFromLimits } from '../helper/runtime/limits';
import { newId } from '../helper/runtime/names';
import { specFromOptions } from '../helper/runtime/options';
import { buildPlan, type ContainerCgroupMount } from '../helper/runtime/plan';
import { procStartTime } from '../helper/lib/procinfo';
import { containerPaths } from '../helper/runtime/record';
import { spawnShim, writePlan } from '../helper/runtime/shim';
import type { Spec } from '../helper/runtime/spec';
import { allocateIdMap, DEFAULT_SIZE, releaseIdMap } from '../helper/runtime/userns';
import { toHostId } from '../helper/lib/idmap';
import { DEFAULT_HOST_PROGRAMS } from '../helper/images/host-image';
import { ImageStore } from '../helper/images/store';
import { shuffled, sleep } from './lib/rounds';
import { nscopeCgroups, removeCgroups } from './lib/cgroups';
import { BenchDaemon, imageLayerDirs, randomTag, REPO } from './lib/daemon';
import { copyLayers } from './lib/oci';
import { fmt, mdTable, msSince, summarize } from './lib/stats';

const log = (s: string) => process.stderr.write(`phases: ${s}\n`);

interface Tweak {
  /** changes to the spec before the plan is built */
  spec?: (s: Spec) => void;
  overlay?: boolean;          // default true: overlay of init + image layers + rw
  joinCgroups?: boolean;      // default true: the child writes itself into each hierarchy's cgroup.procs
  cgroupFs?: boolean;         // default true: /sys/fs/cgroup with every hierarchy mounted in the container
  /** start the cgroup_threadgroup_rwsem grace period early: a no-op write of our own pid to our own cgroup.procs, async, right after the cgroup is made */
  prefetchGp?: boolean;
  /** mount the overlay with "volatile" (no sync of the upper layer on umount) */
  volatile?: boolean;
  /** default true: compiled seccomp filters kept by digest (as the daemon does); false: compiled on every run */
  seccompCache?: boolean;
  /** --userns=auto: a range of the nscope subordinate ids, the cgroup delegated, idmapped layers */
  userns?: boolean;
}

interface Variant { key: string; label: string; tweak: Tweak; /** what "saved" is measured against (default: full) */ base?: string }

/** No /sys mount: with the host's network namespace nscope would bind the host's /sys instead of mounting sysfs. */
const dropSys = (s: Spec) => { s.mounts = (s.mounts ?? []).filter((m) => !m.destination.startsWith('/sys')); };

const VARIANTS: Variant[] = [
  { key: 'full', label: 'as the daemon does it (default seccomp profile, filter from the cache)', tweak: {} },
  { key: 'unconfined', label: 'without seccomp (`--security-opt seccomp=unconfined`)', tweak: { spec: (s) => { delete s.linux!.seccomp; } } },
  { key: 'seccomp-compile', label: 'seccomp filter compiled by libseccomp on every run (no cache: a cache miss)', tweak: { seccompCache: false } },
  { key: 'userns', label: '`--userns=auto` (negative saved: what it adds)', tweak: { userns: true } },
  { key: 'no-cgroupfs', label: 'without the /sys/fs/cgroup mounts in the container', tweak: { cgroupFs: false } },
  { key: 'no-join', label: 'without joining the cgroups (no cgroup.procs writes)', tweak: { joinCgroups: false } },
  { key: 'no-masks', label: 'without maskedPaths/readonlyPaths', tweak: { spec: (s) => { s.linux!.maskedPaths = []; s.linux!.readonlyPaths = []; } } },
  { key: 'no-overlay', label: 'bind-mounted copy instead of overlay (no init/rw layer mount)', tweak: { overlay: false } },
  { key: 'no-sys', label: 'without the /sys and /sys/fs/cgroup mounts', tweak: { cgroupFs: false, spec: dropSys } },
  {
    key: 'no-netns', label: 'without a new network namespace (and without /sys; saved: vs. no-sys)', base: 'no-sys',
    tweak: { cgroupFs: false, spec: (s) => { dropSys(s); s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network'); } },
  },
  { key: 'no-cgroupns', label: 'without a new cgroup namespace', tweak: { spec: (s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'cgroup'); } } },
  {
    key: 'prefetch', label: 'PROPOSAL: cgroup made first, then its grace period started at once (async no-op cgroup.procs write)',
    tweak: { prefetchGp: true },
  },
  { key: 'volatile', label: 'PROPOSAL: overlay mounted with "volatile"', tweak: { volatile: true } },
  {
    key: 'proposed', label: 'PROPOSAL: both (prefetch + volatile; same isolation as full)',
    tweak: { prefetchGp: true, volatile: true },
  },
  {
    key: 'minimal', label: 'no cgroup join, overlay, /sys, masks, netns, cgroupns (floor of this design)',
    tweak: {
      cgroupFs: false, joinCgroups: false, overlay: false,
      spec: (s) => {
        dropSys(s);
        s.linux!.maskedPaths = []; s.linux!.readonlyPaths = [];
        s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network' && n.type !== 'cgroup');
      },
    },
  },
];

interface Ctx {
  stateRoot: string;
  containersDir: string;
  layers: string[];
  copyRoot: string;
  /** a second reader of the daemon's image store (read-only use) */
  images: ImageStore;
  cgroups: CgroupDriver;
  cgroupParent: string;
  /** our own cgroup.procs in one v1 hierarchy (or v2), open for writing, for prefetchGp */
  ownProcsFd?: number;
  /** where compiled seccomp filters are kept (the daemon: `<root>/run/.seccomp` on its tmpfs) */
  seccompCache: string;
}

/**
 * releaseFifo (helper/runtime/fifo.ts) reads the fifo (EAGAIN), then checks
 * that the init is alive; if in between the init writes its byte, execs and
 * exits (a zombie counts as gone), start fails with "the container's init is
 * gone" although the container ran. Counted, not treated as the variant failing.
 */
class StartRace extends Error {}

/** One container, create → start → exit → remove, with a lap time per step (ms). */
async function replay(ctx: Ctx, t: Tweak): Promise<Map<string, number>> {
  const laps = new Map<string, number>();
  let t0 = process.hrtime.bigint();
  const lap = (name: string) => { laps.set(name, (laps.get(name) ?? 0) + msSince(t0)); t0 = process.hrtime.bigint(); };

  // create(): the image from the store, options -> spec
  const resolved = ctx.images.resolve('host');
  lap('image resolve (index, manifest, config read from the store)');
  const id = newId();
  const hostname = id.slice(0, 12);
  // the replay keeps everything on the state root's disk (the daemon puts the runtime part on a tmpfs: runtime/run-dir.ts)
  const p = containerPaths(path.join(ctx.containersDir, id), path.join(ctx.containersDir, id));
  const idMap = t.userns ? allocateIdMap(DEFAULT_SIZE, p.dir, []) : undefined;
  try {
    return await replayWith(ctx, t, laps, lap, resolved, id, hostname, p, idMap);
  } finally {
    releaseIdMap(idMap);
  }
}

async function replayWith(ctx: Ctx, t: Tweak, laps: Map<string, number>, lap: (name: string) => void, resolved: ReturnType<ImageStore['resolve']>,
  id: string, hostname: string, p: ReturnType<typeof containerPaths>, idMap: ReturnType<typeof allocateIdMap> | undefined): Promise<Map<string, number>> {
  const spec = specFromOptions({ opts: { image: 'host', cmd: ['/bin/true'], rm: true }, image: resolved.config.config ?? {}, layers: resolved.layerDirs, hostname, containerPid: () => { throw new Error('no'); }, idMap });
  const cgroupRel = `${ctx.cgroupParent}/${id}`;
  spec.linux!.cgroupsPath = `/${cgroupRel}`;
  spec.linux!.resources = { ...resourcesFromLimits({}), devices: spec.linux!.resources?.devices };
  spec.process.terminal = false;
  t.spec?.(spec);
  const layout = rootfsLayout(ctx.stateRoot, p.dir, resolved.layerDirs);
  const record = {
    id, name: `bench_${id.slice(0, 6)}`, image: 'host', imageId: 'x', command: spec.process.args, created: new Date().toISOString(),
    status: 'created', autoRemove: true, hostname, limits: {}, cgroupRel, layers: resolved.layerDirs, labels: {}, tty: false, interactive: false,
  } as Record<string, unknown>;
  lap('spec from options');

  let cg!: Cgroup;
  let prefetch: Promise<Error | undefined> | undefined;
  const makeCgroup = () => {
    cg = ctx.cgroups.create(cgroupRel, spec.linux!.resources!);
    lap('cgroup create (mkdir in every hierarchy, cpuset, devices rules)');
    // after the mkdirs: the write holds cgroup_mutex through its grace period
    if (t.prefetchGp && ctx.ownProcsFd !== undefined) prefetch = noopJoin(ctx.ownProcsFd);
  };
  // the proposal makes the cgroup first, so the grace period overlaps all the file work below
  if (t.prefetchGp) makeCgroup();
  fs.mkdirSync(p.dir, { mode: 0o700 });
  for (const d of [layout.mountpoint, layout.upper, layout.work, layout.init]) fs.mkdirSync(d, { mode: 0o755 });
  writeInitLayer(layout.init, hostname);
  lap('state dir + init layer files');
  if (idMap) {
    // giveToUserns in containers/create.ts (the cgroup is made below, so its delegation is timed here after it)
    fs.chownSync(layout.upper, toHostId(idMap.uid, 0)!, toHostId(idMap.gid, 0)!);
  }
  writeJsonAtomic(p.config, spec);
  lap('config.json (atomic write)');
  if (!t.prefetchGp) makeCgroup();
  if (idMap) {
    delegateCgroup(cg, ctx.cgroups.version, toHostId(idMap.uid, 0)!, toHostId(idMap.gid, 0)!);
    lap('userns: id range reserved, cgroup delegated, upper chowned');
  }
  const cgroupMounts: ContainerCgroupMount[] = t.cgroupFs === false ? [] : containerCgroupMounts();
  lap('containerCgroupMounts() (mountinfo parse)');
  const overlay = t.overlay === false ? undefined : overlayDirs(layout);
  const rootfs = t.overlay === false ? ctx.copyRoot : layout.mountpoint;
  const plan = buildPlan({
    spec, rootfs, bundle: p.dir, overlay, cgroupProcs: t.joinCgroups === false ? [] : cg.joinFiles(),
    logFile: p.log, exitFile: p.exit, pidFile: p.pid, fifo: p.fifo, cgroupMounts,
    seccompCacheDir: t.seccompCache === false ? undefined : ctx.seccompCache,
  });
  writePlan(p.plan, t.volatile ? Buffer.from(plan.buffer.toString('utf8').replace(/(\0lowerdir=[^\0]*)/, '$1,volatile'), 'utf8') : plan.buffer);
  makeFifo(p.fifo);
  lap('plan build + write, exec.fifo');
  writeJsonAtomic(p.state, record);
  lap('state.json (atomic write)');
  let shim;
  try {
    shim = await spawnShim(p.plan);
  } catch (e) {
    await cg.destroy().catch(() => undefined);
    fs.rmSync(p.dir, { recursive: true, force: true });
    throw e;
  }
  lap('nscope-shim: spawn → clone → child set-up → "ok"');
  record.pid = shim.pid;
  record.pidStart = procStartTime(shim.pid) ?? undefined;
  record.shimPid = shim.shimPid;
  writeJsonAtomic(p.state, record);
  lap('state.json with pid (atomic write)');

  // start()
  try {
    await releaseFifo(p.fifo, shim.pid, record.pidStart as number | undefined);
  } catch (e) {
    const ex = await shim.exited;
    const f = readJson<{ error?: string; exitCode?: number; signal?: number }>(p.exit);
    await cg.destroy().catch(() => undefined);
    fs.rmSync(p.dir, { recursive: true, force: true });
    const msg = `${(e as Error).message} (exit ${ex?.exitCode ?? f?.exitCode} signal ${ex?.signal ?? f?.signal})${f?.error ? `: ${f.error}` : ''}`;
    // exit 0: /bin/true did run, so the fifo was read; releaseFifo lost a race (see StartRace)
    throw ex?.exitCode === 0 && !f?.error ? new StartRace(msg) : new Error(msg);
  }
  lap('start: exec.fifo released');
  record.status = 'running';
  record.startedAt = new Date().toISOString();
  writeJsonAtomic(p.state, record);
  lap('start: state.json (atomic write)');

  // exit: the shim's "exit" line, then onExit()
  const exit = await shim.exited;
  lap('execve /bin/true → exit → shim exit.json + "exit" line');
  if (!exit || exit.exitCode !== 0) {
    const f = readJson<{ error?: string }>(p.exit);
    await cg.destroy().catch(() => undefined);
    fs.rmSync(p.dir, { recursive: true, force: true });
    throw new Error(`/bin/true: ${exit ? `exit ${exit.exitCode}` : 'no exit status'}${f?.error ? `: ${f.error}` : ''}`);
  }
  const file = readJson(p.exit);
  try { if (cg.exists()) cg.stats(); } catch { /* gone */ }
  record.status = 'exited';
  record.exit = file;
  try { fs.unlinkSync(p.fifo); } catch { /* started */ }
  writeJsonAtomic(p.state, record);
  lap('onExit: exit.json read, cgroup stats, state.json');
  // ---- the wait result is sent here; the rest is --rm's clean-up ----
  const pf = await prefetch;
  if (pf) throw new Error(`no-op cgroup.procs write: ${pf.message}`);
  await cg.destroy();
  lap('remove: cgroup destroy');
  fs.rmSync(p.dir, { recursive: true, force: true });
  lap('remove: rm -r state dir');
  return laps;
}

/**
 * Writes our own pid to the cgroup.procs we are already in: moves nothing, but
 * takes cgroup_threadgroup_rwsem for writing, so its RCU grace period starts
 * now, in a libuv thread, while the main thread goes on (the fd is opened once,
 * so the write(2) is queued without another trip through the event loop).
 */
function noopJoin(fd: number): Promise<Error | undefined> {
  return new Promise((resolve) => fs.write(fd, String(process.pid), (err) => resolve(err ?? undefined)));
}

/** This process's cgroup.procs in the pids hierarchy (v1) or the unified one. */
function ownProcsFile(): string | undefined {
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, ctrls, rel] = line.split(':');
    if (rel === undefined) continue;
    if (ctrls.split(',').includes('pids')) return path.join('/sys/fs/cgroup/pids', rel, 'cgroup.procs');
    if (ctrls === '' && fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) return path.join('/sys/fs/cgroup', rel, 'cgroup.procs');
  }
  return undefined;
}

/** spawn() of /bin/true from this process, with the shim's stdio (fd 3 pipe, detached). */
function spawnFloor(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn('/bin/true', [], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: true });
    c.on('error', reject);
    c.on('exit', () => resolve(msSince(t0)));
  });
}

const CRITICAL_END = 'onExit: exit.json read, cgroup stats, state.json';
/** variants shown step by step beside the full run */
const CONFINEMENT = ['unconfined', 'seccomp-compile', 'userns'];

async function main(): Promise<void> {
  let runs = 30;
  let warmup = 3;
  let gap = 50;
  let modeArg: 'cold' | 'warm' | 'both' = 'both';
  let only: string[] | undefined;
  let stateDir = os.tmpdir();
  let out = path.join(REPO, 'bench', 'results', 'phases.md');
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--warmup') warmup = Number(argv[++i]);
    else if (argv[i] === '--gap') gap = Number(argv[++i]);
    else if (argv[i] === '--only') only = argv[++i].split(',');
    else if (argv[i] === '--mode') {
      const m = argv[++i];
      if (m !== 'cold' && m !== 'warm' && m !== 'both') throw new Error('--mode: cold, warm or both');
      modeArg = m;
    }
    else if (argv[i] === '--state-dir') stateDir = path.resolve(argv[++i]);
    else if (argv[i] === '--out') out = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${argv[i]} (--runs N --warmup W --mode cold|warm|both --gap MS --only full,no-join,... --state-dir DIR --out FILE)`);
  }
  if (process.getuid?.() !== 0) throw new Error('run as root');
  const tag = randomTag();
  const daemon = new BenchDaemon(tag, stateDir);
  // Ctrl-C: finish the run in flight, then clean up (the daemon has its own process group)
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping after the current run, then cleaning up');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await daemon.start();
    const c = await daemon.client();
    await c.request('image.host', { name: 'host', programs: [...DEFAULT_HOST_PROGRAMS, 'true'] });
    const layers = await imageLayerDirs(c);
    // the RPC floor: one request/answer on the warm connection
    const rpc: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = process.hrtime.bigint();
      await c.request('system.info', {});
      if (i >= warmup) rpc.push(msSince(t0));
    }
    const containersDir = path.join(daemon.root, 'bench-containers');
    fs.mkdirSync(containersDir, { recursive: true, mode: 0o700 });
    const copyRoot = path.join(daemon.dir, 'rootfs-copy');
    copyLayers(layers, copyRoot);
    for (const d of ['proc', 'sys', 'dev', 'dev/pts', 'dev/shm', 'dev/mqueue']) fs.mkdirSync(path.join(copyRoot, d), { recursive: true });
    const ctx: Ctx = {
      stateRoot: daemon.root, containersDir, layers, copyRoot, images: new ImageStore(daemon.root), cgroups: detectCgroups(),
      cgroupParent: `nscope-bench-${tag}-phases`, seccompCache: path.join(daemon.root, 'bench-seccomp'),
    };
    const own = ownProcsFile();
    if (own) ctx.ownProcsFd = fs.openSync(own, fs.constants.O_WRONLY);

    type Mode = 'cold' | 'warm';
    const modes: Mode[] = modeArg === 'both' ? ['cold', 'warm'] : [modeArg];
    const results = new Map<string, Map<string, number>[]>();
    for (const m of modes) for (const v of VARIANTS) results.set(`${m}:${v.key}`, []);
    const errors = new Map<string, string>();
    const races: string[] = [];
    const floor: number[] = [];
    log(`${warmup} warm-up + ${runs} rounds of ${VARIANTS.length} variants × ${modes.join(' + ')}`);
    for (let i = -warmup; i < runs; i++) {
      for (const mode of shuffled(modes)) {
        for (const v of shuffled(VARIANTS)) {
          if (interrupted) throw new Error('interrupted');
          if (errors.has(v.key) || (only && !only.includes(v.key))) continue;
          await sleep(gap);
          try {
            if (mode === 'warm') await replay(ctx, v.tweak); // the primer: the same variant right before
            const laps = await replay(ctx, v.tweak);
            if (i >= 0) results.get(`${mode}:${v.key}`)!.push(laps);
          } catch (e) {
            if (e instanceof StartRace) { races.push(`${mode}:${v.key}`); log(`${v.key}: start race: ${e.message}`); continue; }
            errors.set(v.key, (e as Error).message); log(`${v.key}: ${(e as Error).message}`);
          }
        }
      }
      const f = await spawnFloor();
      if (i >= 0) floor.push(f);
      if ((i + 1) % 10 === 0 && i >= 0) log(`  ${i + 1}/${runs}`);
    }

    if (ctx.ownProcsFd !== undefined) fs.closeSync(ctx.ownProcsFd);

    // ---- report ----
    const SHIM = 'nscope-shim: spawn → clone → child set-up → "ok"';
    const EXIT = 'execve /bin/true → exit → shim exit.json + "exit" line';
    const med = (xs: number[]) => summarize(xs).median;
    const total = (laps: Map<string, number>, which: string[]) => which.reduce((a, s) => a + (laps.get(s) ?? 0), 0);
    /** a run's time up to the wait result, its own steps (a variant may have one more) */
    const critical = (laps: Map<string, number>) => { const k = [...laps.keys()]; return total(laps, k.slice(0, k.indexOf(CRITICAL_END) + 1)); };
    const sections: string[] = [];
    for (const mode of modes) {
      const full = results.get(`${mode}:full`)!;
      // the confinement variants step by step beside the full run: where their cost lands
      const beside = CONFINEMENT.filter((k) => results.get(`${mode}:${k}`)?.length);
      const steps: string[] = [];
      for (const key of ['full', ...beside]) {
        const ks = [...(results.get(`${mode}:${key}`)?.[0]?.keys() ?? [])];
        ks.forEach((k, i) => { if (!steps.includes(k)) steps.splice(i ? steps.indexOf(ks[i - 1]) + 1 : 0, 0, k); });
      }
      const criticalSteps = steps.slice(0, steps.indexOf(CRITICAL_END) + 1);
      const medOf = (key: string, step: string) => fmt(med((results.get(`${mode}:${key}`) ?? []).map((l) => l.get(step) ?? 0)), 2);
      const stepRows = steps.map((s) => {
        const sm = summarize(full.map((l) => l.get(s) ?? 0));
        return [s + (criticalSteps.includes(s) ? '' : ' *(after the wait result)*'), fmt(sm.median, 2), fmt(sm.p90, 2), fmt(sm.min, 2), ...beside.map((k) => medOf(k, s))];
      });
      const critFull = summarize(full.map(critical));
      stepRows.push(['**sum up to the wait result** (replay, no RPC)', fmt(critFull.median, 2), fmt(critFull.p90, 2), fmt(critFull.min, 2),
        ...beside.map((k) => fmt(med(results.get(`${mode}:${k}`)!.map(critical)), 2))]);
      const critOf = (key: string) => med((results.get(`${mode}:${key}`) ?? []).map(critical));
      const shimOf = (key: string) => med((results.get(`${mode}:${key}`) ?? []).map((l) => l.get(SHIM) ?? 0));
      const variantRows = VARIANTS.filter((v) => !only || only.includes(v.key)).map((v) => {
        const r = results.get(`${mode}:${v.key}`)!;
        if (errors.has(v.key) && r.length < runs) return [v.label, '–', '–', '–', '–', `failed: ${errors.get(v.key)!.replace(/\|/g, '\\|')}`];
        const b = v.base ?? 'full';
        return [v.label, fmt(critOf(v.key), 2), fmt(shimOf(v.key), 2), fmt(med(r.map((l) => l.get(EXIT) ?? 0)), 2),
          v.key === 'full' ? '' : fmt(critOf(b) - critOf(v.key), 2), v.key === 'full' ? '' : fmt(shimOf(b) - shimOf(v.key), 2)];
      });
      sections.push(
        `## ${mode === 'cold' ? `Cold (${gap} ms idle before each run)` : `Warm (the same variant replayed once, untimed, right before)`}`,
        '',
        '### Steps (as the daemon does it)',
        '',
        mdTable(['step', 'median ms', 'p90 ms', 'min ms', ...beside.map((k) => `\`${k}\` median ms`)], stepRows),
        '',
        '### What each piece costs (ablation: the same run with one piece left out)',
        '',
        mdTable(['variant', 'to wait result ms', 'shim → "ok" ms', 'exec → exit line ms', 'saved ms (total)', 'saved ms (shim)'], variantRows),
        '',
      );
    }
    const rpcS = summarize(rpc);
    const floorS = summarize(floor);
    const md = [
      '# nscope run latency: phase breakdown',
      '',
      `Measured ${new Date().toISOString()} by \`node dist/bench/phases.js\` (bench/phases.ts), ${warmup} warm-up + ${runs} rounds `
        + `(variants in random order, ${gap} ms idle before each); kernel ${os.release()}, ${os.cpus().length} CPU, node ${process.version}, state on ${stateDir}.`,
      'The daemon\'s create → start → exit → remove path (ContainerManager) replayed in-process with the same modules, '
        + 'no RPC, one timer per step; "saved" = median of the full run minus median of the variant (noise: several tenths of a ms).',
      '',
      `For reference: an RPC round trip on the warm connection (\`system.info\`) takes ${fmt(rpcS.median, 2)} ms (p90 ${fmt(rpcS.p90, 2)}); `
        + `\`spawn()\` of /bin/true from Node with the shim's stdio ${fmt(floorS.median, 2)} ms (p90 ${fmt(floorS.p90, 2)}).`,
      '',
      ...(races.length ? [`**start race** (releaseFifo: EAGAIN, then the init already exited → "the container's init is gone" although /bin/true ran): ${races.length} time(s), in ${[...new Set(races)].join(', ')}; those runs are left out.`, ''] : []),
      ...sections,
    ].join('\n');
    process.stdout.write(md + '\n');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, md);
    log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    const problems = await daemon.cleanup();
    problems.push(...removeCgroups(`nscope-bench-${tag}`));
    problems.push(...nscopeCgroups().filter((d) => d.includes(tag)).map((d) => `cgroup left: ${d}`));
    if (problems.length) { log('clean-up problems:'); for (const p of problems) log(`  ${p}`); process.exitCode = 1; } else log('cleaned up');
  }
}

main().catch((e) => {
  const interrupted = e instanceof Error && e.message === 'interrupted';
  process.stderr.write(`phases: ${interrupted ? 'interrupted' : e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = interrupted ? 130 : 1;
});
