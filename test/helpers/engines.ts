// What the engine tests (test/integration/engine-*.test.ts) share: their
// fixture (a daemon with the host image, a directory, a cgroup parent) and
// its teardown, the same check for each runtime on one engine, and the
// after-check that nothing of the test's own directory is left running or mounted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { removeCgroupTree, startWithImage, type TestDaemon } from './daemon';
import { cgroupName } from './run-scope';

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

/**
 * What every engine test starts from: a daemon with the `host` image (whose
 * layer is the engines' rootfs), a directory of the test's own (0755: the
 * engines' processes reach it) and a cgroup parent named for the run.
 */
export interface EngineFixture { d: TestDaemon; dir: string; parent: string; layer: string }

export async function engineFixture(tag: string): Promise<EngineFixture> {
  const d = await startWithImage(tag);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nscope-${tag}-`));
  fs.chmodSync(dir, 0o755);
  const img = await (await d.client()).request('image.inspect', { ref: 'host' });
  return { d, dir, parent: cgroupName(tag), layer: (img.layers as unknown as { dir: string }[])[0].dir };
}

/** The image layer as a tar, for `docker import -` / `podman import -`. */
export function layerTar(f: EngineFixture): Buffer {
  return execFileSync('tar', ['-C', f.layer, '-c', '.'], { maxBuffer: 1 << 30 });
}

/**
 * Stops the engine, checks nothing of the test is left running or mounted,
 * removes the cgroup tree the engine leaves (its parent, Podman's conmon
 * cgroups), and always ends the daemon and removes the directory.
 */
export async function engineTeardown(f: EngineFixture, stopEngine: () => Promise<void>): Promise<void> {
  try {
    await stopEngine();
    assertNothingLeft(f.dir);
    await removeCgroupTree(f.parent);
  } finally {
    assert.deepEqual(await f.d.cleanup(), []);
    fs.rmSync(f.dir, { recursive: true, force: true });
  }
}
