// `pull`: a reference resolved on its registry to one manifest (an index
// narrowed to this host's platform or the one asked for), its config, then
// its layers — a few at a time, each streamed into the unpacker, the ones the
// store has skipped, the same blob wanted by two pulls at once downloaded
// once — and the image named last, when everything is in place.
import { NscopeError, invalid, notFound } from '../errors';
import { DIGEST_RE, type Descriptor, type OciImageConfig } from '../images/oci';
import type { ImageStore, ImageSummary } from '../images/store';
import { sha256 } from '../images/blobs';
import type { RegistryAuth, TransferLine } from '../protocol/types/registry';
import { RegistryClient } from './client';
import { readBody } from './http';
import { downloadLayer, retryable } from './layer-download';
import { ACCEPT, FOREIGN, choosePlatform, formatPlatform, parseManifest, parsePlatform } from './manifest';
import { familiarRepository, formatReference, parseReference, parseRepositoryOnly, storeName, type ImageReference } from './reference';
import type { RegistrySettings } from './settings';

export interface PullOptions {
  platform?: string;
  auth?: RegistryAuth;
  signal?: AbortSignal;
  progress?: (line: TransferLine) => void;
  /** layers downloaded at once */
  parallel?: number;
}

export interface PullResult { image: ImageSummary; digest: string; ref: string; upToDate: boolean }

const CONFIG_LIMIT = 16 << 20;
const ATTEMPTS = 4;

/** Downloads in flight, per store and blob: a second pull of the same blob waits for the first. */
const inflight = new Map<string, Promise<unknown>>();

export const shortDigest = (d: string) => d.slice(7, 19);

export async function pullImage(store: ImageStore, settings: RegistrySettings, refText: string, opts: PullOptions = {}): Promise<PullResult> {
  const ref = parseReference(refText);
  parsePlatform(opts.platform); // a bad --platform is refused before any connection
  const client = new RegistryClient(ref.registry, ref.repository, settings, opts.auth, 'pull');
  try {
    return await pullWith(client, store, ref, opts);
  } finally {
    client.close();
  }
}

/**
 * `pull --all-tags`: every tag the registry lists for the repository
 * `repoText` (a reference without tag or digest: Docker's "tag can't be used
 * with --all-tags/-a" otherwise), pulled one after the other on one
 * connection, each with its own "TAG: Pulling from …" and "Digest:" lines and
 * one "Status:" line for the repository at the end, as `docker pull -a`
 * prints them. The first tag that fails ends it (the ones before stay).
 */
export async function pullAllTags(store: ImageStore, settings: RegistrySettings, repoText: string, opts: PullOptions = {}): Promise<{ ref: string; pulled: PullResult[] }> {
  const repo = parseRepositoryOnly(repoText);
  parsePlatform(opts.platform);
  const client = new RegistryClient(repo.registry, repo.repository, settings, opts.auth, 'pull');
  try {
    const tags = await client.tags(opts.signal);
    const shown = familiarRepository(repo);
    if (!tags.length) throw notFound(`${shown}: the registry lists no tags for this repository`);
    const pulled: PullResult[] = [];
    for (const tag of tags) {
      if (opts.signal?.aborted) throw new NscopeError('failed', 'cancelled');
      pulled.push(await pullWith(client, store, { ...repo, tag }, opts, false));
    }
    opts.progress?.({ kind: 'status', status: pulled.every((p) => p.upToDate) ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}` });
    return { ref: shown, pulled };
  } finally {
    client.close();
  }
}

/** `status`: the closing "Status: …" line (a pull of all tags says one for them all). */
async function pullWith(client: RegistryClient, store: ImageStore, ref: ImageReference, opts: PullOptions, status = true): Promise<PullResult> {
  const want = parsePlatform(opts.platform);
  const name = storeName(ref);
  const shown = formatReference(ref);
  const say = (line: TransferLine) => opts.progress?.(line);
  say({ kind: 'status', status: `${ref.tag ?? ref.digest}: Pulling from ${ref.repository}` });

  // the manifest, by tag or digest; a digest reference is checked against the bytes
  const top = await client.manifest(ref.digest ?? ref.tag!, ACCEPT, opts.signal);
  const topDigest = sha256(top.bytes);
  if (ref.digest && topDigest !== ref.digest) throw invalid(`${shown}: the registry sent a manifest with digest ${topDigest}`);
  let parsed = parseManifest(top.bytes, top.mediaType, shown);
  let manifestBytes = top.bytes;
  let manifestMedia = parsed.mediaType;
  let manifestDigest = topDigest;
  if (parsed.kind === 'index') {
    const d = choosePlatform(parsed.index, want, shown);
    const m = await client.manifest(d.digest, ACCEPT, opts.signal);
    manifestDigest = sha256(m.bytes);
    if (manifestDigest !== d.digest) throw invalid(`${shown}: the registry sent a ${formatPlatform(want)} manifest with digest ${manifestDigest}, the index says ${d.digest}`);
    parsed = parseManifest(m.bytes, m.mediaType || d.mediaType, `${shown} (${formatPlatform(want)})`);
    if (parsed.kind !== 'manifest') throw invalid(`${shown}: the index's ${formatPlatform(want)} entry is another index`);
    manifestBytes = m.bytes;
    manifestMedia = parsed.mediaType;
  }
  const manifest = parsed.manifest;
  const origin = { registry: ref.registry, repository: ref.repository, digest: topDigest, ...(ref.tag ? { tag: ref.tag } : {}) };

  // the config: small, verified, and it names the layers' diff_ids
  const cfgRes = await client.blob(manifest.config.digest, 0, opts.signal);
  if (manifest.config.size > CONFIG_LIMIT) throw invalid(`${shown}: config of ${manifest.config.size} bytes is larger than ${CONFIG_LIMIT}`);
  const configBytes = await readBody(cfgRes, CONFIG_LIMIT, `${shown} config`);
  if (sha256(configBytes) !== manifest.config.digest || configBytes.length !== manifest.config.size) throw invalid(`${shown}: config digest mismatch: the registry sent content that is not ${manifest.config.digest}`);
  let config: OciImageConfig;
  try { config = JSON.parse(configBytes.toString('utf8')); } catch { throw invalid(`${shown}: the image config is not JSON`); }
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length || !diffIds.every((d) => typeof d === 'string' && DIGEST_RE.test(d))) {
    throw invalid(`${shown}: the config lists ${Array.isArray(diffIds) ? diffIds.length : 'no'} layers, the manifest ${manifest.layers.length}`);
  }
  if (config.os && config.architecture && (config.os !== want.os || config.architecture !== want.architecture) && opts.platform) {
    throw invalid(`${shown}: the image is ${config.os}/${config.architecture}, not the ${formatPlatform(want)} asked for`);
  }

  const release = store.hold([manifest.config.digest, ...manifest.layers.map((l) => l.digest), ...diffIds]);
  let ok = false;
  try {
    // by digest: up to date when this repository's digest is here already, as Docker says it
    if (store.hasManifest(name, manifestDigest, ref) && layersPresent(store, manifest.layers, diffIds)) {
      const image = store.addPulled(name, { bytes: manifestBytes, mediaType: manifestMedia }, configBytes, origin);
      say({ kind: 'status', status: `Digest: ${topDigest}` });
      if (status) say({ kind: 'status', status: `Status: Image is up to date for ${shown}` });
      ok = true;
      return { image, digest: topDigest, ref: shown, upToDate: true };
    }
    const parallel = opts.parallel ?? 3;
    const jobs = manifest.layers.map((l, i) => ({ l, diffId: diffIds[i] }));
    const todo = jobs.filter(({ l, diffId }) => !(store.blobs.has(l.digest) && store.layers.has(diffId)));
    // announced up front in the manifest's order, as Docker does (a terminal's lines keep that
    // order): each layer there or to pull, those beyond the first few waiting their turn
    for (const j of jobs) say({ kind: 'progress', id: shortDigest(j.l.digest), status: todo.includes(j) ? 'Pulling fs layer' : 'Already exists' });
    for (const j of todo.slice(parallel)) say({ kind: 'progress', id: shortDigest(j.l.digest), status: 'Waiting' });
    await eachLimited(todo, parallel, async ({ l, diffId }) => {
      await fetchLayer(client, store, l, diffId, opts);
    }, opts.signal);
    const image = store.addPulled(name, { bytes: manifestBytes, mediaType: manifestMedia }, configBytes, origin);
    say({ kind: 'status', status: `Digest: ${topDigest}` });
    if (status) say({ kind: 'status', status: `Status: Downloaded newer image for ${shown}` });
    ok = true;
    return { image, digest: topDigest, ref: shown, upToDate: false };
  } finally {
    release();
    // a failed or cancelled pull keeps no layer that no image refers to (a cut download's partial blob stays, to resume)
    if (!ok) { try { store.gc(); } catch { /* the pull's own error matters more */ } }
  }
}

function layersPresent(store: ImageStore, layers: Descriptor[], diffIds: string[]): boolean {
  return layers.every((l, i) => store.blobs.has(l.digest) && store.layers.has(diffIds[i]));
}

/** One layer, with progress lines, retries that resume, and coalescing with other pulls. */
async function fetchLayer(client: RegistryClient, store: ImageStore, l: Descriptor, diffId: string, opts: PullOptions): Promise<void> {
  const id = shortDigest(l.digest);
  const say = (line: TransferLine) => opts.progress?.(line);
  const key = `${store.layoutDir}\0${l.digest}`;
  for (;;) {
    const other = inflight.get(key);
    if (!other) break;
    say({ kind: 'progress', id, status: 'Waiting' });
    await other.catch(() => undefined);
  }
  if (store.blobs.has(l.digest) && store.layers.has(diffId)) { say({ kind: 'progress', id, status: 'Already exists' }); return; }
  let last = 0;
  const work = (async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await downloadLayer(client, store, l, diffId, `layer ${l.digest.slice(0, 19)}…`, {
          signal: opts.signal,
          progress: (status, current, total) => {
            const now = Date.now();
            if (status === 'Downloading' && now - last < 100 && current < total) return;
            last = now;
            say({ kind: 'progress', id, status, current, total });
          },
        });
        say({ kind: 'progress', id, status: r === 'exists' ? 'Already exists' : 'Pull complete' });
        return;
      } catch (e) {
        if (FOREIGN.has(l.mediaType) && e instanceof NscopeError && e.code === 'not_found') throw foreignMissing(l);
        if (opts.signal?.aborted || attempt >= ATTEMPTS || !retryable(e)) throw e;
        say({ kind: 'progress', id, status: 'Retrying' });
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  })();
  inflight.set(key, work);
  try { await work; } finally { if (inflight.get(key) === work) inflight.delete(key); }
}

/** A foreign layer the registry has not got: Docker would try its URLs next; nscope fetches from registries only. */
function foreignMissing(l: Descriptor): NscopeError {
  const urls = (l as Descriptor & { urls?: unknown }).urls;
  const where = Array.isArray(urls) && urls.length ? ` (its URLs: ${urls.slice(0, 3).map((u) => String(u).slice(0, 200)).join(', ')})` : '';
  return notFound(`layer ${l.digest} is a foreign (non-distributable) layer that the registry does not have${where}; nscope takes layers from the registry only`);
}

/** Runs `fn` over `items`, at most `limit` at once; the first failure cancels the rest (they see `signal`) and is thrown. */
export async function eachLimited<T>(items: T[], limit: number, fn: (t: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined && !signal?.aborted) {
      const t = items[next++];
      try { await fn(t); } catch (e) { if (failed === undefined) failed = e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  if (signal?.aborted) throw new NscopeError('failed', 'cancelled');
}
