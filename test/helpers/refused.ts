// A CLI call that must fail: its message, and nothing left behind (no
// container, cgroup or mount).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { cgroupDirs, type TestDaemon } from './daemon';

/** Runs the CLI and checks it was refused with `msg` and left no container, cgroup or mount. */
export async function assertRefused(d: TestDaemon, args: string[], msg: RegExp): Promise<void> {
  const kids = () => cgroupDirs(d.cgroupParent).flatMap((dir) => fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && /^[0-9a-f]{64}$/.test(e.name)).map((e) => `${dir}/${e.name}`)).sort();
  const before = JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length;
  const cgroupsBefore = kids();
  const mounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(d.dir)).length;
  const mountsBefore = mounts();
  const r = await d.cli(args);
  assert.notEqual(r.code, 0, `${args.join(' ')} was accepted`);
  assert.match(r.stderr, msg);
  assert.equal(JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length, before, `${args.join(' ')} left a container`);
  assert.deepEqual(kids(), cgroupsBefore, `${args.join(' ')} left a cgroup`);
  assert.equal(mounts(), mountsBefore, `${args.join(' ')} left a mount`);
}
