// What the engine tests (test/integration/engine-*.test.ts) share: the same
// check for each runtime on one engine, and the after-check that nothing of
// the test's own directory is left running or mounted.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

/** Runs `check` for each runtime in turn (the reference first), naming the runtime in a failure. */
export function matrix(title: string, skip: string | false, runtimes: () => string[], check: (rt: string) => Promise<void>): void {
  test(title, { skip }, async () => {
    for (const rt of runtimes()) {
      try { await check(rt); } catch (e) {
        (e as Error).message = `[${path.basename(rt)}] ${(e as Error).message}`;
        throw e;
      }
    }
  });
}

/** No process whose command line names `dir`, no mount below it. */
export function assertNothingLeft(dir: string): void {
  const left = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((pid) => {
    try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir); } catch { return false; }
  });
  assert.deepEqual(left, [], 'processes of the test left');
  assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), 'mounts left');
}
