// The geometry of the stats panel's charts, apart from the DOM so it can be
// tested under Node and bundled into the webview's script alike: samples in,
// SVG path data out. Time runs left to right over a fixed window ending now,
// values bottom to top from 0 to the chart's top value.

export interface Point { t: number; v: number }

export interface Frame {
  width: number;
  height: number;
  /** the window's right edge (ms) */
  end: number;
  /** its length (ms) */
  span: number;
  /** the value at the top edge (> 0) */
  top: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function xOf(t: number, f: Frame): number { return round(((t - (f.end - f.span)) / f.span) * f.width); }
export function yOf(v: number, f: Frame): number { return round(f.height - (Math.min(Math.max(v, 0), f.top) / f.top) * f.height); }

/**
 * "M x y L x y …" through the points inside the window (the one just before
 * it too, so the line starts at the left edge rather than mid-chart).
 * Empty for no points: the chart shows nothing rather than a flat zero.
 */
export function linePath(points: Point[], f: Frame): string {
  const start = f.end - f.span;
  let first = points.findIndex((p) => p.t >= start);
  if (first < 0) return '';
  if (first > 0) first--;
  return points.slice(first).map((p, i) => `${i ? 'L' : 'M'}${xOf(p.t, f)} ${yOf(p.v, f)}`).join(' ');
}

/** A horizontal line at `v` across the chart: a limit. */
export function levelPath(v: number, f: Frame): string {
  const y = yOf(v, f);
  return `M0 ${y} L${f.width} ${y}`;
}

/**
 * The top value: the largest sample (and the limit, when it is within reach,
 * so the line shows) with headroom, rounded up to 1, 2 or 5 × a power of ten
 * so the scale does not jitter with every sample. A limit far above the data
 * (a 16 GiB memory limit for 20 MiB used) would flatten the line: then it is
 * left out and shown in the legend only.
 */
export function topOf(values: number[], limit: number | null, floor = 1): number {
  const max = Math.max(floor, ...values);
  const want = limit !== null && limit > 0 && limit <= max * 4 ? Math.max(max, limit) : max;
  return niceCeil(want * 1.1);
}

export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Per-second rates from running totals (bytes): one point per pair of samples; a counter that went back gives 0. */
export function rates(totals: Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < totals.length; i++) {
    const dt = (totals[i].t - totals[i - 1].t) / 1000;
    const dv = totals[i].v - totals[i - 1].v;
    out.push({ t: totals[i].t, v: dt > 0 && dv > 0 ? dv / dt : 0 });
  }
  return out;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A sparkline of the values, one block character each, scaled from 0 to their maximum. */
export function sparkline(values: number[]): string {
  const max = Math.max(...values, 0);
  return values.map((v) => BLOCKS[max > 0 ? Math.min(7, Math.floor((v / max) * 7.999)) : 0]).join('');
}
