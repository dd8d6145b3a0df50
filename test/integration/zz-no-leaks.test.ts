// Runs last: nothing this test run made may outlive it — no mounts, no
// cgroups, no monitor or container processes. Only the run's own temp space
// and cgroup names are looked at (test/helpers/run-scope.ts): a daemon the
// user left running elsewhere is not ours to judge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownCgroups, ownMounts, ownProcesses } from '../helpers/run-scope';

test('no mounts, cgroups or processes of this test run are left behind', () => {
  assert.deepEqual(ownMounts(), []);
  assert.deepEqual(ownCgroups(), []);
  assert.deepEqual(ownProcesses(), []);
});
