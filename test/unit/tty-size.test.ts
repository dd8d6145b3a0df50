// Console sizes from clients: 0 is "no size given" (as Docker takes a
// terminal reporting 0x0), anything else a size a pty can have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ttyDimension, ttyResize } from '../../helper/runtime/tty-size';

test('0 or absent is no size; 1-10000 is kept', () => {
  assert.equal(ttyDimension(undefined, 'rows', 'exec'), undefined);
  assert.equal(ttyDimension(0, 'rows', 'exec'), undefined);
  assert.equal(ttyDimension(1, 'cols', 'exec'), 1);
  assert.equal(ttyDimension(10000, 'cols', 'exec'), 10000);
});

test('negative, fractional, huge and non-numbers are refused, naming the step, side and value', () => {
  assert.throws(() => ttyDimension(-1, 'rows', 'create'), /create: rows -1 is out of range \(1-10000, or 0 for no size\)/);
  assert.throws(() => ttyDimension(1.5, 'cols', 'exec'), /exec: cols 1\.5 is out of range/);
  assert.throws(() => ttyDimension(10001, 'cols', 'exec'), /cols 10001 is out of range/);
  assert.throws(() => ttyDimension(NaN, 'rows', 'exec'), /rows NaN is out of range/);
});

test('a resize with a 0 on either side is nothing to apply', () => {
  assert.equal(ttyResize(0, 0, 'resize'), undefined);
  assert.equal(ttyResize(0, 80, 'resize'), undefined);
  assert.deepEqual(ttyResize(30, 100, 'resize'), { rows: 30, cols: 100 });
  assert.throws(() => ttyResize(0, -5, 'resize'), /resize: cols -5 is out of range/);
});
