// The command line every latency bench shares: runs, warm-up, cold/warm
// modes, the idle gap, a state dir, an output file, and `--no-X` switches.
import * as os from 'os';
import * as path from 'path';

export type Mode = 'cold' | 'warm';

export interface CommonOptions<S extends string> {
  runs: number; warmup: number; modes: Mode[]; gap: number; stateDir: string; out: string;
  /** runs of the nscope command alone before anything is timed: the daemon's JIT warm-up */
  daemonWarmup: number;
  /** each switch, true unless `--no-<name>` was given */
  on: Record<S, boolean>;
}

export function parseBenchArgs<S extends string>(argv: string[], script: string, defaultOut: string, switches: readonly S[]): CommonOptions<S> {
  const o: CommonOptions<S> = {
    runs: 30, warmup: 5, daemonWarmup: 100, modes: ['cold', 'warm'], gap: 50, stateDir: os.tmpdir(), out: defaultOut,
    on: Object.fromEntries(switches.map((s) => [s, true])) as Record<S, boolean>,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a}: value missing`); return v; };
    const sw = switches.find((s) => a === `--no-${s}`);
    if (sw) o.on[sw] = false;
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--warmup') o.warmup = Number(val());
    else if (a === '--daemon-warmup') o.daemonWarmup = Number(val());
    else if (a === '--mode') {
      const m = val();
      if (m !== 'cold' && m !== 'warm' && m !== 'both') throw new Error('--mode: cold, warm or both');
      o.modes = m === 'both' ? ['cold', 'warm'] : [m];
    } else if (a === '--gap') o.gap = Number(val());
    else if (a === '--state-dir') o.stateDir = path.resolve(val());
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`usage: node ${script} [--runs N] [--warmup W] [--daemon-warmup D] [--mode cold|warm|both] [--gap MS] ${switches.map((s) => `[--no-${s}]`).join(' ')} [--state-dir DIR] [--out FILE]\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${a} (--help)`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs: a positive integer');
  if (!Number.isInteger(o.warmup) || o.warmup < 0) throw new Error('--warmup: a non-negative integer');
  if (!Number.isInteger(o.daemonWarmup) || o.daemonWarmup < 0) throw new Error('--daemon-warmup: a non-negative integer');
  if (!Number.isFinite(o.gap) || o.gap < 0) throw new Error('--gap: milliseconds, 0 or more');
  return o;
}
