// What a COPY's cache key hashes of the tar it sends: every byte but each
// entry's modification time (the header's mtime field, the checksum that
// covers it, and PAX mtime/atime/ctime records), as Docker's and BuildKit's
// content checksums leave times out. So a fresh `git clone`, a `touch` or a
// re-run earlier stage whose files have the same bytes still hits the cache,
// while the image keeps the files' times. Streamed: the tar comes in chunks
// of any size.
import { createHash, type Hash } from 'crypto';
import { BLOCK, F, isZeroBlock, readNumber } from '../images/tar-header';

const TIMES = /^(mtime|atime|ctime)=/;

export class TarDigest {
  private readonly h: Hash = createHash('sha256');
  private head: Buffer[] = [];
  private headLen = 0;
  /** data bytes (padding included) left of the current entry */
  private left = 0;
  /** a PAX header's data, gathered to hash without its time records */
  private pax: Buffer[] | null = null;

  update(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        if (this.pax) this.pax.push(Buffer.from(part)); else this.h.update(part);
        this.left -= n;
        off += n;
        if (this.left === 0 && this.pax) this.paxDone();
        continue;
      }
      const n = Math.min(BLOCK - this.headLen, chunk.length - off);
      this.head.push(Buffer.from(chunk.subarray(off, off + n)));
      this.headLen += n;
      off += n;
      if (this.headLen < BLOCK) break;
      const hdr = Buffer.concat(this.head);
      this.head = [];
      this.headLen = 0;
      if (isZeroBlock(hdr)) { this.h.update(hdr); continue; }
      const size = readNumber(hdr, 'size') ?? 0;
      const type = String.fromCharCode(hdr[F.typeflag[0]]);
      // mtime and chksum, which are next to each other
      hdr.fill(0, F.mtime[0], F.chksum[0] + F.chksum[1]);
      this.h.update(hdr);
      this.left = Math.ceil(size / BLOCK) * BLOCK;
      this.pax = (type === 'x' || type === 'g') && this.left > 0 ? [] : null;
    }
  }

  /** Hashes the PAX records but the times ("LEN key=value\n" each), then the padding. */
  private paxDone(): void {
    const data = Buffer.concat(this.pax!);
    this.pax = null;
    let p = 0;
    for (;;) {
      const sp = data.indexOf(0x20, p);
      const len = sp > p ? Number(data.subarray(p, sp).toString('latin1')) : NaN;
      if (!Number.isInteger(len) || len <= 0 || p + len > data.length) break;
      const rec = data.subarray(p, p + len);
      if (!TIMES.test(rec.subarray(sp - p + 1).toString('latin1'))) this.h.update(rec);
      p += len;
    }
    this.h.update(data.subarray(p));
  }

  digest(): string {
    return this.h.digest('hex');
  }
}
