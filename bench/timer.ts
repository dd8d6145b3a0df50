// The timer loop for programs the benchmark runs as processes (runc run,
// crun run, the unshare+chroot baseline): time from spawn() to the child's
// exit, measured here so that nothing but the process itself is counted.
//
// Two modes:
//   node dist/bench/timer.js --serve
//       reads one JSON request per line on stdin, {"argv": [...]}, runs it,
//       answers one JSON line on stdout: {"ms", "code", "signal", "stderr"}.
//       run.ts keeps one such loop per namespace (crun's runs inside a private
//       mount namespace without the cgroup2 mount) and interleaves requests.
//   node dist/bench/timer.js [--runs N] [--warmup W] -- CMD ARG...
//       runs CMD W+N times ("{i}" in an argument becomes the run number) and
//       prints {"argv", "times": [ms...], "failures": n} — for use by hand.
import * as readline from 'readline';
import { timeOnce } from './lib/proc';

async function serve(): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + '\n');
  for await (const line of rl) {
    if (!line.trim()) continue;
    let req: { argv?: string[] };
    try { req = JSON.parse(line); } catch { process.stdout.write(JSON.stringify({ ms: 0, code: -1, signal: null, stderr: 'bad request' }) + '\n'); continue; }
    if (!Array.isArray(req.argv) || req.argv.length === 0) { process.stdout.write(JSON.stringify({ ms: 0, code: -1, signal: null, stderr: 'no argv' }) + '\n'); continue; }
    const r = await timeOnce(req.argv);
    process.stdout.write(JSON.stringify(r) + '\n');
  }
}

async function batch(args: string[]): Promise<void> {
  let runs = 30;
  let warmup = 3;
  const dd = args.indexOf('--');
  const opts = dd >= 0 ? args.slice(0, dd) : [];
  const argv = dd >= 0 ? args.slice(dd + 1) : args;
  for (let i = 0; i < opts.length; i++) {
    if (opts[i] === '--runs') runs = Number(opts[++i]);
    else if (opts[i] === '--warmup') warmup = Number(opts[++i]);
  }
  if (!argv.length || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write('usage: node dist/bench/timer.js --serve | [--runs N] [--warmup W] -- CMD ARG... ("{i}" = run number)\n');
    process.exit(2);
  }
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const r = await timeOnce(argv.map((a) => a.replace(/\{i\}/g, String(i))));
    if (r.code !== 0) { failures++; process.stderr.write(`run ${i}: exit ${r.code ?? r.signal}: ${r.stderr.trim()}\n`); continue; }
    if (i >= warmup) times.push(r.ms);
  }
  process.stdout.write(JSON.stringify({ argv, times, failures }) + '\n');
}

const args = process.argv.slice(2);
(args[0] === '--serve' ? serve() : batch(args)).catch((e) => { process.stderr.write(`timer: ${e?.stack ?? e}\n`); process.exit(1); });
