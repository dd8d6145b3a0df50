// The CPU side of one layer download, run in a layer worker
// (./layer-worker.ts) so that a pull's layers are hashed, inflated, parsed
// and written on every core while the daemon's thread only reads sockets.
// The blob's bytes, in the order the registry sent them, are hashed,
// appended to the partial file (which becomes the store's blob) and fed to
// the unpacker — the same LayerStore.fromStream as an import, with the same
// hostile-archive defences — and the layer is put in place only once every
// byte came and the whole blob had the descriptor's digest and size.
import { createHash } from 'crypto';
import * as fs from 'fs';
import { Readable } from 'stream';
import { NscopeError } from '../errors';
import { LayerStore } from '../images/layers';

/** One layer to receive: plain data, posted to a worker. */
export interface LayerJob {
  /** names the layer in errors: "layer sha256:ab12…" */
  label: string;
  digest: string;
  size: number;
  diffId: string;
  /** the store's layer directory (LayerStore.dir) */
  layersDir: string;
  /** the blob as it comes; kept after a cut download for the next attempt's Range */
  partial: string;
  /** bytes of `partial` from an earlier attempt, resumed: read back and hashed before the new ones */
  have: number;
  /** where the layer is unpacked before it is renamed into place (the starting thread removes it if the worker dies) */
  tmp: string;
}

/** A failure the next attempt cannot fix by resuming: the partial bytes are wrong or unwanted. */
export class BadBlob extends NscopeError {}

/** how much of a download is gathered before it is written and inflated */
const BATCH_BYTES = 1 << 20;

export interface ReceiveHooks {
  /** bytes of the blob so far (the ones kept from before included): after each batch, then once all came */
  progress(status: 'Downloading' | 'Verifying Checksum', n: number): void;
  /** every byte came and the digest matched; the layer goes in place next */
  complete(): void;
}

/** How a receive failed: `net` when the connection did (the partial file is worth keeping for a Range). */
export class ReceiveError extends Error {
  constructor(readonly error: unknown, readonly net: boolean) { super((error as Error)?.message ?? String(error)); }
}

/**
 * Receives `job`'s blob from `body` (the registry's answer: the bytes after
 * `job.have`) into the store. Throws a ReceiveError: a BadBlob inside for
 * content that is not the descriptor's, `net` set when the connection failed.
 */
export async function receiveLayer(job: LayerJob, body: AsyncIterable<unknown>, hooks: ReceiveHooks): Promise<void> {
  const { label, partial, have } = job;
  // written on the thread pool, in order, while this thread hashes and unpacks
  const out = fs.createWriteStream(partial, { flags: have > 0 ? 'a' : 'w', mode: 0o600 });
  let writeError: Error | undefined;
  out.on('error', (e) => { writeError = e; });
  const closeOut = () => new Promise<void>((resolve) => { if (out.closed) resolve(); else out.end(() => resolve()); });
  const written = () => { if (writeError) throw new NscopeError('failed', `${label}: writing ${partial}: ${writeError.message}`); };
  let finished = false;
  let netError: unknown;
  const hash = createHash('sha256');
  async function* bytes(): AsyncGenerator<Buffer> {
    let n = 0;
    if (have > 0) {
      for await (const b of fs.createReadStream(partial, { start: 0, end: have - 1, highWaterMark: 1 << 20 })) {
        hash.update(b as Buffer);
        n += (b as Buffer).length;
        yield b as Buffer;
      }
    }
    // the socket's chunks (16–64 KiB) gathered into batches: each batch is one write of the
    // partial file and one step of the inflater, each a trip to the thread pool
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = (): Buffer => {
      const b = batch.length === 1 ? batch[0] : Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      written();
      out.write(b);
      hooks.progress('Downloading', n);
      return b;
    };
    try {
      for await (const chunk of body) {
        const b = chunk as Buffer;
        if (n + b.length > job.size) throw new BadBlob('invalid', `${label}: the registry sent more than the ${job.size} bytes its descriptor says`);
        n += b.length;
        hash.update(b);
        batch.push(b);
        batched += b.length;
        if (batched >= BATCH_BYTES) yield flush();
      }
    } catch (e) {
      // a cut connection: what came before the cut is kept for the Range of the next attempt
      if (!(e instanceof BadBlob)) {
        netError ??= e;
        if (batched) flush();
      }
      throw e;
    }
    if (batched) yield flush();
    hooks.progress('Verifying Checksum', n);
    if (n < job.size) {
      netError ??= new NscopeError('failed', `the download ended after ${n} of ${job.size} bytes`);
      throw new NscopeError('failed', `${label}: the download ended after ${n} of ${job.size} bytes`);
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== job.digest) throw new BadBlob('invalid', `${label}: digest mismatch: the registry sent content with digest ${got}, expected ${job.digest}; nothing was stored`);
    finished = true;
  }
  const input = Readable.from(bytes(), { objectMode: false });
  const drain = async () => {
    // the unpacker may stop at the tar's end marker: the rest must still be read and checked
    if (!finished) for await (const _ of input) { /* hashed and written by bytes() */ }
    if (!finished) throw new NscopeError('failed', `${label}: the download did not complete`);
    hooks.complete();
  };
  try {
    try {
      await new LayerStore(job.layersDir).fromStream(job.diffId, input, label, drain, job.tmp);
    } finally {
      input.destroy();
      await closeOut();
    }
    written();
  } catch (e) {
    // the connection's error, not the unpacker's rewording of it (a body cut inside a file entry)
    throw new ReceiveError(netError ?? e, netError !== undefined && !(e instanceof BadBlob));
  }
}
