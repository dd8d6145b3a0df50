// Small pieces every latency bench uses: a random order for each round, an
// idle gap, and shell quoting for the commands it prints.

/** A copy of `xs` in random order (Fisher–Yates): no command always runs first in a round. */
export function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** `s` quoted for sh when it needs to be. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_/.,:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
