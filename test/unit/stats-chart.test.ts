import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelPath, linePath, niceCeil, rates, sparkline, topOf, type Frame } from '../../extension/stats/chart-path';

const f: Frame = { width: 300, height: 100, end: 300_000, span: 300_000, top: 100 };

test('chart path: time left to right over the window, values bottom to top', () => {
  assert.equal(linePath([], f), '');
  assert.equal(linePath([{ t: 0, v: 0 }, { t: 150_000, v: 50 }, { t: 300_000, v: 100 }], f), 'M0 100 L150 50 L300 0');
  // points before the window: only the last of them, so the line enters from the left edge
  const later = { ...f, end: 400_000 };
  assert.equal(linePath([{ t: 0, v: 1 }, { t: 50_000, v: 10 }, { t: 400_000, v: 20 }], later), 'M-50 90 L300 80');
  // values clamp to the chart
  assert.equal(linePath([{ t: 300_000, v: 500 }, { t: 300_000, v: -5 }], f), 'M300 0 L300 100');
  assert.equal(levelPath(25, f), 'M0 75 L300 75');
});

test('chart scale: a round top above the data, with the limit only when near it', () => {
  assert.equal(niceCeil(0.3), 0.5);
  assert.equal(niceCeil(1100), 2000);
  assert.equal(topOf([10, 40], null), 50);
  assert.equal(topOf([10, 40], 64), 100, 'a limit within reach is on the chart');
  assert.equal(topOf([10, 40], 16_000), 50, 'a far limit is not');
  assert.equal(topOf([], null), 2);
});

test('rates from totals, and a sparkline', () => {
  assert.deepEqual(rates([{ t: 0, v: 0 }, { t: 1000, v: 500 }, { t: 3000, v: 1500 }, { t: 4000, v: 0 }]), [{ t: 1000, v: 500 }, { t: 3000, v: 500 }, { t: 4000, v: 0 }]);
  assert.equal(sparkline([0, 1, 2, 4, 8]), '▁▁▂▄█');
  assert.equal(sparkline([0, 0]), '▁▁');
});
