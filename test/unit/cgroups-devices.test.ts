// The device rules as the v2 device filter gets them (helper/cgroups/devices.ts):
// the same normal form the v1 driver writes to devices.allow/deny.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEVCG, packDeviceRules } from '../../helper/cgroups/devices';
import { DEFAULT_DEVICE_RULES } from '../../helper/runtime/spec';

const rows = (a: Int32Array) => Array.from({ length: a.length / 5 }, (_, i) => [...a.subarray(i * 5, i * 5 + 5)]);
const RWM = DEVCG.READ | DEVCG.WRITE | DEVCG.MKNOD;

test('the default rules: deny all, mknod of any c/b, then the standard nodes and the ptys', () => {
  const r = rows(packDeviceRules(DEFAULT_DEVICE_RULES));
  assert.equal(r.length, DEFAULT_DEVICE_RULES.length);
  assert.deepEqual(r[0], [DEVCG.ANY, -1, -1, RWM, 0]);
  assert.deepEqual(r[1], [DEVCG.CHAR, -1, -1, DEVCG.MKNOD, 1]);
  assert.deepEqual(r[2], [DEVCG.BLOCK, -1, -1, DEVCG.MKNOD, 1]);
  assert.deepEqual(r[3], [DEVCG.CHAR, 1, 3, RWM, 1], '/dev/null');
  assert.deepEqual(r.at(-1), [DEVCG.CHAR, 136, -1, RWM, 1], '/dev/pts/*');
  assert.ok(r.some((x) => x[1] === 5 && x[2] === 2), '/dev/ptmx');
});

test('privileged (allow a) is every device, every access', () => {
  assert.deepEqual(rows(packDeviceRules([{ allow: true, access: 'rwm' }])), [[DEVCG.ANY, -1, -1, RWM, 1]]);
});

test('type a ignores major, minor and access, as v1 devices.allow "a" does', () => {
  assert.deepEqual(rows(packDeviceRules([{ allow: false, type: 'a', major: 8, minor: 0, access: 'r' }])), [[DEVCG.ANY, -1, -1, RWM, 0]]);
});

test('a --device style rule: one node, its access bits; -1 and omitted are wildcards; empty access is rwm', () => {
  assert.deepEqual(rows(packDeviceRules([
    { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
    { allow: false, type: 'b', major: 8, minor: -1, access: 'w' },
    { allow: true, type: 'c', major: 4, access: '' },
    { allow: true, type: 'b', access: 'mr' },
  ])), [
    [DEVCG.CHAR, 10, 229, DEVCG.READ | DEVCG.WRITE, 1],
    [DEVCG.BLOCK, 8, -1, DEVCG.WRITE, 0],
    [DEVCG.CHAR, 4, -1, RWM, 1],
    [DEVCG.BLOCK, -1, -1, DEVCG.MKNOD | DEVCG.READ, 1],
  ]);
});

test('order is kept (the last matching rule wins in the program)', () => {
  const r = rows(packDeviceRules([{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 5, access: 'rwm' }]));
  assert.deepEqual(r.map((x) => x[4]), [1, 0]);
});

test('no rules, no numbers', () => {
  assert.equal(packDeviceRules([]).length, 0);
});
