import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../helper/cli/args';
import { CREATE_FLAGS, runOptions } from '../../helper/cli/run-flags';
import { signalNumber } from '../../helper/runtime/signals';

test('run flags: values, repeats, clusters, and the command after the image', () => {
  const p = parseArgs(['-d', '--rm', '-e', 'A=1', '-eB=2', '--memory=64m', '--name', 'x', 'host', 'sh', '-c', 'echo -e hi'], [...CREATE_FLAGS, { name: 'detach', short: 'd' }], { stopAtFirstPositional: true });
  const o = runOptions(p);
  assert.equal(o.image, 'host');
  assert.deepEqual(o.cmd, ['sh', '-c', 'echo -e hi']);
  assert.deepEqual(o.env, ['A=1', 'B=2']);
  assert.equal(o.memory, '64m');
  assert.equal(o.name, 'x');
  assert.equal(o.rm, true);
  assert.equal(p.flags.detach, true);
});

test('unknown flags and missing values are usage errors', () => {
  assert.throws(() => parseArgs(['--nope'], CREATE_FLAGS), UsageError);
  assert.throws(() => parseArgs(['--memory'], CREATE_FLAGS), /needs an argument/);
  assert.throws(() => parseArgs(['-Z'], CREATE_FLAGS), /shorthand/);
});

test('signals by name, SIG-name and number', () => {
  assert.equal(signalNumber('KILL'), 9);
  assert.equal(signalNumber('SIGTERM'), 15);
  assert.equal(signalNumber('9'), 9);
  assert.equal(signalNumber(2), 2);
  assert.throws(() => signalNumber('FOO'), /unknown signal/);
  assert.throws(() => signalNumber(99), /out of range/);
});
