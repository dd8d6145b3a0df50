// `nscope cp` of a 10,000-file tree, side by side in one run (issue 14):
//   nscope cp SRC box:/dst        into a running container (the CLI: Node start-up included)
//   nscope cp box:/dst OUT        out of it again
//   docker cp SRC box:/dst, docker cp box:/dst OUT   a private dockerd (if installed), busybox
//   tar -C SRC -cf - . | tar -C DST -xf -            the same tree host to host: the floor
//   the same tar pipe into and out of the container's own tree (/proc/PID/root:
//   its overlay), the floor of any copy that goes through overlayfs as cp must
// Each round runs every command once in random order, a fresh destination
// each time. Medians and the ratios to tar|tar go to bench/results/cp.md
// (+ .json). Timing is reported, never asserted.
//
//   node dist/bench/cp.js [--runs N (5)] [--files N (10000)] [--no-docker] [--out FILE]
import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PrivateDocker, haveDocker } from '../test/helpers/dockerd';
import { removeCgroups } from './lib/cgroups';
import { BenchDaemon, randomTag, REPO } from './lib/daemon';
import { fmt, mdTable, summarize } from './lib/stats';
import { shuffled } from './lib/rounds';

interface Options { runs: number; files: number; docker: boolean; out: string }

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, files: 10000, docker: true, out: path.join(REPO, 'bench', 'results', 'cp.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--files') o.files = Number(argv[++i]);
    else if (a === '--no-docker') o.docker = false;
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else throw new Error(`bench/cp: unknown argument ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1 || !Number.isInteger(o.files) || o.files < 1) throw new Error('bench/cp: --runs and --files take positive integers');
  return o;
}

/** `n` small files (0–8 KiB of random bytes) in 100 directories, a symlink per directory. */
function makeTree(dir: string, n: number): number {
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const d = path.join(dir, `d${i % 100}`);
    if (i < 100) { fs.mkdirSync(d, { recursive: true }); fs.symlinkSync(`f${i}`, path.join(d, 'link')); }
    const b = crypto.randomBytes(i % 8192);
    fs.writeFileSync(path.join(d, `f${i}`), b);
    bytes += b.length;
  }
  return bytes;
}

function timed(cmd: string, args: string[], opts: { shell?: boolean } = {}): number {
  // what earlier commands left dirty (a removed tree's discards on a `discard` mount) is written
  // out first, untimed: else it lands in whichever command comes next (3–11 s rounds for a 0.2 s copy)
  spawnSync('sync');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: opts.shell });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr?.toString().trim() || `exit ${r.status}`}`);
  return ms;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-bench-cp-'));
  const daemon = new BenchDaemon(randomTag());
  let docker: PrivateDocker | undefined;
  const dockerCgroup = `nscope-bench-cp-${randomTag()}`;
  const cleanup = async () => {
    const leaks = await daemon.cleanup();
    await docker?.stop().catch(() => undefined);
    // dockerd's cgroup parent outlives it
    if (docker) leaks.push(...removeCgroups(dockerCgroup));
    fs.rmSync(work, { recursive: true, force: true });
    if (leaks.length) process.stderr.write(`bench: left behind: ${leaks.join('; ')}\n`);
  };
  try {
    const src = path.join(work, 'tree');
    const bytes = makeTree(src, o.files);
    await daemon.start();
    const cli = path.join(REPO, 'bin', 'nscope');
    const nscope = (args: string[]) => timed(process.execPath, [cli, '--socket', daemon.socket, ...args]);
    const c = await daemon.client();
    await c.request('image.host', { name: 'host', programs: ['sh', 'sleep', 'rm'] });
    nscope(['run', '-d', '--name', 'box', '--network', 'none', 'host', 'sleep', '1d']);
    // the container's tree as its processes see it: where the tar pipe through the overlay writes
    const boxRoot = `/proc/${execFileSync(process.execPath, [cli, '--socket', daemon.socket, 'inspect', '-f', '{{.State.Pid}}', 'box'], { encoding: 'utf8' }).trim()}/root`;
    if (o.docker && haveDocker()) {
      docker = new PrivateDocker(path.join(work, 'docker'), dockerCgroup, {});
      fs.mkdirSync(docker.dir);
      await docker.start();
      const rootfs = path.join(work, 'bb');
      fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
      fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
      fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
      for (const l of ['sh', 'sleep', 'rm']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', l));
      const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 1 << 28 });
      await docker.docker(['import', '-', 'bench-bb:1'], { input: tar });
      const r = await docker.docker(['run', '-d', '--name', 'box', '--network', 'none', 'bench-bb:1', 'sleep', '1d']);
      if (r.code !== 0) throw new Error(`docker run: ${r.stderr}`);
    }
    const dockerCmd = (args: string[]) => timed('docker', ['-H', `unix://${docker!.socket}`, ...args]);

    const samples: Record<string, number[]> = {};
    const add = (k: string, ms: number) => { (samples[k] ??= []).push(ms); };
    const cases: { key: string; run: (i: number) => void }[] = [
      { key: 'tar', run: (i) => { const d = path.join(work, `tar${i}`); fs.mkdirSync(d); add('tar', timed('sh', ['-c', `tar -C '${src}' -cf - . | tar -C '${d}' -xf -`])); fs.rmSync(d, { recursive: true }); } },
      { key: 'tar-overlay', run: (i) => {
        const d = path.join(boxRoot, `tin${i}`);
        fs.mkdirSync(d);
        add('tar-overlay-in', timed('sh', ['-c', `tar -C '${src}' -cf - . | tar -C '${d}' -xf -`]));
        const out = path.join(work, `tout${i}`);
        fs.mkdirSync(out);
        add('tar-overlay-out', timed('sh', ['-c', `tar -C '${d}' -cf - . | tar -C '${out}' -xf -`]));
        fs.rmSync(out, { recursive: true });
        fs.rmSync(d, { recursive: true });
      } },
      // the floor of any command line written for Node: its start-up, doing nothing
      { key: 'node', run: () => { add('node', timed(process.execPath, ['-e', '0'])); add('nscope-version', timed(process.execPath, [cli, '--version'])); } },
      { key: 'nscope', run: (i) => {
        add('nscope-in', nscope(['cp', src, `box:/in${i}`]));
        const out = path.join(work, `out${i}`);
        add('nscope-out', nscope(['cp', `box:/in${i}`, out]));
        fs.rmSync(out, { recursive: true });
        timed(process.execPath, [cli, '--socket', daemon.socket, 'exec', 'box', 'rm', '-rf', `/in${i}`]);
      } },
    ];
    if (docker) {
      cases.push({ key: 'docker', run: (i) => {
        add('docker-in', dockerCmd(['cp', src, `box:/in${i}`]));
        const out = path.join(work, `dout${i}`);
        add('docker-out', dockerCmd(['cp', `box:/in${i}`, out]));
        fs.rmSync(out, { recursive: true });
        dockerCmd(['exec', 'box', 'rm', '-rf', `/in${i}`]);
      } });
    }
    for (const cs of cases) cs.run(-1); // warm-up
    for (const k of Object.keys(samples)) samples[k] = [];
    for (let r = 0; r < o.runs; r++) for (const cs of shuffled(cases)) cs.run(r);

    const med = (k: string) => summarize(samples[k]).median;
    const rows: [string, string][] = [
      ['tar', '`tar -C SRC -cf - . \\| tar -C DST -xf -` (host to host: the floor)'],
      ['tar-overlay-in', '`tar … \\| tar -C /proc/PID/root/dst -xf -` (into the container\'s overlay: the floor through overlayfs)'],
      ['tar-overlay-out', '`tar -C /proc/PID/root/dst -cf - . \\| tar … -xf -` (out of the container\'s overlay)'],
      ['node', '`node -e 0` (Node\'s start-up alone: the floor of a Node CLI)'],
      ['nscope-version', '`nscope --version` (the CLI\'s start-up, no helper asked)'],
      ['nscope-in', '`nscope cp SRC box:/dst` (CLI process included)'],
      ['nscope-out', '`nscope cp box:/dst OUT`'],
      ['docker-in', '`docker cp SRC box:/dst` (private dockerd, overlay2)'],
      ['docker-out', '`docker cp box:/dst OUT`'],
    ];
    const table = mdTable(['command', 'median ms', 'min ms', 'max ms', 'time / tar pipe', 'runs'], rows.filter(([k]) => samples[k]?.length).map(([k, label]) => {
      const s = summarize(samples[k]);
      return [label, fmt(s.median), fmt(s.min), fmt(s.max), `${(s.median / med('tar')).toFixed(2)}×`, String(s.n)];
    }));
    const ratios = [`nscope in/tar ${(med('nscope-in') / med('tar')).toFixed(2)}×`, `nscope out/tar ${(med('nscope-out') / med('tar')).toFixed(2)}×`, `node -e 0/tar ${(med('node') / med('tar')).toFixed(2)}×`,
      `nscope in/tar through the overlay ${(med('nscope-in') / med('tar-overlay-in')).toFixed(2)}×`, `nscope out/tar through the overlay ${(med('nscope-out') / med('tar-overlay-out')).toFixed(2)}×`];
    if (samples['docker-in']?.length) ratios.push(`nscope in/docker ${(med('nscope-in') / med('docker-in')).toFixed(2)}×`, `nscope out/docker ${(med('nscope-out') / med('docker-out')).toFixed(2)}×`);
    const md = [
      '# Copy throughput: nscope cp vs docker cp vs tar | tar', '',
      `**Ratios (medians)** — ${ratios.join(', ')}.`, '',
      `Measured ${new Date().toISOString()} by \`node dist/bench/cp.js\` (bench/cp.ts): ${o.runs} rounds, each command once per round in random order, after one warm-up.`, '',
      `- tree: ${o.files} files (${(bytes / 1e6).toFixed(1)} MB, 0–8 KiB each) in 100 directories with a symlink each, on ${os.tmpdir()}`,
      `- host: kernel ${os.release()}, ${os.cpus().length} CPU, node ${process.version}${docker ? '' : '; docker: not run'}`, '',
      table, '',
    ].join('\n');
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, md);
    fs.writeFileSync(o.out.replace(/\.md$/, '.json'), JSON.stringify({ files: o.files, bytes, samples }, null, 1));
    process.stdout.write(md);
    process.stderr.write(`bench: wrote ${o.out}\n`);
  } finally {
    await cleanup();
  }
}

main().catch((e) => { process.stderr.write(`bench/cp: ${(e as Error).message}\n`); process.exitCode = 1; });
