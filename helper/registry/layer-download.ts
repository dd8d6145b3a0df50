// One layer blob from a registry into the store, in one pass: the blob's
// request is made here (endpoint, authorization, Range) and sent from a
// layer worker (./layer-workers.ts), which reads the answer, hashes it,
// appends it to a partial file (which becomes the store's blob) and feeds
// the unpacker as the bytes arrive — no temporary tarball, no second read,
// and the daemon's thread free for other work. The layer directory is put in
// place only once the whole blob came and its digest and size are the
// descriptor's, so a corrupted or cut download leaves no layer. A download
// cut by the network keeps its partial file and resumes with Range the next
// time; a bad blob, a cancellation or a dead worker removes it.
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';
import type { Descriptor } from '../images/oci';
import type { ImageStore } from '../images/store';
import { tmpNextTo } from '../images/unpack';
import { describeNet, type RegistryClient } from './client';
import { BadBlob, type LayerJob } from './layer-receive';
import { layerWorkers, NetError, WorkerGone } from './layer-workers';

export type LayerStatus = 'Downloading' | 'Verifying Checksum' | 'Extracting';

export interface DownloadOptions {
  signal?: AbortSignal;
  /** bytes so far of `total` (throttled by the caller) */
  progress?: (status: LayerStatus, current: number, total: number) => void;
}

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

  const job: LayerJob = {
    label, digest: desc.digest, size: desc.size, diffId, layersDir: store.layers.dir, partial, have,
    tmp: tmpNextTo(store.layers.path(diffId)),
  };
  const task = layerWorkers().start(job, {
    progress: (status, n) => opts.progress?.(status, n, desc.size),
    complete: () => opts.progress?.('Extracting', desc.size, desc.size),
  });
  const cancel = () => task.stop('cancelled');
  opts.signal?.addEventListener('abort', cancel, { once: true });
  let keep = true;
  try {
    try {
      // on 2xx the worker is receiving the layer; anything else is the client's to answer or refuse
      await client.blob(desc.digest, have, opts.signal, task.fetch);
    } catch (e) {
      task.stop((e as Error)?.message ?? String(e));
      await task.done.catch(() => undefined);
      throw e;
    }
    await task.done;
    store.blobs.adopt(partial, desc.digest);
    keep = false;
    return 'pulled';
  } catch (e) {
    if (e instanceof BadBlob || (e instanceof NscopeError && e.code === 'invalid') || e instanceof WorkerGone || opts.signal?.aborted) keep = false;
    if (e instanceof WorkerGone) fs.rmSync(job.tmp, { recursive: true, force: true });
    if (opts.signal?.aborted) throw new NscopeError('failed', 'cancelled');
    // a network error: the bytes so far stay for the next attempt
    if (e instanceof NetError) throw Object.assign(new NscopeError('failed', `${label}: download interrupted (${describeNet(e.netError)}); pull again to resume`), { cause: e.netError });
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
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
