// `nscope build` of a small multi-step Containerfile, cold (no cache) and
// cached (an unchanged rebuild), next to `podman build` (a private store;
// podman's RUN through nscope-runtime, as runc and crun cannot start under
// Podman on this project's machines) in one run. Both build FROM a busybox
// image made here (Debian's busybox-static), RUN with no network. Medians and
// the ratios go to bench/results/build.md (+ .json). Timing is reported, never
// asserted.
//
//   node dist/bench/build.js [--runs N (5)] [--no-podman] [--out FILE]
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PrivatePodman, havePodman } from '../test/helpers/podman';
import { removeCgroups } from './lib/cgroups';
import { BenchDaemon, randomTag, REPO } from './lib/daemon';
import { fmt, mdTable, summarize } from './lib/stats';

const CONTAINERFILE = `FROM bench-bb
ENV GREETING=hello
WORKDIR /app
COPY data/ /app/data/
RUN echo "$GREETING" > /app/greeting && ls /app/data > /app/list
RUN cat /app/greeting /app/list > /app/both
COPY run.sh /app/run.sh
CMD ["sh", "/app/run.sh"]
`;

function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr?.toString().trim().split('\n').pop() || `exit ${r.status}`}`);
  return ms;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs = 5;
  let podmanOn = true;
  let out = path.join(REPO, 'bench', 'results', 'build.md');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else if (args[i] === '--no-podman') podmanOn = false;
    else if (args[i] === '--out') out = path.resolve(args[++i]);
    else throw new Error(`bench/build: unknown argument ${args[i]}`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-bench-build-'));
  const daemon = new BenchDaemon(randomTag());
  const podmanCgroup = `nscope-bench-build-${randomTag()}`;
  const podman = podmanOn && havePodman() ? new PrivatePodman(path.join(work, 'podman'), podmanCgroup) : undefined;
  const runtime = path.join(REPO, 'bin', 'nscope-runtime');
  try {
    // the context and the base image
    const ctx = path.join(work, 'ctx');
    fs.mkdirSync(path.join(ctx, 'data'), { recursive: true });
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(ctx, 'data', `f${i}.txt`), `file ${i}\n`.repeat(50));
    fs.writeFileSync(path.join(ctx, 'run.sh'), 'cat /app/both\n');
    fs.writeFileSync(path.join(ctx, 'Containerfile'), CONTAINERFILE);
    const rootfs = path.join(work, 'bb');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const l of ['sh', 'ls', 'cat', 'echo', 'true']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', l));
    const tar = path.join(work, 'bb.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', tar, '.']);

    await daemon.start();
    const cli = path.join(REPO, 'bin', 'nscope');
    const nscope = (a: string[], env?: NodeJS.ProcessEnv) => timed(process.execPath, [cli, '--socket', daemon.socket, ...a], env);
    // the busybox image for nscope: built from the tar by a one-line Containerfile on the host image is not the same base, so import an OCI layout instead
    const c = await daemon.client();
    await c.request('image.host', { name: 'bench-host', programs: ['sh'] });
    const bbCtx = path.join(work, 'bbctx');
    fs.mkdirSync(bbCtx);
    fs.copyFileSync(tar, path.join(bbCtx, 'bb.tar'));
    fs.writeFileSync(path.join(bbCtx, 'Containerfile'), 'FROM bench-host\nADD bb.tar /\n');
    nscope(['build', '-q', '-t', 'bench-bb', bbCtx], { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache-base') });
    if (podman) {
      fs.mkdirSync(podman.dir, { recursive: true });
      const r = await podman.podman(runtime, ['import', tar, 'bench-bb']);
      if (r.code !== 0) throw new Error(`podman import: ${r.stderr}`);
    }

    const samples: Record<string, number[]> = { 'nscope-cold': [], 'nscope-cached': [], 'podman-cold': [], 'podman-cached': [] };
    for (let r = -1; r < runs; r++) {
      const cache = path.join(work, `cache${r}`);
      const env = { ...process.env, XDG_CACHE_HOME: cache };
      const cold = nscope(['build', '-q', '--network', 'none', '-t', `b:${r + 1}`, ctx], env);
      const cached = nscope(['build', '-q', '--network', 'none', '-t', `b:${r + 1}`, ctx], env);
      if (r >= 0) { samples['nscope-cold'].push(cold); samples['nscope-cached'].push(cached); }
      if (podman) {
        const g = ['--root', path.join(podman.dir, 'root'), '--runroot', path.join(podman.dir, 'runroot'), '--tmpdir', path.join(podman.dir, 'tmp'),
          '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay', '--runtime', runtime];
        const pcold = timed('podman', [...g, 'build', '-q', '--network', 'none', '--no-cache', '-t', `b:${r + 1}`, ctx]);
        const pcached = timed('podman', [...g, 'build', '-q', '--network', 'none', '-t', `b:${r + 1}`, ctx]);
        if (r >= 0) { samples['podman-cold'].push(pcold); samples['podman-cached'].push(pcached); }
      }
    }
    const med = (k: string) => summarize(samples[k]).median;
    const rows: [string, string][] = [
      ['nscope-cold', '`nscope build` (a fresh cache: every step runs)'],
      ['nscope-cached', '`nscope build` again (unchanged: every step from the cache)'],
      ['podman-cold', '`podman build --no-cache` (private store, nscope-runtime)'],
      ['podman-cached', '`podman build` again (its cache)'],
    ];
    const table = mdTable(['command', 'median ms', 'min ms', 'max ms', 'runs'], rows.filter(([k]) => samples[k].length).map(([k, label]) => {
      const s = summarize(samples[k]);
      return [label, fmt(s.median), fmt(s.min), fmt(s.max), String(s.n)];
    }));
    const ratios = podman && samples['podman-cold'].length
      ? `nscope/podman cold ${(med('nscope-cold') / med('podman-cold')).toFixed(2)}×, cached ${(med('nscope-cached') / med('podman-cached')).toFixed(2)}×; nscope cached rebuild ${fmt(med('nscope-cached'))} ms`
      : `nscope cached rebuild ${fmt(med('nscope-cached'))} ms (podman not run)`;
    const md = [
      '# Build: nscope build vs podman build', '',
      `**Ratios (medians)** — ${ratios}.`, '',
      `Measured ${new Date().toISOString()} by \`node dist/bench/build.js\` (bench/build.ts): ${runs} rounds after one warm-up; each round a cold build (a fresh cache) then the same build again.`, '',
      '- Containerfile: FROM a busybox image made here, ENV, WORKDIR, COPY of 200 files, two RUNs (no network), COPY of a file, CMD (bench/build.ts)',
      `- host: kernel ${os.release()}, ${os.cpus().length} CPU, node ${process.version}; CLI processes included (Node start-up for nscope)`, '',
      table, '',
    ].join('\n');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, md);
    fs.writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify(samples, null, 1));
    process.stdout.write(md);
  } finally {
    const leaks = await daemon.cleanup();
    if (podman) { await podman.stop(runtime).catch(() => undefined); leaks.push(...removeCgroups(podmanCgroup)); }
    fs.rmSync(work, { recursive: true, force: true });
    if (leaks.length) process.stderr.write(`bench: left behind: ${leaks.join('; ')}\n`);
  }
}

main().catch((e) => { process.stderr.write(`bench/build: ${(e as Error).message}\n`); process.exitCode = 1; });
