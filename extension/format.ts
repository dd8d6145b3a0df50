// Display helpers shared by the views: sizes, ages, one-line errors.

export { formatBytes } from '../helper/protocol/format';

/** "45s", "3m", "2h 5m", "4d 1h" from milliseconds. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

export function since(iso: string | undefined, now = Date.now()): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? formatDuration(now - t) : undefined;
}

/** A helper error as one readable line: no stack, no "Error:" prefix, no trailing newline. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replace(/^Error:\s*/, '') || 'unknown error';
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** "sha256:0123456789ab": a digest short enough for a row, still recognizably a digest. */
export function shortDigest(digest: string): string {
  const [alg, hex] = digest.includes(':') ? digest.split(':', 2) : ['sha256', digest];
  return `${alg}:${hex.slice(0, 12)}`;
}
