// nscope-runtime under the engines (issue 11), side by side in one run with runc
// and crun as the same engine's runtime:
//   docker run --rm --network none --runtime R IMAGE true
//                       a private dockerd (test/helpers/dockerd.ts: own roots, socket,
//                       cgroup parent, no bridge/iptables); nscope = bin/nscope-runtime
//                       and crun registered in its daemon.json, runc built in; IMAGE is
//                       Debian's busybox-static in a rootfs, `docker import`ed
//   ctr run --rm --rootfs --runc-binary R … DIR ID true
//                       a private containerd (test/helpers/containerd.ts), the same rootfs
// for R in nscope-runtime, runc, crun. crun 1.8 refuses this hybrid cgroup host
// ("cgroups in hybrid mode not supported"): the engines get it through a wrapper
// script that runs it in a private mount namespace where /sys/fs/cgroup/unified is
// a private tmpfs (as bench/run.ts's crun timer loop); what the wrapper costs per
// call is measured below and in the report.
//
// Then, per runtime, the calls an engine makes, timed one by one from this
// process on an OCI bundle of the same rootfs: `R --version` (process start-up
// alone), `create --bundle B --pid-file F ID`, `start ID`, `state ID`, `delete ID`.
//
// Warm-up rounds first, then timed rounds (every command once per round, in
// random order, `--gap` ms idle before each). Medians, p90, min and the ratios
// nscope/runc and nscope/crun per engine go to bench/results/engines.md (+ .json
// with every sample). Timing is reported, never asserted. Everything is stopped
// and removed afterwards: both engines, their containers, mounts and cgroups.
//
//   node dist/bench/engines.js [--runs N (20)] [--warmup W (3)] [--gap MS (50)]
//                              [--no-docker] [--no-ctr] [--no-crun] [--no-calls] [--state-dir DIR] [--out FILE]
//                              [--also NAME=PATH …]   (one more runtime, e.g. main's nscope-runtime)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PrivateContainerd, haveContainerd, RUNTIME } from '../test/helpers/containerd';
import { PrivateDocker, haveDocker, DOCKER } from '../test/helpers/dockerd';
import { hybridUnifiedMounts, nscopeCgroups, removeCgroups } from './lib/cgroups';
import { randomTag, REPO } from './lib/daemon';
import { generatedSpec, makeBundle, toolVersion, writeRunConfig } from './lib/oci';
import { timeDetached, timeOnce, runCmd, type TimedRun } from './lib/proc';
import { fmt, mdTable, summarize } from './lib/stats';
import { shq, shuffled, sleep } from './lib/rounds';
import { parseBenchArgs } from './lib/options';
import { stopOnSignal } from './lib/interrupt';

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

const RUNTIMES = ['nscope', 'runc', 'crun'] as const;
/** a runtime's name: nscope, runc, crun, or one given with --also */
type Rt = string;
const CALLS = ['version', 'create', 'start', 'state', 'delete'] as const;
type Call = typeof CALLS[number];

interface Subject { key: string; label: string; once: (suffix: string) => Promise<number>; samples: { ms: number; round: number }[]; error?: string }

async function main(): Promise<void> {
  // --also NAME=PATH (repeatable): one more runtime binary in every table, e.g. another build of
  // nscope-runtime for a before/after in the same run
  const also: [string, string][] = [];
  const argv: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i] !== '--also') { argv.push(process.argv[i]); continue; }
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(process.argv[++i] ?? '');
    if (!m || (RUNTIMES as readonly string[]).includes(m[1])) throw new Error('--also NAME=PATH (NAME not nscope, runc or crun)');
    also.push([m[1], path.resolve(m[2])]);
  }
  const o = parseBenchArgs(argv, 'dist/bench/engines.js', path.join(REPO, 'bench', 'results', 'engines.md'), ['docker', 'ctr', 'crun', 'calls'] as const);
  // defaults of this bench (an engine run is ~10× a runtime's): fewer rounds
  if (!argv.includes('--runs')) o.runs = 20;
  if (!argv.includes('--warmup')) o.warmup = 3;
  if (process.getuid?.() !== 0) throw new Error('the benchmark starts container engines: run it as root');
  if (!fs.existsSync(path.join(REPO, 'dist', 'runtime-cli.js'))) throw new Error('not built: run `node scripts/build.mjs` first');
  const stop = stopOnSignal(log);

  // The engines get the environment a service has: node 20 reads NODE_EXTRA_CA_CERTS at every start
  // (+~40 ms per nscope-runtime call here), and a session's NODE_OPTIONS is no engine's either.
  const dropped = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].filter((k) => k in process.env);
  for (const k of dropped) delete process.env[k];
  const tag = randomTag();
  const cgBase = `nscope-bench-${tag}`;
  const dir = fs.mkdtempSync(path.join(o.stateDir, 'nscope-bench-engines-'));
  fs.chmodSync(dir, 0o755);
  const bins: Record<Rt, string> = { nscope: RUNTIME, runc: '/usr/bin/runc', crun: '/usr/bin/crun', ...Object.fromEntries(also) };
  const versions: Record<string, string | null> = {
    nscope: toolVersion(RUNTIME), runc: toolVersion('runc'), crun: toolVersion('crun'), ...Object.fromEntries(also.map(([n, b]) => [n, toolVersion(b)])),
    docker: (await runCmd([DOCKER, '--version'])).stdout.trim() || null, containerd: (await runCmd(['containerd', '--version'])).stdout.trim() || null,
  };
  const runtimes: Rt[] = [...RUNTIMES, ...also.map(([n]) => n)].filter((r) => versions[r] && (r !== 'crun' || o.on.crun));
  const hidden = hybridUnifiedMounts();
  // crun through a wrapper where the host needs it (see the head of this file)
  const crunWrapper = path.join(dir, 'crun-wrapper');
  if (hidden.length) {
    const inner = [...hidden.map((m) => `umount ${shq(m)} && mount -t tmpfs -o size=16m,mode=755 nscope-bench ${shq(m)} &&`), 'exec /usr/bin/crun "$@"'].join(' ');
    fs.writeFileSync(crunWrapper, `#!/bin/sh\n# crun in a private mount namespace without the hybrid host's cgroup2 mount(s)\nexec unshare -m --propagation private sh -c ${shq(inner)} crun "$@"\n`, { mode: 0o755 });
    bins.crun = crunWrapper;
  }

  // nscope-runtime behind a wrapper that logs each call (start, end, exit status, argv): a few
  // untimed runs after the rounds show which calls each engine makes, and how long each takes
  const traceLog = path.join(dir, 'trace.log');
  // (nscope and runc: the same engine's calls, side by side)
  const tracedBin = (rt: Rt) => {
    const f = path.join(dir, `${rt}-traced`);
    fs.writeFileSync(f, `#!/bin/sh\ns=$(date +%s%N)\n${shq(bins[rt])} "$@"\nrc=$?\necho "$s $(date +%s%N) $rc $*" >> ${shq(traceLog)}\nexit $rc\n`, { mode: 0o755 });
    return f;
  };
  const tracedRts = (['nscope', 'runc'] as Rt[]).filter((rt) => versions[rt]);
  const traces: Record<string, { call: string; at: number; ms: number; rc: number }[][]> = {};

  let docker: PrivateDocker | undefined;
  let ctrd: PrivateContainerd | undefined;
  const subjects: Subject[] = [];
  const tracedRuns: [string, string[] | (() => string[])][] = [];
  const calls = new Map<string, number[]>(); // `${rt}.${call}` -> ms
  const callErrors: Record<string, string> = {};
  const notes: string[] = dropped.map((k) => `${k} was set in the bench's environment: removed for the engines and runtimes (as a service started by systemd has it)`);
  try {
    // ---- the image: Debian's busybox-static in a rootfs ----
    const rootfs = path.join(dir, 'rootfs');
    for (const d of ['bin', 'dev', 'proc', 'sys', 'etc', 'tmp']) fs.mkdirSync(path.join(rootfs, d), { recursive: true, mode: 0o755 });
    fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const l of ['true', 'sh']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', l));
    const image = `nscope-bench-busybox:${tag}`;
    const ok = (what: string, r: TimedRun | { code: number | null; stderr: string }) => {
      if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    };

    if (o.on.docker && haveDocker()) {
      const ddir = path.join(dir, 'docker');
      fs.mkdirSync(ddir);
      const registered: Record<string, string> = { nscope: RUNTIME, ...Object.fromEntries(tracedRts.map((rt) => [`${rt}-traced`, tracedBin(rt)])) };
      if (runtimes.includes('crun')) registered.crun = bins.crun;
      for (const [n, b] of also) registered[n] = b;
      docker = new PrivateDocker(ddir, `${cgBase}-docker`, registered);
      log(`dockerd: ${ddir}, cgroup parent /${cgBase}-docker, runtimes ${Object.entries(registered).map(([n, b]) => `${n}=${b}`).join(' ')}`);
      await docker.start();
      const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 << 20 });
      const imp = await docker.docker(['import', '-', image], { input: tar });
      ok('docker import', imp);
      const dockerRun = (rt: string) => [DOCKER, '-H', `unix://${docker!.socket}`, 'run', '--rm', '--network', 'none', '--runtime', rt, image, '/bin/true'];
      for (const rt of tracedRts) tracedRuns.push([`docker.${rt}`, dockerRun(`${rt}-traced`)]);
      for (const rt of runtimes) {
        const argv = dockerRun(rt);
        subjects.push({
          key: `docker.${rt}`, label: `\`docker run --rm --network none --runtime ${rt} busybox /bin/true\``, samples: [],
          once: async () => { const r = await timeOnce(argv); ok(`docker --runtime ${rt}`, r); return r.ms; },
        });
      }
    } else if (o.on.docker) notes.push('dockerd is not installed: no docker rows');

    if (o.on.ctr && haveContainerd()) {
      const cdir = path.join(dir, 'containerd');
      fs.mkdirSync(cdir);
      ctrd = new PrivateContainerd(cdir);
      log(`containerd: ${cdir}, cgroups under /${cgBase}-ctr`);
      await ctrd.start();
      const ctrRun = (id: string, bin: string, runcRoot: string) => ['ctr', '--address', ctrd!.socket, '--namespace', 'nscope-test', 'run', '--rm', '--rootfs', '--runc-binary', bin,
        '--runc-root', runcRoot, '--cgroup', `/${cgBase}-ctr/${id}`, rootfs, id, '/bin/true'];
      let tn = 0;
      for (const rt of tracedRts) tracedRuns.push([`ctr.${rt}`, () => ctrRun(`traced-${++tn}`, tracedBin(rt), path.join(cdir, `root-${rt}`))]);
      for (const rt of runtimes) {
        const runcRoot = path.join(cdir, `root-${rt}`);
        subjects.push({
          key: `ctr.${rt}`, label: `\`ctr run --rm --rootfs --runc-binary ${rt} DIR ID /bin/true\``, samples: [],
          once: async (suffix) => {
            const id = `${rt}-${suffix}`;
            const r = await timeOnce(ctrRun(id, bins[rt], runcRoot));
            ok(`ctr --runc-binary ${rt}`, r);
            return r.ms;
          },
        });
      }
    } else if (o.on.ctr) notes.push('containerd is not installed: no ctr rows');

    // ---- the runtime calls alone, on an OCI bundle of the same rootfs ----
    let baseSpec: Record<string, any> | undefined;
    if (o.on.calls && versions.runc) baseSpec = generatedSpec('runc', path.join(dir, 'spec'));
    const bundle = baseSpec ? makeBundle(path.join(dir, 'bundle'), baseSpec, rootfs, ['/bin/true']) : undefined;
    const callRoot = (rt: Rt) => path.join(dir, `calls-${rt}`);
    const callSequence = async (rt: Rt, suffix: string, timed: boolean) => {
      const bin = bins[rt];
      const id = `c-${rt}-${suffix}`;
      const root = callRoot(rt);
      const rec = (call: Call, r: TimedRun) => {
        ok(`${rt} ${call}`, r);
        if (timed) { const k = `${rt}.${call}`; if (!calls.has(k)) calls.set(k, []); calls.get(k)!.push(r.ms); }
      };
      const logFile = path.join(dir, `${id}.log`);
      const timed1 = (args: string[]) => timeDetached([bin, ...args], logFile);
      rec('version', await timed1(['--version']));
      writeRunConfig(bundle!, `/${cgBase}-calls/${id}`);
      await sleep(o.gap);
      rec('create', await timed1(['--root', root, 'create', '--bundle', bundle!.dir, '--pid-file', path.join(dir, `${id}.pid`), id]));
      rec('start', await timed1(['--root', root, 'start', id]));
      // /bin/true exits at once; the engine's `delete` comes after it has seen the exit
      for (let i = 0; i < 100; i++) {
        const st = await runCmd([bin, '--root', root, 'state', id]);
        if (st.code === 0 && JSON.parse(st.stdout).status === 'stopped') break;
        await sleep(10);
      }
      rec('state', await timed1(['--root', root, 'state', id]));
      rec('delete', await timed1(['--root', root, 'delete', id]));
      for (const f of [`${id}.pid`, `${id}.log`]) fs.rmSync(path.join(dir, f), { force: true });
    };
    const callSubjects = bundle ? runtimes : [];

    const attempt = async (s: Subject, suffix: string): Promise<number | undefined> => {
      if (s.error) return undefined;
      try { return await s.once(suffix); } catch (e) { s.error = (e as Error).message; log(`${s.key}: ${s.error}`); return undefined; }
    };
    const attemptCalls = async (rt: Rt, suffix: string, timed: boolean) => {
      if (callErrors[rt]) return;
      try { await callSequence(rt, suffix, timed); } catch (e) {
        callErrors[rt] = (e as Error).message; log(`calls ${rt}: ${callErrors[rt]}`);
        await runCmd([bins[rt], '--root', callRoot(rt), 'delete', '--force', `c-${rt}-${suffix}`]);
      }
    };

    // ---- warm-up, then rounds ----
    log(`warm-up: ${o.warmup} round(s) of ${subjects.length} engine commands and ${callSubjects.length} call sequences`);
    for (let w = 0; w < o.warmup; w++) {
      for (const s of shuffled(subjects)) { stop.check(); await sleep(o.gap); await attempt(s, `w${w}`); }
      for (const rt of shuffled([...callSubjects])) { stop.check(); await attemptCalls(rt, `w${w}`, false); }
    }
    const loadBefore = os.loadavg();
    log(`timed: ${o.runs} rounds (load ${loadBefore.map((x) => x.toFixed(2)).join(' ')})`);
    for (let i = 0; i < o.runs; i++) {
      type Item = { s?: Subject; rt?: Rt };
      const items: Item[] = [...subjects.map((s) => ({ s })), ...callSubjects.map((rt) => ({ rt }))];
      for (const it of shuffled(items)) {
        stop.check();
        if (it.s) {
          await sleep(o.gap);
          const ms = await attempt(it.s, String(i));
          if (ms !== undefined) it.s.samples.push({ ms, round: i });
        } else await attemptCalls(it.rt!, String(i), true);
      }
      if ((i + 1) % 5 === 0) log(`  ${i + 1}/${o.runs} (load ${os.loadavg()[0].toFixed(2)})`);
    }
    const loadAfter = os.loadavg();

    // ---- which calls the engines make: 3 untimed runs each through the tracing wrapper ----
    for (const [engine, argv] of tracedRuns) {
      traces[engine] = [];
      for (let k = 0; k < 3; k++) {
        stop.check();
        fs.rmSync(traceLog, { force: true });
        await sleep(o.gap);
        const t0 = Date.now() * 1e6;
        const r = await timeOnce(typeof argv === 'function' ? argv() : argv);
        if (r.code !== 0) { notes.push(`traced ${engine} run failed: ${r.stderr.trim().split('\n').pop()}`); break; }
        await sleep(200); // a call after the client returned (e.g. a late delete) is logged too
        const lines = fs.existsSync(traceLog) ? fs.readFileSync(traceLog, 'utf8').trim().split('\n').filter(Boolean) : [];
        const calls = lines.map((l) => { const [s0, e0, rc, ...args] = l.split(' '); return { s: Number(s0), e: Number(e0), rc: Number(rc), args }; }).sort((a, b) => a.s - b.s);
        traces[engine].push(calls.map((c) => ({ call: callName(c.args), at: (c.s - t0) / 1e6, ms: (c.e - c.s) / 1e6, rc: c.rc })));
      }
    }

    // ---- report ----
    const md = report({ o, subjects, calls, callErrors, runtimes, versions, notes, hidden, loadBefore, loadAfter, wrapped: bins.crun === crunWrapper, traces });
    process.stdout.write(md + '\n');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, md);
    const json = o.out.replace(/\.md$/, '') + '.json';
    fs.writeFileSync(json, JSON.stringify({
      date: new Date().toISOString(), runs: o.runs, warmup: o.warmup, gap: o.gap, load: { before: loadBefore, after: loadAfter }, versions,
      samples: Object.fromEntries(subjects.map((s) => [s.key, s.samples])),
      calls: Object.fromEntries(calls), traces,
      errors: { ...Object.fromEntries(subjects.filter((s) => s.error).map((s) => [s.key, s.error])), ...Object.fromEntries(Object.entries(callErrors).map(([k, v]) => [`calls.${k}`, v])) },
    }) + '\n');
    log(`wrote ${o.out} and ${json}`);
  } finally {
    const problems: string[] = [];
    const step = async (what: string, fn: () => Promise<unknown> | unknown) => { try { await fn(); } catch (e) { problems.push(`${what}: ${(e as Error).message}`); } };
    for (const rt of Object.keys(bins)) {
      const root = path.join(dir, `calls-${rt}`);
      if (!fs.existsSync(root)) continue;
      for (const id of fs.readdirSync(root)) await step(`${rt} delete ${id}`, () => runCmd([bins[rt], '--root', root, 'delete', '--force', id]));
    }
    if (docker) await step('dockerd', () => docker!.stop());
    if (ctrd) {
      await step('containerd', async () => {
        for (const c of (await ctrd!.ctr(['container', 'ls', '-q'])).stdout.split('\n').filter(Boolean)) await ctrd!.ctr(['container', 'rm', c]);
        await ctrd!.stop();
      });
    }
    // anything of ours still running or mounted (a shim, a container's init)
    const mine = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((pid) => {
      try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir); } catch { return false; }
    });
    if (mine.length) problems.push(`processes left (killed): ${mine.join(' ')}`);
    for (const pid of mine) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const mp = line.split(' ')[4];
      if (mp && mp.startsWith(dir)) { problems.push(`mount left (unmounted): ${mp}`); await runCmd(['umount', '-l', mp]); }
    }
    await sleep(100);
    problems.push(...removeCgroups(cgBase));
    await step('temp dir', () => fs.rmSync(dir, { recursive: true, force: true }));
    const left = nscopeCgroups().filter((d) => d.includes(tag));
    problems.push(...left.map((d) => `cgroup left: ${d}`));
    if (problems.length) { log('clean-up problems:'); for (const p of problems) log(`  ${p}`); process.exitCode = 1; } else log('cleaned up: engines stopped, containers, mounts, temp dir and cgroups removed');
    if (stop.interrupted) process.exitCode = 130;
  }
}

interface ReportInput {
  o: ReturnType<typeof parseBenchArgs>; subjects: Subject[]; calls: Map<string, number[]>; callErrors: Record<string, string>; runtimes: readonly Rt[];
  versions: Record<string, string | null>; notes: string[]; hidden: string[]; loadBefore: number[]; loadAfter: number[]; wrapped: boolean;
  traces: Record<string, { call: string; at: number; ms: number; rc: number }[][]>;
}

/** The runtime command of a call's argv (after the global flags), e.g. `create`, `state`. */
function callName(args: string[]): string {
  const withValue = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);
  for (let i = 0; i < args.length; i++) {
    if (withValue.has(args[i])) { i++; continue; }
    if (args[i].startsWith('-')) continue;
    return args[i] + (args.includes('--force') || args.includes('-f') ? ' --force' : '');
  }
  return args.join(' ');
}

/** nscope/other: of the medians, and paired by round (the median of the per-round ratios). */
function ratios(a: Subject | undefined, b: Subject | undefined): { median: number; paired: number } | undefined {
  if (!a || !b || !a.samples.length || !b.samples.length) return undefined;
  const median = summarize(a.samples.map((x) => x.ms)).median / summarize(b.samples.map((x) => x.ms)).median;
  const byRound = new Map(b.samples.map((x) => [x.round, x.ms] as const));
  const paired = summarize(a.samples.filter((x) => byRound.has(x.round)).map((x) => x.ms / byRound.get(x.round)!)).median;
  return { median, paired };
}

function report(r: ReportInput): string {
  const { o, subjects } = r;
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const out: string[] = [
    '# nscope-runtime under Docker and containerd: vs runc and crun',
    '',
    `Measured ${new Date().toISOString()} by \`node dist/bench/engines.js\` (bench/engines.ts): ${o.warmup} warm-up + ${o.runs} rounds; each round runs every command once, in random order, ${o.gap} ms idle before each.`,
    '',
    `- host: kernel ${os.release()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), load average ${load(r.loadBefore)} at the start of the timed rounds, ${load(r.loadAfter)} at the end (a shared VM)`,
    `- cgroups: ${r.hidden.length ? `v1 hybrid (cgroup2 at ${r.hidden.join(', ')})` : fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1'}; node ${process.version}`,
    `- ${[r.versions.docker, r.versions.containerd, r.versions.runc?.split('\n')[0], r.versions.crun?.split('\n')[0], `nscope-runtime: ${r.versions.nscope?.split('\n')[0] ?? '?'}`].filter(Boolean).join('; ')}`,
    `- image: Debian's busybox-static (/bin/busybox, \`true\` a symlink to it) in a rootfs, \`docker import\`ed; ctr runs it with \`--rootfs\``,
    ...(r.wrapped ? [`- crun: through a wrapper script, \`unshare -m --propagation private sh -c 'umount ${r.hidden.join(' ')} && mount -t tmpfs … && exec crun "$@"'\` for every call (crun 1.8 refuses the hybrid host otherwise); its cost per call is in the last table`] : []),
    ...r.notes.map((n) => `- note: ${n}`),
  ];
  const headline: string[] = [];
  for (const engine of ['docker', 'ctr']) {
    const es = subjects.filter((s) => s.key.startsWith(`${engine}.`));
    if (!es.length) continue;
    const rows = es.map((s) => { const x = summarize(s.samples.map((y) => y.ms)); return [s.label + (s.error ? ` — **failed**: ${s.error.replace(/\|/g, '\\|')}` : ''), fmt(x.median), fmt(x.p90), fmt(x.min), String(x.n)]; });
    const get = (rt: Rt) => es.find((s) => s.key === `${engine}.${rt}`);
    const lines: string[] = [];
    for (const other of ['runc', 'crun', ...r.runtimes.filter((x) => !(RUNTIMES as readonly string[]).includes(x))]) {
      const q = ratios(get('nscope'), get(other));
      if (!q) { lines.push(`- nscope/${other}: – (${get(other)?.error ? `${other} failed under this engine` : `${other} not measured`})`); continue; }
      lines.push(`- nscope/${other}: **${q.median.toFixed(2)}×** (medians; paired by round ${q.paired.toFixed(2)}×)`);
      headline.push(`${engine} nscope/${other} ${q.median.toFixed(2)}×`);
    }
    out.push('', `## ${engine === 'docker' ? '`docker run --rm`' : '`ctr run --rm`'}`, '', mdTable(['command', 'median ms', 'p90 ms', 'min ms', 'runs'], rows), '', ...lines);
  }
  if (r.calls.size || Object.keys(r.callErrors).length) {
    const rts = r.runtimes;
    const cell = (rt: Rt, c: Call) => { const x = summarize(r.calls.get(`${rt}.${c}`) ?? []); return x.n ? `${fmt(x.median)} (${fmt(x.p90)})` : '–'; };
    const rows = CALLS.map((c) => [c === 'version' ? '`--version` (process start-up)' : `\`${c}\``, ...rts.map((rt) => cell(rt, c))]);
    const sumOf = (rt: Rt) => (['create', 'start', 'state', 'delete'] as Call[]).reduce((n, c) => n + summarize(r.calls.get(`${rt}.${c}`) ?? []).median, 0);
    rows.push(['create + start + state + delete (sum of medians)', ...rts.map((rt) => fmt(sumOf(rt)))]);
    out.push('', '## The runtime calls an engine makes, one by one', '',
      `Each spawned from the bench process on an OCI bundle of the same rootfs (\`runc spec\`, args \`/bin/true\`, a new cgroupsPath per run), create with \`--pid-file\`, ${o.gap} ms idle before create; \`state\` after the init has exited, then \`delete\`. Median (p90) ms:`, '',
      mdTable(['call', ...rts.map((rt) => (rt === 'crun' && r.wrapped ? 'crun (wrapper)' : rt))], rows));
    for (const [rt, e] of Object.entries(r.callErrors)) out.push('', `- ${rt}: **failed**: ${e}`);
  }
  for (const [key, runs] of Object.entries(r.traces)) {
    if (!runs.length) continue;
    const [engine, rt] = key.split('.');
    out.push('', `### What ${engine === 'docker' ? 'dockerd (through its containerd and containerd-shim-runc-v2)' : 'containerd-shim-runc-v2'} calls: ${runs.length} untimed \`${engine} run\` through a logging wrapper around ${rt === 'nscope' ? 'nscope-runtime' : rt}`, '',
      'Each call as `command` ms (start, ms after the client was spawned; exit status if not 0):', '',
      ...runs.map((calls, i) => `${i + 1}. ${calls.map((c) => `\`${c.call}\` ${fmt(c.ms)} (@${fmt(c.at, 0)}${c.rc ? `, exit ${c.rc}` : ''})`).join(' → ')}; sum ${fmt(calls.reduce((n, c) => n + c.ms, 0))} ms`));
  }
  out.splice(3, 0, '', `**Ratios (medians)** — ${headline.join(', ') || '–'}.`);
  return out.join('\n') + '\n';
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
