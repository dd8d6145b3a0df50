// Signal names and numbers as users type them: KILL, SIGKILL, 9.
import * as os from 'os';
import { invalid } from '../errors';

/** A signal number's name ("SIGKILL"), or "signal N" for one without. */
export function signalName(n: number): string {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

export function signalNumber(sig: string | number): number {
  if (typeof sig === 'number' || /^\d+$/.test(String(sig))) {
    const n = Number(sig);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw invalid(`signal ${sig} is out of range (1-64)`);
    return n;
  }
  const name = String(sig).toUpperCase();
  const full = name.startsWith('SIG') ? name : `SIG${name}`;
  const n = (os.constants.signals as Record<string, number>)[full];
  if (n === undefined) {
    const rt = full.match(/^SIGRTMIN(?:\+(\d+))?$/);
    if (rt) return 34 + Number(rt[1] ?? 0);
    throw invalid(`unknown signal "${sig}"`);
  }
  return n;
}
