// Image fixtures made on the spot, nothing from the internet: an OCI image
// layout directory (oci-layout, index.json, blobs/sha256) for an image whose
// layers are given as file trees, or for a multi-platform index. skopeo
// copies such a directory into a test's private registry (skopeo.ts); the
// layer tars come from nscope's own deterministic writer, so the same spec
// always gives the same digests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { MEDIA, ANNOTATION_REF_NAME, hostPlatform, type Descriptor, type OciContainerConfig, type OciImageConfig, type OciIndex, type OciManifest, type Platform } from '../../helper/images/oci';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';

/** One path of a layer. A string or Buffer is a regular file (0644). */
export type FileEntry =
  | string
  | Buffer
  | { file: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { dir: true; mode?: number }
  | { symlink: string }
  | { hardlink: string }
  /** deletes PATH of the lower layers: written as `DIR/.wh.NAME` */
  | { whiteout: true }
  /** PATH is a directory that hides everything the lower layers had in it: `PATH/.wh..wh..opq` */
  | { opaque: true };

/** Layer content: path (no leading '/') → entry; missing parent directories are added (0755). */
export type FileTree = Record<string, FileEntry>;

export type Compression = 'gzip' | 'none' | 'zstd';

export interface LayerSpec { files: FileTree; compression?: Compression }

export interface ImageSpec {
  layers: LayerSpec[];
  /** linux/amd64 unless given */
  platform?: Platform;
  config?: OciContainerConfig;
}

export interface BuiltLayer { digest: string; size: number; mediaType: string; diffId: string; compression: Compression }

export interface BuiltManifest {
  digest: string;
  size: number;
  platform: Platform;
  manifest: OciManifest;
  config: OciImageConfig;
  configDigest: string;
  layers: BuiltLayer[];
}

export interface ImageLayout {
  dir: string;
  tag: string;
  /** skopeo's name for it: `oci:DIR:TAG` */
  ociRef: string;
  /** what the tag names: the manifest, or the index for a multi-platform image */
  digest: string;
  mediaType: string;
  /** one per platform, in the order given */
  manifests: BuiltManifest[];
  /** the index blob of a multi-platform image */
  index?: OciIndex;
}

const MEDIA_OF: Record<Compression, string> = { gzip: MEDIA.layerGzip, none: MEDIA.layerTar, zstd: MEDIA.layerZstd };
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The entries of a layer tar, parents first, in a fixed (sorted) order. */
function tarEntries(files: FileTree): Array<TarWriteEntry & { data?: Buffer | string }> {
  const out = new Map<string, TarWriteEntry & { data?: Buffer | string }>();
  const addParents = (p: string) => {
    const parts = p.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!out.has(d) && !(d in files)) out.set(d, { name: d, type: 'dir', mode: 0o755 });
    }
  };
  for (const [raw, e] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const p = raw.replace(/^\/+/, '').replace(/\/+$/, '');
    addParents(p);
    const base = path.posix.basename(p);
    const parent = path.posix.dirname(p);
    const inParent = (name: string) => (parent === '.' ? name : `${parent}/${name}`);
    if (typeof e === 'string' || Buffer.isBuffer(e)) out.set(p, { name: p, type: 'file', mode: 0o644, data: e });
    else if ('file' in e) out.set(p, { name: p, type: 'file', mode: e.mode ?? 0o644, uid: e.uid, gid: e.gid, data: e.file });
    else if ('dir' in e) out.set(p, { name: p, type: 'dir', mode: e.mode ?? 0o755 });
    else if ('symlink' in e) out.set(p, { name: p, type: 'symlink', mode: 0o777, linkname: e.symlink });
    else if ('hardlink' in e) out.set(p, { name: p, type: 'hardlink', mode: 0o644, linkname: e.hardlink });
    else if ('whiteout' in e) { const n = inParent(`.wh.${base}`); out.set(n, { name: n, type: 'file', mode: 0o644 }); }
    else if ('opaque' in e) {
      if (!out.has(p)) out.set(p, { name: p, type: 'dir', mode: 0o755 });
      const n = `${p}/.wh..wh..opq`;
      out.set(n, { name: n, type: 'file', mode: 0o644 });
    }
  }
  return [...out.values()];
}

function compress(tar: Buffer, c: Compression): Buffer {
  if (c === 'none') return tar;
  if (c === 'gzip') return zlib.gzipSync(tar);
  // the zstd program (scripts/setup-registry.sh): Node 20's zlib has no zstd
  return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
}

/** The layer blob of a file tree, as `layer` and `writeBlob` give it. */
export function makeLayer(spec: LayerSpec): { blob: Buffer; layer: BuiltLayer } {
  const tar = tarBuffer(tarEntries(spec.files));
  const compression = spec.compression ?? 'gzip';
  const blob = compress(tar, compression);
  return { blob, layer: { digest: sha256(blob), size: blob.length, mediaType: MEDIA_OF[compression], diffId: sha256(tar), compression } };
}

function writeBlob(dir: string, b: Buffer): string {
  const digest = sha256(b);
  const f = path.join(dir, 'blobs', 'sha256', digest.slice(7));
  if (!fs.existsSync(f)) fs.writeFileSync(f, b);
  return digest;
}

function buildManifest(dir: string, spec: ImageSpec): BuiltManifest {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = spec.layers.map((l) => {
    const { blob, layer } = makeLayer(l);
    writeBlob(dir, blob);
    return layer;
  });
  const config: OciImageConfig = {
    // a fixed date: the same spec gives the same config digest
    created: '2024-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...spec.config },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `nscope test fixture layer ${i + 1}` })),
  };
  const configBlob = Buffer.from(JSON.stringify(config));
  const configDigest = writeBlob(dir, configBlob);
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configDigest, size: configBlob.length },
    layers: layers.map((l): Descriptor => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const mBlob = Buffer.from(JSON.stringify(manifest));
  return { digest: writeBlob(dir, mBlob), size: mBlob.length, platform, manifest, config, configDigest, layers };
}

/**
 * Writes an OCI image layout to `dir` (created) for one image, or for a
 * multi-platform image when given several specs (an image index, one
 * manifest per platform), tagged `tag`.
 */
export function makeImageLayout(dir: string, spec: ImageSpec | ImageSpec[], tag = 'latest'): ImageLayout {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const specs = Array.isArray(spec) ? spec : [spec];
  const manifests = specs.map((s) => buildManifest(dir, s));
  let top: Descriptor;
  let index: OciIndex | undefined;
  if (Array.isArray(spec)) {
    index = {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: manifests.map((m) => ({ mediaType: MEDIA.manifest, digest: m.digest, size: m.size, platform: m.platform })),
    };
    const b = Buffer.from(JSON.stringify(index));
    top = { mediaType: MEDIA.index, digest: writeBlob(dir, b), size: b.length };
  } else {
    top = { mediaType: MEDIA.manifest, digest: manifests[0].digest, size: manifests[0].size, platform: manifests[0].platform };
  }
  const layoutIndex: OciIndex = { schemaVersion: 2, manifests: [{ ...top, annotations: { [ANNOTATION_REF_NAME]: tag } }] };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(layoutIndex));
  return { dir, tag, ociRef: `oci:${dir}:${tag}`, digest: top.digest, mediaType: top.mediaType, manifests, index };
}

/**
 * The standard fixture: three layers that exercise what a pull must apply
 * in order — a gzip base, a plain-tar layer that changes a file and deletes
 * one (whiteout), a gzip layer with an opaque directory — and, with `zstd`,
 * a fourth layer compressed with zstd.
 */
export function standardImage(opts: { zstd?: boolean; platform?: Platform } = {}): ImageSpec {
  const layers: LayerSpec[] = [
    {
      compression: 'gzip',
      files: {
        'etc/motd': 'layer 1\n',
        'etc/motd.link': { symlink: 'motd' },
        'etc/hostname.orig': 'fixture\n',
        'bin/hello': { file: '#!/bin/sh\necho hello\n', mode: 0o755 },
        'old/gone.txt': 'deleted by layer 2\n',
        'old/kept.txt': 'kept\n',
        'usr/share/doc/a.txt': 'hidden by layer 3\n',
        'var/empty': { dir: true, mode: 0o700 },
      },
    },
    {
      compression: 'none',
      files: {
        'etc/motd': 'layer 2\n',
        'old/gone.txt': { whiteout: true },
        'data/new.txt': 'added by layer 2\n',
        // sorted after its target: a tar's hardlink must come after the file it names
        'data/new.txt.link': { hardlink: 'data/new.txt' },
      },
    },
    {
      compression: 'gzip',
      files: {
        'usr/share/doc': { opaque: true },
        'usr/share/doc/b.txt': 'only this one\n',
      },
    },
  ];
  if (opts.zstd) layers.push({ compression: 'zstd', files: { 'zstd/hello.txt': 'from a zstd layer\n' } });
  return { layers, platform: opts.platform, config: { Cmd: ['/bin/hello'], WorkingDir: '/' } };
}

/** Two platforms, linux/amd64 and linux/arm64, each with an `etc/arch` naming its own (the manifests differ). */
export function twoPlatformImage(): ImageSpec[] {
  return (['amd64', 'arm64'] as const).map((arch) => ({
    platform: { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) },
    layers: [
      { compression: 'gzip' as const, files: { 'etc/arch': `${arch}\n`, 'etc/common': 'both platforms\n' } },
      { compression: 'gzip' as const, files: { [`only-${arch}/marker`]: `${arch} only\n` } },
    ],
    config: { Cmd: ['/bin/sh'] },
  }));
}

/** Programs linked to busybox in the runnable fixture. */
export const BUSYBOX_APPLETS = ['sh', 'echo', 'cat', 'true', 'false', 'ls', 'sleep', 'env'];

/**
 * An image that can actually run: Debian's busybox-static (/bin/busybox,
 * scripts/setup-engines.sh) with a few applet symlinks, one gzip layer, for
 * the host's platform (a static binary: no libraries needed).
 */
export function busyboxImage(): ImageSpec {
  const files: FileTree = { 'bin/busybox': { file: fs.readFileSync('/bin/busybox'), mode: 0o755 } };
  for (const a of BUSYBOX_APPLETS) files[`bin/${a}`] = { symlink: 'busybox' };
  files['tmp'] = { dir: true, mode: 0o1777 };
  return { platform: hostPlatform(), layers: [{ compression: 'gzip', files }], config: { Cmd: ['/bin/sh'] } };
}
