// A deterministic ustar writer: the same entries (with the caller's fixed
// mtimes) always give the same bytes, hence the same digest, so a rebuilt
// layer is recognized as the one already stored. Names, link targets and
// numbers that do not fit the ustar fields go into a PAX 'x' header.
import { createHash } from 'crypto';
import * as fs from 'fs';
import { BLOCK, TYPEFLAG, checksum, paxRecord, writeOctal, writeString, type EntryType } from './tar-header';

export interface TarWriteEntry {
  /** archive path as written ("etc/passwd"; directories get a trailing "/") */
  name: string;
  type: EntryType;
  mode?: number;
  uid?: number;
  gid?: number;
  /** seconds since the epoch; 0 unless given (determinism is the caller's choice of times) */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Buffer | string>;
}

const ZERO = Buffer.alloc(BLOCK);
const isAscii = (s: string) => /^[\x01-\x7f]*$/.test(s);

export class TarWriter {
  private readonly hash?: ReturnType<typeof createHash>;
  private written = 0;
  private finished = false;
  /** a file begun with beginFile(): bytes of body still expected, and its size */
  private bodyLeft = 0;
  private bodySize = -1;

  /** `sink` receives the archive bytes in order; `digest: false` for an archive that needs none (no sha256 over every byte). */
  constructor(private readonly sink: (b: Buffer) => void, opts: { digest?: boolean } = {}) {
    if (opts.digest !== false) this.hash = createHash('sha256');
  }

  private out(b: Buffer): void {
    this.hash?.update(b);
    this.written += b.length;
    this.sink(b);
  }

  private pad(n: number): void {
    const p = (BLOCK - (n % BLOCK)) % BLOCK;
    if (p) this.out(ZERO.subarray(0, p));
  }

  /** Header (plus a PAX header first when needed) for an entry with `size` bytes of body. */
  private header(e: TarWriteEntry, size: number): void {
    if (this.finished) throw new Error('tar writer: entry added after finish()');
    if (this.bodySize >= 0) throw new Error(`tar writer: ${e.name}: added before the previous file's endFile()`);
    const h = Buffer.alloc(BLOCK);
    const pax: Buffer[] = [];
    let name = e.name;
    if (e.type === 'dir' && !name.endsWith('/')) name += '/';
    const linkname = e.linkname ?? '';

    // name: fits as is, or split at a '/' into prefix (155) + name (100), else PAX
    if (!isAscii(name) || !this.putName(h, name)) {
      pax.push(paxRecord('path', name));
      writeString(h, 'name', Buffer.from(name, 'utf8').subarray(0, 99).toString('latin1').replace(/[^\x01-\x7f]/g, '_'));
    }
    if (!isAscii(linkname) || !writeString(h, 'linkname', linkname)) {
      pax.push(paxRecord('linkpath', linkname));
      writeString(h, 'linkname', linkname.slice(0, 99).replace(/[^\x01-\x7f]/g, '_'));
    }
    const num = (f: 'uid' | 'gid' | 'size' | 'mtime', v: number) => {
      if (!writeOctal(h, f, v)) {
        if (!Number.isInteger(v) || v < 0) throw new Error(`tar writer: ${e.name}: ${f} ${v} is not a non-negative integer`);
        pax.push(paxRecord(f, String(v)));
        writeOctal(h, f, 0);
      }
    };
    writeOctal(h, 'mode', (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644)) & 0o7777);
    num('uid', e.uid ?? 0);
    num('gid', e.gid ?? 0);
    num('size', size);
    num('mtime', Math.floor(e.mtime ?? 0));
    if (e.type === 'char' || e.type === 'block') {
      if (!writeOctal(h, 'devmajor', e.devmajor ?? 0) || !writeOctal(h, 'devminor', e.devminor ?? 0)) {
        throw new Error(`tar writer: ${e.name}: device number too large`);
      }
    } else {
      writeOctal(h, 'devmajor', 0);
      writeOctal(h, 'devminor', 0);
    }
    h.write(TYPEFLAG[e.type], 156, 1, 'latin1');
    h.write('ustar\0' + '00', 257, 8, 'latin1');
    // xattrs in a fixed order so that the bytes do not depend on insertion order
    for (const k of Object.keys(e.xattrs ?? {}).sort()) pax.push(paxRecord(`SCHILY.xattr.${k}`, e.xattrs![k]));

    if (pax.length) {
      const data = Buffer.concat(pax);
      const ph = Buffer.alloc(BLOCK);
      const base = name.replace(/\/$/, '').split('/').pop()!.replace(/[^\x01-\x7f]/g, '_').slice(0, 80);
      writeString(ph, 'name', `PaxHeaders/${base}`);
      writeOctal(ph, 'mode', 0o644);
      writeOctal(ph, 'uid', 0);
      writeOctal(ph, 'gid', 0);
      writeOctal(ph, 'size', data.length);
      writeOctal(ph, 'mtime', 0);
      ph.write('x', 156, 1, 'latin1');
      ph.write('ustar\0' + '00', 257, 8, 'latin1');
      writeOctal(ph, 'chksum', checksum(ph));
      this.out(ph);
      this.out(data);
      this.pad(data.length);
    }
    // checksum: 6 octal digits, NUL, space (the traditional layout)
    h.write(checksum(h).toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
    this.out(h);
  }

  private putName(h: Buffer, name: string): boolean {
    if (Buffer.byteLength(name) <= 100) return writeString(h, 'name', name);
    // the split point must leave both halves in their fields; search from the right for the longest prefix
    for (let i = name.length - 1; i > 0; i--) {
      if (name[i] !== '/') continue;
      const prefix = name.slice(0, i);
      const rest = name.slice(i + 1);
      if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) {
        writeString(h, 'prefix', prefix);
        return writeString(h, 'name', rest);
      }
    }
    return false;
  }

  /** Adds an entry; `data` is the body of a regular file. */
  add(e: TarWriteEntry, data?: Buffer | string): void {
    const body = data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    if (e.type !== 'file' && body.length) throw new Error(`tar writer: ${e.name}: only files have a body`);
    this.header(e, body.length);
    if (body.length) { this.out(body); this.pad(body.length); }
  }

  /**
   * Starts a regular file of `size` bytes whose body the caller then passes
   * in pieces with body(), and closes with endFile(): for bodies read
   * asynchronously (backpressure) or from an fd the caller opened.
   */
  beginFile(e: TarWriteEntry, size: number): void {
    if (this.bodySize >= 0) throw new Error(`tar writer: ${e.name}: the previous file's body is not finished`);
    this.header({ ...e, type: 'file' }, size);
    this.bodyLeft = size;
    this.bodySize = size;
  }

  body(b: Buffer): void {
    if (this.bodySize < 0 || b.length > this.bodyLeft) throw new Error('tar writer: body() beyond the size given to beginFile()');
    if (b.length) this.out(b);
    this.bodyLeft -= b.length;
  }

  endFile(): void {
    if (this.bodySize < 0) throw new Error('tar writer: endFile() without beginFile()');
    if (this.bodyLeft) throw new Error(`tar writer: file body is ${this.bodyLeft} bytes short`);
    this.pad(this.bodySize);
    this.bodySize = -1;
  }

  /** Adds a regular file whose body is read from `hostFile` (streamed in chunks, size checked). */
  addFromFile(e: TarWriteEntry, hostFile: string): void {
    const fd = fs.openSync(hostFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      this.header({ ...e, type: 'file' }, size);
      const buf = Buffer.alloc(1 << 20);
      let done = 0;
      while (done < size) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - done), null);
        if (n === 0) throw new Error(`tar writer: ${hostFile} shrank while being read`);
        this.out(Buffer.from(buf.subarray(0, n)));
        done += n;
      }
      this.pad(size);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Writes the end-of-archive marker (two zero blocks). */
  finish(): void {
    if (this.finished) return;
    if (this.bodySize >= 0) throw new Error('tar writer: finish() before the last file\'s endFile()');
    this.out(ZERO);
    this.out(ZERO);
    this.finished = true;
  }

  /** "sha256:…" of everything written so far (the diff_id once finished). */
  get digest(): string {
    if (!this.hash) throw new Error('tar writer: made with digest: false');
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
  get size(): number { return this.written; }
}

/** Builds a whole archive in memory (small archives, tests). */
export function tarBuffer(entries: Array<TarWriteEntry & { data?: Buffer | string }>): Buffer {
  const parts: Buffer[] = [];
  const w = new TarWriter((b) => parts.push(b));
  for (const { data, ...e } of entries) w.add(e, data);
  w.finish();
  return Buffer.concat(parts);
}

/** Writes an archive to `file` through `fill` (streamed; nothing big in memory); returns its digest and size. */
export function tarFile(file: string, fill: (w: TarWriter) => void): { digest: string; size: number } {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    const w = new TarWriter((b) => { let off = 0; while (off < b.length) off += fs.writeSync(fd, b, off); });
    fill(w);
    w.finish();
    fs.fsyncSync(fd);
    return { digest: w.digest, size: w.size };
  } finally {
    fs.closeSync(fd);
  }
}
