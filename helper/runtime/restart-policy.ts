// Docker's restart policies (`--restart no|on-failure[:N]|always|unless-stopped`):
// parsing with Docker's checks and words (the CLI's ParseRestartPolicy, the
// daemon's ValidateRestartPolicy), and its restart manager's decision and
// back-off (100 ms doubling up to a minute, back to 100 ms once a run lasted
// 10 s). Pure: containers/restart.ts acts on it.
import { invalid } from '../errors';

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';
export interface RestartPolicy { name: RestartPolicyName; maximumRetryCount?: number }

const NAMES: RestartPolicyName[] = ['no', 'always', 'on-failure', 'unless-stopped'];

export const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
/** a run at least this long resets the back-off */
export const RESET_AFTER_MS = 10_000;

export function parseRestartPolicy(v: string): RestartPolicy {
  if (typeof v !== 'string') throw invalid('--restart: not a string');
  const colon = v.indexOf(':');
  const name = colon < 0 ? v : v.slice(0, colon);
  const count = colon < 0 ? '' : v.slice(colon + 1);
  if (colon >= 0 && name === '') throw invalid('invalid restart policy format: no policy provided before colon');
  let max = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count) || !Number.isSafeInteger(Number(count))) throw invalid('invalid restart policy format: maximum retry count must be an integer');
    max = Number(count);
  }
  if (!(NAMES as string[]).includes(name)) {
    throw invalid(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (name === 'on-failure') {
    if (max < 0) throw invalid('invalid restart policy: maximum retry count cannot be negative');
    return max ? { name, maximumRetryCount: max } : { name };
  }
  if (max !== 0) throw invalid(`invalid restart policy: maximum retry count can only be used with 'on-failure'${max < 0 ? ' and cannot be negative' : ''}`);
  return { name: name as RestartPolicyName };
}

export function formatRestartPolicy(p: RestartPolicy | undefined): string {
  if (!p) return 'no';
  return p.maximumRetryCount ? `${p.name}:${p.maximumRetryCount}` : p.name;
}

/**
 * Whether a container that just exited goes again (Docker's
 * ShouldRestart). `manuallyStopped`: the user stopped or killed it — no
 * policy restarts it then; at the daemon's start, `always` does (as Docker's
 * daemon brings `always` containers back) and `unless-stopped` does not.
 */
export function shouldRestart(p: RestartPolicy | undefined, exitCode: number, restartCount: number, manuallyStopped: boolean, atDaemonStart = false): boolean {
  if (!p || p.name === 'no') return false;
  if (manuallyStopped && !(atDaemonStart && p.name === 'always')) return false;
  if (p.name === 'always' || p.name === 'unless-stopped') return true;
  const max = p.maximumRetryCount ?? 0;
  return exitCode !== 0 && (max === 0 || restartCount < max);
}

/** The wait before the next restart: the last one doubled (from 100 ms, at most a minute), or 100 ms after a run of 10 s or more. */
export function nextDelay(lastDelay: number | undefined, ranMs: number): number {
  if (lastDelay === undefined || ranMs >= RESET_AFTER_MS) return FIRST_DELAY_MS;
  return Math.min(lastDelay * 2, MAX_DELAY_MS);
}
