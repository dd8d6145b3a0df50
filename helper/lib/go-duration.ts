// Go's time.Duration syntax ("10m", "1h30m", "1.5h", "300ms"), as Docker's
// --since/--until and --health-*, runc's --interval and a HEALTHCHECK's
// options take it, and its String() form for messages.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/**
 * A Go duration in milliseconds, or undefined if `s` is not one.
 * `leadingDigit`: each number with a digit before its point ("0.5s", not
 * ".5s"), as runc's --interval and Dockerfile options have always been read here.
 */
export function goDurationMs(s: string, opts: { leadingDigit?: boolean } = {}): number | undefined {
  if (!(opts.leadingDigit ? /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/ : /^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$/).test(s)) return undefined;
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

/** Go's time.Duration.String() for a timeout message ("Health check exceeded timeout (300ms)"). */
export function goDurationString(ms: number): string {
  if (ms < 1000) return `${Number(ms.toFixed(6))}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const sec = `${Number(s.toFixed(9))}s`;
  return h ? `${h}h${m}m${sec}` : m ? `${m}m${sec}` : sec;
}
