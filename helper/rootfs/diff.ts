// A layer's changes against the layers below it, in Docker's terms (A added,
// C changed, D deleted): a container's rw layer against its image, or one
// image layer against the layers under it.
//
// The upper layer is walked once by the native walker (parallel
// getdents64 + fstatat, no symlink followed). The base is looked at only
// where the upper has something: a directory the base does not have is new
// with everything in it (no lookups at all below it); in a directory both
// have, the base's merged listing (or, for a few entries, one lstat per
// layer) tells A from C; files in both are compared (size, then bytes) to
// tell a content change from a metadata-only one.
//
// overlayfs, as it leaves the upper layer:
// - a whiteout (char device 0/0) deletes what the base has at its path: D;
// - an opaque directory (trusted.overlay.opaque=y, left by rm -rf + mkdir)
//   hides everything the base has below it: the directory is C (content) and
//   each base entry it no longer has is D; what it has again is A or C
//   against the base's version;
// - a copied-up file with the base's bytes but another mode or owner is C
//   with change 'metadata' (so is a metacopy-only copy-up);
// - a directory that contains changes is C, like Docker shows it; one that
//   only exists in the upper because something below it was copied up and
//   nothing below changed (e.g. /etc for an excluded /etc/hosts) is not.
// Anything in the upper that the base lacks is A, whoever put it there: like
// `docker diff`, the mount point of a volume or bind mount that the runtime
// created in the rw layer (e.g. -v /host:/data on an image without /data)
// shows as `A /data`, and a commit would keep that empty directory.
// Not handled: overlay's redirect_dir (renamed directories pointing at their
// lower path); nscope mounts without it (the overlay module's default).
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';
import { native } from '../native';
import type { DiffChange, FileKind, FileMeta } from '../protocol/types/diff';
import { openRegularBeneath } from './read';
import { toContainerId } from '../lib/idmap';
import type { IdMap } from '../lib/idmap';
import { DT_DIR, DT_LNK, DT_REG, kindOfType, typeOfMode, walkTree } from './walk';
import { devMajor, devMinor } from '../lib/dev-t';

export interface DiffOptions {
  /** add size, mode, uid, gid (now) and `image` metadata to the changes (costs one stat per added file) */
  details?: boolean;
  /** paths never reported, e.g. "/etc/hosts" (the init layer's files) */
  exclude?: Iterable<string>;
  /** the upper layer is owned by a user namespace's mapped ids: its owners are compared and shown as the container sees them */
  upperIds?: IdMap;
}

/** Regular files above this size with the same size and mtime are taken as unchanged without reading them. */
const COMPARE_LIMIT = 256 * 1024 * 1024;
/** Above this many entries in an upper directory, the base directory is listed once rather than looked up per name. */
const LIST_THRESHOLD = 8;

// ---- the base: layer directories the walk compares against (the image's, read-only) ----

interface BaseHit {
  /** topmost host path */
  host: string;
  st: fs.Stats;
  /** for a directory: the base's dirs that make it up, top to bottom */
  dirs?: string[];
}

const isWhiteoutStat = (st: fs.Stats) => st.isCharacterDevice() && st.rdev === 0;

function isOpaqueDir(p: string): boolean {
  try { return native().lgetxattr(p, 'trusted.overlay.opaque')?.toString() === 'y'; } catch { return false; }
}

/** One directory of the merged base: the layers' dirs at that path, top to bottom (overlay lookup rules). */
class BaseDir {
  /** name -> the first layer dir that has it (null: whited out); only after list() */
  private listing?: Map<string, string | null>;

  get listed(): boolean { return this.listing !== undefined; }

  constructor(readonly dirs: string[]) {}

  /** Reads every layer's entries once: cheaper than per-name lookups when the upper has many. */
  list(): Map<string, string | null> {
    if (this.listing) return this.listing;
    const m = new Map<string, string | null>();
    for (const d of this.dirs) {
      let ents: fs.Dirent[];
      try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { continue; }
      for (const e of ents) {
        if (m.has(e.name)) continue;
        if (e.isCharacterDevice()) {
          const st = fs.lstatSync(path.join(d, e.name), { throwIfNoEntry: false });
          if (st && isWhiteoutStat(st)) { m.set(e.name, null); continue; }
        }
        m.set(e.name, d);
      }
    }
    this.listing = m;
    return m;
  }

  /** Names the merged base has here. */
  names(): string[] {
    return [...this.list()].filter(([, d]) => d !== null).map(([n]) => n);
  }

  lookup(name: string): BaseHit | null {
    let dirs = this.dirs;
    if (this.listing) {
      const first = this.listing.get(name);
      if (!first) return null;
      dirs = dirs.slice(dirs.indexOf(first));
    }
    let hit: BaseHit | null = null;
    for (const d of dirs) {
      const host = path.join(d, name);
      const st = fs.lstatSync(host, { throwIfNoEntry: false });
      if (!st) continue;
      if (isWhiteoutStat(st)) break;
      if (!hit) {
        hit = { host, st };
        if (!st.isDirectory()) break;
        hit.dirs = [host];
      } else {
        if (!st.isDirectory()) break;
        hit.dirs!.push(host);
      }
      if (isOpaqueDir(host)) break;
    }
    return hit;
  }
}

// ---- metadata and content ----

function kindOfStat(st: fs.Stats): FileKind {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'file';
}

const metaOfStat = (st: fs.Stats): FileMeta => ({ type: kindOfStat(st), size: st.size, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });

interface UpperStat { mode: number; uid: number; gid: number; size: number; mtimeSec: number; mtimeNsec: number; rdevMajor: number; rdevMinor: number; metacopy?: boolean; target?: string }

const metaOfUpper = (type: number, s: UpperStat): FileMeta => ({ type: kindOfType(type), size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid });


let bufA: Buffer | undefined;
let bufB: Buffer | undefined;

/** Whether two regular files of the same size hold the same bytes. */
function sameBytes(upperRoot: string, rel: string, baseHost: string): boolean {
  bufA ??= Buffer.allocUnsafe(1 << 20);
  bufB ??= Buffer.allocUnsafe(1 << 20);
  let opened: ReturnType<typeof openRegularBeneath>;
  try { opened = openRegularBeneath(upperRoot, rel); } catch (e) { if (!(e instanceof NscopeError)) throw e; opened = null; }
  if (!opened) return false; // gone or no longer a file since the walk (a running container): not the base's bytes
  const a = opened.fd;
  let b: number | undefined;
  try {
    b = fs.openSync(baseHost, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    for (let pos = 0; ;) {
      const n = fs.readSync(a, bufA, 0, bufA.length, pos);
      let m = 0;
      while (m < n) {
        const k = fs.readSync(b, bufB, m, n - m, pos + m);
        if (k === 0) break;
        m += k;
      }
      if (m !== n || !bufA.subarray(0, n).equals(bufB.subarray(0, n))) return false;
      if (n === 0) return fs.readSync(b, bufB, 0, 1, pos) === 0;
      pos += n;
    }
  } finally {
    fs.closeSync(a);
    if (b !== undefined) fs.closeSync(b);
  }
}

/** What changed in a non-directory the base also has at `baseHost` (or a type change): content, or metadata only. */
function changeOf(upperRoot: string, rel: string, type: number, u: UpperStat, baseHost: string, base: fs.Stats): 'content' | 'metadata' {
  if (typeOfMode(base.mode) !== type) return 'content';
  switch (type) {
    case DT_REG:
      if (u.size !== base.size) return 'content';
      // a metadata-only copy-up (overlay metacopy=on): the data is still the lower file's
      if (u.metacopy) return 'metadata';
      if (u.size > COMPARE_LIMIT && u.mtimeSec * 1000 + Math.floor(u.mtimeNsec / 1e6) === Math.floor(base.mtimeMs)) return 'metadata';
      return sameBytes(upperRoot, rel, baseHost) ? 'metadata' : 'content';
    case DT_LNK:
      return u.target === fs.readlinkSync(baseHost) ? 'metadata' : 'content';
    case DT_DIR:
      return 'metadata';
    default:
      return u.rdevMajor === devMajor(base.rdev) && u.rdevMinor === devMinor(base.rdev) ? 'metadata' : 'content';
  }
}

// ---- the walk ----

interface Frame {
  depth: number;
  rel: string;
  /** the merged base's directory here; null: the base has none (all below is A) */
  base: BaseDir | null;
  /** opaque here or above: the base's entries below are gone unless the upper has them again */
  hidden: boolean;
  /** names the upper has here (hidden directories only) */
  seen?: Set<string>;
  /** index in `out` of this directory's own C (placeholder until the frame closes), -1 if none */
  at: number;
  /** own mode/uid/gid differ from the base's */
  metaChanged: boolean;
  opaque: boolean;
  hasChanges: boolean;
  /** D entries were appended after the upper's entries: sort this directory's span */
  unsorted: boolean;
  /** excluded: skip everything below */
  skip: boolean;
  /** the upper directory's number of entries */
  entries: number;
}

const frame = (depth: number, rel: string, f: Partial<Frame> = {}): Frame => ({
  depth, rel, base: null, hidden: false, at: -1, metaChanged: false, opaque: false, hasChanges: false, unsorted: false, skip: false, entries: 0, ...f,
});

const sortKey = (p: string) => p.replace(/\//g, '\u0000');
const byPath = (a: DiffChange, b: DiffChange) => { const ka = sortKey(a.path), kb = sortKey(b.path); return ka < kb ? -1 : ka > kb ? 1 : 0; };

/**
 * The changes of the layer `upper` against `base` (layer dirs, bottom to top),
 * sorted by path component by component (a directory right before its contents).
 */
export async function diffLayer(upper: string, base: string[], o: DiffOptions = {}): Promise<DiffChange[]> {
  const details = !!o.details;
  const exclude = new Set([...(o.exclude ?? [])].map((p) => p.replace(/^\/+/, '')));
  const w = await walkTree(upper, '', { stat: details });
  const uidOf = (i: number) => toContainerId(o.upperIds?.uid, w.uid(i));
  const gidOf = (i: number) => toContainerId(o.upperIds?.gid, w.gid(i));
  const out: (DiffChange | null)[] = [];
  const frames: Frame[] = [frame(0, '', { base: new BaseDir([...base].reverse()), entries: LIST_THRESHOLD + 1 })];

  // null: gone since the walk (a running container deleted it)
  const upperStat = (i: number): UpperStat | null => {
    const t = w.type(i);
    if (w.hasStat(i) && t !== DT_REG && t !== DT_LNK) return w.entry(i);
    return native().lstatBeneath(upper, w.paths[i]);
  };
  const added = (i: number): DiffChange => {
    const c: DiffChange = { path: `/${w.paths[i]}`, kind: 'A', type: kindOfType(w.type(i)) };
    if (details) { c.size = w.size(i); c.mode = w.mode(i) & 0o7777; c.uid = uidOf(i); c.gid = gidOf(i); }
    return c;
  };

  const close = (f: Frame) => {
    if (f.at < 0) return;
    if (f.hidden && f.base) {
      for (const name of f.base.names()) {
        const rel = `${f.rel}/${name}`;
        if (f.seen!.has(name) || exclude.has(rel)) continue;
        const hit = f.base.lookup(name);
        if (!hit) continue;
        out.push({ path: `/${rel}`, kind: 'D', type: kindOfStat(hit.st), ...(details ? { image: metaOfStat(hit.st) } : {}) });
        f.hasChanges = true;
        f.unsorted = true;
      }
    }
    if (f.metaChanged || f.opaque || f.hasChanges) {
      out[f.at]!.change = f.hasChanges || f.opaque ? 'content' : 'metadata';
      frames[frames.length - 1].hasChanges = true;
    } else {
      out[f.at] = null;
    }
    if (f.unsorted) {
      const span = out.slice(f.at + 1).filter((x): x is DiffChange => x !== null).sort(byPath);
      out.length = f.at + 1;
      out.push(...span);
    }
  };

  for (let i = 0; i < w.count; i++) {
    const depth = w.depth(i);
    while (frames[frames.length - 1].depth >= depth) close(frames.pop()!);
    const p = frames[frames.length - 1];
    const type = w.type(i);
    const isDir = type === DT_DIR;
    const rel = w.paths[i];

    // below a new directory: everything is new, no lookups
    if (!p.base && !p.skip) {
      if (w.isWhiteout(i)) continue;
      out.push(added(i));
      if (isDir && w.descended(i)) frames.push(frame(depth, rel));
      continue;
    }
    if (p.skip || exclude.has(rel)) {
      if (isDir && w.descended(i)) frames.push(frame(depth, rel, { skip: true }));
      continue;
    }
    const base = p.base!;
    const name = depth === 1 ? rel : rel.slice(rel.lastIndexOf('/') + 1);

    if (w.isWhiteout(i)) {
      if (p.hidden) continue;
      const hit = base.lookup(name);
      if (!hit) continue;
      out.push({ path: `/${rel}`, kind: 'D', type: kindOfStat(hit.st), ...(details ? { image: metaOfStat(hit.st) } : {}) });
      p.hasChanges = true;
      continue;
    }
    p.seen?.add(name);

    if (!base.listed && (p.hidden || p.entries > LIST_THRESHOLD)) base.list();
    const hit = base.lookup(name);
    if (!hit) {
      out.push(added(i));
      p.hasChanges = true;
      if (isDir && w.descended(i)) frames.push(frame(depth, rel));
      continue;
    }
    if (isDir && hit.st.isDirectory()) {
      const hidden = p.hidden || w.opaque(i);
      const c: DiffChange = { path: `/${rel}`, kind: 'C', type: 'dir' };
      if (details) Object.assign(c, metaOfUpper(DT_DIR, w.entry(i)), { type: 'dir', uid: uidOf(i), gid: gidOf(i), image: metaOfStat(hit.st) });
      out.push(c);
      const metaChanged = (w.mode(i) & 0o7777) !== (hit.st.mode & 0o7777) || uidOf(i) !== hit.st.uid || gidOf(i) !== hit.st.gid;
      const f = frame(depth, rel, { base: new BaseDir(hit.dirs!), hidden, at: out.length - 1, metaChanged, opaque: w.opaque(i), entries: w.entries(i) });
      if (hidden) f.seen = new Set();
      if (w.descended(i)) frames.push(f); else close(f);
      continue;
    }
    // a non-directory on either side: changed
    const u = upperStat(i);
    if (!u) continue;
    const c: DiffChange = { path: `/${rel}`, kind: 'C', type: kindOfType(type), change: changeOf(upper, rel, type, u, hit.host, hit.st) };
    if (details) Object.assign(c, metaOfUpper(type, u), { type: kindOfType(type), uid: uidOf(i), gid: gidOf(i), image: metaOfStat(hit.st) });
    out.push(c);
    p.hasChanges = true;
    if (isDir && w.descended(i)) frames.push(frame(depth, rel));
  }
  while (frames.length > 1) close(frames.pop()!);
  return out.filter((c): c is DiffChange => c !== null);
}
