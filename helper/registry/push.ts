// `push`: an image's blobs, then its manifest, byte for byte as stored (so
// the registry names it with the same digest). A blob the repository has is
// skipped (HEAD), one that the same registry has in the repository the image
// came from is mounted across repositories, the rest uploaded — in one PUT
// when small, in PATCH chunks when large.
import * as fs from 'fs';
import { invalid, notFound, NscopeError } from '../errors';
import type { Descriptor } from '../images/oci';
import type { ImageStore } from '../images/store';
import type { RegistryAuth, TransferLine } from '../protocol/types/registry';
import { RegistryClient } from './client';
import { eachLimited, shortDigest } from './pull';
import { familiarRepository, formatReference, parseReference, parseRepositoryOnly, storeName, type ImageReference } from './reference';
import type { RegistrySettings } from './settings';

export interface PushOptions {
  auth?: RegistryAuth;
  signal?: AbortSignal;
  progress?: (line: TransferLine) => void;
  /** blobs above this size go in chunks of this size */
  chunk?: number;
  /** `push --platform` (os[/arch[/variant]]): the image must be of it, its only variant (nscope pushes no index) */
  platform?: string;
}

const CHUNK = 32 << 20;

type LocalImage = ReturnType<ImageStore['manifestOf']>;

export async function pushImage(store: ImageStore, settings: RegistrySettings, refText: string, destText: string | undefined, opts: PushOptions = {}): Promise<{ ref: string; digest: string }> {
  const local = localImage(store, refText, opts.platform);
  const dest = parseReference(destText ?? refText);
  if (dest.digest) throw invalid(`push: "${destText ?? refText}": push to a tag, not a digest (the registry names the manifest by its digest itself)`);
  opts.progress?.({ kind: 'status', status: refersTo(dest) });
  return pushOne(store, settings, local, dest, opts);
}

/** Docker's first line of a push names the repository in full: `docker.io/library/alpine`, not `alpine`. */
function refersTo(r: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `The push refers to repository [${r.registry}/${r.repository}]`;
}

/** The image to push; one not there is refused in Docker's words (scripts look for them). */
export function localImage(store: ImageStore, refText: string, platform?: string): LocalImage {
  try {
    return store.manifestOf(refText, platform);
  } catch (e) {
    let named: ImageReference | undefined;
    // not there at all (one of another platform is refused in the store's own words)
    if (e instanceof NscopeError && e.code === 'not_found' && /^No such image: /.test(e.message)) try { named = parseReference(refText); } catch { /* an ID: the store's words */ }
    if (!named) throw e;
    throw notFound(`An image does not exist locally with the tag: ${familiarRepository(named)}`);
  }
}

async function pushOne(store: ImageStore, settings: RegistrySettings, local: LocalImage, dest: ImageReference, opts: PushOptions): Promise<{ ref: string; digest: string }> {
  const shown = formatReference(dest);
  const from = local.origin && local.origin.registry === dest.registry && local.origin.repository !== dest.repository ? local.origin.repository : undefined;
  const client = new RegistryClient(dest.registry, dest.repository, settings, opts.auth, 'push', from ? [from] : []);
  try {
    return await pushWith(client, store, local, dest, shown, from, opts);
  } finally {
    client.close();
  }
}

/**
 * What `push --all-tags REPO [DEST]` sends: every local name of the
 * repository REPO (no tag or digest: Docker's "tag can't be used with
 * --all-tags/-a" otherwise), each to the same tag of DEST (REPO itself by
 * default); Docker's "An image does not exist locally with the tag" when
 * there is none. `platform`: each image must be of it. Checked before anything is sent.
 */
export function planAllTags(store: ImageStore, refText: string, destText: string | undefined, platform?: string): { repo: string; items: Array<{ name: string; local: LocalImage; dest: ImageReference }> } {
  const repo = parseRepositoryOnly(refText);
  const to = destText === undefined ? repo : parseRepositoryOnly(destText);
  const names = store.namesInRepository(repo.registry, repo.repository);
  if (!names.length) throw notFound(`An image does not exist locally with the tag: ${familiarRepository(repo)}`);
  return {
    repo: familiarRepository(to),
    items: names.map((name) => ({ name, local: store.manifestOf(name, platform), dest: { ...to, tag: parseReference(name).tag } })),
  };
}

/**
 * `push --all-tags`: the images of planAllTags one after the other, under one
 * "The push refers to repository" line, each with its layers and its
 * "TAG: digest: … size: …" line, as `docker push -a` prints them. The
 * first that fails ends it (the ones before stay pushed).
 */
export async function pushAllTags(store: ImageStore, settings: RegistrySettings, refText: string, destText: string | undefined, opts: PushOptions = {}): Promise<{ ref: string; pushed: Array<{ ref: string; digest: string }> }> {
  const plan = planAllTags(store, refText, destText, opts.platform);
  opts.progress?.({ kind: 'status', status: refersTo(parseRepositoryOnly(destText ?? refText)) });
  const pushed: Array<{ ref: string; digest: string }> = [];
  for (const it of plan.items) {
    if (opts.signal?.aborted) throw new NscopeError('failed', 'cancelled');
    pushed.push(await pushOne(store, settings, it.local, it.dest, opts));
  }
  return { ref: plan.repo, pushed };
}

async function pushWith(client: RegistryClient, store: ImageStore, local: LocalImage, dest: ImageReference, shown: string, from: string | undefined, opts: PushOptions): Promise<{ ref: string; digest: string }> {
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
    if (from && await client.mount(b.digest, from, opts.signal)) { tell({ kind: 'progress', id, status: 'Mounted', from }); return; }
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
  const name = storeName(dest);
  if (name !== undefined) store.notePushed(name, local.digest, { registry: dest.registry, repository: dest.repository, digest: local.digest, tag: dest.tag });
  say({ kind: 'status', status: `${dest.tag}: digest: ${local.digest} size: ${local.bytes.length}` });
  return { ref: shown, digest: local.digest };
}
