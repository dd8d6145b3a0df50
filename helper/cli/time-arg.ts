// The times `logs --since/--until` and `events --since/--until` take, as
// Docker reads them: RFC 3339 (a missing zone is local time, as Docker's),
// Unix time (seconds, with an optional fraction), or a Go duration before now
// ("10m", "1h30m", "1.5h", "300ms").
import { goDurationMs } from '../lib/go-duration';
import { UsageError } from './args';

/** Milliseconds since the epoch for a --since/--until value; `flag` names it in the error. */
export function parseTimeArg(v: string, flag: string, now = Date.now()): number {
  const d = goDurationMs(v);
  if (d !== undefined) return now - d;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.floor(Number(v) * 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (m) {
    const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
    const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
    let t: number;
    if (zone === undefined) t = new Date(+y, +mo - 1, +da, +h, +mi, +se, ms).getTime();
    else {
      t = Date.UTC(+y, +mo - 1, +da, +h, +mi, +se, ms);
      if (zone !== 'Z') {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
        t -= (z[1] === '-' ? -1 : 1) * (+z[2] * 60 + +z[3]) * 60000;
      }
    }
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`--${flag}: "${v}" is not a time: give RFC 3339 (2024-05-01T10:00:00Z), Unix seconds, or a duration before now (10m, 1h30m)`);
}
