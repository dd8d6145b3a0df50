// --restart as Docker parses and applies it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRestartPolicy, nextDelay, parseRestartPolicy, shouldRestart } from '../../helper/runtime/restart-policy';

test('--restart: Docker\'s policies and errors', () => {
  assert.deepEqual(parseRestartPolicy('no'), { name: 'no' });
  assert.deepEqual(parseRestartPolicy('always'), { name: 'always' });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { name: 'unless-stopped' });
  assert.deepEqual(parseRestartPolicy('on-failure'), { name: 'on-failure' });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { name: 'on-failure', maximumRetryCount: 3 });
  assert.equal(formatRestartPolicy(parseRestartPolicy('on-failure:3')), 'on-failure:3');
  assert.equal(formatRestartPolicy(undefined), 'no');
  assert.throws(() => parseRestartPolicy('sometimes'), /^NscopeError: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'$/);
  assert.throws(() => parseRestartPolicy('on-failure:x'), /invalid restart policy format: maximum retry count must be an integer/);
  assert.throws(() => parseRestartPolicy(':3'), /invalid restart policy format: no policy provided before colon/);
  assert.throws(() => parseRestartPolicy('on-failure:-1'), /invalid restart policy: maximum retry count cannot be negative/);
  assert.throws(() => parseRestartPolicy('always:2'), /maximum retry count can only be used with 'on-failure'$/);
  assert.throws(() => parseRestartPolicy('always:-2'), /maximum retry count can only be used with 'on-failure' and cannot be negative/);
});

test('restart decisions: on-failure counts, a user\'s stop wins but for always at the daemon\'s start', () => {
  const onFailure2 = parseRestartPolicy('on-failure:2');
  assert.equal(shouldRestart(onFailure2, 1, 0, false), true);
  assert.equal(shouldRestart(onFailure2, 1, 1, false), true);
  assert.equal(shouldRestart(onFailure2, 1, 2, false), false);
  assert.equal(shouldRestart(onFailure2, 0, 0, false), false);
  assert.equal(shouldRestart(parseRestartPolicy('on-failure'), 3, 1000, false), true);
  assert.equal(shouldRestart(parseRestartPolicy('always'), 0, 0, false), true);
  assert.equal(shouldRestart(parseRestartPolicy('always'), 0, 0, true), false);
  assert.equal(shouldRestart(parseRestartPolicy('always'), 0, 0, true, true), true);
  assert.equal(shouldRestart(parseRestartPolicy('unless-stopped'), 0, 0, true, true), false);
  assert.equal(shouldRestart(parseRestartPolicy('unless-stopped'), 0, 0, false, true), true);
  assert.equal(shouldRestart(undefined, 1, 0, false), false);
  assert.equal(shouldRestart(parseRestartPolicy('no'), 1, 0, false), false);
});

test('back-off: 100 ms doubling up to a minute, back to 100 ms after a run of 10 s', () => {
  let d = nextDelay(undefined, 0);
  const seen = [d];
  for (let i = 0; i < 12; i++) { d = nextDelay(d, 50); seen.push(d); }
  assert.deepEqual(seen.slice(0, 5), [100, 200, 400, 800, 1600]);
  assert.equal(seen[seen.length - 1], 60_000);
  assert.equal(nextDelay(60_000, 10_000), 100);
});
