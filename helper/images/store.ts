// The image store: an OCI image layout at <stateRoot>/images (oci-layout,
// index.json with one manifest descriptor per image name, blobs/sha256/…)
// plus the unpacked layers at <stateRoot>/layers/<diff_id hex>/, each
// unpacked once and shared. index.json is the list of images and is always
// replaced atomically; blobs and layer dirs are content-addressed and
// garbage-collected when no image refers to them any more.
//
// An image whose last name is taken by another image, or removed with
// --force while a container uses it, stays in index.json without a name
// ("<none>:<none>", as Docker's dangling images) so its layers survive.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import type { Readable } from 'stream';
import { conflict, invalid, notFound, NscopeError } from '../errors';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import { extractArchive, readArchive, type ArchiveImage, type ArchiveLayer } from './archive';
import { BlobStore, sha256 } from './blobs';
import { IMAGE_PATH, planHostImage } from './host-image';
import { LayerStore } from './layers';
import { idPrefix, normalizeName, UNNAMED } from './names';
import {
  ANNOTATION_REF_NAME, DIGEST_RE, MEDIA, hostPlatform,
  type Descriptor, type OciImageConfig, type OciIndex, type OciManifest,
} from './oci';
import { tarFile } from './tar-writer';
import { unpackLayer } from './unpack';

import type { ImageSummaryInfo } from '../protocol/types/images';
import type { ImageOrigin } from '../protocol/types/registry';
import { parseReference } from '../registry/reference';
import { parsePlatform, requirePlatform } from '../registry/manifest';
export type { OciImageConfig, OciContainerConfig, OciHistory, OciManifest, OciIndex, Descriptor } from './oci';

/** What `images` lists: the protocol's type (helper/protocol/types/images.ts). */
export type ImageSummary = ImageSummaryInfo;

export interface LayerDetail {
  digest: string;
  diffId: string;
  mediaType: string;
  /** size of the (possibly compressed) blob */
  size: number;
  unpackedSize: number;
  createdBy?: string;
  /** the history entry's comment (a build's "Containerfile:LINE") */
  comment?: string;
  /** the unpacked layer directory */
  dir: string;
}

export interface ImageDetail extends Omit<ImageSummary, 'layers'> {
  config: OciImageConfig;
  manifest: OciManifest;
  layers: LayerDetail[];
}

export interface ResolvedImage {
  name: string;
  id: string;
  config: OciImageConfig;
  /** unpacked layer dirs, bottom to top */
  layerDirs: string[];
}

export interface RemoveOptions {
  force?: boolean;
  /** `rmi --platform`: the image is removed only if its platform is one of these (os[/arch[/variant]]) */
  platforms?: string[];
  /** a container using the image with this ID, if any (a running one first) */
  inUse?: (imageId: string) => { name: string; id: string; running: boolean } | undefined;
}

interface Image {
  name?: string;
  desc: Descriptor;
  manifest: OciManifest;
  config: OciImageConfig;
  id: string;
  at: number;
}

/** A layer to add: a tar file (plain or gzip) to store, or a layer the store already has. */
type LayerInput = ArchiveLayer | { existing: Descriptor; diffId: string };

export class ImageStore {
  readonly layoutDir: string;
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  private readonly tmpDir: string;
  private readonly cache = new Map<string, unknown>();
  /** blobs and layers being added right now: the garbage collector leaves them alone */
  private readonly busy = new Map<string, number>();

  constructor(readonly stateRoot: string) {
    this.layoutDir = path.join(stateRoot, 'images');
    this.tmpDir = path.join(this.layoutDir, '.tmp');
    this.blobs = new BlobStore(this.layoutDir, this.tmpDir);
    this.layers = new LayerStore(path.join(stateRoot, 'layers'));
    fs.mkdirSync(path.join(this.layoutDir, 'blobs', 'sha256'), { recursive: true, mode: 0o700 });
    // unpacked layers may hold setuid programs: no one but root may reach them on the host
    fs.mkdirSync(this.layers.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.layers.dir, 0o700);
    const layoutFile = path.join(this.layoutDir, 'oci-layout');
    if (!fs.existsSync(layoutFile)) writeJsonAtomic(layoutFile, { imageLayoutVersion: '1.0.0' });
    if (!fs.existsSync(this.indexFile)) this.writeIndex({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
    // a helper killed mid-import left these; nothing else uses them
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.layers.cleanTemp();
  }

  // ---- reading ----

  private get indexFile(): string { return path.join(this.layoutDir, 'index.json'); }

  private readIndex(): OciIndex {
    const idx = readJson<OciIndex>(this.indexFile);
    if (!idx || !Array.isArray(idx.manifests)) throw new NscopeError('failed', `image store: ${this.indexFile} is damaged`);
    return idx;
  }

  private writeIndex(idx: OciIndex): void {
    writeJsonAtomic(this.indexFile, idx);
  }

  /** A manifest or config blob, parsed once (blobs never change). */
  private json<T>(digest: string): T {
    let v = this.cache.get(digest) as T | undefined;
    if (v === undefined) {
      v = JSON.parse(this.blobs.read(digest).toString('utf8')) as T;
      this.cache.set(digest, v);
    }
    return v;
  }

  /** index.json and its images, in index order (Image.at is the position in idx.manifests). */
  private snapshot(): { idx: OciIndex; all: Image[] } {
    const idx = this.readIndex();
    const all: Image[] = [];
    idx.manifests.forEach((desc, at) => {
      let manifest: OciManifest, config: OciImageConfig;
      try {
        manifest = this.json<OciManifest>(desc.digest);
        config = this.json<OciImageConfig>(manifest.config.digest);
        if (!Array.isArray(config.rootfs?.diff_ids) || !Array.isArray(manifest.layers)) throw new Error('no layers');
      } catch {
        // one damaged entry (a blob deleted by hand) must not hide every other image
        return;
      }
      all.push({ name: desc.annotations?.[ANNOTATION_REF_NAME], desc, manifest, config, id: manifest.config.digest, at });
    });
    return { idx, all };
  }

  /** Images matching `ref`: by name first (as Docker does), then by full or short ID (every entry of that image). */
  private find(ref: string, all = this.snapshot().all): { images: Image[]; byName: boolean } {
    if (typeof ref !== 'string' || !ref) throw invalid('no image given');
    if (ref.includes('@')) {
      // NAME@sha256:… (as pulled): the manifest digest, or the index digest the image was pulled by
      const r = parseReference(ref);
      const hit = all.filter((i) => {
        const o = originOf(i.desc);
        const sameRepo = o && o.registry === r.registry && o.repository === r.repository;
        return sameRepo && (i.desc.digest === r.digest || o!.digest === r.digest);
      });
      if (hit.length) return { images: [...hit.filter((i) => i.name), ...hit.filter((i) => !i.name)], byName: false };
      throw notFound(`No such image: ${ref}`);
    }
    let name: string | undefined;
    try { name = normalizeName(ref); } catch { /* not a name: maybe an ID */ }
    if (name) {
      const hit = all.filter((i) => i.name === name);
      if (hit.length) return { images: hit, byName: true };
    }
    const prefix = idPrefix(ref);
    if (prefix) {
      const hit = all.filter((i) => i.id.slice(7).startsWith(prefix));
      const ids = new Set(hit.map((i) => i.id));
      if (ids.size > 1) throw invalid(`image ID "${ref}" is ambiguous: it matches ${ids.size} images`);
      // named entries first, so that inspect/resolve by ID show a name when there is one
      if (hit.length) return { images: [...hit.filter((i) => i.name), ...hit.filter((i) => !i.name)], byName: false };
    }
    throw notFound(`No such image: ${ref}`);
  }

  private summary(img: Image): ImageSummary {
    const origin = originOf(img.desc);
    return {
      ...(origin ? { origin } : {}),
      name: img.name ?? UNNAMED,
      id: img.id,
      digest: img.desc.digest,
      created: img.config.created,
      size: img.config.rootfs.diff_ids.reduce((n, d) => n + this.layers.size(d), 0),
      layers: img.manifest.layers.length,
    };
  }

  list(): ImageSummary[] {
    return this.snapshot().all.map((i) => this.summary(i));
  }

  /**
   * The images as `images` shows them, a build's intermediates left out as
   * Docker leaves them out: an image named only by `isCache` names is hidden
   * when it has a name of its own too, or when a later image builds on it
   * (its layers are the start of that one's); a build's last image with no
   * other name (`build` without -t) shows as <none>:<none>.
   */
  listVisible(isCache: (name: string) => boolean): ImageSummary[] {
    const { all } = this.snapshot();
    const named = new Set(all.filter((i) => i.name !== undefined && !isCache(i.name)).map((i) => i.id));
    const created = new Map(all.map((i) => [i, Date.parse(i.config.created ?? '') || 0]));
    // a later image whose layers start with i's (more of them, or the same ones with a later config)
    const builtOn = (i: Image) => {
      const mine = i.config.rootfs.diff_ids;
      const at = created.get(i)!;
      return all.some((o) => {
        const theirs = o.config.rootfs.diff_ids;
        const later = created.get(o)!;
        return o.id !== i.id && later >= at && theirs.length >= mine.length && (later > at || theirs.length > mine.length)
          && mine.every((d, k) => theirs[k] === d);
      });
    };
    const out: ImageSummary[] = [];
    const shownUnnamed = new Set<string>();
    for (const i of all) {
      if (i.name === undefined || !isCache(i.name)) { out.push(this.summary(i)); continue; }
      if (named.has(i.id) || shownUnnamed.has(i.id) || builtOn(i)) continue;
      shownUnnamed.add(i.id);
      out.push({ ...this.summary(i), name: UNNAMED });
    }
    return out;
  }

  /** `platform`: the image must be of that platform (`history --platform`): Docker's refusal otherwise. */
  inspect(ref: string, platform?: string): ImageDetail {
    const img = this.find(ref).images[0];
    requirePlatform(ref, img.config, platform);
    // history entries with empty_layer have no layer: the others pair up with the layers in order
    const withLayer = (img.config.history ?? []).filter((h) => !h.empty_layer);
    const { layers: _n, ...sum } = this.summary(img);
    return {
      ...sum,
      config: img.config,
      manifest: img.manifest,
      layers: img.manifest.layers.map((l, i) => {
        const diffId = img.config.rootfs.diff_ids[i];
        return {
          digest: l.digest, diffId, mediaType: l.mediaType, size: l.size,
          unpackedSize: this.layers.size(diffId), createdBy: withLayer[i]?.created_by, comment: withLayer[i]?.comment, dir: this.layers.path(diffId),
        };
      }),
    };
  }

  /**
   * A lookup of names and IDs against one read of the store: the image ID a
   * ref means now, or undefined (none, ambiguous, not a ref). For a list
   * that asks it of every container.
   */
  idResolver(): (ref: string) => string | undefined {
    const all = this.snapshot().all;
    return (ref) => { try { return this.find(ref, all).images[0]?.id; } catch { return undefined; } };
  }

  resolve(ref: string): ResolvedImage {
    const img = this.find(ref).images[0];
    const layerDirs = img.config.rootfs.diff_ids.map((d) => {
      const dir = this.layers.path(d);
      if (!fs.existsSync(dir)) throw new NscopeError('failed', `image ${img.name ?? img.id}: layer ${d} is missing from ${this.layers.dir}; import the image again`);
      return dir;
    });
    // null means "unset" in Docker's JSON: drop it so that `cfg.Cmd ?? default` style readers work
    const inner = Object.fromEntries(Object.entries(img.config.config ?? {}).filter(([, v]) => v !== null));
    return { name: img.name ?? img.id, id: img.id, config: { ...img.config, config: inner }, layerDirs };
  }

  // ---- adding ----

  /** Keeps blobs and layers from the garbage collector until the returned function is called. */
  hold(keys: string[]): () => void {
    for (const k of keys) this.busy.set(k, (this.busy.get(k) ?? 0) + 1);
    return () => { for (const k of keys) { const n = (this.busy.get(k) ?? 1) - 1; if (n) this.busy.set(k, n); else this.busy.delete(k); } };
  }

  /** A new directory in the store's own temp dir (same filesystem as the blobs: a file made there is hardlinked in, not copied); the caller removes it. */
  newTmp(prefix: string): string {
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
    return fs.mkdtempSync(path.join(this.tmpDir, `${prefix}-`));
  }

  /**
   * Stores an image: its layer blobs (checked and unpacked, the config's
   * diff_ids checked against them, or filled in when the config has none),
   * its config and manifest, then points `names` at it in index.json.
   */
  private async store(names: string[], configIn: Buffer | OciImageConfig, layers: LayerInput[], label: string,
    original?: ArchiveImage['manifest']): Promise<ImageSummary[]> {
    names = [...new Set(names)];
    const held: Array<() => void> = [];
    let ok = false;
    try {
      let config: OciImageConfig;
      let configBytes: Buffer | undefined;
      if (Buffer.isBuffer(configIn)) {
        configBytes = configIn;
        try { config = JSON.parse(configIn.toString('utf8')); } catch (e) { throw invalid(`${label}: config is not valid JSON: ${(e as Error).message}`); }
      } else config = configIn;
      if (!config || typeof config !== 'object') throw invalid(`${label}: config is not an object`);
      const given = config.rootfs?.diff_ids;
      if (configBytes) {
        if (!Array.isArray(given) || given.length !== layers.length || !given.every((d) => typeof d === 'string' && DIGEST_RE.test(d))) {
          throw invalid(`${label}: config rootfs.diff_ids lists ${Array.isArray(given) ? given.length : 'no'} layers, the manifest ${layers.length}`);
        }
      }
      const diffIds: string[] = [];
      const descs: Descriptor[] = [];
      for (let i = 0; i < layers.length; i++) {
        const l = layers[i];
        if ('existing' in l) {
          held.push(this.hold([l.existing.digest, l.diffId]));
          if (!this.blobs.has(l.existing.digest) || !this.layers.has(l.diffId)) throw notFound(`${label}: layer ${l.diffId} is not in the store`);
          descs.push(l.existing);
          diffIds.push(l.diffId);
          continue;
        }
        const llabel = `${label} layer ${i + 1}/${layers.length}`;
        const blob = await this.blobs.putFile(l.file, { expect: l.expect, owned: true, label: llabel });
        held.push(this.hold([blob.digest]));
        const blobLabel = `layer ${blob.digest.slice(0, 19)}…`;
        let diffId = given?.[i];
        if (diffId && DIGEST_RE.test(diffId)) {
          held.push(this.hold([diffId]));
          await this.layers.ensure(diffId, this.blobs.path(blob.digest), blobLabel);
        } else {
          // no diff_id known (a new layer): unpack to learn it, into a dir renamed once the digest is known
          diffId = await this.unpackNew(this.blobs.path(blob.digest), blobLabel, held);
        }
        diffIds.push(diffId);
        descs.push({ mediaType: l.mediaType, digest: blob.digest, size: blob.size });
      }
      if (!configBytes) {
        config = { ...config, rootfs: { type: 'layers', diff_ids: diffIds } };
        configBytes = Buffer.from(JSON.stringify(config));
      }
      const cfg = this.blobs.putBuffer(configBytes);
      held.push(this.hold([cfg.digest]));

      let manifestDesc: Descriptor;
      if (original) {
        const m = JSON.parse(original.bytes.toString('utf8')) as OciManifest;
        if (m.config.digest !== cfg.digest || m.layers.length !== descs.length || m.layers.some((l, i) => l.digest !== descs[i].digest)) throw invalid(`${label}: manifest does not match its blobs`);
        const b = this.blobs.putBuffer(original.bytes);
        manifestDesc = { mediaType: original.mediaType, digest: b.digest, size: b.size };
      } else {
        const manifest: OciManifest = {
          schemaVersion: 2, mediaType: MEDIA.manifest,
          config: { mediaType: MEDIA.config, digest: cfg.digest, size: cfg.size },
          layers: descs,
        };
        const b = this.blobs.putBuffer(Buffer.from(JSON.stringify(manifest)));
        manifestDesc = { mediaType: MEDIA.manifest, digest: b.digest, size: b.size };
      }
      held.push(this.hold([manifestDesc.digest]));
      this.tag(names, manifestDesc, cfg.digest);
      ok = true;
      const { all } = this.snapshot();
      return (names.length ? names : [undefined]).map((n) => this.summary(all.find((i) => i.name === n && i.desc.digest === manifestDesc.digest)!));
    } finally {
      for (const r of held) r();
      // a failed import may have stored some blobs and layers already: drop what no image refers to
      if (!ok) { try { this.gc(); } catch { /* the original error matters more */ } }
    }
  }

  /** Unpacks a layer whose diff_id is not known yet; returns it. */
  private async unpackNew(blobFile: string, label: string, held: Array<() => void>): Promise<string> {
    const stage = path.join(this.layers.dir, `.tmp-new-${randomBytes(6).toString('hex')}`);
    const res = await unpackLayer(fs.createReadStream(blobFile), stage, { label });
    held.push(this.hold([res.diffId]));
    const target = this.layers.path(res.diffId);
    try {
      fs.renameSync(stage, target);
      writeJsonAtomic(`${target}.json`, { diffId: res.diffId, size: res.size });
    } catch (e) {
      const c = (e as NodeJS.ErrnoException).code;
      if (c !== 'EEXIST' && c !== 'ENOTEMPTY') throw e;
      fs.rmSync(stage, { recursive: true, force: true }); // the same layer was already here
    }
    return res.diffId;
  }

  /**
   * Points each name at the manifest (one index.json write). An image that
   * loses its last name this way stays, unnamed: a container may still use it.
   */
  private tag(names: string[], desc: Descriptor, id: string): void {
    const { idx, all } = this.snapshot();
    const idOf = (d: Descriptor) => all.find((i) => i.desc.digest === d.digest)?.id;
    const bare = (d: Descriptor): Descriptor => ({ mediaType: d.mediaType, digest: d.digest, size: d.size });
    // where the image came from travels with each of its names
    const origin = Object.fromEntries(Object.entries(desc.annotations ?? {}).filter(([k]) => k.startsWith(ORIGIN_PREFIX)));
    const own = (extra: Record<string, string>): Descriptor => {
      const a = { ...origin, ...extra };
      return Object.keys(a).length ? { ...bare(desc), annotations: a } : bare(desc);
    };
    let ms = idx.manifests.slice();
    const displaced: Descriptor[] = [];
    for (const n of names) {
      const i = ms.findIndex((d) => d.annotations?.[ANNOTATION_REF_NAME] === n);
      if (i >= 0) displaced.push(...ms.splice(i, 1));
    }
    // an unnamed entry of this same image is superseded once it has a name
    if (names.length) ms = ms.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] !== undefined || idOf(d) !== id);
    ms.push(...names.map((n) => own({ [ANNOTATION_REF_NAME]: n })));
    if (!names.length && !ms.some((d) => d.digest === desc.digest)) ms.push(own({}));
    for (const d of displaced) {
      const did = idOf(d);
      if (did !== id && !ms.some((x) => x.digest === d.digest || (did !== undefined && idOf(x) === did))) ms.push(bare(d));
    }
    this.writeIndex({ ...idx, manifests: ms });
  }

  /**
   * Adds an image built by nscope itself (host images; later `commit`): the
   * layer tars are stored as they are (this store writes plain tar; the
   * diff_id is the sha256 of the uncompressed tar) and unpacked. With
   * `parent`, the new layers go on top of that image's layers. The config's
   * rootfs is filled in; its history is the caller's. With `moveLayers` the
   * tar files are handed over (hardlinked into the blob store when on the
   * same filesystem: the caller must not change them, only delete them).
   * No `name`: the image stays unnamed (`nscope import FILE` without one).
   */
  async addImage(name: string | undefined, config: Omit<OciImageConfig, 'rootfs'>, layerTars: string[],
    opts: { parent?: string; moveLayers?: boolean } = {}): Promise<ImageSummary> {
    const n = name === undefined ? undefined : normalizeName(name);
    const inputs: LayerInput[] = [];
    const tmp = this.newTmp('add');
    try {
      if (opts.parent) {
        const p = this.find(opts.parent).images[0];
        p.manifest.layers.forEach((d, i) => inputs.push({ existing: d, diffId: p.config.rootfs.diff_ids[i] }));
      }
      for (const t of layerTars) {
        // the blob store hardlinks the files it is given: give it our own copy unless the caller handed the file over
        let file = t;
        if (!opts.moveLayers) { file = path.join(tmp, `layer-${inputs.length}`); fs.copyFileSync(t, file); }
        inputs.push({ file, mediaType: await mediaOf(file) });
      }
      const { rootfs: _ignored, ...rest } = config as OciImageConfig;
      const [sum] = await this.store(n ? [n] : [], rest as OciImageConfig, inputs, `image ${n ?? '(unnamed)'}`);
      return sum;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Imports a `docker save` tar or an OCI image layout tar; returns one summary per name added. */
  /** `file`: a path, or the archive's bytes as a client sends them (stream kind `image-import`). */
  /** `afterExtract`: a last word before anything is stored (a stream checks it got every byte it was promised). */
  /** `platform` (`load --platform`): only the archive's images of that platform (an index's entry for it). */
  async importArchive(file: string | Readable, opts: { name?: string; platform?: string; afterExtract?: () => Promise<void> } = {}): Promise<ImageSummary[]> {
    const override = opts.name !== undefined && opts.name !== '' ? normalizeName(opts.name, '--name') : undefined;
    const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
    const tmp = this.newTmp('import');
    try {
      try {
        await extractArchive(file, tmp);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && typeof file === 'string') throw notFound(`archive ${file}: no such file`);
        throw e;
      }
      await opts.afterExtract?.();
      const found = readArchive(tmp, { platform });
      if (override && found.length > 1) throw invalid(`--name: the archive holds ${found.length} images; a name can only be given to one`);
      for (const img of found) if (!override && img.names.length === 0) throw invalid(`archive: ${img.where} has no name (no RepoTags or ref.name annotation); give one with --name`);
      const out: ImageSummary[] = [];
      for (const img of found) {
        const names = override ? [override] : img.names;
        out.push(...await this.store(names, img.config, img.layers, `image ${names[0]}`, img.manifest));
      }
      return out;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** `nscope image host NAME [PROGRAM…]`: an image of the host's own programs and their libraries. */
  async buildFromHost(name: string, programs?: string[]): Promise<ImageSummary> {
    const n = normalizeName(name);
    if (programs !== undefined && !Array.isArray(programs)) throw invalid('programs must be a list');
    const { tree, programs: found } = planHostImage(programs);
    if (!found.length) throw notFound('host image: none of the programs was found on the host');
    const tmp = this.newTmp('host');
    try {
      const tarPath = path.join(tmp, 'layer.tar');
      tarFile(tarPath, (w) => tree.write(w));
      // "created" is when the newest copied host file changed: rebuilding from the same host gives the same image ID
      const created = new Date(Math.floor((tree.newest || 0) / 1000) * 1000).toISOString();
      const plat = hostPlatform();
      const config = {
        created, architecture: plat.architecture, os: plat.os,
        config: { Env: [`PATH=${IMAGE_PATH}`], Cmd: ['/bin/sh'] },
        history: [{ created, created_by: `nscope image host ${found.join(' ')}`, comment: `programs and libraries of ${os.hostname()}` }],
      };
      return await this.addImage(n, config, [tarPath], { moveLayers: true });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Adds an image pulled from a registry whose layers (blobs and unpacked
   * dirs) the caller has already put in the store and holds: checks the
   * config against the manifest, stores both, and names the image (none for
   * a pull by digest). The manifest is kept byte for byte so its digest stays
   * the registry's.
   */
  addPulled(name: string | undefined, manifest: { bytes: Buffer; mediaType: string }, configBytes: Buffer, origin: ImageOrigin): ImageSummary {
    const label = `image ${name ?? origin.repository}`;
    const m = JSON.parse(manifest.bytes.toString('utf8')) as OciManifest;
    const cfgDigest = sha256(configBytes);
    if (cfgDigest !== m.config.digest) throw invalid(`${label}: config digest ${cfgDigest} is not the manifest's ${m.config.digest}`);
    const cfg = JSON.parse(configBytes.toString('utf8')) as OciImageConfig;
    const diffIds = cfg.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== m.layers.length) throw invalid(`${label}: the config lists ${Array.isArray(diffIds) ? diffIds.length : 'no'} layers, the manifest ${m.layers.length}`);
    m.layers.forEach((l, i) => {
      if (!this.blobs.has(l.digest) || !this.layers.has(diffIds[i])) throw new NscopeError('failed', `${label}: layer ${l.digest} is not in the store`);
    });
    const release = this.hold([cfgDigest]);
    try {
      this.blobs.putBuffer(configBytes);
      const b = this.blobs.putBuffer(manifest.bytes);
      const annotations: Record<string, string> = {
        [`${ORIGIN_PREFIX}registry`]: origin.registry, [`${ORIGIN_PREFIX}repository`]: origin.repository, [`${ORIGIN_PREFIX}digest`]: origin.digest,
        ...(origin.tag ? { [`${ORIGIN_PREFIX}tag`]: origin.tag } : {}),
      };
      const desc: Descriptor = { mediaType: manifest.mediaType, digest: b.digest, size: b.size, annotations };
      if (name) this.tag([normalizeName(name)], desc, cfgDigest);
      else this.addByDigest(desc, origin);
      const { all } = this.snapshot();
      const img = name ? all.find((i) => i.desc.digest === b.digest && i.name === normalizeName(name))!
        : all.find((i) => i.desc.digest === b.digest && sameRepository(originOf(i.desc), origin)) ?? all.find((i) => i.desc.digest === b.digest)!;
      return this.summary(img);
    } finally {
      release();
    }
  }

  /**
   * A pull by digest (no name): the image is found again by REPOSITORY@DIGEST, so this
   * repository needs an entry of its own even when the same manifest is here from another
   * one (Docker adds a RepoDigest). An unnamed entry of it from nowhere (a load) takes the
   * origin instead.
   */
  private addByDigest(desc: Descriptor, origin: ImageOrigin): void {
    const idx = this.readIndex();
    const same = idx.manifests.filter((d) => d.digest === desc.digest);
    if (same.some((d) => sameRepository(originOf(d), origin))) return;
    const ms = idx.manifests.slice();
    const bare = ms.findIndex((d) => d.digest === desc.digest && !d.annotations?.[ANNOTATION_REF_NAME] && !originOf(d));
    if (bare >= 0) ms[bare] = desc; else ms.push(desc);
    this.writeIndex({ ...idx, manifests: ms });
  }

  /**
   * Whether the image `name` is this manifest already (a pull that finds nothing new); with
   * no name (a pull by digest), whether it is here from the repository `from`.
   */
  hasManifest(name: string | undefined, digest: string, from?: Pick<ImageOrigin, 'registry' | 'repository'>): boolean {
    const n = name ? normalizeName(name) : undefined;
    return this.snapshot().all.some((i) => i.desc.digest === digest && (n === undefined || i.name === n) && (n !== undefined || !from || sameRepository(originOf(i.desc), from)));
  }

  /**
   * After a push: the local name `name`, if it is this manifest, now comes from where it was
   * pushed — Docker's RepoDigests gain `repository@digest`, and a later push of the image (or
   * of another tag of it, which takes the origin along) to that registry mounts its blobs
   * from that repository instead of uploading them again.
   */
  notePushed(name: string, manifestDigest: string, origin: ImageOrigin): void {
    let n: string;
    try { n = normalizeName(name); } catch { return; }
    const idx = this.readIndex();
    const at = idx.manifests.findIndex((d) => d.annotations?.[ANNOTATION_REF_NAME] === n && d.digest === manifestDigest);
    if (at < 0) return;
    const d = idx.manifests[at];
    const keep = Object.fromEntries(Object.entries(d.annotations ?? {}).filter(([k]) => !k.startsWith(ORIGIN_PREFIX)));
    const annotations: Record<string, string> = {
      ...keep, [`${ORIGIN_PREFIX}registry`]: origin.registry, [`${ORIGIN_PREFIX}repository`]: origin.repository, [`${ORIGIN_PREFIX}digest`]: origin.digest,
      ...(origin.tag ? { [`${ORIGIN_PREFIX}tag`]: origin.tag } : {}),
    };
    const ms = idx.manifests.slice();
    ms[at] = { ...d, annotations };
    this.writeIndex({ ...idx, manifests: ms });
  }

  /** `image tag SOURCE TARGET`: another name for an image (where it came from goes along). */
  tagImage(ref: string, name: string): ImageSummary {
    const n = normalizeName(name, 'target name');
    const img = this.find(ref).images[0];
    const { [ANNOTATION_REF_NAME]: _old, ...keep } = img.desc.annotations ?? {};
    this.tag([n], { mediaType: img.desc.mediaType, digest: img.desc.digest, size: img.desc.size, annotations: keep }, img.id);
    return this.summary(this.snapshot().all.find((i) => i.name === n)!);
  }

  /**
   * The names of the images of one repository ("127.0.0.1:5000/team/app:v1",
   * "alpine:3"…), sorted by tag: what `push --all-tags` pushes.
   */
  namesInRepository(registry: string, repository: string): string[] {
    const out = new Set<string>();
    for (const i of this.snapshot().all) {
      if (!i.name) continue;
      let r;
      try { r = parseReference(i.name); } catch { continue; }
      if (r.registry === registry && r.repository === repository && r.tag && !r.digest) out.add(i.name);
    }
    return [...out].sort();
  }

  /** The stored manifest bytes and media type of an image (push sends them unchanged); `platform`: it must be of that one. */
  manifestOf(ref: string, platform?: string): { bytes: Buffer; mediaType: string; digest: string; manifest: OciManifest; origin?: ImageOrigin } {
    const img = this.find(ref).images[0];
    requirePlatform(ref, img.config, platform);
    return { bytes: this.blobs.read(img.desc.digest), mediaType: img.desc.mediaType || img.manifest.mediaType || MEDIA.manifest, digest: img.desc.digest, manifest: img.manifest, origin: originOf(img.desc) };
  }

  // ---- removing ----

  /**
   * Removes an image by name (that name only) or by ID (every name of it).
   * An image a container uses is refused unless `force`; forced, it loses its
   * names but stays (unnamed) until that container is gone, as in Docker.
   * Says what it did, for `rmi`'s "Untagged:"/"Deleted:" lines: the names
   * taken off, and the image's ID when nothing of it is left in the store.
   */
  remove(ref: string, opts: RemoveOptions = {}): { untagged: string[]; deleted?: string } {
    const { idx, all } = this.snapshot();
    const { images: hit, byName } = this.find(ref, all);
    const id = hit[0].id;
    // nscope's images have one platform each: it is the only variant there is to remove
    requirePlatform(ref, hit[0].config, opts.platforms);
    const ofId = all.filter((i) => i.id === id);
    const names = ofId.filter((i) => i.name).map((i) => i.name!);
    if (!byName && names.length > 1 && !opts.force) {
      throw conflict(`image ${id.slice(7, 19)} has ${names.length} names (${names.join(', ')}): remove them by name, or use --force`);
    }
    // by name: that name only; by ID: every entry of the image
    const removing = new Set((byName ? hit : ofId).map((i) => i.at));
    const last = ofId.every((i) => removing.has(i.at));
    const user = last ? opts.inUse?.(id) : undefined;
    if (user && !opts.force) {
      throw conflict(`image ${hit[0].name ?? id.slice(7, 19)} is in use by container "${user.name}"; remove the container first, or use --force`);
    }
    // Docker's hard conflict: by ID, -f does not take an image from a running container (by name, it is untagged)
    if (user?.running && !byName) {
      throw conflict(`unable to delete ${id.slice(7, 19)} (cannot be forced) - image is being used by running container ${user.id.slice(0, 12)}`);
    }
    const ms = idx.manifests.filter((_d, at) => !removing.has(at));
    if (user) {
      // forced while in use: the image stays without a name so that the container keeps its layers
      const d = hit[0].desc;
      ms.push({ mediaType: d.mediaType, digest: d.digest, size: d.size });
    }
    this.writeIndex({ ...idx, manifests: ms });
    this.gc();
    const untagged = [...new Set((byName ? hit : ofId).filter((i) => i.name).map((i) => i.name!))];
    return { untagged, deleted: last && !user ? id : undefined };
  }

  /** Deletes blobs and layer dirs that no image in index.json refers to (and that no import is adding). */
  gc(): { blobs: number; layers: number } {
    const keepBlobs = new Set<string>();
    const keepLayers = new Set<string>();
    for (const d of this.readIndex().manifests) {
      keepBlobs.add(d.digest);
      let m: OciManifest;
      try { m = this.json<OciManifest>(d.digest); } catch { continue; }
      keepBlobs.add(m.config.digest);
      for (const l of m.layers) keepBlobs.add(l.digest);
      try { for (const x of this.json<OciImageConfig>(m.config.digest).rootfs.diff_ids) keepLayers.add(x); } catch { /* config missing */ }
    }
    let blobs = 0, layers = 0;
    for (const b of this.blobs.list()) {
      if (keepBlobs.has(b) || this.busy.has(b)) continue;
      this.blobs.remove(b);
      this.cache.delete(b);
      blobs++;
    }
    for (const l of this.layers.list()) {
      if (keepLayers.has(l) || this.busy.has(l)) continue;
      this.layers.remove(l);
      layers++;
    }
    return { blobs, layers };
  }
}

const ORIGIN_PREFIX = 'io.nscope.origin.';

function originOf(d: Descriptor): ImageOrigin | undefined {
  const a = d.annotations;
  const registry = a?.[`${ORIGIN_PREFIX}registry`], repository = a?.[`${ORIGIN_PREFIX}repository`], digest = a?.[`${ORIGIN_PREFIX}digest`];
  if (!registry || !repository || !digest) return undefined;
  const tag = a?.[`${ORIGIN_PREFIX}tag`];
  return { registry, repository, digest, ...(tag ? { tag } : {}) };
}

function sameRepository(o: Pick<ImageOrigin, 'registry' | 'repository'> | undefined, r: Pick<ImageOrigin, 'registry' | 'repository'>): boolean {
  return !!o && o.registry === r.registry && o.repository === r.repository;
}

async function mediaOf(file: string): Promise<string> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const b = Buffer.alloc(4);
    await fd.read(b, 0, 4, 0);
    if (b[0] === 0x1f && b[1] === 0x8b) return MEDIA.layerGzip;
    return b.readUInt32BE(0) === 0x28b52ffd ? MEDIA.layerZstd : MEDIA.layerTar;
  } finally { await fd.close(); }
}

