// Capability masks as /proc/PID/status prints them, decoded to names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capMask, capNames } from '../../helper/runtime/capabilities';

test('CapEff decodes to names by bit number, and encodes back', () => {
  const docker = capNames('00000000a80425fb');
  assert.equal(docker.length, 14);
  assert.equal(docker[0], 'CAP_CHOWN');
  assert.equal(docker[docker.length - 1], 'CAP_SETFCAP');
  assert.equal(capMask(docker), 'a80425fb');
  assert.deepEqual(capNames('0000000000000000'), []);
});

test('a bit without a name is its number; a mask that is not hex is an error naming it', () => {
  assert.deepEqual(capNames('0000060000000000'), ['41', '42']);
  assert.deepEqual(capNames('0000010000000000'), ['CAP_CHECKPOINT_RESTORE']);
  assert.throws(() => capNames('zz'), /capability mask "zz" is not 1 to 16 hex digits/);
});
