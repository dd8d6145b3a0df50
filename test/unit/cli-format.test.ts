// The CLI's sizes and ages as Docker prints them (go-units' HumanSizeWithPrecision(n, 3)
// and HumanDuration), so a script or an eye used to `docker images` reads the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ago, humanSize } from '../../helper/cli/format';

test('sizes: decimal units, three significant digits, no trailing zeros', () => {
  const cases: [number, string][] = [[0, '0B'], [512, '512B'], [1000, '1kB'], [12_345, '12.3kB'], [5_000_000, '5MB'], [4_780_000, '4.78MB'], [1_048_576, '1.05MB'], [123_456_789, '123MB'], [2.5e9, '2.5GB']];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

test('ages: seconds, a minute, minutes, an hour, hours, then days, weeks, months and years', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const before = (ms: number) => new Date(now - ms).toISOString();
  const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;
  const cases: [number, string][] = [
    [500, 'Less than a second'], [1 * S, '1 second'], [59 * S, '59 seconds'], [90 * S, 'About a minute'], [59 * M, '59 minutes'],
    [70 * M, 'About an hour'], [47 * H, '47 hours'], [3 * D, '3 days'], [13 * D, '13 days'], [15 * D, '2 weeks'], [59 * D, '8 weeks'],
    [224 * D, '7 months'], [729 * D, '24 months'], [800 * D, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(ago(before(ms), now), want, `${ms} ms`);
  assert.equal(ago(undefined, now), '');
});
