// Go's time.Duration syntax ("10m", "1h30m", "1.5h", "300ms"), as Docker's
// --since/--until and runc's --interval take it.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** A Go duration in milliseconds, or undefined if `s` is not one. */
export function goDurationMs(s: string): number | undefined {
  if (!/^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return total;
}

/** A signed Go duration in whole nanoseconds ("-1s", "0", "1m30s"), or undefined if `s` is not one. */
export function goDurationNs(s: string): number | undefined {
  const m = /^([-+]?)([\s\S]*)$/.exec(s)!;
  const ms = m[2] === '0' ? 0 : goDurationMs(m[2]);
  return ms === undefined ? undefined : Math.round(ms * 1e6) * (m[1] === '-' ? -1 : 1);
}
