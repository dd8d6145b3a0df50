// Docker's container health checks, the pure part: the config's checks (a
// hostile caller's and an image's), the user's over the image's, the
// probe's argv, and what one probe's result does to the state. The monitor
// that runs probes is containers/health.ts.
import { invalid } from '../errors';
import type { HealthConfig, HealthProbe, HealthState } from '../protocol/types';

const MS = 1e6;
export const HEALTH_DEFAULTS = { interval: 30_000 * MS, timeout: 30_000 * MS, startPeriod: 0, retries: 3 };
/** Docker's MinimumDuration for a set interval, timeout or start period */
const MIN_DURATION = 1 * MS;
/** probes Log keeps, and bytes of a probe's output (Docker's maxLogEntries, maxOutputLen) */
export const HEALTH_LOG_ENTRIES = 5;
export const HEALTH_OUTPUT_MAX = 4096;
const MAX_ARGS = 4096;
const MAX_STRING = 64 * 1024;

const DURATIONS = [['interval', 'Interval'], ['timeout', 'Timeout'], ['startPeriod', 'StartPeriod'], ['startInterval', 'StartInterval']] as const;
const FIELDS = ['interval', 'timeout', 'startPeriod', 'startInterval', 'retries'] as const;

/** The caller's healthcheck (RunOptions.healthcheck), refused with Docker's words where Docker's daemon refuses it. */
export function checkHealthConfig(h: unknown): HealthConfig | undefined {
  if (h === undefined || h === null) return undefined;
  if (typeof h !== 'object' || Array.isArray(h)) throw invalid('create: "healthcheck" must be an object');
  const o = h as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['test', ...FIELDS].includes(k)) throw invalid(`create: unknown healthcheck option "${k.slice(0, 40)}"`);
  const out: HealthConfig = {};
  if (o.test !== undefined && o.test !== null) {
    const t = o.test;
    if (!Array.isArray(t) || t.length > MAX_ARGS || !t.every((a) => typeof a === 'string' && a.length <= MAX_STRING && !a.includes('\0'))) throw invalid('create: healthcheck "test" must be a list of strings');
    if (t.length) {
      if (!['NONE', 'CMD', 'CMD-SHELL'].includes(t[0])) throw invalid(`Healthcheck: unknown test type "${t[0].slice(0, 40)}" (expected NONE, CMD or CMD-SHELL)`);
      if (t[0] !== 'NONE' && (t.length < 2 || (t[0] === 'CMD-SHELL' && !t[1].trim()))) throw invalid(`Healthcheck: ${t[0]} needs a command`);
    }
    out.test = t as string[];
  }
  for (const [k, word] of DURATIONS) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`create: healthcheck "${k}" must be a whole number of nanoseconds`);
    if (v < 0) throw invalid(`${word} in Healthcheck cannot be negative`);
    if (v !== 0 && v < MIN_DURATION) throw invalid(`${word} in Healthcheck cannot be less than 1ms`);
    out[k] = v;
  }
  if (o.retries !== undefined && o.retries !== null) {
    const v = o.retries;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid('create: healthcheck "retries" must be a whole number');
    if (v < 0) throw invalid('Retries in Healthcheck cannot be negative');
    if (v > 0x7fffffff) throw invalid(`Retries in Healthcheck cannot be more than ${0x7fffffff}`);
    out.retries = v;
  }
  return out;
}

/** An image config's Healthcheck (Docker's field names) as ours; one that is malformed is none (an image is not the caller to refuse). */
export function imageHealthConfig(h: unknown): HealthConfig | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const o = h as Record<string, unknown>;
  try {
    return checkHealthConfig({ test: o.Test, interval: o.Interval, timeout: o.Timeout, startPeriod: o.StartPeriod, startInterval: o.StartInterval, retries: o.Retries });
  } catch { return undefined; }
}

/** Docker's merge: the user's fields over the image's, each one unset (empty, 0) taking the image's. */
export function mergeHealthConfig(user: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!user) return image && image.test?.length ? image : undefined;
  const out: HealthConfig = { ...user };
  if (image) {
    if (!out.test?.length) out.test = image.test;
    for (const k of FIELDS) if (!out[k] && image[k]) out[k] = image[k];
  }
  for (const k of FIELDS) if (!out[k]) delete out[k];
  return out.test?.length ? out : undefined;
}

/**
 * The image's SHELL (its config's Shell, from a build's SHELL instruction), where it is one a
 * probe can run: a list of 1–16 strings, none empty or with a NUL. Else undefined (/bin/sh -c).
 */
export function imageShell(shell: unknown): string[] | undefined {
  if (!Array.isArray(shell) || shell.length < 1 || shell.length > 16) return undefined;
  return shell.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 4096 && !x.includes('\0')) ? shell as string[] : undefined;
}

/** The argv a probe runs (CMD-SHELL: the image's SHELL, else /bin/sh -c, as Docker's getShell), or undefined where the check is off (NONE). */
export function probeArgv(h: HealthConfig | undefined, shell?: string[]): string[] | undefined {
  const t = h?.test;
  if (!t || t.length < 2) return undefined;
  if (t[0] === 'CMD') return t.slice(1);
  if (t[0] === 'CMD-SHELL') return [...(shell?.length ? shell : ['/bin/sh', '-c']), ...t.slice(1)];
  return undefined;
}

/** Interval, timeout and start period in milliseconds, and the retries, each with Docker's default where unset; the start interval where set (0: the interval). */
export function healthTimings(h: HealthConfig): { intervalMs: number; timeoutMs: number; startPeriodMs: number; startIntervalMs: number; retries: number } {
  return {
    intervalMs: (h.interval || HEALTH_DEFAULTS.interval) / MS,
    timeoutMs: (h.timeout || HEALTH_DEFAULTS.timeout) / MS,
    startPeriodMs: (h.startPeriod || HEALTH_DEFAULTS.startPeriod) / MS,
    startIntervalMs: (h.startInterval ?? 0) / MS,
    retries: h.retries || HEALTH_DEFAULTS.retries,
  };
}

/** How long until the next probe: the start interval while the container is starting within its start period, else the interval. */
export function nextProbeMs(h: HealthConfig, status: string | undefined, startedAt: string | undefined, now = Date.now()): number {
  const t = healthTimings(h);
  const inStart = t.startIntervalMs > 0 && status === 'starting' && startedAt !== undefined && now - Date.parse(startedAt) < t.startPeriodMs;
  return inStart ? t.startIntervalMs : t.intervalMs;
}

/**
 * One probe's result applied as Docker's handleProbeResult does: it joins
 * the log (the last 5 kept); exit 0 is healthy and clears the streak; a
 * failure adds to the streak, unhealthy at `retries`, except that while
 * the container is still starting, failures in its start period do not count.
 * Returns whether the status changed.
 */
export function applyProbe(state: HealthState, probe: HealthProbe, o: { retries: number; startPeriodMs: number; startedAt?: string }): boolean {
  const before = state.status;
  state.log = [...state.log, probe].slice(-HEALTH_LOG_ENTRIES);
  if (probe.exitCode === 0) {
    state.failingStreak = 0;
    state.status = 'healthy';
  } else {
    const inStartPeriod = state.status === 'starting' && o.startedAt !== undefined && Date.parse(probe.start) - Date.parse(o.startedAt) < o.startPeriodMs;
    if (!inStartPeriod) {
      state.failingStreak++;
      if (state.failingStreak >= o.retries) state.status = 'unhealthy';
    }
  }
  return state.status !== before;
}

/** Output kept of a probe: its first 4 KiB (bytes), as text. */
export function probeOutput(chunks: Buffer[]): string {
  return Buffer.concat(chunks).subarray(0, HEALTH_OUTPUT_MAX).toString('utf8');
}
