// Diff speed, side by side in one run on the same rw layer:
//   find UPPER | wc -l          (sh -c, as a user would type it: the floor the issue measures against)
//   find UPPER -printf … | wc -l  the same with mode, owner and size of each entry (find then stats
//                               every entry, as the diff must for `details`)
//   container.diff              the RPC through a warm connection (what `nscope diff` asks for)
//   container.diff details      the same with every change's metadata (what `--format json` asks for)
//   nscope diff ID              the CLI as a process (reference: node's start-up included)
// The container is real: a private helper daemon (own socket, state root and
// cgroup parent under a temp dir, all removed at the end) builds the host
// image and runs a container that writes FILES new files (100 per directory)
// and changes, chmods and deletes a few image files, then exits. Warm-up runs
// first, then rounds in which each subject runs once in random order, so
// machine noise hits every subject alike. Prints medians, p90 and the ratios
// to find, and writes them to bench/results/diff.md (+ .json with every sample).
//
//   node scripts/build.mjs && node dist/bench/diff.js [--files N] [--runs N] [--warmup W] [--no-cli] [--out FILE]
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchDaemon, randomTag, REPO } from './lib/daemon';
import { removeCgroups } from './lib/cgroups';

interface Options { files: number; runs: number; warmup: number; cli: boolean; out: string }

function parseArgs(argv: string[]): Options {
  const o: Options = { files: 10_000, runs: 30, warmup: 5, cli: true, out: path.join(REPO, 'bench', 'results', 'diff.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => { const v = Number(argv[++i]); if (!Number.isInteger(v) || v < 0) throw new Error(`${a}: a non-negative integer`); return v; };
    if (a === '--files') o.files = num();
    else if (a === '--runs') o.runs = Math.max(1, num());
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--no-cli') o.cli = false;
    else if (a === '--out') o.out = path.resolve(argv[++i] ?? '');
    else if (a === '-h' || a === '--help') { process.stdout.write('usage: node dist/bench/diff.js [--files N] [--runs N] [--warmup W] [--no-cli] [--out FILE]\n'); process.exit(0); }
    else throw new Error(`unknown option ${a} (--help)`);
  }
  return o;
}

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = (s.length - 1) * (p / 100);
  const lo = Math.floor(k), hi = Math.ceil(k);
  return s[lo] + (s[hi] - s[lo]) * (k - lo);
}

/** Runs argv, returns its stdout and the wall time until it exited and its output closed. */
function timed(argv: string[]): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code) => resolve({ ms: msSince(t0), code, stdout, stderr }));
  });
}

/** The container's work: `files` new files, 100 per directory, plus a content change, a chmod and a deletion of image files. */
function script(files: number): string {
  const dirs = Math.ceil(files / 100);
  return [
    'set -e', 'i=0',
    `while [ $i -lt ${dirs} ]; do`,
    '  mkdir -p /bench/d$i; j=0',
    `  while [ $j -lt 100 ] && [ $((i*100+j)) -lt ${files} ]; do echo $i.$j > /bench/d$i/f$j; j=$((j+1)); done`,
    '  i=$((i+1))',
    'done',
    'echo changed >> /etc/group', 'chmod 600 /etc/passwd', 'rm /etc/shells',
  ].join('\n');
}

interface Subject { key: string; label: string; once: () => Promise<number>; samples: number[] }

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark runs containers: run it as root');
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) throw new Error('not built: run `node scripts/build.mjs` first');
  const d = new BenchDaemon(`diff-${randomTag()}`);
  let failure: unknown;
  try {
    log(`daemon: state under ${d.dir}`);
    await d.start();
    const c = await d.client();
    await c.request('image.host', { name: 'host', programs: ['sh', 'mkdir', 'chmod', 'rm'] });
    const { id } = await c.request('container.create', { image: 'host', cmd: ['sh', '-c', script(o.files)] });
    const waited = c.request('container.wait', { id });
    let t0 = process.hrtime.bigint();
    await c.request('container.start', { id });
    const exit = await waited;
    if (exit.exitCode !== 0) throw new Error(`the container failed (${exit.exitCode}): ${(await c.request('container.logs', { id })).map((l) => l.log).join('')}`);
    log(`container wrote ${o.files} files in ${msSince(t0).toFixed(0)} ms`);
    const upper = (await c.request('container.inspect', { id })).rootfs.upper;

    // what each subject sees, once: the same tree
    const found = Number((await timed(['sh', '-c', `find '${upper}' | wc -l`])).stdout.trim());
    t0 = process.hrtime.bigint();
    const diff = await c.request('container.diff', { id });
    const first = msSince(t0);
    const count = (k: string) => diff.changes.filter((x) => x.kind === k).length;
    log(`find: ${found} lines; diff: ${diff.changes.length} changes (A ${count('A')}, C ${count('C')}, D ${count('D')}), first call ${first.toFixed(1)} ms`);

    const subjects: Subject[] = [
      { key: 'find', label: "`sh -c 'find UPPER \\| wc -l'`", samples: [], once: async () => { const r = await timed(['sh', '-c', `find '${upper}' | wc -l`]); if (r.code !== 0) throw new Error(r.stderr); return r.ms; } },
      { key: 'find-stat', label: "`sh -c 'find UPPER -printf \"%y %m %U %G %s %p\\n\" \\| wc -l'` (stats every entry)", samples: [], once: async () => { const r = await timed(['sh', '-c', `find '${upper}' -printf '%y %m %U %G %s %p\\n' | wc -l`]); if (r.code !== 0) throw new Error(r.stderr); return r.ms; } },
      { key: 'rpc', label: '`container.diff` RPC (warm connection)', samples: [], once: async () => { const t = process.hrtime.bigint(); await c.request('container.diff', { id }); return msSince(t); } },
      { key: 'rpc-details', label: '`container.diff` RPC, `details: true`', samples: [], once: async () => { const t = process.hrtime.bigint(); await c.request('container.diff', { id, details: true }); return msSince(t); } },
    ];
    if (o.cli) subjects.push({ key: 'cli', label: '`nscope diff ID` (a CLI process)', samples: [], once: async () => { const r = await timed([process.execPath, path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'diff', id]); if (r.code !== 0) throw new Error(r.stderr); return r.ms; } });

    for (let w = 0; w < o.warmup; w++) for (const s of subjects) await s.once();
    for (let r = 0; r < o.runs; r++) {
      const order = [...subjects].sort(() => Math.random() - 0.5);
      for (const s of order) s.samples.push(await s.once());
    }

    const med = (s: Subject) => percentile(s.samples, 50);
    const findMed = med(subjects[0]);
    const rows = subjects.map((s) => `| ${s.label} | ${med(s).toFixed(2)} | ${percentile(s.samples, 90).toFixed(2)} | ${Math.min(...s.samples).toFixed(2)} | ${(med(s) / findMed).toFixed(2)}× |`);
    const table = [
      `Diff of a container with ${o.files} new files (${diff.changes.length} changes; \`find\` lists ${found} entries), ${o.runs} rounds after ${o.warmup} warm-up, ${os.cpus().length} CPUs, Linux ${os.release()}, Node ${process.version}.`,
      '',
      '| subject | median ms | p90 ms | min ms | ÷ find |',
      '|---|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
    process.stdout.write(`${table}\n`);
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, `# nscope diff vs find\n\n${table}\n\nRun with \`node dist/bench/diff.js\` (built by \`node scripts/build.mjs\`), as root.\n`);
    fs.writeFileSync(o.out.replace(/\.md$/, '') + '.json', JSON.stringify({ files: o.files, changes: diff.changes.length, found, date: new Date().toISOString(), samples: Object.fromEntries(subjects.map((s) => [s.key, s.samples])) }, null, 1));
    log(`wrote ${o.out}`);
  } catch (e) {
    failure = e;
  } finally {
    const leaks = [...await d.cleanup(), ...removeCgroups(d.cgroupParent)];
    if (leaks.length) log(`left behind: ${leaks.join('; ')}`);
  }
  if (failure) throw failure;
}

main().catch((e) => { process.stderr.write(`bench: ${(e as Error).message}\n`); process.exitCode = 1; });
