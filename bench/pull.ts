// Pull throughput (issue 12), side by side in one run against one private
// registry on loopback (test/helpers/registry.ts: Debian's docker-registry,
// plain HTTP, its own storage), every client starting from a cold store:
//   nscope pull HOST/REPO:TAG    the CLI against a fresh private nscope daemon
//                                per round (its store empty); download, digest
//                                checks and whatever unpacking nscope's pull does
//   skopeo copy docker://… oci:DIR    the reference client: blobs into an OCI
//                                layout, nothing unpacked (a fresh DIR per round)
//   docker pull                  a private dockerd (test/helpers/dockerd.ts), the
//                                image removed after each round (unpacks into overlay2)
//   podman pull                  a private store (test/helpers/podman.ts), reset
//                                after each round (unpacks into overlay)
//   curl of every blob to /dev/null, one after another and all at once (-Z):
//                                the loopback limit of this registry
// The image is made here, nothing from the internet: LAYERS gzip layers of
// ~SIZE/LAYERS MB each, two thirds random (incompressible) and one third text
// (compressible), pushed with skopeo. Each round runs every command once, in
// random order. Medians, MB/s (registry blob bytes / time) and the ratios to
// skopeo go to bench/results/pull.md (+ .json with every sample). Timing is
// reported, never asserted. A command that is not there (nscope's `pull`
// while it is being written, docker, podman) is skipped and the report says so.
//
//   npm run bench:pull -- [--runs N (5)] [--size MB (100)] [--layers N (5)]
//                         [--no-nscope] [--no-skopeo] [--no-docker] [--no-podman] [--no-curl]
//                         [--daemon-arg ARG …] (passed to `nscope daemon`, e.g. how to reach
//                         a plain-HTTP registry) [--daemon-node-arg ARG …] [--cli-node-arg ARG …]
//                         (node's own flags for the daemon / the CLI: --cpu-prof to profile a pull) [--out FILE]
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeImageLayout, type FileTree } from '../test/helpers/image-layout';
import { startRegistry, type TestRegistry } from '../test/helpers/registry';
import { pushLayout } from '../test/helpers/skopeo';
import { PrivateDocker, haveDocker } from '../test/helpers/dockerd';
import { PrivatePodman, havePodman } from '../test/helpers/podman';
import { RUNTIME } from '../test/helpers/containerd';
import { BenchDaemon, randomTag, REPO } from './lib/daemon';
import { removeCgroups } from './lib/cgroups';
import { toolVersion } from './lib/oci';
import { timeOnce, type TimedRun } from './lib/proc';
import { fmt, mdTable, summarize } from './lib/stats';
import { shuffled } from './lib/rounds';
import { stopOnSignal } from './lib/interrupt';

const SWITCHES = ['nscope', 'skopeo', 'docker', 'podman', 'curl'] as const;
type Switch = typeof SWITCHES[number];

interface Options { runs: number; sizeMB: number; layers: number; on: Record<Switch, boolean>; daemonArgs: string[]; daemonNodeArgs: string[]; cliNodeArgs: string[]; out: string }

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, sizeMB: 100, layers: 5, on: Object.fromEntries(SWITCHES.map((s) => [s, true])) as Record<Switch, boolean>, daemonArgs: [], daemonNodeArgs: [], cliNodeArgs: [], out: path.join(REPO, 'bench', 'results', 'pull.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a}: value missing`); return v; };
    const sw = SWITCHES.find((s) => a === `--no-${s}`);
    if (sw) o.on[sw] = false;
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--size') o.sizeMB = Number(val());
    else if (a === '--layers') o.layers = Number(val());
    else if (a === '--daemon-arg') o.daemonArgs.push(val());
    else if (a === '--daemon-node-arg') o.daemonNodeArgs.push(val());
    else if (a === '--cli-node-arg') o.cliNodeArgs.push(val());
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`usage: node dist/bench/pull.js [--runs N] [--size MB] [--layers N] ${SWITCHES.map((s) => `[--no-${s}]`).join(' ')} [--daemon-arg ARG …] [--daemon-node-arg ARG …] [--cli-node-arg ARG …] [--out FILE]\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${a} (--help)`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs: a positive integer');
  if (!(o.sizeMB > 0)) throw new Error('--size: megabytes, more than 0');
  if (!Number.isInteger(o.layers) || o.layers < 1) throw new Error('--layers: a positive integer');
  return o;
}

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

/**
 * One layer's files: random bytes (gzip cannot shrink them) and text from
 * a small vocabulary (gzip shrinks it some 3-4×), as real layers mix binaries
 * and text.
 */
function layerFiles(i: number, bytes: number): FileTree {
  const random = Math.floor((bytes * 2) / 3);
  const words = ['container', 'namespace', 'cgroup', 'overlay', 'layer', 'registry', 'manifest', 'digest', 'blob', 'pull', 'mount', 'kernel'];
  const text: string[] = [];
  let n = 0;
  const seed = randomBytes(4096);
  for (let k = 0; n < bytes - random; k++) {
    const line = `${k} ${words[seed[k % seed.length] % words.length]} ${words[seed[(k * 7) % seed.length] % words.length]} ${seed[(k * 13) % seed.length]}\n`;
    text.push(line);
    n += line.length;
  }
  return { [`data/layer${i}/random.bin`]: randomBytes(random), [`data/layer${i}/words.txt`]: text.join('') };
}

interface Subject {
  key: string;
  label: string;
  /** one timed pull from a cold store; undoes what it stored afterwards (untimed) */
  once: (round: number) => Promise<number>;
  samples: number[];
  error?: string;
  skipped?: string;
}

function checked(what: string, r: TimedRun): number {
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return r.ms;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark starts a root daemon and engines: run it as root');
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) throw new Error('not built: run `node scripts/build.mjs` first (npm run bench:pull does)');
  for (const tool of ['docker-registry', 'skopeo']) if (!toolVersion(tool)) throw new Error(`${tool} is not installed: run scripts/setup-registry.sh`);

  const tag = randomTag();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-bench-pull-'));
  fs.chmodSync(work, 0o755);
  const stop = stopOnSignal(log);
  let reg: TestRegistry | undefined;
  let docker: PrivateDocker | undefined;
  let podman: PrivatePodman | undefined;
  let podmanDir: string | undefined;
  const daemons: BenchDaemon[] = [];
  const notes: string[] = [];
  try {
    // ---- the image, pushed into a private registry ----
    const perLayer = Math.round((o.sizeMB * 1e6) / o.layers);
    log(`making the image: ${o.layers} gzip layers of ~${(perLayer / 1e6).toFixed(0)} MB`);
    const layout = makeImageLayout(path.join(work, 'layout'), {
      layers: Array.from({ length: o.layers }, (_, i) => ({ compression: 'gzip' as const, files: layerFiles(i, perLayer) })),
      config: { Cmd: ['/bin/true'] },
    }, 'bench');
    const m = layout.manifests[0];
    const blobs = [m.configDigest, ...m.layers.map((l) => l.digest)];
    const blobBytes = m.layers.reduce((n, l) => n + l.size, 0) + Buffer.byteLength(JSON.stringify(m.config));
    const unpacked = m.layers.length * perLayer;
    reg = await startRegistry({ mode: 'plain', dir: path.join(work, 'registry') });
    const ref = await pushLayout(reg, layout, 'bench/pull', 'bench');
    log(`registry ${reg.host}: ${ref}, ${(blobBytes / 1e6).toFixed(1)} MB of blobs`);
    fs.rmSync(layout.dir, { recursive: true, force: true });

    const subjects: Subject[] = [];
    const add = (s: Omit<Subject, 'samples'>) => subjects.push({ ...s, samples: [] });

    if (o.on.nscope) {
      // a fresh daemon (an empty store) per round; started and removed untimed
      const nscopeOnce = async (round: number): Promise<number> => {
        const d = new BenchDaemon(`${tag}-${round}`, work);
        d.extraArgs = o.daemonArgs;
        d.nodeArgs = o.daemonNodeArgs;
        daemons.push(d);
        try {
          await d.start();
          return checked('nscope pull', await timeOnce([process.execPath, ...o.cliNodeArgs, path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'pull', ref]));
        } finally {
          const leaks = await d.cleanup();
          daemons.splice(daemons.indexOf(d), 1);
          if (leaks.length) throw new Error(`nscope daemon left: ${leaks.join('; ')}`);
        }
      };
      add({ key: 'nscope', label: '`nscope pull` (CLI, fresh daemon and store per round; Node start-up included)', once: nscopeOnce });
      // the floor under any Node CLI's time: its start-up, doing nothing (0.7× skopeo must fit the pull's work beside it)
      add({ key: 'node', label: '`node -e 0` (Node\'s start-up alone: the floor of a Node CLI)', once: async () => checked('node -e 0', await timeOnce([process.execPath, '-e', '0'])) });
    }
    if (o.on.skopeo) {
      add({
        key: 'skopeo', label: '`skopeo copy docker://… oci:DIR` (blobs only, nothing unpacked)',
        once: async (round) => {
          const dir = path.join(work, `skopeo-${round}`);
          try {
            return checked('skopeo copy', await timeOnce(['skopeo', '--insecure-policy', 'copy', '-q', '--src-tls-verify=false', '--src-no-creds', `docker://${ref}`, `oci:${dir}:bench`]));
          } finally { fs.rmSync(dir, { recursive: true, force: true }); }
        },
      });
    }
    if (o.on.docker) {
      if (!haveDocker()) notes.push('docker: dockerd not installed (scripts/setup-engines.sh): not measured');
      else {
        const dir = path.join(work, 'docker');
        fs.mkdirSync(dir);
        docker = new PrivateDocker(dir, `nscope-bench-${tag}-docker`, {});
        log('starting a private dockerd');
        await docker.start();
        const d = docker;
        add({
          key: 'docker', label: '`docker pull` (private dockerd, overlay2; image removed after each round; 127.0.0.0/8 is plain HTTP for Docker)',
          once: async () => {
            try {
              return checked('docker pull', await timeOnce([...dockerArgv(d), 'pull', '-q', ref]));
            } finally { await d.docker(['rmi', '-f', ref]); }
          },
        });
      }
    }
    if (o.on.podman) {
      if (!havePodman()) notes.push('podman: not installed (scripts/setup-engines.sh): not measured');
      else {
        // podman refuses a runroot path longer than 50 characters: a short dir of our own directly in /tmp
        const dir = fs.mkdtempSync('/tmp/nscope-pp-');
        podmanDir = dir;
        podman = new PrivatePodman(dir, `nscope-bench-${tag}-podman`);
        const p = podman;
        add({
          key: 'podman', label: '`podman pull --tls-verify=false` (private store, overlay; reset after each round)',
          once: async () => {
            try {
              return checked('podman pull', await timeOnce(['podman', ...podmanGlobals(dir), 'pull', '-q', '--tls-verify=false', ref]));
            } finally { await p.podman(RUNTIME, ['rmi', '-a', '-f'], { timeoutMs: 120000 }); }
          },
        });
      }
    }
    if (o.on.curl) {
      if (!toolVersion('curl')) notes.push('curl: not installed: no loopback reference');
      else {
        const urls = blobs.map((b) => `${reg!.url}/v2/bench/pull/blobs/${b}`);
        const outs = urls.flatMap((u) => ['-o', '/dev/null', u]);
        add({ key: 'curl', label: '`curl` of every blob to /dev/null, one after another (loopback reference)', once: async () => checked('curl', await timeOnce(['curl', '-s', '-f', ...outs])) });
        add({ key: 'curl-parallel', label: '`curl -Z` of every blob to /dev/null, all at once (loopback reference)', once: async () => checked('curl -Z', await timeOnce(['curl', '-s', '-f', '-Z', ...outs])) });
      }
    }

    // ---- rounds ----
    log(`timed: ${o.runs} rounds of ${subjects.map((s) => s.key).join(', ')}`);
    // the host's load average as the rounds start and end: on a shared VM it says how far the times can be trusted
    const load = { start: os.loadavg()[0], end: NaN };
    for (let i = 0; i < o.runs; i++) {
      for (const s of shuffled(subjects)) {
        stop.check();
        if (s.error || s.skipped) continue;
        try { s.samples.push(await s.once(i)); } catch (e) {
          const msg = (e as Error).message;
          if (s.key === 'nscope' && /unknown command "pull"/.test(msg)) { s.skipped = 'this nscope has no `pull` command yet'; log(`nscope: ${s.skipped}: skipped`); } else { s.error = msg; log(`${s.key}: ${msg}`); }
        }
      }
      log(`  ${i + 1}/${o.runs}`);
    }

    load.end = os.loadavg()[0];
    // ---- report ----
    const md = report(o, subjects, { ref, blobBytes, unpacked, layers: m.layers.length, notes, load });
    process.stdout.write(md + '\n');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, md);
    fs.writeFileSync(o.out.replace(/\.md$/, '') + '.json', JSON.stringify({
      date: new Date().toISOString(), runs: o.runs, blobBytes, layers: m.layers.length, loadavg: load,
      samples: Object.fromEntries(subjects.map((s) => [s.key, s.samples])),
      errors: Object.fromEntries(subjects.filter((s) => s.error || s.skipped).map((s) => [s.key, s.error ?? s.skipped])),
    }, null, 1) + '\n');
    log(`written: ${path.relative(process.cwd(), o.out)}`);
  } finally {
    // ---- clean-up, every step tried ----
    const problems: string[] = [];
    const step = async (what: string, fn: () => Promise<unknown> | unknown) => { try { await fn(); } catch (e) { problems.push(`${what}: ${(e as Error).message}`); } };
    for (const d of daemons) await step('nscope daemon', async () => { problems.push(...(await d.cleanup())); });
    if (podman) await step('podman', () => podman!.stop(RUNTIME));
    if (podmanDir) await step('podman dir', () => fs.rmSync(podmanDir!, { recursive: true, force: true }));
    if (docker) await step('dockerd', () => docker!.stop());
    if (reg) await step('registry', () => reg!.stop());
    await step('cgroups', () => { problems.push(...removeCgroups(`nscope-bench-${tag}`)); });
    await step('temp dir', () => fs.rmSync(work, { recursive: true, force: true }));
    if (problems.length) { log('clean-up problems:'); for (const p of problems) log(`  ${p}`); process.exitCode = 1; } else log('cleaned up: registry, engines, daemons and temp dir removed');
    if (stop.interrupted) process.exitCode = 130;
  }
}

function dockerArgv(d: PrivateDocker): string[] {
  return [fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker', '-H', `unix://${d.socket}`];
}

/** test/helpers/podman.ts's store flags, for a timed spawn of podman itself. */
function podmanGlobals(dir: string): string[] {
  return ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'runroot'), '--tmpdir', path.join(dir, 'tmp'),
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay', '--runtime', RUNTIME];
}

function report(o: Options, subjects: Subject[], r: { ref: string; blobBytes: number; unpacked: number; layers: number; notes: string[]; load: { start: number; end: number } }): string {
  const cpus = os.cpus();
  const med = (s: Subject | undefined) => (s && s.samples.length ? summarize(s.samples).median : NaN);
  const skopeo = med(subjects.find((s) => s.key === 'skopeo'));
  const rows = subjects.map((s) => {
    const x = summarize(s.samples);
    const why = s.skipped ? ` — skipped: ${s.skipped}` : s.error ? ` — **failed**: ${s.error.replace(/\|/g, '\\|')}` : '';
    return [s.label + why, fmt(x.median, 0), fmt(x.min, 0), fmt(x.max, 0), x.n && s.key !== 'node' ? fmt(r.blobBytes / 1e6 / (x.median / 1000), 0) : '–',
      Number.isFinite(skopeo) && x.n ? `${(x.median / skopeo).toFixed(2)}×` : '–', String(x.n)];
  });
  const headline = ['nscope', 'docker', 'podman', 'curl', 'node'].map((k) => {
    const v = med(subjects.find((s) => s.key === k));
    return Number.isFinite(v) && Number.isFinite(skopeo) ? `${k}/skopeo ${(v / skopeo).toFixed(2)}×` : '';
  }).filter(Boolean);
  return [
    '# Pull throughput: nscope pull vs skopeo, docker, podman (private registry on loopback)',
    '',
    `**Ratios (medians, time)** — ${headline.join(', ') || '–'}.`,
    '',
    `Measured ${new Date().toISOString()} by \`node dist/bench/pull.js\` (bench/pull.ts): ${o.runs} rounds, each command once per round in random order, each from a cold store; load average ${r.load.start.toFixed(1)} as the rounds started, ${r.load.end.toFixed(1)} as they ended (${os.cpus().length} CPUs).`,
    '',
    `- image: \`${r.ref.replace(/^[^/]+/, 'REGISTRY')}\`, ${r.layers} gzip layers, ${(r.blobBytes / 1e6).toFixed(1)} MB of blobs (${(r.unpacked / 1e6).toFixed(0)} MB unpacked: 2/3 random bytes, 1/3 text), made by the bench and pushed with skopeo`,
    `- registry: Debian's docker-registry (${toolVersion('docker-registry') ?? '?'}), plain HTTP on 127.0.0.1, filesystem storage`,
    `- host: kernel ${os.release()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}; ${[toolVersion('skopeo'), toolVersion('curl')?.split(' ').slice(0, 2).join(' ')].filter(Boolean).join('; ')}`,
    '- MB/s: blob bytes (compressed, as served) / median time. skopeo and curl only download; nscope, docker and podman also verify and unpack the layers.',
    ...r.notes.map((n) => `- note: ${n}`),
    '',
    mdTable(['command', 'median ms', 'min ms', 'max ms', 'MB/s', 'time / skopeo', 'runs'], rows),
    '',
  ].join('\n');
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
