// One layer blob from a registry into the store, in one pass: the bytes are
// hashed, appended to a partial file (which becomes the store's blob), and
// fed to the unpacker as they arrive — no temporary tarball, no second read.
// The layer directory is put in place only once the whole blob came and its
// digest and size are the descriptor's, so a corrupted or cut download
// leaves no layer. A download cut by the network keeps its partial file and
// resumes with Range the next time; a bad blob or a cancellation removes it.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { NscopeError } from '../errors';
import type { Descriptor } from '../images/oci';
import type { ImageStore } from '../images/store';
import { describeNet, type RegistryClient } from './client';

export type LayerStatus = 'Downloading' | 'Verifying Checksum' | 'Download complete' | 'Extracting';

export interface DownloadOptions {
  signal?: AbortSignal;
  /** bytes so far of `total` (throttled by the caller) */
  progress?: (status: LayerStatus, current: number, total: number) => void;
}

/** how much of a download is gathered before it is written and inflated */
const BATCH_BYTES = 1 << 20;

/** A failure the next attempt cannot fix by resuming: the partial bytes are wrong or unwanted. */
class BadBlob extends NscopeError {}

export function partialDir(store: ImageStore): string {
  return path.join(store.layoutDir, '.partial');
}

/**
 * Makes the blob `desc` and its unpacked layer `diffId` present in the
 * store. Returns 'exists' when both already were.
 */
export async function downloadLayer(client: RegistryClient, store: ImageStore, desc: Descriptor, diffId: string, label: string, opts: DownloadOptions = {}): Promise<'exists' | 'pulled'> {
  const haveBlob = store.blobs.has(desc.digest);
  if (haveBlob && store.layers.has(diffId)) return 'exists';
  if (haveBlob) {
    // the blob is here (another image's) but not its unpacked layer: unpack from disk
    opts.progress?.('Extracting', desc.size, desc.size);
    await store.layers.ensure(diffId, store.blobs.path(desc.digest), label);
    return 'pulled';
  }
  const dir = partialDir(store);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const partial = path.join(dir, desc.digest.slice(7));
  let have = 0;
  try { have = fs.statSync(partial).size; } catch { /* none yet */ }
  if (have >= desc.size) { fs.rmSync(partial, { force: true }); have = 0; }

  const res = await client.blob(desc.digest, have, opts.signal);
  if (res.status === 200 && have > 0) have = 0; // the registry ignored Range: start over
  // written on the thread pool (the other core), in order, while this thread hashes and unpacks
  const out = fs.createWriteStream(partial, { flags: have > 0 ? 'a' : 'w', mode: 0o600 });
  let writeError: Error | undefined;
  out.on('error', (e) => { writeError = e; });
  const closeOut = () => new Promise<void>((resolve) => { if (out.closed) resolve(); else out.end(() => resolve()); });
  let finished = false;
  let keep = true;
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
      if (writeError) throw new NscopeError('failed', `${label}: writing ${partial}: ${writeError.message}`);
      out.write(b);
      opts.progress?.('Downloading', n, desc.size);
      return b;
    };
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        if (n + b.length > desc.size) throw new BadBlob('invalid', `${label}: the registry sent more than the ${desc.size} bytes its descriptor says`);
        n += b.length;
        hash.update(b);
        batch.push(b);
        batched += b.length;
        if (batched >= BATCH_BYTES) yield flush();
      }
    } catch (e) {
      // a cut connection: what came before the cut is kept for the Range of the next attempt
      if (batched && !(e instanceof BadBlob)) flush();
      throw e;
    }
    if (batched) yield flush();
    if (n < desc.size) throw new NscopeError('failed', `${label}: the download ended after ${n} of ${desc.size} bytes`);
    opts.progress?.('Verifying Checksum', n, desc.size);
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== desc.digest) throw new BadBlob('invalid', `${label}: digest mismatch: the registry sent content with digest ${got}, expected ${desc.digest}; nothing was stored`);
    opts.progress?.('Download complete', n, desc.size);
    finished = true;
  }
  const input = Readable.from(bytes(), { objectMode: false });
  const drain = async () => {
    // the unpacker may stop at the tar's end marker: the rest must still be read and checked
    if (!finished) for await (const _ of input) { /* hashed and written by bytes() */ }
    if (!finished) throw new NscopeError('failed', `${label}: the download did not complete`);
    opts.progress?.('Extracting', desc.size, desc.size);
  };
  try {
    await store.layers.fromStream(diffId, input, label, drain);
    await closeOut();
    if (writeError) throw new NscopeError('failed', `${label}: writing ${partial}: ${writeError.message}`);
    store.blobs.adopt(partial, desc.digest);
    keep = false;
    return 'pulled';
  } catch (e) {
    await closeOut();
    if (e instanceof BadBlob || (e instanceof NscopeError && e.code === 'invalid') || opts.signal?.aborted) keep = false;
    if (opts.signal?.aborted) throw new NscopeError('failed', 'cancelled');
    if (e instanceof NscopeError) throw e;
    // a network error: the bytes so far stay for the next attempt
    throw Object.assign(new NscopeError('failed', `${label}: download interrupted (${describeNet(e)}); pull again to resume`), { code: 'failed', cause: e });
  } finally {
    res.body.destroy();
    input.destroy();
    if (!keep) fs.rmSync(partial, { force: true });
  }
}

/** Whether a failed download is worth retrying (a network cut, a 5xx), not a bad blob or a refusal. */
export function retryable(e: unknown): boolean {
  if (e instanceof BadBlob) return false;
  // refusals (bad content, bad input) are 'invalid' or 'unauthorized'; a cancellation is the caller's signal, checked first
  if (e instanceof NscopeError) return e.code === 'failed' && e.message !== 'cancelled';
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNABORTED';
}
