// Run latency, side by side in one run on the same host-image rootfs:
//   nscope run --rm host /bin/true   through a warm client connection
//                                    (create(rm) + start + wait, timed in this process;
//                                    overlay rootfs and cgroup included), three ways:
//                                    the default (Docker's seccomp profile),
//                                    --security-opt seccomp=unconfined, and --userns=auto
//   runc run --bundle B ID           a copy of the image's layers as rootfs, `runc spec`
//                                    (which has no seccomp filter)
//   crun run --bundle B ID           same bundle, timed inside a private mount namespace
//                                    without the cgroup2 mount on hybrid hosts; once as
//                                    `runc spec` writes it, once with the linux.seccomp
//                                    nscope's default container gets (Docker's profile)
//   unshare -m -p -u -i -n --fork chroot ROOTFS /bin/true   (reference)
//   spawn /bin/true                  (the timer loop's own floor)
//   nscope run --rm … as a CLI process (reference: what a shell user waits for)
// Warm-up runs first, then the timed runs in rounds (each command once per round
// and mode, in random order), so machine noise hits every command alike. Prints
// medians, p90, min and the ratios (RATIOS below), and writes them
// to bench/results/run-latency.md (+ .json with every sample). Timing is
// reported, never asserted.
//
// Two modes, both measured in every round (--mode cold|warm|both):
//   cold  --gap ms (default 50) idle before the timed run: a sporadic `run`.
//   warm  the same command once, untimed, right before the timed run
//         (back-to-back, as hyperfine measures a burst of runs).
// They differ because joining a cgroup v1 (a write to cgroup.procs) takes
// cgroup_threadgroup_rwsem for writing, which waits for a full RCU grace period
// (~5-20 ms at HZ=250) unless another join happened within about one grace
// period before. Every runtime joins cgroups, so each pays it cold and may skip
// it warm, the sooner its join follows the previous one the likelier; without
// the gap or the primer, whichever command ran right after another one's join
// would get it for free.
//
//   npm run bench -- [--runs N] [--warmup W] [--daemon-warmup D] [--mode cold|warm|both] [--gap MS]
//                    [--no-cli] [--no-runc] [--no-crun] [--no-userns] [--state-dir DIR] [--out FILE]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_HOST_PROGRAMS } from '../helper/images/host-image';
import { hybridUnifiedMounts, nscopeCgroups } from './lib/cgroups';
import { imageLayerDirs, nscopeSeccomp, REPO } from './lib/daemon';
import { copyLayers, generatedSpec, makeBundle, toolVersion, writeRunConfig, type Bundle } from './lib/oci';
import { TimerClient, type TimedRun } from './lib/proc';
import { fmt, mdTable, msSince, summarize, type Summary } from './lib/stats';
import { shq, shuffled, sleep } from './lib/rounds';
import { parseBenchArgs } from './lib/options';
import { stopOnSignal } from './lib/interrupt';
import { BenchSession } from './lib/session';

type Mode = 'cold' | 'warm';

interface Options {
  runs: number; warmup: number; daemonWarmup: number; modes: Mode[]; gap: number; cli: boolean; runc: boolean; crun: boolean; userns: boolean; stateDir: string; out: string;
}

function parseArgs(argv: string[]): Options {
  const o = parseBenchArgs(argv, 'dist/bench/run.js', path.join(REPO, 'bench', 'results', 'run-latency.md'), ['cli', 'runc', 'crun', 'userns'] as const);
  return { runs: o.runs, warmup: o.warmup, daemonWarmup: o.daemonWarmup, modes: o.modes, gap: o.gap, stateDir: o.stateDir, out: o.out, ...o.on };
}

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

/** Client-observed phases of one nscope run (ms). */
interface NscopePhases { create: number; start: number; exitStatus: number; removed: number }

/** `round`: the timed round it belongs to (every command runs once per round and mode). */
interface Sample { ms: number; phases?: NscopePhases; untilRemoved?: number; round?: number }

/**
 * The nscope containers measured, [key, label, container.create options]: the
 * default (seccomp on, Docker's profile) first, then the same with its
 * confinement changed, for the cost of each.
 */
const NSCOPE: [string, string, Record<string, unknown>][] = [
  ['nscope', '`nscope run --rm host /bin/true` (warm connection: create+start+wait; default seccomp profile)', {}],
  ['nscope-unconfined', '… the same with `--security-opt seccomp=unconfined`', { securityOpt: ['seccomp=unconfined'] }],
  ['nscope-userns', '… the same with `--userns=auto` (and the default seccomp profile)', { userns: 'auto' }],
];

/** The ratios reported (medians), [numerator key, denominator key, label]. */
const RATIOS: [string, string, string][] = [
  ['nscope', 'nscope-unconfined', 'default profile/unconfined'],
  ['nscope-userns', 'nscope', 'userns=auto/default'],
  ['nscope', 'crun', 'nscope/crun'],
  ['nscope', 'crun-seccomp', "nscope/crun+Docker's profile"],
  ['nscope', 'runc', 'nscope/runc'],
];

/** One benchmarked command: `once(suffix)` performs one run and returns its time, or throws. */
interface Subject {
  key: string;
  label: string;
  once: (suffix: string) => Promise<Sample>;
  samples: Record<Mode, Sample[]>;
  error?: string;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark runs containers: run it as root');
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) throw new Error('not built: run `node scripts/build.mjs` first (npm run bench does)');

  const session = new BenchSession(o.stateDir);
  const { daemon, timers, tag } = session;
  const ociIds = session.oci;
  const work = path.join(daemon.dir, 'oci');
  const cleanup = () => session.cleanup();
  const stop = stopOnSignal(log);
  const checkInterrupt = () => stop.check();

  try {
    const c = await session.start(log, [...DEFAULT_HOST_PROGRAMS, 'true']);
    const layerDirs = await imageLayerDirs(c);
    log(`image layers: ${layerDirs.join(', ')}`);

    // --rm's removal runs after the exit status is sent: wait for it (untimed) so it never overlaps the next command
    const removedIds = new Set<string>();
    const removedWaiters = new Map<string, () => void>();
    await c.onEvent((ev) => {
      if (ev.type !== 'container.removed') return;
      removedIds.add(ev.id);
      removedWaiters.get(ev.id)?.();
    });
    const removed = (id: string) => new Promise<void>((resolve, reject) => {
      if (removedIds.delete(id)) { resolve(); return; }
      const t = setTimeout(() => reject(new Error(`container ${id} was not removed within 10s`)), 10000);
      removedWaiters.set(id, () => { clearTimeout(t); removedWaiters.delete(id); removedIds.delete(id); resolve(); });
    });
    const newSamples = (): Record<Mode, Sample[]> => ({ cold: [], warm: [] });

    const subjects: Subject[] = [];
    const nscopeRun = (key: string, label: string, extra: Record<string, unknown>): Subject => ({
      key, label, samples: newSamples(),
      once: async () => {
        const t0 = process.hrtime.bigint();
        // no network, as `crun run` of a bundle has none (bench/net.ts times what the default bridge adds)
        const { id } = await c.request('container.create', { image: 'host', cmd: ['/bin/true'], rm: true, net: 'none', ...extra });
        const t1 = msSince(t0);
        const waited = c.request('container.wait', { id });
        await c.request('container.start', { id });
        const t2 = msSince(t0);
        const exit = await waited;
        const t3 = msSince(t0);
        await removed(id);
        const t4 = msSince(t0);
        if (exit.exitCode !== 0) throw new Error(`nscope: /bin/true exited ${exit.exitCode}${exit.error ? `: ${exit.error}` : ''}`);
        return { ms: t3, untilRemoved: t4, phases: { create: t1, start: t2 - t1, exitStatus: t3 - t2, removed: t4 - t3 } };
      },
    });
    for (const [key, label, extra] of NSCOPE) if (o.userns || !extra.userns) subjects.push(nscopeRun(key, label, extra));

    // ---- runc / crun bundles on a copy of the image's layers ----
    const runcVersion = o.runc ? toolVersion('runc') : null;
    const crunVersion = o.crun ? toolVersion('crun') : null;
    const missing = [o.runc && !runcVersion ? 'runc' : '', o.crun && !crunVersion ? 'crun' : ''].filter(Boolean);
    if (missing.length) log(`${missing.join(' and ')} not installed: reporting without ${missing.length > 1 ? 'them' : 'it'}. Install with: apt-get install -y ${missing.join(' ')}`);
    const rootfs = path.join(work, 'rootfs');
    copyLayers(layerDirs, rootfs);
    if (!fs.existsSync(path.join(rootfs, 'bin', 'true'))) throw new Error(`the host image has no /bin/true (looked in ${rootfs})`);
    const hostTimer = await TimerClient.start('host', [process.execPath, path.join(__dirname, 'timer.js'), '--serve']);
    timers.push(hostTimer);

    let baseSpec: Record<string, any> | undefined;
    if (runcVersion || crunVersion) baseSpec = generatedSpec(runcVersion ? 'runc' : 'crun', path.join(work, 'spec'));

    const checked = (what: string, r: TimedRun): Sample => {
      if (r.code !== 0) throw new Error(`${what}: exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      return { ms: r.ms };
    };
    const ociSubject = (bin: 'runc' | 'crun', key: string, timer: TimerClient, label: string, linux: Record<string, unknown> = {}): Subject => {
      const b: Bundle = makeBundle(path.join(work, `bundle-${key}`), baseSpec!, rootfs, ['/bin/true'], linux);
      const stateRoot = path.join(work, `state-${key}`);
      fs.mkdirSync(stateRoot, { recursive: true });
      return {
        key, label, samples: newSamples(),
        once: async (suffix) => {
          const id = `nsb-${tag}-${key}-${suffix}`;
          writeRunConfig(b, `/nscope-bench-${tag}-${key}/${id}`);
          ociIds.push({ bin, root: stateRoot, id });
          return checked(`${key} run`, await timer.run([bin, '--root', stateRoot, 'run', '--bundle', b.dir, id]));
        },
      };
    };
    if (runcVersion) subjects.push(ociSubject('runc', 'runc', hostTimer, '`runc run` (same rootfs, runc spec: no seccomp)'));
    if (crunVersion) {
      const hidden = hybridUnifiedMounts();
      // Only unmounting it would expose the host's tmpfs directory under it, where crun (now seeing a
      // legacy host, yet listing "0::/" in /proc/self/cgroup) creates directories and cgroup.procs
      // files that outlive the run, hidden under the host's cgroup2 mount: cover it with a private tmpfs.
      const inner = [
        ...hidden.map((m) => `umount ${shq(m)} && mount -t tmpfs -o size=16m,mode=755 nscope-bench ${shq(m)} &&`),
        'exec', shq(process.execPath), shq(path.join(__dirname, 'timer.js')), '--serve',
      ].join(' ');
      const crunTimer = await TimerClient.start('crun', ['unshare', '-m', '--propagation', 'private', 'sh', '-c', inner]);
      timers.push(crunTimer);
      subjects.push(ociSubject('crun', 'crun', crunTimer, `\`crun run\` (same rootfs, runc spec: no seccomp${hidden.length ? `; private mount ns without ${hidden.join(', ')}` : ''})`));
      // the filter nscope's default container gets, in crun's config: the same confinement as `nscope`
      const seccomp = await nscopeSeccomp(c, daemon);
      if (seccomp) {
        subjects.push(ociSubject('crun', 'crun-seccomp', crunTimer, `… the same with nscope's default \`linux.seccomp\` (Docker's profile: ${(seccomp.syscalls as { names: string[] }[]).reduce((n, r) => n + r.names.length, 0)} syscall names) in config.json`, { seccomp }));
      } else log("nscope's default container has no linux.seccomp: no crun+profile row");
    }
    subjects.push({
      key: 'chroot', label: '`unshare -m -p -u -i -n --fork chroot ROOTFS /bin/true` (reference: no cgroup, no mounts)', samples: newSamples(),
      once: async () => checked('unshare chroot', await hostTimer.run(['unshare', '-m', '-p', '-u', '-i', '-n', '--fork', 'chroot', rootfs, '/bin/true'])),
    });
    subjects.push({
      key: 'spawn', label: 'spawn `/bin/true` from the timer loop (floor)', samples: newSamples(),
      once: async () => checked('/bin/true', await hostTimer.run(['/bin/true'])),
    });
    if (o.cli) {
      subjects.push({
        key: 'cli', label: '`nscope run --rm host /bin/true` as a CLI process (incl. Node start-up; reference)', samples: newSamples(),
        once: async () => checked('nscope CLI', await hostTimer.run([process.execPath, path.join(REPO, 'bin', 'nscope'), '--socket', daemon.socket, 'run', '--rm', 'host', '/bin/true'])),
      });
    }
    const attempt = async (s: Subject, suffix: string): Promise<Sample | undefined> => {
      if (s.error) return undefined;
      try { return await s.once(suffix); } catch (e) { s.error = (e as Error).message; log(`${s.key}: ${s.error}`); return undefined; }
    };

    // ---- warm-up, then rounds ----
    // The daemon is a long-running process: its JavaScript runs JIT-compiled
    // once it has served some requests, as it does in use. Reach that steady
    // state first (runc and crun start fresh processes: nothing to warm).
    log(`daemon warm-up: ${o.daemonWarmup} nscope run(s)`);
    const nscopes = subjects.filter((s) => s.key.startsWith('nscope'));
    for (let w = 0; w < o.daemonWarmup; w++) { checkInterrupt(); await attempt(nscopes[w % nscopes.length], `d${w}`); }
    log(`warm-up: ${o.warmup} run(s) of each of ${subjects.length} commands`);
    for (let w = 0; w < o.warmup; w++) {
      for (const s of shuffled(subjects)) { checkInterrupt(); await attempt(s, `w${w}`); await sleep(o.gap); }
    }
    log(`timed: ${o.runs} rounds × ${o.modes.join(' + ')}`);
    for (let i = 0; i < o.runs; i++) {
      for (const mode of shuffled(o.modes)) {
        for (const s of shuffled(subjects)) {
          checkInterrupt();
          let r: Sample | undefined;
          if (mode === 'cold') {
            await sleep(o.gap);
            r = await attempt(s, `${i}c`);
          } else {
            await sleep(o.gap);
            if (await attempt(s, `${i}p`)) r = await attempt(s, `${i}w`);
          }
          if (r) s.samples[mode].push({ ...r, round: i });
        }
      }
      if ((i + 1) % 10 === 0) log(`  ${i + 1}/${o.runs}`);
    }

    // ---- report ----
    const md = report(o, subjects, environment(runcVersion, crunVersion, o));
    process.stdout.write(md + '\n');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, md);
    const json = o.out.replace(/\.md$/, '') + '.json';
    fs.writeFileSync(json, JSON.stringify({
      date: new Date().toISOString(), runs: o.runs, warmup: o.warmup, gap: o.gap, modes: o.modes,
      samples: Object.fromEntries(subjects.map((s) => [s.key, s.samples])),
      ratios: Object.fromEntries(o.modes.map((m) => [m, ratiosOf(subjects, m)])),
      errors: Object.fromEntries(subjects.filter((s) => s.error).map((s) => [s.key, s.error])),
    }) + '\n');
    log(`wrote ${o.out} and ${json}`);
  } finally {
    const problems = await cleanup();
    const left = nscopeCgroups();
    problems.push(...left.filter((d) => d.includes(tag)).map((d) => `cgroup left: ${d}`));
    const others = left.filter((d) => !d.includes(tag));
    if (others.length) log(`note: ${others.length} nscope cgroup(s) not made by this run exist (e.g. ${others[0]})`);
    if (problems.length) { log('clean-up problems:'); for (const p of problems) log(`  ${p}`); process.exitCode = 1; } else log('cleaned up: daemon stopped, temp dirs and cgroups removed');
    if (stop.interrupted) process.exitCode = 130;
  }
}

/**
 * Each ratio of RATIOS whose two commands were measured in `mode`: label ->
 * median/median, and `paired`, the median over the rounds of the two
 * commands' ratio in that round: on a shared machine whose load drifts from
 * minute to minute it moves much less from run to run (the two ran seconds
 * apart), which matters when the question is a few percent.
 */
function ratiosOf(subjects: Subject[], mode: Mode): Record<string, { median: number; paired: number }> {
  const samples = (key: string) => subjects.find((s) => s.key === key)?.samples[mode] ?? [];
  const out: Record<string, { median: number; paired: number }> = {};
  for (const [num, den, label] of RATIOS) {
    const median = summarize(samples(num).map((x) => x.ms)).median / summarize(samples(den).map((x) => x.ms)).median;
    if (!Number.isFinite(median)) continue;
    const byRound = new Map(samples(den).map((x) => [x.round, x.ms] as const));
    const perRound = samples(num).filter((x) => byRound.has(x.round)).map((x) => x.ms / byRound.get(x.round)!);
    out[label] = { median, paired: summarize(perRound).median };
  }
  return out;
}

function report(o: Options, subjects: Subject[], env: string): string {
  const modeTitle: Record<Mode, string> = {
    cold: `cold: ${o.gap} ms idle before each run (a sporadic \`run\`)`,
    warm: 'warm: the same command once, untimed, right before each run (back-to-back, like hyperfine)',
  };
  const out: string[] = [
    '# Run latency: nscope vs runc vs crun',
    '',
    `Measured ${new Date().toISOString()} by \`npm run bench\` (bench/run.ts): ${o.daemonWarmup} daemon warm-up runs (JIT), ${o.warmup} warm-up + ${o.runs} rounds; `
      + `each round runs every command once per mode, in random order.`,
    '',
    env,
  ];
  const headline: string[] = [];
  const nscopes = subjects.filter((s) => s.key.startsWith('nscope'));
  for (const mode of o.modes) {
    const sum = (s: Subject) => summarize(s.samples[mode].map((x) => x.ms));
    const byKey = new Map(subjects.map((s) => [s.key, sum(s)] as const));
    const untilRemoved = (s: Subject) => summarize(s.samples[mode].map((x) => x.untilRemoved ?? NaN).filter(Number.isFinite));
    const row = (label: string, s: Summary, extra = '') => [label + extra, fmt(s.median), fmt(s.p90), fmt(s.min), String(s.n)];
    const rows: string[][] = [];
    for (const s of subjects) {
      rows.push(row(s.label, byKey.get(s.key)!, s.error ? ` — **failed**: ${s.error.replace(/\|/g, '\\|')}` : ''));
      if (s.key === 'nscope') rows.push(row('… the same, until its `container.removed` event (rw layer and cgroup gone)', untilRemoved(s)));
    }
    const ratios = ratiosOf(subjects, mode);
    // the confinement ratios (both sides nscope) also paired by round: the few percent in question
    const paired = new Set(RATIOS.filter(([n, d]) => n.startsWith('nscope') && d.startsWith('nscope')).map(([, , l]) => l));
    headline.push(`${mode}: ${Object.entries(ratios).map(([l, r]) => `${l} ${r.median.toFixed(2)}×${paired.has(l) ? ` (paired ${r.paired.toFixed(3)}×)` : ''}`).join(', ')}`);
    const ratioLines = RATIOS.map(([num, den, label]) => (label in ratios
      ? `- ${label}: **${ratios[label].median.toFixed(2)}×** (${fmt(byKey.get(num)!.median)} / ${fmt(byKey.get(den)!.median)} ms; paired by round: ${ratios[label].paired.toFixed(3)}×)`
      : `- ${label}: – (${byKey.get(num)?.n ? den : num} not measured)`));
    // client-observed phases of each nscope variant: where a confinement setting's cost lands
    const ph = (s: Subject, k: keyof NscopePhases) => summarize(s.samples[mode].map((x) => x.phases?.[k] ?? NaN).filter(Number.isFinite));
    const phaseRows = ([
      ['`container.create` RPC (state, init layer, cgroup, plan, shim spawn → clone → set-up → "ok")', 'create'],
      ['`container.start` RPC (exec.fifo released, state saved)', 'start'],
      ['start → `container.wait` result (/bin/true runs, shim writes exit.json and reports, state saved)', 'exitStatus'],
      ['exit status → `container.removed` event (cgroup destroy, state dir removed; not in the figure)', 'removed'],
    ] as [string, keyof NscopePhases][]).map(([l, k]) => [l, ...nscopes.map((s) => { const x = ph(s, k); return `${fmt(x.median)} (${fmt(x.p90)})`; })]);
    out.push(
      '', `## ${modeTitle[mode]}`, '',
      mdTable(['command', 'median ms', 'p90 ms', 'min ms', 'runs'], rows), '',
      ...ratioLines, '',
      `nscope's phases (client-observed, same runs; median (p90) ms):`, '',
      mdTable(['phase', ...nscopes.map((s) => `\`${s.key}\``)], phaseRows),
    );
  }
  out.splice(5, 0, '', `**Ratios (medians)** — ${headline.join('; ')}.`);
  return out.join('\n') + '\n';
}

/** The filesystem type of the mount holding `dir` (longest mount point prefix in mountinfo). */
function fsTypeOf(dir: string): string {
  let best = '';
  let type = '?';
  const real = fs.realpathSync(dir);
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mp = line.slice(0, sep).split(' ')[4]?.replace(/\\040/g, ' ');
    if (!mp || !(real === mp || real.startsWith(mp.endsWith('/') ? mp : mp + '/'))) continue;
    if (mp.length >= best.length) { best = mp; type = line.slice(sep + 3).split(' ')[0]; }
  }
  return type;
}

function environment(runcVersion: string | null, crunVersion: string | null, o: Options): string {
  const cpus = os.cpus();
  const hybrid = hybridUnifiedMounts();
  return [
    `- host: kernel ${os.release()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `- cgroups: ${hybrid.length ? `v1 hybrid (cgroup2 at ${hybrid.join(', ')})` : fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1'}; nscope state on ${fsTypeOf(o.stateDir)} (${o.stateDir})`,
    `- node ${process.version}; ${runcVersion ?? 'runc: not installed'}; ${crunVersion ?? 'crun: not installed'}`,
  ].join('\n');
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
