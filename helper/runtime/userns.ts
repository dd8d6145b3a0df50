// `--userns`: `host` (the default, as Docker) or `auto[:size=N]` (as Podman):
// a user namespace of the container's own, mapping its ids 0..N-1 to a range
// of host ids that no other container of this helper uses, taken from the
// `nscope` entries of /etc/subuid and /etc/subgid.
import * as fs from 'fs';
import { invalid } from '../errors';
import type { IdMap, IdMapping } from '../lib/idmap';

/** The name whose /etc/subuid and /etc/subgid ranges nscope hands out. */
export const SUBID_USER = 'nscope';
/** Podman's size for `auto`: every 16-bit id an image may use. */
export const DEFAULT_SIZE = 65536;

/** undefined: the host's user namespace; else the size of the range wanted. */
export function parseUserns(value: string | undefined): { size: number } | undefined {
  if (value === undefined || value === '' || value === 'host') return undefined;
  const m = /^auto(?::size=(\d{1,10}))?$/.exec(value);
  if (!m) throw invalid(`--userns: "${value.slice(0, 40)}" is not host, auto or auto:size=N`);
  const size = m[1] === undefined ? DEFAULT_SIZE : Number(m[1]);
  if (size < 1 || size > 0x7fffffff) throw invalid(`--userns: size ${m[1]} is out of range (1-2147483647)`);
  return { size };
}

interface SubRange { start: number; count: number }

/** The NAME:START:COUNT lines of a subordinate id file that belong to `name`. */
export function readSubIds(file: string, name = SUBID_USER): SubRange[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  const out: SubRange[] = [];
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who !== name || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    out.push({ start: Number(start), count: Number(count) });
  }
  return out;
}

/** The lowest start in `subs` where `size` ids fit without touching a taken range. */
export function pickRange(size: number, subs: SubRange[], taken: IdMapping[]): number | undefined {
  const busy = [...taken].sort((a, b) => a.hostID - b.hostID);
  for (const s of subs) {
    let start = s.start;
    for (const t of busy) {
      if (t.hostID + t.size <= start) continue;
      if (t.hostID >= start + size) break;
      start = t.hostID + t.size; // skip past this one
    }
    if (start + size <= s.start + s.count) return start;
  }
  return undefined;
}

/**
 * A fresh mapping for a container: root and every id below `size` on a
 * range no other container holds (`taken`: the ranges of every container
 * this helper knows, running or not: their rw layers are owned by them).
 */
export function allocateIdMap(size: number, taken: IdMap[], files = { uid: '/etc/subuid', gid: '/etc/subgid' }): IdMap {
  const one = (kind: 'uid' | 'gid'): IdMapping[] => {
    const subs = readSubIds(files[kind]);
    if (!subs.length) {
      throw invalid(`--userns=auto: ${files[kind]} has no range for "${SUBID_USER}" (scripts/setup.sh adds "${SUBID_USER}:2147483647:2147483648")`);
    }
    const start = pickRange(size, subs, taken.flatMap((t) => t[kind]));
    if (start === undefined) throw invalid(`--userns=auto: no free range of ${size} ${kind}s left in ${files[kind]} for "${SUBID_USER}"`);
    return [{ containerID: 0, hostID: start, size }];
  };
  return { uid: one('uid'), gid: one('gid') };
}
