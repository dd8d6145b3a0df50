// `push`: an image's blobs, then its manifest, byte for byte as stored (so
// the registry names it with the same digest). A blob the repository has is
// skipped (HEAD), one that the same registry has in the repository the image
// came from is mounted across repositories, the rest uploaded — in one PUT
// when small, in PATCH chunks when large.
import * as fs from 'fs';
import { invalid } from '../errors';
import type { Descriptor } from '../images/oci';
import type { ImageStore } from '../images/store';
import type { RegistryAuth, TransferLine } from '../protocol/types/registry';
import { RegistryClient } from './client';
import { eachLimited, shortDigest } from './pull';
import { formatReference, parseReference, type ImageReference } from './reference';
import type { RegistrySettings } from './settings';

export interface PushOptions {
  auth?: RegistryAuth;
  signal?: AbortSignal;
  progress?: (line: TransferLine) => void;
  /** blobs above this size go in chunks of this size */
  chunk?: number;
}

const CHUNK = 32 << 20;

export async function pushImage(store: ImageStore, settings: RegistrySettings, refText: string, destText: string | undefined, opts: PushOptions = {}): Promise<{ ref: string; digest: string }> {
  const local = store.manifestOf(refText);
  const dest = parseReference(destText ?? refText);
  if (dest.digest) throw invalid(`push: "${destText ?? refText}": push to a tag, not a digest (the registry names the manifest by its digest itself)`);
  const shown = formatReference(dest);
  const say = (line: TransferLine) => opts.progress?.(line);
  const from = local.origin && local.origin.registry === dest.registry && local.origin.repository !== dest.repository ? local.origin.repository : undefined;
  const client = new RegistryClient(dest.registry, dest.repository, settings, opts.auth, 'push', from ? [from] : []);
  say({ kind: 'status', status: `The push refers to repository [${shown.replace(/:[^/:]*$/, '')}]` });
  try {
    return await pushWith(client, store, local, dest, shown, from, opts);
  } finally {
    client.close();
  }
}

async function pushWith(client: RegistryClient, store: ImageStore, local: ReturnType<ImageStore['manifestOf']>, dest: ImageReference, shown: string, from: string | undefined, opts: PushOptions): Promise<{ ref: string; digest: string }> {
  const say = (line: TransferLine) => opts.progress?.(line);
  await client.connect(opts.signal);

  const blobs: Descriptor[] = [...local.manifest.layers, local.manifest.config];
  for (const b of blobs) if (!store.blobs.has(b.digest)) throw invalid(`push: ${shown}: blob ${b.digest} is not in the store`);
  for (const l of local.manifest.layers) say({ kind: 'progress', id: shortDigest(l.digest), status: 'Preparing' });
  await eachLimited(blobs, 3, async (b) => {
    const id = shortDigest(b.digest);
    const isLayer = b !== local.manifest.config;
    const tell = (line: TransferLine) => { if (isLayer) say(line); };
    if (await client.hasBlob(b.digest, opts.signal)) { tell({ kind: 'progress', id, status: 'Layer already exists' }); return; }
    if (from && await client.mount(b.digest, from, opts.signal)) { tell({ kind: 'progress', id, status: 'Mounted' }); return; }
    const file = store.blobs.path(b.digest);
    const size = fs.statSync(file).size;
    if (size !== b.size) throw invalid(`push: blob ${b.digest} is ${size} bytes on disk, its descriptor says ${b.size}`);
    let last = 0;
    await client.upload(b.digest, size, (start, end) => {
      const s = fs.createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 });
      let sent = start;
      s.on('data', (c) => {
        sent += (c as Buffer).length;
        const now = Date.now();
        if (now - last >= 100 || sent === size) { last = now; tell({ kind: 'progress', id, status: 'Pushing', current: sent, total: size }); }
      });
      return s;
    }, { chunk: opts.chunk ?? CHUNK, signal: opts.signal });
    tell({ kind: 'progress', id, status: 'Pushed' });
  }, opts.signal);
  const digest = await client.putManifest(dest.tag!, local.bytes, local.mediaType, opts.signal);
  if (digest && digest !== local.digest) throw invalid(`push: the registry stored the manifest as ${digest}, not ${local.digest}`);
  say({ kind: 'status', status: `${dest.tag}: digest: ${local.digest} size: ${local.bytes.length}` });
  return { ref: shown, digest: local.digest };
}
