// --stop-signal and --stop-timeout: how `stop` (and `restart`) ends a
// container, checked at create as Docker's daemon does, so a typo is an
// error now and not a container that cannot be stopped gracefully later.
import { invalid } from '../errors';
import { signalNumber } from './signals';

export const DEFAULT_STOP_TIMEOUT = 10;
/** a day: as `stop --time` allows */
const MAX_STOP_TIMEOUT = 86400;

export function checkStopSignal(sig: string | undefined, flag = '--stop-signal'): string | undefined {
  if (sig === undefined) return undefined;
  try { signalNumber(sig); } catch { throw invalid(`${flag}: Invalid signal: ${sig}`); }
  return sig;
}

export function checkStopTimeout(t: number | undefined): number | undefined {
  if (t === undefined) return undefined;
  if (!Number.isInteger(t) || t < -1 || t > MAX_STOP_TIMEOUT) throw invalid(`--stop-timeout: ${t} is out of range; use 0..${MAX_STOP_TIMEOUT} seconds, or -1 to wait for ever`);
  return t;
}
