// --since/--until values as Docker reads them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../helper/cli/args';
import { parseTimeArg } from '../../helper/cli/time-arg';
import { goDurationMs } from '../../helper/lib/go-duration';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

test('Go durations are before now', () => {
  assert.equal(goDurationMs('10m'), 600000);
  assert.equal(goDurationMs('1h30m'), 5400000);
  assert.equal(goDurationMs('1.5h'), 5400000);
  assert.equal(goDurationMs('300ms'), 300);
  assert.equal(goDurationMs('10'), undefined);
  assert.equal(parseTimeArg('10m', 'since', NOW), NOW - 600000);
});

test('RFC 3339 with a zone, and without one as local time', () => {
  assert.equal(parseTimeArg('2024-05-01T10:00:00Z', 'since'), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimeArg('2024-05-01T10:00:00.5Z', 'since'), Date.UTC(2024, 4, 1, 10, 0, 0, 500));
  assert.equal(parseTimeArg('2024-05-01T12:00:00+02:00', 'since'), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimeArg('2024-05-01T10:00:00', 'since'), new Date(2024, 4, 1, 10).getTime());
  assert.equal(parseTimeArg('2024-05-01', 'since'), new Date(2024, 4, 1).getTime());
});

test('Unix seconds, with a fraction', () => {
  assert.equal(parseTimeArg('1714557600', 'until'), 1714557600000);
  assert.equal(parseTimeArg('1714557600.25', 'until'), 1714557600250);
});

test('anything else is a usage error naming the flag', () => {
  assert.throws(() => parseTimeArg('yesterday', 'since'), (e) => e instanceof UsageError && /--since: "yesterday"/.test(e.message));
  assert.throws(() => parseTimeArg('10x', 'until'), /--until/);
});
