// `--userns`: `host` (the default, as Docker) or `auto[:size=N]` (as Podman):
// a user namespace of the container's own, mapping its ids 0..N-1 to a range
// of host ids that no other container of this helper uses, taken from the
// `nscope` entries of /etc/subuid and /etc/subgid.
import * as fs from 'fs';
import * as path from 'path';
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
 * Where ranges are reserved, host-wide: every nscope helper (and every test's
 * own helper) hands out ranges of the same /etc/subuid entry, so what one
 * has given must be visible to all. One file per range, named START-SIZE
 * (uids and gids alike: the uid start names it), made with O_EXCL and holding
 * the path of the container it belongs to; a file whose container is gone is stale.
 */
export const RESERVATIONS = '/run/nscope-userns';

interface Files { uid: string; gid: string; reservations: string }
const HOST_FILES: Files = { uid: '/etc/subuid', gid: '/etc/subgid', reservations: RESERVATIONS };

function reservedRanges(dir: string): { uid: IdMapping; gid: IdMapping; file: string }[] {
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return []; }
  const out = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let owner: { dir?: string; uid?: IdMapping; gid?: IdMapping };
    try { owner = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { continue; }
    if (!owner.uid || !owner.gid) continue;
    // its container is gone (a minute's grace: a container being made has no directory yet)
    if (owner.dir && !fs.existsSync(owner.dir) && Date.now() - fs.statSync(file).mtimeMs > 60_000) { fs.rmSync(file, { force: true }); continue; }
    out.push({ uid: owner.uid, gid: owner.gid, file });
  }
  return out;
}

/**
 * A fresh mapping for the container whose directory is `owner`: root and
 * every id below `size` on a range no other container holds (`taken`: this
 * helper's own containers, running or not, whose rw layers are owned by
 * them; and every range reserved on this host). Reserved until release().
 */
export function allocateIdMap(size: number, owner: string, taken: IdMap[], files: Files = HOST_FILES): IdMap {
  const subs = { uid: readSubIds(files.uid), gid: readSubIds(files.gid) };
  for (const kind of ['uid', 'gid'] as const) {
    if (!subs[kind].length) throw invalid(`--userns=auto: ${files[kind]} has no range for "${SUBID_USER}" (scripts/setup.sh adds "${SUBID_USER}:2147483647:2147483648")`);
  }
  fs.mkdirSync(files.reservations, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 100; attempt++) {
    const busy = [...taken, ...reservedRanges(files.reservations)];
    const map = {} as IdMap;
    for (const kind of ['uid', 'gid'] as const) {
      const start = pickRange(size, subs[kind], busy.flatMap((t) => t[kind]));
      if (start === undefined) throw invalid(`--userns=auto: no free range of ${size} ${kind}s left in ${files[kind]} for "${SUBID_USER}"`);
      map[kind] = [{ containerID: 0, hostID: start, size }];
    }
    try {
      reserve(files.reservations, map, owner);
      return map;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // another helper took it meanwhile: look again
    }
  }
  throw invalid('--userns=auto: could not reserve a range (too many helpers allocating at once)');
}

const reservationFile = (dir: string, map: IdMap) => path.join(dir, `${map.uid[0].hostID}-${map.uid[0].size}`);

/** Takes the range for the container at `owner`; EEXIST when another has it. */
function reserve(dir: string, map: IdMap, owner: string): void {
  fs.writeFileSync(reservationFile(dir, map), JSON.stringify({ dir: owner, uid: map.uid[0], gid: map.gid[0] }), { flag: 'wx', mode: 0o600 });
}

/** After a reboot (the reservations are on /run): a recovered container's range, reserved again. */
export function reserveAgain(map: IdMap, owner: string, files: Pick<Files, 'reservations'> = HOST_FILES): void {
  fs.mkdirSync(files.reservations, { recursive: true, mode: 0o700 });
  try { reserve(files.reservations, map, owner); } catch { /* still there */ }
}

/** Gives a container's range back (its rw layer is gone). */
export function releaseIdMap(map: IdMap | undefined, files: Pick<Files, 'reservations'> = HOST_FILES): void {
  if (!map?.uid.length) return;
  fs.rmSync(reservationFile(files.reservations, map), { force: true });
}
