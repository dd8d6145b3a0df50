// The raw table's PREROUTING rules the networks put first (--internal's in
// ./internal.ts, every network's isolation in ./isolation.ts): why raw, and
// why first, is said there; this is how they are added and taken away.
import { execFile } from 'child_process';
import { NscopeError } from '../errors';

/** `iptables -w -t raw ARGS`: whether it succeeded (-C: whether the rule is there). */
export function rawIptables(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('iptables', ['-w', '-t', 'raw', ...args], { timeout: 10000 }, (err) => resolve(!err));
  });
}

/** raw PREROUTING as `iptables -S` prints it ('' when it cannot be read). */
export function rawPrerouting(): Promise<string> {
  return new Promise((resolve) => {
    execFile('iptables', ['-w', '-t', 'raw', '-S', 'PREROUTING'], { timeout: 10000 }, (err, out) => resolve(err ? '' : out));
  });
}

/** Puts each rule ([chain, …spec]) first in its chain unless it is there; all or none: a failure takes back what it added and throws `failure`. */
export async function ensureFirst(rules: string[][], failure: string): Promise<void> {
  const added: string[][] = [];
  for (const r of rules) {
    if (await rawIptables(['-C', ...r])) continue;
    if (!await rawIptables(['-I', r[0], '1', ...r.slice(1)])) {
      for (const a of added) await rawIptables(['-D', ...a]);
      throw new NscopeError('failed', failure);
    }
    added.push(r);
  }
}

/** Removes every copy of the rules; nothing to remove is fine. */
export async function removeEvery(rules: string[][]): Promise<void> {
  for (const r of rules) for (let i = 0; i < 8 && await rawIptables(['-D', ...r]); i++) { /* one per call */ }
}
