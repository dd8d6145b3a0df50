// Exec latency (issue 3), side by side in one run: `/bin/true` run inside an
// already running container by
//   nscope   exec stream on its own connection (stream.open kind "exec":
//            connect, handshake = the shim reported "ok"), until the stream
//            ends, then `exec.wait` on a warm client connection — the whole
//            thing timed in this process, as a client sees it
//   nsenter -t PID -a /bin/true      PID = the nscope container's init
//                                    (namespaces only: nsenter joins no cgroup)
//   crun exec ID /bin/true           on a `sleep 3600` container crun started
//                                    in a private mount ns without the cgroup2
//                                    mount (hybrid host); exec runs outside it
//   runc exec ID /bin/true           on a `sleep 3600` container
//   spawn /bin/true                  the timer loop's floor
//   nscope exec ID /bin/true         the CLI as a process (reference: Node start-up included)
// Processes are timed by the timer loop (bench/timer.ts --serve: spawn → exit).
// The bundles are made like bench/run.ts's (a copy of the host image's layers,
// `runc spec`), with args ["/bin/sleep", "3600"].
//
// Where nscope's time goes is measured in the same rounds (--no-breakdown to skip):
//   shim      `nscope-shim exec PLAN` spawned by the timer loop, no daemon, with
//             the plan the daemon builds (helper/runtime/plan.ts buildExecPlan)
//   shim-nocg the same plan without the cgroup joins (what nsenter does not do)
//   replay    the daemon's exec path (manager.exec → ExecSessions.start →
//             pumpExec) replayed in this process with the same modules and a
//             lap time per step: lookup, plan file, spawn with 5 pipes, "ok",
//             status pipe end, stdout/stderr end. The shim is started with
//             posix_spawn (addon spawnShim, as ExecSessions since 80eaa75) when
//             the built addon has reap(), else with Node's spawn() (before)
//   replay-alt    the other way of starting it (Node's fork-based spawn() vs posix_spawn)
//   shim-tasks, replay-tasks   PROPOSAL (cgroup v1): the child joins by
//                 writing "0" to each hierarchy's `tasks` instead of `cgroup.procs`: the kernel
//                 moves the calling thread without taking cgroup_threadgroup_rwsem, so there is
//                 no RCU grace period (the shim's child is single-threaded: thread = process)
//   conn, rpc     floors: connect + a refused stream.open; one RPC on the warm connection
//   node-spawn, posix-spawn   /bin/true started from this process by Node's spawn()
//                 (fork) and by posix_spawn (vfork) — what the spawn method alone costs
//
// Rounds, cold and warm as in bench/run.ts: exec joins the container's cgroups
// (nscope-shim, runc and crun write cgroup.procs; nsenter does not), and on
// cgroup v1 the first join after a quiet spell waits for an RCU grace period.
//   cold  --gap ms (default 50) idle before the timed run
//   warm  the same command once, untimed, right before the timed run
//
//   node scripts/build.mjs && node dist/bench/exec.js [--runs N] [--warmup W]
//     [--mode cold|warm|both] [--gap MS] [--no-runc] [--no-crun] [--no-cli] [--no-breakdown]
//     [--state-dir DIR] [--out FILE]
// Writes bench/results/exec-latency.md and .json (every sample).
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Readable, Writable } from 'stream';
import { detectCgroups } from '../helper/cgroups/detect';
import { DEFAULT_HOST_PROGRAMS } from '../helper/images/host-image';
import { native, shimPath } from '../helper/native';
import { openStreamWithResult } from '../helper/protocol/client';
import { readJson } from '../helper/lib/atomic';
import { buildExecPlan } from '../helper/runtime/plan';
import { isSameProcess, procStartTime } from '../helper/lib/procinfo';
import type { Spec } from '../helper/runtime/spec';
import { hybridUnifiedMounts, nscopeCgroups } from './lib/cgroups';
import { imageLayerDirs, REPO } from './lib/daemon';
import { copyLayers, generatedSpec, makeBundle, toolVersion, writeRunConfig } from './lib/oci';
import { runCmd, TimerClient, type TimedRun } from './lib/proc';
import { fmt, mdTable, msSince, ratio, summarize, type Summary } from './lib/stats';
import { readStatusLine } from '../helper/runtime/exec';
import { shq, shuffled, sleep } from './lib/rounds';
import { parseBenchArgs } from './lib/options';
import { stopOnSignal } from './lib/interrupt';
import { BenchSession, type OciContainer as SessionContainer } from './lib/session';

/** a runc/crun container of this bench: how to call its runtime is always known */
type OciContainer = SessionContainer & { wrap: (argv: string[]) => string[] };

type Mode = 'cold' | 'warm';

interface Options {
  runs: number; warmup: number; modes: Mode[]; gap: number; runc: boolean; crun: boolean; cli: boolean; breakdown: boolean; stateDir: string; out: string;
}

function parseArgs(argv: string[]): Options {
  const o = parseBenchArgs(argv, 'dist/bench/exec.js', path.join(REPO, 'bench', 'results', 'exec-latency.md'), ['runc', 'crun', 'cli', 'breakdown'] as const);
  return { runs: o.runs, warmup: o.warmup, modes: o.modes, gap: o.gap, stateDir: o.stateDir, out: o.out, runc: o.on.runc, crun: o.on.crun, cli: o.on.cli, breakdown: o.on.breakdown };
}

const log = (s: string) => process.stderr.write(`bench-exec: ${s}\n`);

/** ms; `laps`: named steps of one run (client phases or the replay's steps). */
interface Sample { ms: number; laps?: Record<string, number> }

interface Subject {
  key: string;
  label: string;
  group: 'main' | 'breakdown';
  once: () => Promise<Sample>;
  samples: Record<Mode, Sample[]>;
  error?: string;
}

/** An OCI runtime's long-running container. */

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark runs containers: run it as root');
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) throw new Error('not built: run `node scripts/build.mjs` first');

  const session = new BenchSession(o.stateDir);
  const { daemon, timers, tag } = session;
  const ociContainers: OciContainer[] = [];
  const work = path.join(daemon.dir, 'oci');
  const cleanup = () => session.cleanup();
  const stop = stopOnSignal(log);
  const checkInterrupt = () => stop.check();

  try {
    const c = await session.start(log, [...DEFAULT_HOST_PROGRAMS, 'true', 'sleep', 'cat', 'sh']);
    const layerDirs = await imageLayerDirs(c);

    // ---- the nscope container ----
    const { id: nsId } = await c.request('container.create', { image: 'host', cmd: ['/bin/sleep', '3600'], net: 'none' });
    await c.request('container.start', { id: nsId });
    const detail = await c.request('container.inspect', { id: nsId });
    const pid = detail.pid;
    if (!pid) throw new Error(`nscope container ${nsId} has no pid after start`);
    log(`nscope container ${nsId.slice(0, 12)}: init pid ${pid}`);

    // ---- runc / crun containers on a copy of the image's layers ----
    const runcVersion = o.runc ? toolVersion('runc') : null;
    const crunVersion = o.crun ? toolVersion('crun') : null;
    const missing = [o.runc && !runcVersion ? 'runc' : '', o.crun && !crunVersion ? 'crun' : ''].filter(Boolean);
    if (missing.length) log(`${missing.join(' and ')} not installed: reporting without ${missing.length > 1 ? 'them' : 'it'}. Install with: apt-get install -y ${missing.join(' ')}`);
    const rootfs = path.join(work, 'rootfs');
    copyLayers(layerDirs, rootfs);
    for (const f of ['bin/true', 'bin/sleep']) if (!fs.existsSync(path.join(rootfs, f))) throw new Error(`the host image has no /${f} (looked in ${rootfs})`);
    const hostTimer = await TimerClient.start('host', [process.execPath, path.join(__dirname, 'timer.js'), '--serve']);
    timers.push(hostTimer);
    const baseSpec = runcVersion || crunVersion ? generatedSpec(runcVersion ? 'runc' : 'crun', path.join(work, 'spec')) : undefined;
    const hidden = hybridUnifiedMounts();
    // crun refuses a hybrid host: it runs in a private mount ns where the cgroup2 mount is
    // covered by a private tmpfs (see bench/README.md: only unmounting it leaks files)
    const crunWrap = (argv: string[]) => hidden.length ? ['unshare', '-m', '--propagation', 'private', 'sh', '-c', [
      ...hidden.map((m) => `umount ${shq(m)} && mount -t tmpfs -o size=16m,mode=755 nscope-bench ${shq(m)} &&`),
      'exec', ...argv.map(shq),
    ].join(' ')] : argv;
    const startOci = (bin: 'runc' | 'crun'): OciContainer => {
      const b = makeBundle(path.join(work, `bundle-${bin}`), baseSpec!, rootfs, ['/bin/sleep', '3600']);
      const root = path.join(work, `state-${bin}`);
      fs.mkdirSync(root, { recursive: true });
      const id = `nsb-${tag}-${bin}`;
      writeRunConfig(b, `/nscope-bench-${tag}-${bin}/${id}`);
      const oc: OciContainer = { bin, root, id, wrap: bin === 'crun' ? crunWrap : (a) => a };
      ociContainers.push(oc);
      session.oci.push(oc);
      // -d: the container keeps runc's/crun's stdio, so no pipes (they would stay open for an hour)
      const logFile = path.join(work, `${bin}-run.log`);
      const fd = fs.openSync(logFile, 'a');
      const argv = oc.wrap([bin, '--root', root, 'run', '-d', '--bundle', b.dir, id]);
      const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd], timeout: 30000 });
      fs.closeSync(fd);
      if (r.status !== 0) throw new Error(`${bin} run -d: exit ${r.status ?? r.signal}: ${fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' / ')}`);
      return oc;
    };

    const newSamples = (): Record<Mode, Sample[]> => ({ cold: [], warm: [] });
    const checked = (what: string, r: TimedRun): Sample => {
      if (r.code !== 0) throw new Error(`${what}: exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      return { ms: r.ms };
    };
    const subjects: Subject[] = [];

    // nscope: the exec stream, then exec.wait on the warm connection
    const nscopeExec = async (cmd: string[]): Promise<{ sample: Sample; output: Buffer; exitCode?: number }> => {
      const t0 = process.hrtime.bigint();
      const { sock, result } = await openStreamWithResult(daemon.socket, { kind: 'exec', id: nsId, cmd });
      const tOpen = msSince(t0);
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        sock.on('data', (d: Buffer) => chunks.push(d));
        sock.once('end', () => resolve());
        sock.once('error', reject);
        sock.resume();
      });
      const tEnd = msSince(t0);
      sock.destroy();
      const st = await c.request('exec.wait', { execId: result.execId! });
      const tWait = msSince(t0);
      if (st.error) throw new Error(`nscope exec: ${st.error}`);
      return { sample: { ms: tWait, laps: { open: tOpen, stream: tEnd - tOpen, wait: tWait - tEnd, untilEnd: tEnd } }, output: Buffer.concat(chunks), exitCode: st.exitCode };
    };
    subjects.push({
      key: 'nscope', group: 'main', samples: newSamples(),
      label: 'nscope exec (stream.open on a new connection → stream end → `exec.wait` on a warm connection)',
      once: async () => {
        const r = await nscopeExec(['/bin/true']);
        if (r.exitCode !== 0) throw new Error(`nscope exec /bin/true: exit ${r.exitCode}`);
        return r.sample;
      },
    });
    subjects.push({
      key: 'nsenter', group: 'main', samples: newSamples(), label: '`nsenter -t PID -a /bin/true` (PID = the nscope init; joins no cgroup)',
      once: async () => checked('nsenter', await hostTimer.run(['nsenter', '-t', String(pid), '-a', '/bin/true'])),
    });
    const execCheck: string[] = [];
    const ociExecSubject = (oc: OciContainer, label: string): Subject => ({
      key: oc.bin, group: 'main', label, samples: newSamples(),
      once: async () => checked(`${oc.bin} exec`, await hostTimer.run([oc.bin, '--root', oc.root, 'exec', oc.id, '/bin/true'])),
    });
    for (const [bin, version] of [['crun', crunVersion], ['runc', runcVersion]] as const) {
      if (!version) continue;
      try {
        const oc = startOci(bin);
        subjects.push(ociExecSubject(oc, `\`${bin} exec ID /bin/true\` (\`sleep 3600\` container, runc spec${bin === 'crun' && hidden.length ? `; started in a private mount ns without ${hidden.join(', ')}, exec outside it` : ''})`));
      } catch (e) {
        log(`${bin}: ${(e as Error).message}`);
        subjects.push({ key: bin, group: 'main', label: `\`${bin} exec\``, samples: newSamples(), once: async () => { throw e; }, error: (e as Error).message });
      }
    }
    subjects.push({
      key: 'spawn', group: 'main', samples: newSamples(), label: 'spawn `/bin/true` from the timer loop (floor)',
      once: async () => checked('/bin/true', await hostTimer.run(['/bin/true'])),
    });
    if (o.cli) {
      subjects.push({
        key: 'cli', group: 'main', samples: newSamples(), label: '`nscope exec ID /bin/true` as a CLI process (incl. Node start-up; reference)',
        once: async () => checked('nscope exec CLI', await hostTimer.run([process.execPath, path.join(REPO, 'bin', 'nscope'), '--socket', daemon.socket, 'exec', nsId, '/bin/true'])),
      });
    }

    // Does each exec'd process land in the container's cgroups? (untimed, once)
    const cgCompare = (out: string): string => {
      const [init, self] = out.split('---\n');
      if (self === undefined) return `unexpected output: ${out.slice(0, 200)}`;
      const parse = (s: string) => new Map(s.trim().split('\n').filter(Boolean).map((l) => { const i = l.indexOf(':'); const j = l.indexOf(':', i + 1); return [l.slice(0, j), l.slice(j + 1)] as const; }));
      const a = parse(init);
      const b = parse(self);
      const same = [...a].filter(([k, v]) => b.get(k) === v).map(([k]) => k.split(':')[1] || '(v2)');
      const diff = [...a].filter(([k, v]) => b.get(k) !== v).map(([k]) => k.split(':')[1] || '(v2)');
      return `in the init's cgroup in ${same.length}/${a.size} hierarchies${diff.length ? ` (not: ${diff.join(', ')})` : ''}`;
    };
    const probe = ['/bin/sh', '-c', 'cat /proc/1/cgroup; echo ---; cat /proc/self/cgroup'];
    try {
      const r = await nscopeExec(probe);
      execCheck.push(`- nscope exec: ${cgCompare(deframe(r.output))}`);
    } catch (e) { execCheck.push(`- nscope exec: probe failed: ${(e as Error).message}`); }
    {
      const r = await runCmd(['nsenter', '-t', String(pid), '-a', ...probe]);
      execCheck.push(`- nsenter -a: ${r.code === 0 ? cgCompare(r.stdout) : `probe failed: ${r.stderr.trim()}`}`);
    }
    for (const oc of ociContainers) {
      const r = await runCmd([oc.bin, '--root', oc.root, 'exec', oc.id, ...probe]);
      execCheck.push(`- ${oc.bin} exec: ${r.code === 0 ? cgCompare(r.stdout) : `probe failed: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`}`);
    }
    for (const l of execCheck) log(`cgroups of the exec'd process: ${l.slice(2)}`);

    // ---- breakdown subjects ----
    const spec = readJson<Spec>(path.join(detail.bundle, 'config.json'));
    if (!spec) throw new Error(`no config.json in ${detail.bundle}`);
    const driver = detectCgroups();
    const cgRel = detail.cgroup.path.replace(/^\//, '');
    const procsFiles = driver.open(cgRel, { ownedParents: 1 }).procsFiles();
    const planDir = path.join(daemon.dir, 'plans');
    fs.mkdirSync(planDir, { mode: 0o700 });
    const execProcess = (): Spec['process'] => ({ ...structuredClone(spec.process), args: ['/bin/true'], terminal: false });
    const planFull = path.join(planDir, 'full');
    const planNoCg = path.join(planDir, 'nocg');
    const planTasks = path.join(planDir, 'tasks');
    fs.writeFileSync(planFull, buildExecPlan({ pid, process: execProcess(), cgroupProcs: procsFiles, interactive: false }), { mode: 0o600 });
    fs.writeFileSync(planNoCg, buildExecPlan({ pid, process: execProcess(), cgroupProcs: [], interactive: false }), { mode: 0o600 });
    // cgroup v1: writing "0" to `tasks` moves the calling thread only, which the kernel does without
    // cgroup_threadgroup_rwsem (cgroup_procs_write_start: no pid, no threadgroup -> no lock), so no
    // RCU grace period; the shim's child is single-threaded, so the thread is the whole process
    const toTasks = (f: string) => f.replace(/cgroup\.procs$/, 'tasks');
    if (driver.version === 1) {
      fs.writeFileSync(planTasks, buildExecPlan({ pid, process: execProcess(), cgroupProcs: procsFiles.map(toTasks), interactive: false }), { mode: 0o600 });
      const probePlan = path.join(planDir, 'tasks-probe');
      fs.writeFileSync(probePlan, buildExecPlan({ pid, process: { ...execProcess(), args: probe }, cgroupProcs: procsFiles.map(toTasks), interactive: false }), { mode: 0o600 });
      const r = await runCmd([shimPath(), 'exec', probePlan]);
      execCheck.push(`- nscope-shim exec joining through \`tasks\` (PROPOSAL): ${r.code === 0 ? cgCompare(r.stdout) : `probe failed: ${r.stderr.trim()}`}`);
      log(`cgroups of the exec'd process: ${execCheck[execCheck.length - 1].slice(2)}`);
    }
    const shim = shimPath();
    // the daemon's exec path starts the shim with posix_spawn since 80eaa75 (the addon then has reap())
    const daemonPosix = typeof (native() as unknown as AnyAddon).reap === 'function';
    const startTime = procStartTime(pid) ?? undefined;

    /** The daemon's exec path, replayed here (manager.exec → ExecSessions.start → pumpExec). */
    const replay = async (how: { posix?: boolean; tasks?: boolean } = {}): Promise<Sample> => {
      const laps: Record<string, number> = {};
      const t00 = process.hrtime.bigint();
      let t0 = t00;
      const lap = (name: string) => { laps[name] = msSince(t0); t0 = process.hrtime.bigint(); };
      // manager.exec(): record running?, config.json, the cgroup's procs files
      if (!isSameProcess(pid, startTime)) throw new Error('the nscope container is not running');
      const sp = readJson<Spec>(path.join(detail.bundle, 'config.json'))!;
      const procs = driver.open(cgRel, { ownedParents: 1 }).procsFiles();
      const files = how.tasks ? procs.map(toTasks) : procs;
      lap('lookup');
      const proc = structuredClone(sp.process);
      proc.args = ['/bin/true'];
      proc.terminal = false;
      const plan = buildExecPlan({ pid, process: proc, cgroupProcs: files, interactive: false });
      // (the daemon writes it to os.tmpdir(); here in the bench's temp dir, removed at the end whatever happens)
      const planFile = path.join(planDir, `exec-${process.hrtime.bigint()}`);
      fs.writeFileSync(planFile, plan, { mode: 0o600 });
      lap('plan');
      // the shim's five pipes: stdin (ours to write), stdout, stderr, status (fd 3), control (fd 4)
      // the shim's pipes: stdin (ours to write), stdout, stderr, status (fd 3), control (fd 4)
      let io: { stdin?: Writable; stdout?: Readable; stderr?: Readable; status: Readable; ctl?: Writable; kill: () => void; collect: () => void };
      let drained: Promise<unknown> = Promise.resolve();
      try {
        if (how.posix) {
          const sp = posixSpawn(shim, ['exec', planFile], ['in', 'out', 'out', 'out', 'in']);
          const sock = (fd: number, writable: boolean) => new net.Socket({ fd, readable: !writable, writable });
          io = sp.fds.length >= 5
            ? { stdin: sock(sp.fds[0], true), stdout: sock(sp.fds[1], false), stderr: sock(sp.fds[2], false), status: sock(sp.fds[3], false), ctl: sock(sp.fds[4], true), kill: () => undefined, collect: sp.collect }
            : { status: sock(sp.fds[3], false), kill: () => undefined, collect: sp.collect };
        } else {
          const child: ChildProcess = spawn(shim, ['exec', planFile], { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
          io = { stdin: child.stdin!, stdout: child.stdout!, stderr: child.stderr!, status: child.stdio[3] as Readable, ctl: child.stdio[4] as Writable, kill: () => child.kill('SIGKILL'), collect: () => undefined };
          child.once('error', (e) => io.status.emit('error', e));
        }
        // consumers on stdout/stderr at once: HEAD's pumpExec attaches them only after the handshake,
        // and an exec that ends before then loses its output to Node's flushStdio (see bench/README.md)
        drained = Promise.all([io.stdout, io.stderr].filter((x): x is Readable => !!x)
          .map((x) => new Promise<void>((r) => { x.on('data', () => undefined); x.on('end', r); x.on('error', () => r()); })));
        lap('spawn');
        const first = await readStatusLine(io.status);
        if (!first.startsWith('ok ')) { io.kill(); io.collect(); throw new Error(`replay: ${first}`); }
        lap('ok');
      } finally {
        fs.rmSync(planFile, { force: true });
      }
      // pumpExec: stdin ends at once (not interactive)
      io.stdin?.on('error', () => undefined);
      io.stdin?.end();
      const statusStream = io.status;
      let text = '';
      statusStream.setEncoding('utf8');
      statusStream.on('data', (d: string) => { text += d; });
      await new Promise<void>((r) => { statusStream.once('end', r); statusStream.resume(); });
      io.collect();
      io.stdin?.destroy();
      io.ctl?.destroy();
      if (!/^exit 0 /m.test(text)) throw new Error(`replay: shim said: ${text.trim()}`);
      lap('exit');
      await Promise.race([drained, new Promise((r) => setTimeout(r, 500))]);
      lap('drain');
      return { ms: msSince(t00), laps };
    };

    if (o.breakdown) {
      subjects.push({
        key: 'shim', group: 'breakdown', samples: newSamples(), label: '`nscope-shim exec PLAN` from the timer loop (no daemon; the daemon\'s plan)',
        once: async () => checked('nscope-shim exec', await hostTimer.run([shim, 'exec', planFull])),
      });
      subjects.push({
        key: 'shim-nocg', group: 'breakdown', samples: newSamples(), label: '… the same plan without the cgroup joins (as nsenter)',
        once: async () => checked('nscope-shim exec (no cgroups)', await hostTimer.run([shim, 'exec', planNoCg])),
      });
      if (driver.version === 1) {
        subjects.push({
          key: 'shim-tasks', group: 'breakdown', samples: newSamples(), label: 'PROPOSAL: … the same plan joining through v1 `tasks` instead of `cgroup.procs`',
          once: async () => checked('nscope-shim exec (tasks)', await hostTimer.run([shim, 'exec', planTasks])),
        });
      }
      const pos = daemonPosix;
      const spawnName = (posix: boolean) => (posix ? 'posix_spawn (addon spawnShim), 5 pipes' : 'Node `spawn()` (fork), 5 pipes');
      subjects.push({
        key: 'replay', group: 'breakdown', samples: newSamples(), label: `the daemon's exec path replayed in this process (${spawnName(pos)})`,
        once: () => replay({ posix: pos }),
      });
      subjects.push({
        key: 'replay-alt', group: 'breakdown', samples: newSamples(),
        label: pos ? '… the shim started with Node\'s fork-based `spawn()` instead (the exec path before 80eaa75)' : 'PROPOSAL: … the shim started with posix_spawn (addon spawnShim) instead of Node\'s fork',
        once: () => replay({ posix: !pos }),
      });
      if (driver.version === 1) {
        subjects.push({
          key: 'replay-tasks', group: 'breakdown', samples: newSamples(), label: 'PROPOSAL: … the child joins through v1 `tasks` ("0" = itself, one thread) instead of `cgroup.procs`',
          once: () => replay({ posix: pos, tasks: true }),
        });
      }
      subjects.push({
        key: 'conn', group: 'breakdown', samples: newSamples(), label: 'floor of the stream protocol: connect + `stream.open` refused (no such container)',
        once: async () => {
          const t0 = process.hrtime.bigint();
          const ok = await openStreamWithResult(daemon.socket, { kind: 'exec', id: `no-such-${tag}`, cmd: ['/bin/true'] }).then((r) => { r.sock.destroy(); return true; }, () => false);
          if (ok) throw new Error('stream.open for a missing container succeeded');
          return { ms: msSince(t0) };
        },
      });
      subjects.push({
        key: 'rpc', group: 'breakdown', samples: newSamples(), label: 'one RPC on the warm connection (`system.info`)',
        once: async () => { const t0 = process.hrtime.bigint(); await c.request('system.info', {}); return { ms: msSince(t0) }; },
      });
      subjects.push({
        key: 'node-spawn', group: 'breakdown', samples: newSamples(), label: 'Node `spawn()` of /bin/true with 5 pipes in this process (fork-based, libuv) → exit event',
        once: () => new Promise<Sample>((resolve, reject) => {
          const t0 = process.hrtime.bigint();
          const p = spawn('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
          p.once('error', reject);
          p.once('exit', (code) => {
            const ms = msSince(t0);
            for (const x of p.stdio) (x as { destroy?: () => void } | null)?.destroy?.();
            if (code !== 0) reject(new Error(`/bin/true exited ${code}`)); else resolve({ ms });
          });
        }),
      });
      subjects.push({
        key: 'posix-spawn', group: 'breakdown', samples: newSamples(), label: 'posix_spawn (vfork) of /bin/true in this process (addon spawnShim) → its stdout pipe ends',
        once: async () => {
          const t0 = process.hrtime.bigint();
          // until its stdout pipe ends (as the daemon learns of an exit), then collected
          const sp = posixSpawn('/bin/true', [], ['null', 'out', 'null']);
          if (sp.fds[1] >= 0) {
            const out = new net.Socket({ fd: sp.fds[1], readable: true, writable: false });
            await new Promise<void>((r) => { out.once('end', r); out.once('error', () => r()); out.resume(); });
            out.destroy();
          }
          const ms = msSince(t0);
          sp.collect();
          return { ms };
        },
      });
    }

    const attempt = async (s: Subject): Promise<Sample | undefined> => {
      if (s.error) return undefined;
      try { return await s.once(); } catch (e) { s.error = (e as Error).message; log(`${s.key}: ${s.error}`); return undefined; }
    };
    log(`warm-up: ${o.warmup} run(s) of each of ${subjects.length} commands`);
    for (let w = 0; w < o.warmup; w++) {
      for (const s of shuffled(subjects)) { checkInterrupt(); await attempt(s); await sleep(o.gap); }
    }
    log(`timed: ${o.runs} rounds × ${o.modes.join(' + ')}`);
    for (let i = 0; i < o.runs; i++) {
      for (const mode of shuffled(o.modes)) {
        for (const s of shuffled(subjects)) {
          checkInterrupt();
          await sleep(o.gap);
          let r: Sample | undefined;
          if (mode === 'cold') r = await attempt(s);
          else if (await attempt(s)) r = await attempt(s);
          if (r) s.samples[mode].push(r);
        }
      }
      if ((i + 1) % 10 === 0) log(`  ${i + 1}/${o.runs}`);
    }

    const rss = (p: number) => { try { return /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]; } catch { return undefined; } };
    const env = environment(runcVersion, crunVersion, o, [
      `- RSS: daemon ${Math.round(Number(rss(daemon.proc!.pid!) ?? NaN) / 1024)} MiB, this bench process ${Math.round(Number(rss(process.pid) ?? NaN) / 1024)} MiB (Node's spawn() forks: its cost grows with the parent's page tables)`,
      `- load after the run: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (a shared VM: other work runs beside the bench)`,
    ]);
    const md = report(o, subjects, env, execCheck);
    process.stdout.write(md + '\n');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, md);
    const json = o.out.replace(/\.md$/, '') + '.json';
    fs.writeFileSync(json, JSON.stringify({
      date: new Date().toISOString(), runs: o.runs, warmup: o.warmup, gap: o.gap, modes: o.modes,
      labels: Object.fromEntries(subjects.map((s) => [s.key, s.label])),
      samples: Object.fromEntries(subjects.map((s) => [s.key, s.samples])),
      errors: Object.fromEntries(subjects.filter((s) => s.error).map((s) => [s.key, s.error])),
      cgroupCheck: execCheck,
    }) + '\n');
    log(`wrote ${o.out} and ${json}`);
  } finally {
    const problems = await cleanup();
    const left = nscopeCgroups();
    problems.push(...left.filter((d) => d.includes(tag)).map((d) => `cgroup left: ${d}`));
    const others = left.filter((d) => !d.includes(tag));
    if (others.length) log(`note: ${others.length} nscope cgroup(s) not made by this run exist (e.g. ${others[0]})`);
    if (problems.length) { log('clean-up problems:'); for (const p of problems) log(`  ${p}`); process.exitCode = 1; } else log('cleaned up: containers deleted, daemon stopped, temp dirs and cgroups removed');
    if (stop.interrupted) process.exitCode = 130;
  }
}

function report(o: Options, subjects: Subject[], env: string, execCheck: string[]): string {
  const modeTitle: Record<Mode, string> = {
    cold: `cold: ${o.gap} ms idle before each run (a sporadic exec)`,
    warm: 'warm: the same command once, untimed, right before each run (back-to-back)',
  };
  const out: string[] = [
    '# Exec latency: nscope vs nsenter vs crun vs runc',
    '',
    `Measured ${new Date().toISOString()} by \`node dist/bench/exec.js\` (bench/exec.ts): ${o.warmup} warm-up + ${o.runs} rounds; `
      + 'each round runs every command once per mode, in random order. `/bin/true` in a running container (`sleep 3600`).',
    '',
    env,
    '',
    'Where the exec\'d process lands (probe `sh -c \'cat /proc/1/cgroup; echo ---; cat /proc/self/cgroup\'`, once, untimed):',
    '',
    ...execCheck,
  ];
  const headline: string[] = [];
  const sum = (s: Subject, mode: Mode, f: (x: Sample) => number | undefined = (x) => x.ms) =>
    summarize(s.samples[mode].map(f).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  const row = (label: string, s: Summary) => [label, fmt(s.median), fmt(s.p90), fmt(s.min), String(s.n)];
  for (const mode of o.modes) {
    const by = new Map(subjects.map((s) => [s.key, sum(s, mode)] as const));
    const ns = by.get('nscope')!;
    const nsS = subjects.find((s) => s.key === 'nscope')!;
    const untilEnd = sum(nsS, mode, (x) => x.laps?.untilEnd);
    const rows: string[][] = [];
    for (const s of subjects.filter((x) => x.group === 'main')) {
      rows.push(row(s.label + (s.error ? ` — **failed**: ${s.error.replace(/\|/g, '\\|')}` : ''), by.get(s.key)!));
      if (s.key === 'nscope') rows.push(row('… the same, until the exec stream ends (without `exec.wait`)', untilEnd));
    }
    const r = (k: string) => { const x = by.get(k); return x && x.n ? ratio(ns.median, x.median) : '–'; };
    const rEnd = (k: string) => { const x = by.get(k); return x && x.n ? ratio(untilEnd.median, x.median) : '–'; };
    headline.push(`${mode}: nscope/nsenter **${r('nsenter')}**, nscope/crun ${r('crun')}, nscope/runc ${r('runc')}`);
    const phaseRows = ([
      ['connect + `stream.open` handshake (the daemon answers once the shim said "ok")', sum(nsS, mode, (x) => x.laps?.open)],
      ['handshake → stream end (/bin/true runs and exits; shim reports; pump closes)', sum(nsS, mode, (x) => x.laps?.stream)],
      ['stream end → `exec.wait` result (one RPC on the warm connection)', sum(nsS, mode, (x) => x.laps?.wait)],
    ] as [string, Summary][]).map(([l, s]) => row(l, s));
    out.push(
      '', `## ${modeTitle[mode]}`, '',
      mdTable(['command', 'median ms', 'p90 ms', 'min ms', 'runs'], rows), '',
      `- nscope/nsenter: **${r('nsenter')}** (goal ≤ 1.5×; until the stream ends: ${rEnd('nsenter')})`,
      `- nscope/crun: **${r('crun')}** (until the stream ends: ${rEnd('crun')})`,
      `- nscope/runc: **${r('runc')}** (until the stream ends: ${rEnd('runc')})`, '',
      'nscope\'s phases (client-observed, same runs):', '',
      mdTable(['phase', 'median ms', 'p90 ms', 'min ms', 'runs'], phaseRows),
    );
    const ORDER = ['shim', 'shim-nocg', 'shim-tasks', 'replay', 'replay-alt', 'replay-prime', 'replay-tasks', 'conn', 'rpc', 'node-spawn', 'posix-spawn'];
    const bd = subjects.filter((s) => s.group === 'breakdown').sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
    if (bd.length) {
      const bdRows = bd.map((s) => row(s.label + (s.error ? ` — **failed**: ${s.error.replace(/\|/g, '\\|')}` : ''), by.get(s.key)!));
      out.push('', 'Breakdown (same rounds):', '', mdTable(['variant', 'median ms', 'p90 ms', 'min ms', 'runs'], bdRows));
      // the gap to nsenter, split by the medians of the breakdown rows (differences of medians: approximate)
      const m = (k: string) => by.get(k)?.median ?? NaN;
      const gapRows: [string, number][] = [
        ['the cgroup joins (9 `cgroup.procs` writes): shim − shim without joins', m('shim') - m('shim-nocg')],
        ['nscope-shim without joins vs nsenter (same namespaces; + setuid, caps, rlimits): shim without joins − nsenter', m('shim-nocg') - m('nsenter')],
        ['the daemon\'s exec path in a Node process (lookup, plan file, spawn with 5 pipes, event-loop hops): replay − shim', m('replay') - m('shim')],
        ['client ↔ daemon (connect, auth, handshake, pump, `exec.wait`): nscope − replay', m('nscope') - m('replay')],
      ];
      if (gapRows.every(([, v]) => Number.isFinite(v))) {
        out.push('', `Where the ${fmt(m('nscope') - m('nsenter'))} ms between nscope (${fmt(m('nscope'))}) and nsenter (${fmt(m('nsenter'))}) go (differences of medians):`, '',
          mdTable(['piece', 'ms'], gapRows.map(([l, v]) => [l, fmt(v)])));
      }
      // each proposal's saving in the replay, applied to the client-observed figure
      const props = ['replay-alt', 'replay-prime', 'replay-tasks'].filter((k) => by.get(k)?.n);
      if (props.length && Number.isFinite(m('replay'))) {
        out.push('', 'Projected client-observed exec with each proposal: nscope − (replay − variant), medians:', '',
          mdTable(['proposal', 'saved ms', 'projected ms', '× nsenter'], props.map((k) => {
            const saved = m('replay') - m(k);
            return [subjects.find((x) => x.key === k)!.label.replace(/^(PROPOSAL: )?… /, ''), fmt(saved), fmt(m('nscope') - saved), ratio(m('nscope') - saved, m('nsenter'))];
          })));
      }
      const rep = subjects.find((s) => s.key === 'replay');
      if (rep && rep.samples[mode].length) {
        const stepNames: [string, string][] = [
          ['lookup', 'record alive?, config.json read, cgroup procs files (manager.exec)'],
          ['plan', 'structuredClone + buildExecPlan + plan file written'],
          ['spawn', 'spawn of nscope-shim with 5 pipes (returns once the shim has exec\'d)'],
          ['ok', 'spawn → "ok" on fd 3 (shim: plan, 7 ns + 9 cgroup.procs opens, setns, fork, child joins cgroups, set-up, "R")'],
          ['exit', '"ok" → status pipe end (execve /bin/true, exit, shim waitpid, "exit" line, shim exit)'],
          ['drain', 'status end → stdout/stderr end (pumpExec then closes the stream)'],
        ];
        const stepRows = stepNames.map(([k, l]) => [l, ...(() => { const s = sum(rep, mode, (x) => x.laps?.[k]); return [fmt(s.median, 2), fmt(s.p90, 2), fmt(s.min, 2)]; })()]);
        out.push('', 'The replay\'s steps (medians of each step, so they need not add up to the total exactly):', '',
          mdTable(['step', 'median ms', 'p90 ms', 'min ms'], stepRows));
      }
    }
  }
  out.splice(5, 0, '', `**Ratios (medians)** — ${headline.join('; ')}.`);
  return out.join('\n') + '\n';
}

/** An exec stream without a tty: 8-byte headers + payload; the payloads concatenated. */
function deframe(b: Buffer): string {
  const parts: Buffer[] = [];
  for (let o = 0; o + 8 <= b.length;) {
    const n = b.readUInt32BE(o + 4);
    parts.push(b.subarray(o + 8, o + 8 + n));
    o += 8 + n;
  }
  return Buffer.concat(parts).toString('utf8');
}

type Stdio = 'null' | 'inherit' | 'in' | 'out';
interface AnyAddon {
  spawnShim: (file: string, args: string[], stdio: Stdio[] | boolean) => { pid?: number; fds?: number[]; statusFd?: number };
  reap?: (pid: number) => boolean;
}

/**
 * posix_spawn through the addon, whichever of its two shapes is built:
 * - with reap() (the working tree when this was written): spawnShim(path, args, stdio[]) ->
 *   { pid, fds } returns at once; the process is ours to collect with reap(pid)
 * - without (HEAD 7ede079): spawnShim(path, args, inheritStdio) -> { statusFd } waits for the
 *   process; stdio 0-2 are /dev/null and only fd 3 is a pipe
 * fds[i] is our end of the pipe on the process's fd i, or -1.
 */
function posixSpawn(file: string, args: string[], stdio: Stdio[]): { fds: number[]; collect: () => void } {
  const addon = native() as unknown as AnyAddon;
  if (typeof addon.reap === 'function') {
    const r = addon.spawnShim(file, args, stdio);
    if (!r || !Array.isArray(r.fds) || typeof r.pid !== 'number') throw new Error('unexpected spawnShim result (addon changed?)');
    const pid = r.pid;
    const reap = addon.reap;
    return {
      fds: r.fds,
      collect: () => {
        // the pipes close an instant before the process is gone (as helper/runtime/shim.ts collectShim)
        if (reap(pid)) return;
        let tries = 0;
        const t = setInterval(() => { if (reap(pid) || ++tries > 50) clearInterval(t); }, 20);
        t.unref();
      },
    };
  }
  const r = addon.spawnShim(file, args, false);
  const statusFd = typeof r?.statusFd === 'number' ? r.statusFd : -1;
  return { fds: [-1, -1, -1, statusFd].slice(0, Math.max(4, stdio.length)).map((fd, i) => (i === 3 ? fd : -1)), collect: () => { if (stdio.length <= 3 && statusFd >= 0) fs.closeSync(statusFd); } };
}

function environment(runcVersion: string | null, crunVersion: string | null, o: Options, extra: string[]): string {
  const cpus = os.cpus();
  const hybrid = hybridUnifiedMounts();
  return [
    `- host: kernel ${os.release()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `- cgroups: ${hybrid.length ? `v1 hybrid (cgroup2 at ${hybrid.join(', ')})` : fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1'}; nscope state in ${o.stateDir}`,
    `- node ${process.version} (libuv ${process.versions.uv}); ${runcVersion ?? 'runc: not installed'}; ${crunVersion ?? 'crun: not installed'}; ${spawnSync('nsenter', ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'nsenter: ?'}`,
    gitState(),
    ...extra,
  ].join('\n');
}

/** HEAD and which files of the exec path differ from it (read-only git; no index refresh). */
function gitState(): string {
  const git = (args: string[]) => spawnSync('git', ['--no-optional-locks', '-C', REPO, ...args], { encoding: 'utf8' });
  const head = git(['log', '-1', '--format=%h %s']);
  if (head.status !== 0) return '- checkout: not a git work tree';
  const files = ['helper/runtime/exec.ts', 'helper/server/streams/index.ts', 'helper/server/streams/exec.ts', 'helper/server/streams/finish.ts', 'helper/runtime/shim.ts', 'helper/native.ts', 'native/addon.cc', 'native/shim/exec.c', 'native/shim/main.c', 'native/shim/child.c'];
  const changed = git(['status', '--porcelain', '--', ...files]).stdout.split('\n').filter(Boolean).map((l) => l.slice(3));
  return `- checkout: HEAD ${head.stdout.trim()}; exec path ${changed.length ? `with uncommitted changes in ${changed.join(', ')}` : 'as committed'}`;
}

main().catch((e) => {
  process.stderr.write(`bench-exec: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
