// Content-addressed blobs of the OCI image layout (blobs/sha256/<hex>). A
// blob is written to a temp file, its digest checked, then renamed into
// place: a blob that exists has exactly the content its name says.
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { invalid, notFound } from '../errors';
import { DIGEST_RE } from './oci';

export interface BlobRef { digest: string; size: number }

/** sha256 and size of a file, streamed. */
export async function sha256File(file: string): Promise<BlobRef> {
  const h = createHash('sha256');
  let size = 0;
  for await (const b of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(b as Buffer);
    size += (b as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export class BlobStore {
  readonly dir: string;

  /** `layoutDir` is the OCI layout root; `tmpDir` is on the same filesystem (for rename). */
  constructor(layoutDir: string, private readonly tmpDir: string) {
    this.dir = path.join(layoutDir, 'blobs', 'sha256');
  }

  path(digest: string): string {
    if (!DIGEST_RE.test(digest)) throw invalid(`"${digest}" is not a sha256 digest`);
    return path.join(this.dir, digest.slice(7));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  read(digest: string, limit = 16 << 20): Buffer {
    const p = this.path(digest);
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch { throw notFound(`blob ${digest} is missing from the image store`); }
    if (st.size > limit) throw invalid(`blob ${digest} is too large (${st.size} bytes) to be a manifest or config`);
    return fs.readFileSync(p);
  }

  private tmp(): string {
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
    return path.join(this.tmpDir, `blob-${randomBytes(8).toString('hex')}`);
  }

  private place(tmp: string, digest: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.renameSync(tmp, this.path(digest));
  }

  /** Stores bytes (a manifest or config); returns its descriptor fields. */
  putBuffer(data: Buffer): BlobRef {
    const digest = sha256(data);
    if (!this.has(digest)) {
      const t = this.tmp();
      fs.writeFileSync(t, data, { mode: 0o644 });
      this.place(t, digest);
    }
    return { digest, size: data.length };
  }

  /**
   * Stores the content of `file`, checking it against `expect` (digest, and
   * size unless negative) when given. With `owned` the file is the caller's
   * private temp file on this filesystem: it is hardlinked into the store
   * (no copy; the caller still removes its own name, and the same file can
   * be stored again for a second image). Otherwise it is copied first, so
   * that what is hashed is what is stored.
   */
  async putFile(file: string, opts: { expect?: BlobRef; owned?: boolean; label?: string } = {}): Promise<BlobRef> {
    let src = file;
    if (!opts.owned) {
      src = this.tmp();
      fs.copyFileSync(file, src);
    }
    try {
      const got = await sha256File(src);
      if (opts.expect && (got.digest !== opts.expect.digest || (opts.expect.size >= 0 && got.size !== opts.expect.size))) {
        const what = got.digest !== opts.expect.digest ? `digest ${got.digest}` : `size ${got.size} (expected ${opts.expect.size})`;
        throw invalid(`${opts.label ?? 'blob'}: content does not match ${opts.expect.digest}: got ${what}`);
      }
      if (!this.has(got.digest)) {
        fs.chmodSync(src, 0o644);
        fs.mkdirSync(this.dir, { recursive: true });
        if (opts.owned) {
          try { fs.linkSync(src, this.path(got.digest)); } catch (e) {
            const c = (e as NodeJS.ErrnoException).code;
            if (c === 'EXDEV') { const t = this.tmp(); fs.copyFileSync(src, t); this.place(t, got.digest); }
            else if (c !== 'EEXIST') throw e;
          }
        } else this.place(src, got.digest);
      }
      return got;
    } finally {
      if (!opts.owned) fs.rmSync(src, { force: true });
    }
  }

  /** Moves a file whose content the caller has checked to be `digest` into the store. */
  adopt(file: string, digest: string): void {
    fs.chmodSync(file, 0o644);
    this.place(file, digest);
  }

  list(): string[] {
    try {
      return fs.readdirSync(this.dir).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch { return []; }
  }

  remove(digest: string): void {
    fs.rmSync(this.path(digest), { force: true });
  }
}
