// A console size from a client. A terminal can report 0x0 (a pty nobody
// sized: a serial console, `script`, some IDE terminals); Docker takes a zero
// as "no size given", and so do we: the default size at create and exec,
// nothing to apply on resize. Anything else must be a size a pty can have.
import { invalid } from '../errors';

const MAX = 10000;

/** `what` (rows or cols) of a new console: undefined for none given (absent or 0). */
export function ttyDimension(v: number | undefined, what: 'rows' | 'cols', step: string): number | undefined {
  if (v === undefined || v === 0) return undefined;
  if (!Number.isInteger(v) || v < 1 || v > MAX) throw invalid(`${step}: ${what} ${v} is out of range (1-${MAX}, or 0 for no size)`);
  return v;
}

/** A resize: undefined when either side is 0, as Docker's client skips a 0x0 resize. */
export function ttyResize(rows: number, cols: number, step: string): { rows: number; cols: number } | undefined {
  const r = ttyDimension(rows, 'rows', step);
  const c = ttyDimension(cols, 'cols', step);
  return r === undefined || c === undefined ? undefined : { rows: r, cols: c };
}
