// Files as a stack of layers shows them, without mounting anything: overlay's
// lookup done per path component (the topmost layer that has a name wins; a
// whiteout deletes it; directories merge down until an opaque one), symlinks
// resolved inside the view's root the way openat2 RESOLVE_IN_ROOT does ("..",
// absolute targets and links to "/" all stay in the view). Every host access
// goes through native openBeneath/lstatBeneath/walkTree, which resolve beneath
// a layer's directory and follow no symlink there, so a running container
// that swaps a directory of its rw layer for a symlink cannot lead a read
// outside that layer.
import * as fs from 'fs';
import { invalid, notFound, NscopeError } from '../errors';
import { native, type BeneathStat } from '../native';
import { MAX_READ, type FileInfo, type FileLayer, type FileReadResult } from '../protocol/types/diff';
import { DT_BLK, DT_CHR, DT_DIR, DT_LNK, DT_REG, isWhiteoutEntry, kindOfType, typeOfMode, walkTree, type WalkEntry } from './walk';
import { toContainerId } from '../lib/idmap';
import type { IdMap } from '../lib/idmap';

/** `ids`: the layer is owned by a user namespace's mapped ids (a --userns=auto rw layer); owners are shown as the container sees them */
export interface ViewLayer { dir: string; ref: FileLayer; ids?: IdMap }

export interface View {
  /** bottom to top */
  layers: ViewLayer[];
  /** one layer as it is: whiteouts are entries, opaque directories hide nothing */
  raw: boolean;
  /** for messages, e.g. `container web` */
  label: string;
}

const MAX_LINKS = 40;
/** A directory listing larger than this is refused (one reply must stay reasonable). */
const MAX_LIST = 100_000;

interface Node {
  /** canonical path components in the view */
  parts: string[];
  /** index in view.layers of the topmost layer that has it */
  top: number;
  st: BeneathStat;
  /** a directory: the layers that make it up, top to bottom */
  dirs?: number[];
  /** a metadata-only copy-up: the layer that holds the data */
  data?: number;
}

const typeOf = (st: { mode: number }) => typeOfMode(st.mode);
const isWhiteout = (st: BeneathStat) => typeOf(st) === DT_CHR && st.rdevMajor === 0 && st.rdevMinor === 0;
const relOf = (parts: string[]) => parts.join('/');
const absOf = (parts: string[]) => `/${parts.join('/')}`;

function components(p: string): string[] {
  if (typeof p !== 'string') throw invalid('path must be a string');
  if (p.includes('\0')) throw invalid('path contains a NUL byte');
  return p.split('/').filter((x) => x !== '' && x !== '.');
}

function rootNode(v: View): Node {
  if (!v.layers.length) throw invalid(`${v.label}: no layers`);
  const order = v.layers.map((_, i) => i).reverse();
  const dirs: number[] = [];
  let st: BeneathStat | null = null;
  for (const li of order) {
    const s = native().lstatBeneath(v.layers[li].dir, '');
    if (!s) throw new NscopeError('failed', `${v.label}: layer ${v.layers[li].dir} is missing`);
    st ??= s;
    dirs.push(li);
    if (v.raw || s.opaque) break;
  }
  return { parts: [], top: dirs[0], st: st!, dirs };
}

/** overlay lookup of `name` in the directory `parent` */
function child(v: View, parent: Node, name: string): Node | null {
  const parts = [...parent.parts, name];
  const rel = relOf(parts);
  let node: Node | null = null;
  for (const li of parent.dirs!) {
    const st = native().lstatBeneath(v.layers[li].dir, rel);
    if (!st) continue;
    if (!node) {
      if (isWhiteout(st) && !v.raw) return null;
      node = { parts, top: li, st };
      if (v.raw) {
        if (typeOf(st) === DT_DIR) node.dirs = [li];
        return node;
      }
      if (typeOf(st) === DT_DIR) {
        node.dirs = [li];
        if (st.opaque) return node;
        continue;
      }
      if (typeOf(st) !== DT_REG || !st.metacopy) return node;
      continue; // the data of a metacopy file is in the next lower layer that has the file
    }
    if (node.dirs) {
      if (typeOf(st) !== DT_DIR) return node;
      node.dirs.push(li);
      if (st.opaque) return node;
    } else {
      if (typeOf(st) === DT_REG && !isWhiteout(st)) node.data = li;
      return node;
    }
  }
  return node;
}

/** Resolves `p` in the view; symlinks on the way (and the last one, with `follow`) resolved inside the view. */
export function resolve(v: View, p: string, follow: boolean): Node {
  const root = rootNode(v);
  const stack: Node[] = [root];
  let todo = components(p);
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '..') { if (stack.length > 1) stack.pop(); continue; }
    const cur = stack[stack.length - 1];
    if (!cur.dirs) throw invalid(`${v.label}: ${p}: ${absOf(cur.parts)} is not a directory`);
    const n = child(v, cur, part);
    if (!n) throw notFound(`${v.label}: ${p}: no such file or directory`);
    if (typeOf(n.st) === DT_LNK && (todo.length > 0 || follow)) {
      if (++links > MAX_LINKS) throw invalid(`${v.label}: ${p}: too many levels of symbolic links`);
      const target = n.st.target ?? '';
      if (target.startsWith('/')) stack.length = 1;
      todo = [...components(target), ...todo];
      continue;
    }
    stack.push(n);
  }
  return stack[stack.length - 1];
}

function iso(sec: number, nsec: number): string {
  const d = new Date(sec * 1000 + Math.floor(nsec / 1e6));
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

function info(v: View, parts: string[], layer: number, st: BeneathStat | WalkEntry, extra: { target?: string; opaque?: boolean } = {}): FileInfo {
  const t = typeOf(st);
  const whiteout = t === DT_CHR && st.rdevMajor === 0 && st.rdevMinor === 0;
  const out: FileInfo = {
    name: parts.length ? parts[parts.length - 1] : '/',
    path: absOf(parts),
    type: whiteout ? 'whiteout' : kindOfType(t),
    size: st.size, mode: st.mode & 0o7777,
    uid: toContainerId(v.layers[layer].ids?.uid, st.uid), gid: toContainerId(v.layers[layer].ids?.gid, st.gid),
    mtime: iso(st.mtimeSec, st.mtimeNsec),
    from: v.layers[layer].ref,
  };
  if (t === DT_LNK) out.target = extra.target ?? ('target' in st ? st.target : undefined);
  if ((t === DT_CHR || t === DT_BLK) && !whiteout) out.rdev = { major: st.rdevMajor, minor: st.rdevMinor };
  if (v.raw && t === DT_DIR && (extra.opaque ?? ('opaque' in st && st.opaque))) out.opaque = true;
  return out;
}

export function statPath(v: View, p: string, nofollow = false): FileInfo {
  const n = resolve(v, p, !nofollow);
  return info(v, n.parts, n.top, n.st);
}

export async function listDir(v: View, p: string): Promise<{ path: string; entries: FileInfo[] }> {
  const n = resolve(v, p, true);
  if (!n.dirs) throw invalid(`${v.label}: ${p}: not a directory`);
  const rel = relOf(n.parts);
  const seen = new Map<string, FileInfo | null>();
  for (const li of n.dirs) {
    let ents: WalkEntry[];
    try {
      ents = (await walkTree(v.layers[li].dir, rel, { stat: true, maxDepth: 1, maxEntries: MAX_LIST })).all();
    } catch (e) {
      if (/more than \d+ entries/.test((e as Error).message)) throw invalid(`${v.label}: ${p}: more than ${MAX_LIST} entries`);
      throw e;
    }
    for (const e of ents) {
      if (seen.has(e.path)) continue;
      if (!v.raw && isWhiteoutEntry(e)) { seen.set(e.path, null); continue; }
      const parts = [...n.parts, e.path];
      let extra: { target?: string; opaque?: boolean } = {};
      // the walk does not read link targets nor (at depth 1) subdirectories' xattrs
      if (e.type === DT_LNK || (v.raw && e.type === DT_DIR)) {
        const s = native().lstatBeneath(v.layers[li].dir, relOf(parts));
        if (s) extra = { target: s.target, opaque: s.opaque };
      }
      seen.set(e.path, info(v, parts, li, e, extra));
    }
  }
  const entries = [...seen.values()].filter((x): x is FileInfo => x !== null);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { path: absOf(n.parts), entries };
}

/**
 * Opens a regular file beneath `root` for reading without ever opening
 * anything else: an O_PATH fd first (no open side effects, no symlink
 * followed), checked to be a regular file, then reopened through
 * /proc/self/fd, which reaches that very inode. A fifo or device node put in
 * its place by a running container is refused, not opened. Null when absent.
 */
export function openRegularBeneath(root: string, rel: string): { fd: number; st: fs.Stats } | null {
  let pathFd: number;
  try {
    pathFd = native().openBeneath(root, rel, O_PATH | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
  try {
    const st = fs.fstatSync(pathFd);
    if (!st.isFile()) throw invalid(`${rel}: not a regular file`);
    return { fd: fs.openSync(`/proc/self/fd/${pathFd}`, fs.constants.O_RDONLY), st };
  } finally {
    fs.closeSync(pathFd);
  }
}

const O_PATH = 0o10000000;

export function readFile(v: View, p: string, offset = 0, length = MAX_READ): FileReadResult {
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalid('offset must be a non-negative integer');
  if (!Number.isSafeInteger(length) || length < 0) throw invalid('length must be a non-negative integer');
  length = Math.min(length, MAX_READ);
  const n = resolve(v, p, true);
  if (typeOf(n.st) !== DT_REG) throw invalid(`${v.label}: ${p}: not a regular file (${n.dirs ? 'a directory' : kindOfType(typeOf(n.st))})`);
  const layer = n.data ?? n.top;
  // a running container replaced it between the lookup and the open
  const raced = () => new NscopeError('conflict', `${v.label}: ${p}: changed while being read; try again`);
  let opened: { fd: number; st: fs.Stats } | null;
  try {
    opened = openRegularBeneath(v.layers[layer].dir, relOf(n.parts));
  } catch (e) {
    throw e instanceof NscopeError ? raced() : e;
  }
  if (!opened) throw raced();
  const { fd, st } = opened;
  try {
    if (n.data === undefined && (st.ino !== n.st.ino || st.dev !== n.st.dev)) throw raced();
    const size = n.data === undefined ? st.size : n.st.size;
    const want = Math.max(0, Math.min(length, size - offset));
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const k = fs.readSync(fd, buf, got, want - got, offset + got);
      if (k === 0) break;
      got += k;
    }
    return {
      info: info(v, n.parts, n.top, n.st),
      offset, data: buf.subarray(0, got).toString('base64'), length: got, size, eof: offset + got >= size,
    };
  } finally {
    fs.closeSync(fd);
  }
}
