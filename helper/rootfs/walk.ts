// A layer directory's tree, read by the native walker (getdents64 + fstatat
// on directory fds opened beneath the layer root, no symlink followed, in
// parallel threads) as one buffer of packed records, decoded here.
import * as os from 'os';
import { native } from '../native';
import type { FileKind } from '../protocol/types/diff';

export const DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

const WORDS = 12;
const F_STAT = 1, F_OPAQUE = 2, F_DESCENDED = 4;

/** Refuse trees larger than this: a diff of them would not fit in one reply anyway. */
export const MAX_WALK_ENTRIES = 1_000_000;

/** One entry of a walk, as an object (see Walk for the columns). */
export interface WalkEntry {
  /** relative to the walk's start, no leading '/' */
  path: string;
  /** depth below the start: 1 for the start's own entries */
  depth: number;
  /** DT_* */
  type: number;
  /** false when the walk did not stat it (no `stat` option, a regular file, symlink, fifo or socket) */
  hasStat: boolean;
  /** st_mode (type bits only when !hasStat) */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  rdevMajor: number;
  rdevMinor: number;
  /** a directory with trusted.overlay.opaque=y (known for descended directories) */
  opaque: boolean;
  /** a directory the walk went into (all of them, unless maxDepth stopped it) */
  descended: boolean;
  /** a descended directory's number of entries */
  entries: number;
}

export interface WalkOptions {
  /** stat every entry (default: only directories and char devices, enough to find whiteouts) */
  stat?: boolean;
  /** 1: the directory's own entries only; 0 (default): the whole tree */
  maxDepth?: number;
  maxEntries?: number;
  threads?: number;
}

const THREADS = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));

/**
 * A walk's entries in tree order (each directory's entries sorted by name,
 * a directory's subtree right after it), as columns over the native result:
 * reading them allocates nothing but the paths.
 */
export class Walk {
  readonly count: number;
  readonly paths: string[];
  private readonly u: Uint32Array;

  constructor(buf: Buffer) {
    if (buf.byteOffset % 4) buf = Buffer.from(buf);
    this.count = buf.readUInt32LE(0);
    const pathBytes = buf.readUInt32LE(4);
    const start = 8 + this.count * WORDS * 4;
    this.u = new Uint32Array(buf.buffer, buf.byteOffset + 8, this.count * WORDS);
    this.paths = this.count ? buf.toString('utf8', start, start + pathBytes - 1).split('\0') : [];
  }

  type(i: number): number { return this.u[i * WORDS] & 0xff; }
  private flags(i: number): number { return (this.u[i * WORDS] >>> 8) & 0xff; }
  depth(i: number): number { return this.u[i * WORDS] >>> 16; }
  hasStat(i: number): boolean { return (this.flags(i) & F_STAT) !== 0; }
  opaque(i: number): boolean { return (this.flags(i) & F_OPAQUE) !== 0; }
  descended(i: number): boolean { return (this.flags(i) & F_DESCENDED) !== 0; }
  mode(i: number): number { return this.u[i * WORDS + 1]; }
  uid(i: number): number { return this.u[i * WORDS + 2]; }
  gid(i: number): number { return this.u[i * WORDS + 3]; }
  entries(i: number): number { return this.u[i * WORDS + 4]; }
  size(i: number): number { return this.u[i * WORDS + 5] + this.u[i * WORDS + 6] * 2 ** 32; }
  mtimeSec(i: number): number { return this.u[i * WORDS + 7] + (this.u[i * WORDS + 8] | 0) * 2 ** 32; }
  mtimeNsec(i: number): number { return this.u[i * WORDS + 9]; }
  rdevMajor(i: number): number { return this.u[i * WORDS + 10]; }
  rdevMinor(i: number): number { return this.u[i * WORDS + 11]; }
  isWhiteout(i: number): boolean { return this.type(i) === DT_CHR && this.rdevMajor(i) === 0 && this.rdevMinor(i) === 0; }

  entry(i: number): WalkEntry {
    return {
      path: this.paths[i], depth: this.depth(i), type: this.type(i), hasStat: this.hasStat(i),
      mode: this.mode(i), uid: this.uid(i), gid: this.gid(i), size: this.size(i),
      mtimeSec: this.mtimeSec(i), mtimeNsec: this.mtimeNsec(i), rdevMajor: this.rdevMajor(i), rdevMinor: this.rdevMinor(i),
      opaque: this.opaque(i), descended: this.descended(i), entries: this.entries(i),
    };
  }

  all(): WalkEntry[] {
    const out: WalkEntry[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.entry(i));
    return out;
  }
}

/** The tree below root/rel (rel "" = root itself); throws a one-line error naming the syscall and path. */
export async function walkTree(root: string, rel: string, o: WalkOptions = {}): Promise<Walk> {
  const maxEntries = o.maxEntries ?? MAX_WALK_ENTRIES;
  let buf: Buffer;
  try {
    buf = await native().walkTree(root, rel, !!o.stat, o.maxDepth ?? 0, maxEntries, o.threads ?? (o.maxDepth === 1 ? 1 : THREADS));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'E2BIG') throw new Error(`${root}: more than ${maxEntries} entries`);
    throw e;
  }
  return new Walk(buf);
}

export function kindOfType(dt: number): FileKind {
  switch (dt) {
    case DT_DIR: return 'dir';
    case DT_LNK: return 'symlink';
    case DT_CHR: return 'char';
    case DT_BLK: return 'block';
    case DT_FIFO: return 'fifo';
    case DT_SOCK: return 'socket';
    default: return 'file';
  }
}

/** st_mode -> DT_* */
export const typeOfMode = (mode: number): number => (mode >>> 12) & 0o17;

export const isWhiteoutEntry = (e: { type: number; rdevMajor: number; rdevMinor: number }): boolean =>
  e.type === DT_CHR && e.rdevMajor === 0 && e.rdevMinor === 0;
