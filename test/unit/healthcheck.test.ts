// Health checks' pure part: the helper's checks of a caller's config, the
// user's over the image's, the probe's argv, and Docker's state transitions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDurationNs, goDurationString } from '../../helper/lib/go-duration';
import { applyProbe, checkHealthConfig, healthTimings, imageHealthConfig, imageShell, mergeHealthConfig, nextProbeMs, probeArgv } from '../../helper/runtime/healthcheck';
import type { HealthState } from '../../helper/protocol/types';
import { dockerEvent, eventMatches } from '../../helper/cli/events-command';
import { parseFilters, EVENT_FILTERS } from '../../helper/cli/filters';

test('goDurationNs: signed Go durations in nanoseconds', () => {
  assert.equal(goDurationNs('300ms'), 300e6);
  assert.equal(goDurationNs('1m30s'), 90e9);
  assert.equal(goDurationNs('0'), 0);
  assert.equal(goDurationNs('-1s'), -1e9);
  assert.equal(goDurationNs('500us'), 500e3);
  assert.equal(goDurationNs('10'), undefined);
  assert.equal(goDurationNs('soon'), undefined);
  assert.equal(goDurationString(300), '300ms');
  assert.equal(goDurationString(30_000), '30s');
  assert.equal(goDurationString(90_000), '1m30s');
});

test('checkHealthConfig: Docker\'s words for bad values, a hostile caller\'s shapes refused', () => {
  assert.deepEqual(checkHealthConfig({ test: ['CMD-SHELL', 'true'], interval: 1e6, retries: 2 }), { test: ['CMD-SHELL', 'true'], interval: 1e6, retries: 2 });
  assert.equal(checkHealthConfig(undefined), undefined);
  assert.throws(() => checkHealthConfig({ interval: 999_999 }), /Interval in Healthcheck cannot be less than 1ms/);
  assert.throws(() => checkHealthConfig({ timeout: 5 }), /Timeout in Healthcheck cannot be less than 1ms/);
  assert.throws(() => checkHealthConfig({ startPeriod: -1 }), /StartPeriod in Healthcheck cannot be negative/);
  assert.throws(() => checkHealthConfig({ retries: -1 }), /Retries in Healthcheck cannot be negative/);
  assert.throws(() => checkHealthConfig({ retries: 1.5 }), /whole number/);
  assert.throws(() => checkHealthConfig({ interval: '1s' }), /nanoseconds/);
  assert.throws(() => checkHealthConfig({ interval: 1e300 }), /nanoseconds/);
  assert.throws(() => checkHealthConfig({ test: 'true' }), /list of strings/);
  assert.throws(() => checkHealthConfig({ test: ['RUN', 'x'] }), /unknown test type "RUN"/);
  assert.throws(() => checkHealthConfig({ test: ['CMD'] }), /CMD needs a command/);
  assert.throws(() => checkHealthConfig({ test: ['CMD-SHELL', ' '] }), /CMD-SHELL needs a command/);
  assert.throws(() => checkHealthConfig({ evil: 1 }), /unknown healthcheck option/);
  assert.throws(() => checkHealthConfig([1]), /must be an object/);
});

test('the user\'s check over the image\'s, field by field; NONE turns it off; a malformed image check is none', () => {
  const image = imageHealthConfig({ Test: ['CMD', 'probe'], Interval: 5e9, Retries: 7 });
  assert.deepEqual(image, { test: ['CMD', 'probe'], interval: 5e9, retries: 7 });
  assert.deepEqual(mergeHealthConfig(undefined, image), image);
  assert.deepEqual(mergeHealthConfig({ timeout: 2e9 }, image), { test: ['CMD', 'probe'], interval: 5e9, timeout: 2e9, retries: 7 });
  assert.deepEqual(mergeHealthConfig({ test: ['CMD-SHELL', 'x'], interval: 1e9 }, image), { test: ['CMD-SHELL', 'x'], interval: 1e9, retries: 7 });
  assert.deepEqual(mergeHealthConfig({ test: ['NONE'] }, image), { test: ['NONE'], interval: 5e9, retries: 7 });
  assert.equal(probeArgv(mergeHealthConfig({ test: ['NONE'] }, image)), undefined);
  assert.equal(mergeHealthConfig({ interval: 1e9 }, undefined), undefined);
  assert.equal(imageHealthConfig({ Test: ['CMD', 'x'], Interval: -3 }), undefined);
  assert.deepEqual(probeArgv({ test: ['CMD-SHELL', 'test -f /tmp/ok'] }), ['/bin/sh', '-c', 'test -f /tmp/ok']);
  // the image's SHELL where it has one (a build's SHELL instruction), a hostile one ignored
  assert.deepEqual(probeArgv({ test: ['CMD-SHELL', 'ok'] }, ['/bin/bash', '-eo', 'pipefail', '-c']), ['/bin/bash', '-eo', 'pipefail', '-c', 'ok']);
  assert.deepEqual(probeArgv({ test: ['CMD', 'x'] }, ['/bin/bash', '-c']), ['x']);
  assert.deepEqual(imageShell(['/bin/ash', '-c']), ['/bin/ash', '-c']);
  for (const bad of [[], [''], ['a\0b'], 'sh -c', [1], Array(17).fill('x'), null]) assert.equal(imageShell(bad), undefined, JSON.stringify(bad));
  assert.deepEqual(probeArgv({ test: ['CMD', 'a', 'b'] }), ['a', 'b']);
  assert.deepEqual(healthTimings({}), { intervalMs: 30000, timeoutMs: 30000, startPeriodMs: 0, startIntervalMs: 0, retries: 3 });
});

test('applyProbe: Docker\'s transitions, start period, the last 5 probes', () => {
  const startedAt = '2026-01-01T00:00:00.000Z';
  const at = (ms: number, exitCode: number) => ({ start: new Date(Date.parse(startedAt) + ms).toISOString(), end: new Date(Date.parse(startedAt) + ms + 5).toISOString(), exitCode, output: '' });
  const s: HealthState = { status: 'starting', failingStreak: 0, log: [] };
  const o = { retries: 2, startPeriodMs: 1000, startedAt };
  // failures in the start period do not count while it is starting
  assert.equal(applyProbe(s, at(100, 1), o), false);
  assert.equal(applyProbe(s, at(500, 1), o), false);
  assert.deepEqual([s.status, s.failingStreak], ['starting', 0]);
  assert.equal(applyProbe(s, at(1200, 1), o), false);
  assert.equal(s.failingStreak, 1);
  assert.equal(applyProbe(s, at(1500, -1), o), true);
  assert.deepEqual([s.status, s.failingStreak], ['unhealthy', 2]);
  assert.equal(applyProbe(s, at(1800, 0), o), true);
  assert.deepEqual([s.status, s.failingStreak], ['healthy', 0]);
  assert.equal(s.log.length, 5);
  assert.equal(applyProbe(s, at(2000, 1), o), false);
  assert.equal(s.log.length, 5);
  assert.equal(s.log[4].exitCode, 1);
  assert.equal(s.log[0].start, at(500, 1).start);
  // a healthy container's failures count in its start period too
  const h: HealthState = { status: 'healthy', failingStreak: 0, log: [] };
  applyProbe(h, at(10, 1), { retries: 1, startPeriodMs: 60000, startedAt });
  assert.equal(h.status, 'unhealthy');
});

test('a health status change is Docker\'s event "health_status: STATUS", which event=health_status matches', () => {
  const e = dockerEvent({ type: 'container.health', id: 'abc', name: 'web', time: new Date().toISOString(), health: 'unhealthy' }, { image: 'host' })!;
  assert.equal(e.Action, 'health_status: unhealthy');
  assert.ok(eventMatches(e, parseFilters(['event=health_status'], EVENT_FILTERS)));
  assert.ok(eventMatches(e, parseFilters(['event=health_status: unhealthy'], EVENT_FILTERS)));
  assert.ok(!eventMatches(e, parseFilters(['event=die'], EVENT_FILTERS)));
});

test('nextProbeMs: the start interval while starting within the start period, else the interval', () => {
  const h = { test: ['CMD', 'true'], interval: 60e9, startPeriod: 10e9, startInterval: 1e9 };
  const started = new Date(1_000_000).toISOString();
  assert.equal(nextProbeMs(h, 'starting', started, 1_000_000 + 5000), 1000);
  assert.equal(nextProbeMs(h, 'starting', started, 1_000_000 + 11000), 60000, 'past the start period');
  assert.equal(nextProbeMs(h, 'healthy', started, 1_000_000 + 5000), 60000, 'healthy');
  assert.equal(nextProbeMs({ ...h, startInterval: undefined }, 'starting', started, 1_000_000 + 5000), 60000, 'no start interval: the interval');
  assert.equal(healthTimings({}).startIntervalMs, 0);
});
