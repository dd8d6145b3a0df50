// A streaming tar parser: ustar, GNU long names ('L'/'K') and PAX headers
// ('x' per entry, 'g' global). Entries come one at a time through async
// iteration; a body not read by the consumer is skipped when the next entry
// is asked for, so a multi-gigabyte layer never sits in memory.
//
// Input is untrusted (image layers): every header is checksummed, every
// number checked, and a corrupt or truncated archive is an error naming the
// offset, never a silently shorter listing.
import { createHash } from 'crypto';
import type { Readable } from 'stream';
import { invalid } from '../errors';
import { ByteReader } from './byte-reader';
import { uncompressed, type Compression } from './decompress';
import {
  BLOCK, checksum, isZeroBlock, parsePax, readNumber, readString, signedChecksum, type EntryType, type Field,
} from './tar-header';

export interface TarBody {
  /** The body in chunks, streamed from the archive (once). */
  chunks(): AsyncGenerator<Buffer>;
  /** The whole body; refused above `limit` bytes. */
  readAll(limit?: number): Promise<Buffer>;
  /** Explicitly skip the body (also done automatically when iteration moves on). */
  skip(): Promise<void>;
  /** The whole body if it has arrived already and is unread (a small file's, mostly), else undefined: taken at once, no await. */
  buffered(): Buffer | undefined;
}

export interface TarEntry {
  name: string;
  type: EntryType;
  /** permission bits incl. setuid/setgid/sticky (0o7777) */
  mode: number;
  uid: number;
  gid: number;
  /** body size in bytes (0 for everything but files) */
  size: number;
  /** seconds since the epoch, possibly fractional (PAX) */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** from PAX SCHILY.xattr.NAME records */
  xattrs: Record<string, Buffer>;
  body: TarBody;
  /** byte offset of this entry's (first) header in the uncompressed stream */
  offset: number;
}

const TYPES: Record<string, EntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};
const META_LIMIT = 1 << 20;     // a PAX header or GNU long name larger than this is not a real one
const NAME_LIMIT = 64 * 1024;
// What extended headers may hold for one entry (or globally) once repeated keys are merged: more
// than any real archive has, few enough that merging them into each entry stays cheap and the
// memory they take stays bounded however many extended headers come in a row (native/tar/unpack.cc's).
const PAX_RECORD_LIMIT = 1024;
const PAX_BYTES_LIMIT = META_LIMIT;

/**
 * The PAX keys the reader acts on. The others (atime, comment, vendor keys) are dropped as
 * they are read: a header of 100,000 of them then costs nothing for the entries after it.
 */
const paxKeyUsed = (k: string) => k === 'path' || k === 'linkpath' || k === 'uid' || k === 'gid' || k === 'size' || k === 'mtime'
  || (k.startsWith('SCHILY.xattr.') && k.length > 13);

/** `recs` merged into `into` (a global header's empty value unsets); why the result is refused, or undefined. */
function mergePax(into: Map<string, Buffer>, recs: Map<string, Buffer>, global: boolean): string | undefined {
  for (const [k, v] of recs) {
    if (!paxKeyUsed(k)) continue;
    if (global && !v.length) into.delete(k); else into.set(k, v);
  }
  if (into.size > PAX_RECORD_LIMIT) return `more than ${PAX_RECORD_LIMIT} records`;
  let bytes = 0;
  for (const [k, v] of into) bytes += Buffer.byteLength(k) + v.length;
  if (bytes > PAX_BYTES_LIMIT) return `more than ${PAX_BYTES_LIMIT} bytes of records`;
  return undefined;
}

export interface TarReaderOptions {
  /** names the archive in errors, e.g. `layer sha256:ab12…` */
  label?: string;
  /** false: no sha256 of the stream (an archive that is not a layer); `digest` is then not available */
  digest?: boolean;
}

export class TarReader implements AsyncIterable<TarEntry> {
  private readonly label: string;
  private readonly hash?: ReturnType<typeof createHash>;
  private digestHex?: string;
  private totalBytes = 0;
  private compressionKind?: Compression;
  private started = false;

  constructor(private readonly input: Readable, opts: TarReaderOptions = {}) {
    this.label = opts.label ?? 'tar';
    if (opts.digest !== false) this.hash = createHash('sha256');
  }

  /** sha256 of the uncompressed stream ("sha256:…"): the layer's diff_id. Valid once iteration has finished. */
  get digest(): string {
    if (!this.digestHex) throw new Error('tar digest asked before the archive was read to the end');
    return `sha256:${this.digestHex}`;
  }

  /** Bytes of the uncompressed stream (valid at the end). */
  get size(): number { return this.totalBytes; }

  get compression(): Compression | undefined { return this.compressionKind; }

  private fail(offset: number, what: string): never {
    throw invalid(`${this.label}: ${what} (at byte ${offset})`);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TarEntry> {
    if (this.started) throw new Error('a TarReader can be iterated once');
    this.started = true;
    try {
      const { stream, compression } = await uncompressed(this.input, this.label);
      this.compressionKind = compression;
      const r = new ByteReader(stream, (b) => { this.hash?.update(b); this.totalBytes += b.length; });
      try {
        yield* this.entries(r);
        // read what follows the end marker too: the diff_id covers the whole stream
        await r.drain();
        this.digestHex = this.hash?.digest('hex');
      } finally {
        await r.close();
      }
    } finally {
      this.input.destroy();
    }
  }

  private async *entries(r: ByteReader): AsyncGenerator<TarEntry> {
    let global = new Map<string, Buffer>();
    let pax = new Map<string, Buffer>();
    let longName: string | undefined;
    let longLink: string | undefined;
    let metaStart = -1;

    for (;;) {
      const offset = r.offset;
      const h = await r.read(BLOCK);
      if (h.length === 0) {
        // EOF exactly at a header boundary without the end marker: accepted (as Go and GNU tar do),
        // unless extended headers announced an entry that never came
        if (metaStart >= 0) this.fail(metaStart, 'archive ends after an extended header');
        return;
      }
      if (h.length < BLOCK) this.fail(offset, 'truncated header');
      if (isZeroBlock(h)) {
        if (metaStart >= 0) this.fail(metaStart, 'archive ends after an extended header');
        return; // end-of-archive marker
      }
      const sum = readNumber(h, 'chksum');
      if (sum === null || (sum !== checksum(h) && sum !== signedChecksum(h))) {
        this.fail(offset, sum === null ? 'corrupt header (checksum field is not a number; not a tar archive?)' : 'corrupt header (checksum mismatch)');
      }
      const num = (f: Field): number => {
        const v = readNumber(h, f);
        if (v === null) this.fail(offset, `corrupt header (field ${f} is not a number)`);
        return v;
      };
      const flag = String.fromCharCode(h[156]);
      const size = num('size');
      if (size < 0) this.fail(offset, `negative size ${size}`);
      const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

      // metadata entries: their body applies to the next real entry
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (metaStart < 0) metaStart = offset;
        const limit = flag === 'x' || flag === 'g' ? META_LIMIT : NAME_LIMIT;
        if (size > limit) this.fail(offset, `extended header of ${size} bytes is too large`);
        const data = await r.read(size);
        if (data.length < size) this.fail(offset, 'truncated extended header');
        if ((await r.skip(padded(size) - size)) < padded(size) - size) this.fail(offset, 'truncated extended header');
        if (flag === 'L' || flag === 'K') {
          const nul = data.indexOf(0);
          const s = (nul < 0 ? data : data.subarray(0, nul)).toString('utf8');
          if (flag === 'L') longName = s; else longLink = s;
        } else {
          const recs = parsePax(data);
          if (typeof recs === 'string') this.fail(offset, `corrupt PAX header: ${recs}`);
          if (flag === 'g') global = new Map(global); // entries already read keep the globals they had
          const why = mergePax(flag === 'g' ? global : pax, recs, flag === 'g');
          if (why) this.fail(metaStart, `${flag === 'g' ? 'global PAX headers hold' : 'PAX headers for one entry hold'} ${why}`);
        }
        continue;
      }

      let type = TYPES[flag];
      if (!type) {
        const what: Record<string, string> = { S: 'GNU sparse file', V: 'volume label', M: 'multi-volume continuation', D: 'GNU dump dir', N: 'GNU long-name (old style)' };
        this.fail(offset, `unsupported entry type '${flag}'${what[flag] ? ` (${what[flag]})` : ''}`);
      }

      // ustar ("ustar\0" "00") joins prefix + name; GNU ("ustar  \0") reuses the prefix area for other data
      const magic = h.subarray(257, 263).toString('latin1');
      const version = h.subarray(263, 265).toString('latin1');
      let name = readString(h, 'name');
      if (magic === 'ustar\0' && version === '00') {
        const prefix = readString(h, 'prefix');
        if (prefix) name = `${prefix}/${name}`;
      }
      let linkname = readString(h, 'linkname');
      let uid = num('uid');
      let gid = num('gid');
      let mtime = num('mtime');
      let bodySize = size;
      // pre-POSIX tars mark directories by a trailing slash only
      if (type === 'file' && (flag === '\0' || flag === '0') && name.endsWith('/')) type = 'dir';

      if (longName !== undefined) name = longName;
      if (longLink !== undefined) linkname = longLink;
      const rec = global.size ? new Map([...global, ...pax]) : pax;
      const str = (k: string) => rec.get(k)?.toString('utf8');
      const dec = (k: string, frac = false): number | undefined => {
        const s = str(k);
        if (s === undefined) return undefined;
        if (!(frac ? /^-?[0-9]+(\.[0-9]+)?$/ : /^[0-9]+$/).test(s)) this.fail(offset, `corrupt PAX header (${k}="${s}")`);
        const v = Number(s);
        if (!Number.isSafeInteger(Math.trunc(v))) this.fail(offset, `PAX ${k}="${s}" is out of range`);
        return v;
      };
      if (str('path') !== undefined) name = str('path')!;
      if (str('linkpath') !== undefined) linkname = str('linkpath')!;
      uid = dec('uid') ?? uid;
      gid = dec('gid') ?? gid;
      mtime = dec('mtime', true) ?? mtime;
      bodySize = dec('size') ?? bodySize;
      const xattrs: Record<string, Buffer> = {};
      for (const [k, v] of rec) if (k.startsWith('SCHILY.xattr.') && k.length > 13) xattrs[k.slice(13)] = v;
      pax = new Map();
      longName = longLink = undefined;
      metaStart = -1;

      if (name === '') this.fail(offset, 'entry with an empty name');
      if (name.includes('\0') || linkname.includes('\0')) this.fail(offset, `entry "${name.replace(/\0/g, '\\0')}" has a NUL byte in its name`);
      if ((type === 'symlink' || type === 'hardlink') && linkname === '') this.fail(offset, `${type} "${name}" has no target`);
      // only regular files carry data; for the other types a size in the header is ignored (as Go's archive/tar does)
      if (type !== 'file') bodySize = 0;
      if (uid < 0 || gid < 0 || uid > 0xffffffff || gid > 0xffffffff) this.fail(offset, `entry "${name}": uid/gid out of range`);

      const body = this.body(r, bodySize, name, offset);
      const entry: TarEntry = {
        name, type, mode: num('mode') & 0o7777, uid, gid, size: bodySize, mtime, linkname,
        devmajor: type === 'char' || type === 'block' ? num('devmajor') : 0,
        devminor: type === 'char' || type === 'block' ? num('devminor') : 0,
        xattrs, body: body.api, offset,
      };
      yield entry;
      await body.finish();
    }
  }

  /** The body of one entry: readable once, and skipped (with its padding) when the consumer moves on. */
  private body(r: ByteReader, size: number, name: string, offset: number): { api: TarBody; finish(): Promise<void> } {
    let left = size;
    let taken = false;
    const truncated = () => this.fail(offset, `entry "${name}": truncated body (archive ends inside it)`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    async function* chunks(): AsyncGenerator<Buffer> {
      if (taken) throw new Error(`tar entry "${name}": body already consumed`);
      taken = true;
      while (left > 0) {
        const b = await r.readSome(left);
        if (b.length === 0) truncated();
        left -= b.length;
        yield b;
      }
    }
    const api: TarBody = {
      chunks,
      buffered() {
        if (taken) return undefined;
        const b = r.takeBuffered(left);
        if (b) { taken = true; left = 0; }
        return b;
      },
      async readAll(limit = 64 << 20) {
        if (size > limit) throw invalid(`entry "${name}" is too large to read in memory (${size} bytes)`);
        const parts: Buffer[] = [];
        for await (const b of chunks()) parts.push(Buffer.from(b));
        return Buffer.concat(parts);
      },
      async skip() {
        taken = true;
        if (left > 0) {
          const n = await r.skip(left);
          left -= n;
          if (left > 0) truncated();
        }
      },
    };
    return {
      api,
      async finish() {
        await api.skip();
        if (pad && (await r.skip(pad)) < pad) truncated();
      },
    };
  }
}

/** Parses `input` (plain or gzip tar). Iterate the result once; then `.digest` is the diff_id. */
export function readTar(input: Readable, opts: TarReaderOptions = {}): TarReader {
  return new TarReader(input, opts);
}
