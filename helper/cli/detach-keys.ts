// Docker's detach keys, Ctrl-P then Ctrl-Q unless --detach-keys says
// otherwise, for a console (`run -it`, `attach`, `exec -it`): the client
// lets go and the container (or the exec'd process) runs on. The bytes of a
// sequence begun are held back until the next one says whether it goes on;
// a byte that breaks it sends them on (it may end one read and the rest
// begin the next).
import type { Flag } from './command';

/** Docker's --detach-keys, for a console: run -it, attach, exec -it */
export const DETACH_KEYS: Flag = { name: 'detach-keys', takesValue: true, help: 'Override the key sequence for detaching a container (default ctrl-p,ctrl-q; e.g. ctrl-a,d)' };

const CTRL_P = 0x10;
const CTRL_Q = 0x11;
export const DEFAULT_DETACH_KEYS = [CTRL_P, CTRL_Q];

/**
 * Docker's --detach-keys: comma-separated keys, each a single character or
 * ctrl-<value> (a-z, @, [, \, ], ^, _). '' means the default.
 */
export function parseDetachKeys(s: string | undefined): number[] {
  if (s === undefined || s === '') return DEFAULT_DETACH_KEYS;
  return s.split(',').map((k) => {
    if (k.length === 1 && k.charCodeAt(0) < 0x80) return k.charCodeAt(0);
    const m = /^ctrl-([a-z@[\\\]^_])$/i.exec(k);
    if (!m) throw new Error(`Unrecognized input: ${k.slice(0, 20)} (--detach-keys takes a, ctrl-a, … separated by commas)`);
    const c = m[1].toLowerCase();
    return c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 0x60 : c.charCodeAt(0) - 0x40;
  });
}

/** A scanner over stdin's chunks: what to forward, and whether the sequence was typed (nothing after it is forwarded). */
export function detachScanner(keys: number[] = DEFAULT_DETACH_KEYS): (chunk: Buffer) => { forward: Buffer; detach: boolean } {
  let matched = 0;
  return (chunk) => {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === keys[matched]) {
        matched++;
        if (matched === keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      // the sequence broke: what was held goes on, and this byte may begin it again
      out.push(...keys.slice(0, matched));
      matched = 0;
      if (b === keys[0]) {
        matched = 1;
        if (keys.length === 1) return { forward: Buffer.from(out), detach: true };
      } else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  };
}
