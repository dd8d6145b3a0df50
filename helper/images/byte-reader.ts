// Exact-length async reads over a stream of chunks: what a tar parser needs
// (a 512-byte header, then N bytes of body) on top of Node's
// "whatever size the chunk happens to be" streams. Every byte that passes
// through is shown to `onData` once, so a digest of the whole stream can be
// computed while it is parsed.

export class ByteReader {
  private readonly it: AsyncIterator<Buffer | Uint8Array | string>;
  private bufs: Buffer[] = [];
  private have = 0;
  private ended = false;
  /** Bytes handed out (read or skipped) so far: the offset of the next byte. */
  offset = 0;

  constructor(src: AsyncIterable<Buffer | Uint8Array | string>, private readonly onData?: (b: Buffer) => void) {
    this.it = src[Symbol.asyncIterator]();
  }

  /** Pulls chunks until `n` bytes are buffered or the stream ends; true if `n` are there. */
  private async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) { this.ended = true; break; }
      const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
      if (b.length === 0) continue;
      this.onData?.(b);
      this.bufs.push(b);
      this.have += b.length;
    }
    return this.have >= n;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    let out: Buffer;
    if (this.bufs[0].length >= n) {
      out = this.bufs[0].subarray(0, n);
      this.bufs[0] = this.bufs[0].subarray(n);
      if (this.bufs[0].length === 0) this.bufs.shift();
    } else {
      const parts: Buffer[] = [];
      let left = n;
      while (left > 0) {
        const b = this.bufs[0];
        if (b.length <= left) { parts.push(b); this.bufs.shift(); left -= b.length; }
        else { parts.push(b.subarray(0, left)); this.bufs[0] = b.subarray(left); left = 0; }
      }
      out = Buffer.concat(parts, n);
    }
    this.have -= n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes, or fewer only when the stream ended first (the caller decides if that is an error). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.take(Math.min(n, this.have));
  }

  /** Between 1 and `n` bytes (whatever is buffered, without copying), or an empty buffer at the end. */
  async readSome(n: number): Promise<Buffer> {
    if (this.have === 0) await this.fill(1);
    return this.take(Math.min(n, this.have, this.bufs[0]?.length ?? 0));
  }

  /** Exactly `n` bytes if they are buffered already (no await), else undefined. */
  takeBuffered(n: number): Buffer | undefined {
    return this.have >= n ? this.take(n) : undefined;
  }

  /** Skips `n` bytes; returns how many were really there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const b = await this.readSome(left);
      if (b.length === 0) break;
      left -= b.length;
    }
    return n - left;
  }

  /** Reads to the end of the stream (so `onData` saw every byte); returns how many bytes that was. */
  async drain(): Promise<number> {
    let n = 0;
    for (;;) {
      const b = await this.readSome(1 << 20);
      if (b.length === 0) return n;
      n += b.length;
    }
  }

  /** Stops the source early (closes the file behind it). */
  async close(): Promise<void> {
    this.ended = true;
    this.bufs = [];
    this.have = 0;
    await this.it.return?.();
  }
}
