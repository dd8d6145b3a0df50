// A file or a directory tree as a tar stream, the way `docker cp` archives
// it: the top entry named `name` (the source's base name), everything below
// it relative to that; owners, modes, mtimes and symlinks as they are,
// hardlinks within the tree as hardlink entries; sockets skipped, as tar does. A build's COPY
// packs its sources with it (filtered by .dockerignore, re-owned, re-moded per file), in the
// daemon or in VS Code's extension host; `nscope cp` uses the native packer that writes the
// same bytes (./native-tar.ts), which Electron's node could not load. Read with plain fs
// calls: the caller has made `src` safe to read.
import * as fs from 'fs';
import * as path from 'path';
import { TarWriter, type TarWriteEntry } from '../images/tar-writer';
import type { EntryType } from '../images/tar-header';
import { fileType } from '../images/layers-info-walk';

const CHUNK = 1 << 20;
/**
 * What the consumer gets at a time: a tree of small files comes out as 256
 * KiB pieces, not one small piece per entry (a write, a wake-up of the
 * daemon's relay and a socket write per file otherwise).
 */
const BATCH = 256 << 10;

/** The writer's output copied into BATCH-sized buffers; full ones are taken as they fill. */
class Batches {
  private buf = Buffer.allocUnsafe(BATCH);
  private used = 0;
  private full: Buffer[] = [];

  add(b: Buffer): void {
    let off = 0;
    while (off < b.length) {
      const n = b.copy(this.buf, this.used, off);
      this.used += n;
      off += n;
      if (this.used === BATCH) { this.full.push(this.buf); this.buf = Buffer.allocUnsafe(BATCH); this.used = 0; }
    }
  }

  /** the full buffers so far; with `all`, what is in the last one too */
  take(all = false): Buffer[] {
    const out = this.full;
    this.full = [];
    if (all && this.used) { out.push(this.buf.subarray(0, this.used)); this.buf = Buffer.allocUnsafe(BATCH); this.used = 0; }
    return out;
  }
}

export interface TreeTarOptions {
  /** the owners written for a file's uid/gid (e.g. host ids back to the container's) */
  owner?: (uid: number, gid: number) => [number, number];
  /** follow a symlink at `src` itself (-L) */
  follow?: boolean;
  /** every file's and directory's permission bits (a build's COPY --chmod) */
  mode?: number;
  /** leave out an entry (a build context's .dockerignore): its path relative to `src` */
  skip?: (rel: string) => boolean;
}

function typeOf(st: fs.Stats): EntryType | null {
  const t = fileType(st);
  return t === 'socket' ? null : t; // tar has no type for sockets: GNU tar skips them too
}

/**
 * `src` (and what is below it) as tar bytes under the name `name`, in
 * pieces of 256 KiB (the last one shorter), with the end-of-archive marker:
 * the consumer writes each piece where it likes, at its own pace.
 */
export function* treeTar(src: string, name: string, o: TreeTarOptions = {}): Generator<Buffer> {
  // copies: the writer's pieces may be views of a buffer reused for the next read
  const batches = new Batches();
  const w = new TarWriter((b) => batches.add(b), { digest: false });
  const take = () => batches.take();
  const links = new Map<string, string>();
  const stack: { file: string; entry: string; top: boolean }[] = [{ file: src, entry: name, top: true }];
  while (stack.length) {
    const { file, entry, top } = stack.pop()!;
    const st = top && o.follow ? fs.statSync(file) : fs.lstatSync(file);
    const type = typeOf(st);
    if (!type) continue;
    const [uid, gid] = o.owner ? o.owner(st.uid, st.gid) : [st.uid, st.gid];
    const mode = o.mode !== undefined && (type === 'file' || type === 'dir') ? o.mode : st.mode & 0o7777;
    const base = { name: entry, mode, uid, gid, mtime: Math.floor(st.mtimeMs / 1000) };
    if (type !== 'dir' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) { w.add({ ...base, type: 'hardlink', linkname: first }); continue; }
      links.set(key, entry);
    }
    switch (type) {
      case 'file': yield* fileBody(w, file, { ...base, type }, st.size, take); break;
      case 'symlink': w.add({ ...base, type, linkname: fs.readlinkSync(file) }); break;
      case 'char': case 'block':
        w.add({ ...base, type, devmajor: (st.rdev >> 8) & 0xfff, devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) });
        break;
      case 'fifo': w.add({ ...base, type }); break;
      case 'dir': {
        w.add({ ...base, type });
        // pushed in reverse: taken in name order
        const children = fs.readdirSync(file).sort().reverse();
        for (const c of children) {
          const child = { file: path.join(file, c), entry: `${entry}/${c}`, top: false };
          if (o.skip?.(path.relative(src, child.file))) continue;
          stack.push(child);
        }
      }
    }
    yield* take();
  }
  w.finish();
  yield* batches.take(true);
}

/** A file's body, exactly `size` bytes: one that shrank meanwhile is padded with zeros, one that grew is cut (a running container may write to it). */
function* fileBody(w: TarWriter, file: string, e: TarWriteEntry, size: number, take: () => Buffer[]): Generator<Buffer> {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    w.beginFile(e, size);
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
    let left = size;
    while (left > 0) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), null);
      if (n === 0) { w.body(Buffer.alloc(left)); break; }
      w.body(buf.subarray(0, n));
      left -= n;
      yield* take();
    }
    w.endFile();
  } finally {
    fs.closeSync(fd);
  }
}
