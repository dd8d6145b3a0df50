// Reading an image archive: the outer tar of `docker save` or of an OCI image
// layout. The outer tar is untrusted too: it is extracted into a private
// temp dir, accepting only regular files and directories at clean relative
// paths (symlinks and hardlinks between its own files, which `docker save`
// writes for repeated layers, become hardlinks after checking they stay
// inside). Then the two formats are read into one shape: names, config
// bytes, layer blob files, and (for OCI) the original manifest.
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { invalid, notFound } from '../errors';
import { checkLayerCount, configPlatform, formatPartialPlatform, formatPlatform, pickPlatform, platformMatches } from '../registry/manifest';
import { sha256 } from './blobs';
import { cleanEntryPath } from './in-root';
import { tryNormalizeName } from './names';
import {
  ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, DIGEST_RE, MEDIA, hostPlatform, isIndexMedia, isLayerMedia, isManifestMedia,
  type Descriptor, type OciIndex, type OciManifest, type Platform,
} from './oci';
import { readTar } from './tar-reader';

export interface ArchiveLayer {
  file: string;
  mediaType: string;
  /** known for OCI (the descriptor's); computed on import otherwise */
  expect?: { digest: string; size: number };
}

export interface ArchiveImage {
  /** normalized names found in the archive (may be empty) */
  names: string[];
  config: Buffer;
  /** the config's digest as the archive states it, when it does */
  configDigest?: string;
  layers: ArchiveLayer[];
  /** the original manifest (OCI layout), kept byte for byte so its digest survives */
  manifest?: { bytes: Buffer; digest: string; mediaType: string };
  /** where in the archive, for errors */
  where: string;
}

const JSON_LIMIT = 16 << 20;
/**
 * Images (and names) one archive may bring. Each is stored and tagged on its own (an index.json
 * write each), so 5,000 entries of one manifest under 5,000 names took three minutes and a
 * 16 MiB index.json could list 100,000; `docker save` of a whole host is a few hundred.
 */
const MAX_IMAGES = 1000;

/** A list the archive gives, refused when longer than `max` before anything of it is read. */
function bounded(list: unknown[], max: number, what: string): void {
  if (list.length > max) throw invalid(`archive: ${what} lists ${list.length}; more than ${max} in one archive is refused`);
}

/** Extracts the outer archive (a file, or the bytes a client streams: Import Image… on a remote host) into the empty directory `dir`. */
export async function extractArchive(input: string | Readable, dir: string): Promise<void> {
  const links: Array<{ parts: string[]; target: string; hard: boolean; name: string }> = [];
  for await (const e of readTar(typeof input === 'string' ? fs.createReadStream(input) : input, { label: 'archive' })) {
    const parts = e.name.startsWith('/') ? null : cleanEntryPath(e.name);
    if (parts === null) throw invalid(`archive: entry "${e.name}" escapes the archive`);
    if (parts.length === 0) continue;
    const dst = path.join(dir, ...parts);
    switch (e.type) {
      case 'dir':
        mkdirs(dir, parts, e.name);
        break;
      case 'file': {
        mkdirs(dir, parts.slice(0, -1), e.name);
        // a repeated name: the later entry wins, as with tar; but not a file over a directory of the archive
        if (isDir(dst)) throw invalid(`archive: entry "${e.name}" is a file where the archive has a directory`);
        fs.rmSync(dst, { force: true });
        const fd = fs.openSync(dst, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
        try {
          for await (const b of e.body.chunks()) { let off = 0; while (off < b.length) off += fs.writeSync(fd, b, off); }
        } finally { fs.closeSync(fd); }
        break;
      }
      case 'symlink':
      case 'hardlink':
        links.push({ parts, target: e.linkname, hard: e.type === 'hardlink', name: e.name });
        break;
      default:
        throw invalid(`archive: entry "${e.name}" is a ${e.type}; an image archive holds only files and directories`);
    }
  }
  // links: resolve lexically inside the archive, then materialize as hardlinks (chains need several rounds)
  let pending = links;
  for (let round = 0; round < 8 && pending.length; round++) {
    const next: typeof links = [];
    for (const l of pending) {
      let t: string[] | null;
      if (l.hard) t = l.target.startsWith('/') ? null : cleanEntryPath(l.target);
      else t = l.target.startsWith('/') ? null : cleanEntryPath([...l.parts.slice(0, -1), l.target].join('/'));
      if (t === null || t.length === 0) throw invalid(`archive: link "${l.name}" -> "${l.target}" points outside the archive`);
      const src = path.join(dir, ...t);
      let st: fs.Stats | undefined;
      try { st = fs.lstatSync(src); } catch { /* not (yet) there */ }
      if (!st?.isFile()) { next.push(l); continue; }
      mkdirs(dir, l.parts.slice(0, -1), l.name);
      const dst = path.join(dir, ...l.parts);
      if (isDir(dst)) throw invalid(`archive: link "${l.name}" is where the archive has a directory`);
      fs.rmSync(dst, { force: true });
      fs.linkSync(src, dst);
    }
    if (next.length === pending.length) break; // dangling links: harmless unless something refers to them
    pending = next;
  }
}

function isDir(p: string): boolean {
  try { return fs.lstatSync(p).isDirectory(); } catch { return false; }
}

/** mkdir -p of `parts` under `root`; only real directories exist in the extraction dir, so nothing can redirect it. */
function mkdirs(root: string, parts: string[], name: string): void {
  let p = root;
  for (const part of parts) {
    p = path.join(p, part);
    try { fs.mkdirSync(p, 0o700); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!fs.lstatSync(p).isDirectory()) throw invalid(`archive: entry "${name}": "${part}" is a file, not a directory`);
    }
  }
}

function readJsonFile<T>(file: string, what: string): { bytes: Buffer; value: T } {
  let bytes: Buffer;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) throw invalid(`archive: ${what} is missing`);
    if (st.size > JSON_LIMIT) throw invalid(`archive: ${what} is too large`);
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`archive: ${what} is missing`);
    throw e;
  }
  try { return { bytes, value: JSON.parse(bytes.toString('utf8')) as T }; } catch (e) { throw invalid(`archive: ${what} is not valid JSON: ${(e as Error).message}`); }
}

export interface ReadArchiveOptions {
  /**
   * `load --platform`: an index's entry for this platform (not the host's),
   * and of the archive's single-platform images only those of it; an archive
   * with none of it is an error naming the platforms it has.
   */
  platform?: Platform;
}

/** Which format the extracted archive is, then its images. */
export function readArchive(dir: string, opts: ReadArchiveOptions = {}): ArchiveImage[] {
  const skipped: string[] = [];
  const images = fs.existsSync(path.join(dir, 'oci-layout')) && fs.existsSync(path.join(dir, 'index.json')) ? readOciLayout(dir, opts, skipped)
    : fs.existsSync(path.join(dir, 'manifest.json')) ? readDockerSave(dir, opts, skipped)
      : undefined;
  if (images) {
    if (opts.platform && !images.length) {
      const have = [...new Set(skipped)].join(', ');
      throw notFound(`archive: no image for platform ${formatPlatform(opts.platform)} (it has: ${have.slice(0, 300) || 'none'})`);
    }
    return images;
  }
  throw invalid('archive: neither an OCI image layout (oci-layout + index.json) nor a docker save archive (manifest.json); a filesystem tarball, as `nscope export` writes, is imported with `nscope import FILE [REPOSITORY[:TAG]]`');
}

// ---- docker save ----

interface DockerSaveEntry { Config: string; RepoTags?: string[] | null; Layers: string[] }

function inArchive(dir: string, rel: unknown, what: string): string {
  if (typeof rel !== 'string' || !rel) throw invalid(`archive: manifest.json: ${what} is not a path`);
  const parts = rel.startsWith('/') ? null : cleanEntryPath(rel);
  if (!parts || parts.length === 0) throw invalid(`archive: manifest.json: ${what} "${rel}" is outside the archive`);
  const p = path.join(dir, ...parts);
  if (!fs.existsSync(p)) throw invalid(`archive: ${what} "${rel}" is missing from the archive`);
  return p;
}

/** gzip or plain, from the first bytes (docker save writes plain tars; newer ones may compress). */
function layerMediaOf(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, 0);
    if (b[0] === 0x1f && b[1] === 0x8b) return MEDIA.layerGzip;
    if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return MEDIA.layerZstd;
    return MEDIA.layerTar;
  } finally { fs.closeSync(fd); }
}

/** Whether an image of the archive is of the platform asked for; if not, its platform goes into `skipped`. */
function platformOk(config: Buffer, opts: ReadArchiveOptions, skipped: string[]): boolean {
  if (!opts.platform) return true;
  let cfg: unknown;
  try { cfg = JSON.parse(config.toString('utf8')); } catch { return true; } // the store says what is wrong with it
  const have = configPlatform(cfg);
  if (platformMatches(opts.platform, have)) return true;
  skipped.push(formatPartialPlatform(have));
  return false;
}

function readDockerSave(dir: string, opts: ReadArchiveOptions, skipped: string[]): ArchiveImage[] {
  const { value } = readJsonFile<DockerSaveEntry[]>(path.join(dir, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(value) || value.length === 0) throw invalid('archive: manifest.json lists no images');
  bounded(value, MAX_IMAGES, 'manifest.json: images');
  let tags = 0;
  return value.map((m, i): ArchiveImage | undefined => {
    const where = `manifest.json[${i}]`;
    if (!m || typeof m !== 'object' || !Array.isArray(m.Layers)) throw invalid(`archive: ${where} has no Layers`);
    checkLayerCount(m.Layers.length, `archive: ${where}`);
    const configFile = inArchive(dir, m.Config, `${where} Config`);
    const config = readJsonFile<unknown>(configFile, `config ${m.Config}`).bytes;
    // the config's file name is its digest ("<hex>.json" or "blobs/sha256/<hex>"): check it when it says so
    const named = /(?:^|\/)(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.json)?$/.exec(m.Config);
    const configDigest = sha256(config);
    if (named && `sha256:${named[1]}` !== configDigest) throw invalid(`archive: config ${m.Config}: content does not match its digest (got ${configDigest})`);
    if (m.RepoTags !== undefined && m.RepoTags !== null && !Array.isArray(m.RepoTags)) throw invalid(`archive: ${where}: RepoTags is not a list`);
    tags += m.RepoTags?.length ?? 0;
    if (tags > MAX_IMAGES) throw invalid(`archive: manifest.json: RepoTags name more than ${MAX_IMAGES} images in one archive; refused`);
    const names = (m.RepoTags ?? []).map((t) => {
      const n = tryNormalizeName(t);
      if (!n) throw invalid(`archive: ${where}: RepoTags entry "${t}" is not a valid image name`);
      return n;
    });
    const layers = m.Layers.map((l, k) => {
      const file = inArchive(dir, l, `${where} Layers[${k}]`);
      // a layer named by its digest ("blobs/sha256/<hex>") is checked against it
      const byDigest = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(l);
      return { file, mediaType: layerMediaOf(file), expect: byDigest ? { digest: `sha256:${byDigest[1]}`, size: -1 } : undefined };
    });
    if (!platformOk(config, opts, skipped)) return undefined;
    return { names, config, configDigest, layers, where };
  }).filter((x): x is ArchiveImage => x !== undefined);
}

// ---- OCI image layout ----

function blobFile(dir: string, d: Descriptor, what: string): string {
  if (!d || typeof d.digest !== 'string' || !DIGEST_RE.test(d.digest)) throw invalid(`archive: ${what}: unsupported or malformed digest "${d?.digest}" (sha256 only)`);
  const p = path.join(dir, 'blobs', 'sha256', d.digest.slice(7));
  if (!fs.existsSync(p)) throw invalid(`archive: ${what}: blob ${d.digest} is missing from the archive`);
  return p;
}

/** A manifest/index/config blob, checked against its descriptor. */
function readBlobJson<T>(dir: string, d: Descriptor, what: string): { bytes: Buffer; value: T } {
  const file = blobFile(dir, d, what);
  const r = readJsonFile<T>(file, `${what} ${d.digest}`);
  const got = sha256(r.bytes);
  if (got !== d.digest) throw invalid(`archive: ${what}: blob ${d.digest} does not match its digest (got ${got})`);
  if (typeof d.size === 'number' && d.size !== r.bytes.length) throw invalid(`archive: ${what}: blob ${d.digest} is ${r.bytes.length} bytes, descriptor says ${d.size}`);
  return r;
}

/**
 * A descriptor the archive gives (index.json's, an index's, a manifest's
 * layers): an object with a sha256 digest, its annotations an object; checked
 * before any of its fields is read, so a null or a number is named, not a TypeError.
 */
function descriptor(d: unknown, what: string): Descriptor {
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw invalid(`archive: ${what}: not a descriptor (an object with mediaType, digest and size)`);
  const x = d as Descriptor;
  if (typeof x.digest !== 'string' || !DIGEST_RE.test(x.digest)) throw invalid(`archive: ${what}: unsupported or malformed digest "${String(x.digest).slice(0, 80)}" (sha256 only)`);
  if (x.annotations !== undefined && (!x.annotations || typeof x.annotations !== 'object' || Array.isArray(x.annotations))) throw invalid(`archive: ${what}: annotations are not an object`);
  return x;
}

function namesOf(d: Descriptor): string[] {
  const a = d.annotations ?? {};
  // containerd's annotation holds the full name; ref.name may be just a tag ("latest") in docker's own layouts
  const full = tryNormalizeName(a[ANNOTATION_CONTAINERD_NAME]);
  if (full) return [full];
  const ref: unknown = a[ANNOTATION_REF_NAME];
  if (!ref || typeof ref !== 'string') return [];
  // a bare "latest" or version ("1.36") is a tag without a name: the archive then names nothing
  if (!ref.includes(':') && !ref.includes('/') && (ref === 'latest' || /^[0-9]/.test(ref))) return [];
  const n = tryNormalizeName(ref);
  return n ? [n] : [];
}

function readOciLayout(dir: string, opts: ReadArchiveOptions, skipped: string[]): ArchiveImage[] {
  const layout = readJsonFile<{ imageLayoutVersion?: string }>(path.join(dir, 'oci-layout'), 'oci-layout').value;
  if (!layout || typeof layout.imageLayoutVersion !== 'string') throw invalid('archive: oci-layout has no imageLayoutVersion');
  const index = readJsonFile<OciIndex>(path.join(dir, 'index.json'), 'index.json').value;
  if (!index || !Array.isArray(index.manifests)) throw invalid('archive: index.json has no manifests');
  bounded(index.manifests, MAX_IMAGES, 'index.json: manifests');
  const out: ArchiveImage[] = [];
  const plat = opts.platform ?? hostPlatform();

  const visit = (d: Descriptor, names: string[], where: string, depth: number) => {
    if (depth > 4) throw invalid(`archive: ${where}: indexes nested too deep`);
    descriptor(d, where);
    if (isIndexMedia(d.mediaType)) {
      const idx = readBlobJson<OciIndex>(dir, d, where).value;
      if (!Array.isArray(idx.manifests)) throw invalid(`archive: ${where}: index has no manifests`);
      bounded(idx.manifests, MAX_IMAGES, `${where}: index manifests`);
      // one image per name: the manifest for this host's platform, or --platform's (attestations are "unknown/unknown")
      const usable = idx.manifests.map((m, i) => descriptor(m, `${where} manifests[${i}]`)).filter((m) => m.platform?.os !== 'unknown');
      const pick = (opts.platform ? pickPlatform(usable, opts.platform) : usable.find((m) => m.platform?.os === plat.os && m.platform?.architecture === plat.architecture))
        ?? (usable.length === 1 && !usable[0].platform ? usable[0] : undefined);
      if (!pick) {
        const platforms = usable.map((m) => (m.platform ? formatPartialPlatform(configPlatform(m.platform)) : '?'));
        const have = platforms.join(', ');
        // --platform: an image without that platform is left out (the archive may have others of it)
        if (opts.platform) { skipped.push(...platforms); return; }
        throw invalid(`archive: ${where}: no image for ${plat.os}/${plat.architecture} (has ${have || 'none'})`);
      }
      visit(pick, [...names, ...namesOf(pick)], `${where} > ${pick.digest.slice(0, 19)}`, depth + 1);
      return;
    }
    if (!isManifestMedia(d.mediaType)) throw invalid(`archive: ${where}: unsupported media type "${d.mediaType}"`);
    const m = readBlobJson<OciManifest>(dir, d, where);
    const man = m.value;
    if (!man || !man.config || !Array.isArray(man.layers)) throw invalid(`archive: ${where}: manifest without config or layers`);
    checkLayerCount(man.layers.length, `archive: ${where}`);
    const cfg = readBlobJson<unknown>(dir, man.config, `${where} config`);
    if (!platformOk(cfg.bytes, opts, skipped)) return;
    const layers = man.layers.map((l, i) => {
      descriptor(l, `${where} layer ${i}`);
      if (!isLayerMedia(l.mediaType)) throw invalid(`archive: ${where} layer ${i}: unsupported media type "${l.mediaType}"`);
      return { file: blobFile(dir, l, `${where} layer ${i}`), mediaType: l.mediaType, expect: { digest: l.digest, size: l.size } };
    });
    out.push({
      names: [...new Set(names)], config: cfg.bytes, configDigest: man.config.digest, layers, where,
      manifest: { bytes: m.bytes, digest: d.digest, mediaType: d.mediaType },
    });
  };

  index.manifests.forEach((d, i) => { const where = `index.json manifests[${i}]`; visit(d, namesOf(descriptor(d, where)), where, 0); });
  return out;
}
