/// <reference lib="dom" />
// The stats panel's own script, run inside the webview (bundled apart from
// the extension, see scripts/build.mjs): it keeps the last five minutes of
// samples the extension posts, redraws the charts as plain SVG paths on
// each one, and posts the limits form's values back. No library, nothing
// remote: the panel's Content-Security-Policy allows this script only.
import type { StatsLine } from '../../../helper/protocol/types';
import { formatBytes } from '../../../helper/protocol/format';
import { levelPath, linePath, rates, topOf, type Frame, type Point } from '../chart-path';
import type { FromWebview, ToWebview } from '../messages';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void };
const vscode = acquireVsCodeApi();

const SPAN = 5 * 60 * 1000;
const W = 300;
const H = 100;
const SVG = 'http://www.w3.org/2000/svg';

interface Series { label: string; color: string; points: (lines: StatsLine[]) => Point[] }
interface ChartSpec {
  id: string;
  title: string;
  format: (v: number) => string;
  series: Series[];
  limit?: (l: StatsLine) => number | null;
  /** the smallest top value, so an idle chart is not scaled to noise */
  floor: number;
}

const pointsOf = (f: (l: StatsLine) => number | null) => (lines: StatsLine[]): Point[] =>
  lines.flatMap((l) => { const v = f(l); return v === null ? [] : [{ t: l.time, v }]; });
const rateOf = (f: (l: StatsLine) => number) => (lines: StatsLine[]) => rates(lines.map((l) => ({ t: l.time, v: f(l) })));
const perSecond = (v: number) => `${formatBytes(v)}/s`;

const CHARTS: ChartSpec[] = [
  { id: 'cpu', title: 'CPU', format: (v) => `${v.toFixed(1)}%`, floor: 10, series: [{ label: 'CPU %', color: 'var(--vscode-charts-blue)', points: pointsOf((l) => l.cpuPercent) }] },
  { id: 'memory', title: 'Memory', format: formatBytes, floor: 1024 * 1024, limit: (l) => l.memoryLimit, series: [{ label: 'usage', color: 'var(--vscode-charts-purple)', points: pointsOf((l) => l.memoryUsage) }] },
  { id: 'pids', title: 'Processes', format: (v) => String(Math.round(v)), floor: 5, limit: (l) => l.pidsLimit, series: [{ label: 'pids', color: 'var(--vscode-charts-orange)', points: pointsOf((l) => l.pids) }] },
  {
    id: 'net', title: 'Network', format: perSecond, floor: 1024, series: [
      { label: 'RX', color: 'var(--vscode-charts-green)', points: rateOf((l) => l.netRx) },
      { label: 'TX', color: 'var(--vscode-charts-blue)', points: rateOf((l) => l.netTx) },
    ],
  },
  {
    id: 'block', title: 'Block I/O', format: perSecond, floor: 1024, series: [
      { label: 'read', color: 'var(--vscode-charts-green)', points: rateOf((l) => l.blockRead) },
      { label: 'write', color: 'var(--vscode-charts-orange)', points: rateOf((l) => l.blockWrite) },
    ],
  },
];

let lines: StatsLine[] = [];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgPath(cls: string, color?: string): SVGPathElement {
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('class', cls);
  // the stroke stays one pixel thick however the chart is stretched
  p.setAttribute('vector-effect', 'non-scaling-stroke');
  if (color) p.style.stroke = color;
  return p;
}

interface Drawn { spec: ChartSpec; root: HTMLElement; value: HTMLElement; svg: SVGSVGElement; paths: SVGPathElement[]; limit: SVGPathElement; legend: HTMLElement }

function build(): Drawn[] {
  const host = document.getElementById('charts')!;
  return CHARTS.map((spec) => {
    const root = el('section', 'chart');
    root.dataset.chart = spec.id;
    const head = el('header');
    head.append(el('h2', undefined, spec.title));
    const value = el('span', 'value', '–');
    head.append(value);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', spec.title);
    const limit = svgPath('limit');
    const paths = spec.series.map((s) => svgPath('series', s.color));
    svg.append(limit, ...paths);
    const legend = el('div', 'legend');
    root.append(head, svg, legend);
    host.append(root);
    return { spec, root, value, svg, paths, limit, legend };
  });
}

function draw(charts: Drawn[]): void {
  const last = lines[lines.length - 1];
  if (!last) return;
  for (const c of charts) {
    const series = c.spec.series.map((s) => s.points(lines));
    const limit = c.spec.limit?.(last) ?? null;
    const frame: Frame = { width: W, height: H, end: last.time, span: SPAN, top: topOf(series.flat().map((p) => p.v), limit, c.spec.floor) };
    series.forEach((pts, i) => c.paths[i].setAttribute('d', linePath(pts, frame)));
    const limitShown = limit !== null && limit <= frame.top;
    c.limit.setAttribute('d', limitShown ? levelPath(limit, frame) : '');
    const now = series.map((pts) => pts[pts.length - 1]?.v);
    c.value.textContent = now.map((v, i) => `${c.spec.series.length > 1 ? c.spec.series[i].label + ' ' : ''}${v === undefined ? '–' : c.spec.format(v)}`).join('  ');
    c.legend.textContent = `scale 0–${c.spec.format(frame.top)}${limit !== null ? ` · limit ${c.spec.format(limit)}` : c.spec.limit ? ' · no limit' : ''}`;
    // for the tests and for anyone inspecting the webview: what is drawn, in numbers
    c.root.dataset.points = String(series[0].length);
    c.root.dataset.last = now[0] === undefined ? '' : String(now[0]);
  }
}

function main(): void {
  const charts = build();
  const status = document.getElementById('status')!;
  const form = document.getElementById('limits') as HTMLFormElement;
  const memory = document.getElementById('memory') as HTMLInputElement;
  const pids = document.getElementById('pids') as HTMLInputElement;
  const apply = document.getElementById('apply') as HTMLButtonElement;
  const formError = document.getElementById('form-error')!;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply.disabled = true;
    formError.textContent = '';
    vscode.postMessage({ type: 'update', memory: memory.value, pids: pids.value });
  });
  window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
    const m = e.data;
    switch (m.type) {
      case 'lines': {
        lines = lines.concat(m.lines);
        // a little more than the window, so the line enters from the left edge
        const keepFrom = lines[lines.length - 1].time - SPAN - 5000;
        const cut = lines.findIndex((l) => l.time >= keepFrom);
        if (cut > 0) lines = lines.slice(cut);
        status.textContent = '';
        draw(charts);
        break;
      }
      case 'limits':
        // not while the user is typing in them
        if (document.activeElement !== memory) memory.value = m.memory;
        if (document.activeElement !== pids) pids.value = m.pids;
        break;
      case 'ended':
        status.textContent = m.reason;
        apply.disabled = true;
        break;
      case 'updated':
        apply.disabled = false;
        formError.textContent = m.error ?? '';
        break;
    }
  });
  vscode.postMessage({ type: 'ready' });
}

main();
