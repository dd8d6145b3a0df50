// What a registry's manifest documents may be (Docker v2 schema 2, Docker
// manifest list, OCI manifest, OCI index), checked before anything is
// fetched for them, and the choice of one platform's manifest from an index.
import { invalid, notFound } from '../errors';
import { DIGEST_RE, MEDIA, hostPlatform, isIndexMedia, isManifestMedia, type Descriptor, type OciIndex, type OciManifest, type Platform } from '../images/oci';

export const ACCEPT = [MEDIA.manifest, MEDIA.index, MEDIA.dockerManifest, MEDIA.dockerManifestList];

const FOREIGN = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);
const LAYERS = new Set<string>([MEDIA.layerTar, MEDIA.layerGzip, MEDIA.layerZstd, MEDIA.dockerLayerGzip, MEDIA.dockerLayerTar]);
const CONFIGS = new Set<string>([MEDIA.config, MEDIA.dockerConfig]);
/** more layers than overlayfs can stack is not an image anyone can run */
const MAX_LAYERS = 500;

export type Parsed =
  | { kind: 'index'; index: OciIndex; mediaType: string }
  | { kind: 'manifest'; manifest: OciManifest; mediaType: string };

function descriptorOk(d: unknown): d is Descriptor {
  const x = d as Descriptor;
  return !!x && typeof x === 'object' && typeof x.mediaType === 'string' && typeof x.digest === 'string' && DIGEST_RE.test(x.digest)
    && Number.isSafeInteger(x.size) && x.size >= 0;
}

/** Parses and checks a manifest document; `label` names it in errors. */
export function parseManifest(bytes: Buffer, headerType: string, label: string): Parsed {
  let doc: { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; config?: unknown; layers?: unknown };
  try { doc = JSON.parse(bytes.toString('utf8')); } catch { throw invalid(`${label}: the manifest is not JSON`); }
  if (!doc || typeof doc !== 'object') throw invalid(`${label}: the manifest is not an object`);
  if (doc.schemaVersion === 1) throw invalid(`${label}: Docker image manifest schema 1 is deprecated and not supported; push the image again with a current client`);
  if (doc.schemaVersion !== 2) throw invalid(`${label}: unknown manifest schemaVersion ${JSON.stringify(doc.schemaVersion)}`);
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : headerType;
  if (isIndexMedia(mediaType) || (!isManifestMedia(mediaType) && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests) || !doc.manifests.every(descriptorOk)) throw invalid(`${label}: the index's manifests are not valid descriptors`);
    return { kind: 'index', index: doc as OciIndex, mediaType: isIndexMedia(mediaType) ? mediaType : MEDIA.index };
  }
  if (!isManifestMedia(mediaType) && !(doc.config && doc.layers)) throw invalid(`${label}: unsupported manifest media type "${mediaType.slice(0, 100)}"`);
  if (!descriptorOk(doc.config)) throw invalid(`${label}: the manifest's config is not a valid descriptor`);
  if (!CONFIGS.has(doc.config.mediaType)) {
    throw invalid(`${label}: not a container image (config media type "${doc.config.mediaType.slice(0, 100)}": an artifact, e.g. a Helm chart or a signature)`);
  }
  if (!Array.isArray(doc.layers) || !doc.layers.every(descriptorOk)) throw invalid(`${label}: the manifest's layers are not valid descriptors`);
  if (doc.layers.length > MAX_LAYERS) throw invalid(`${label}: ${doc.layers.length} layers is more than the ${MAX_LAYERS} overlayfs can stack`);
  for (const l of doc.layers as Descriptor[]) {
    if (FOREIGN.has(l.mediaType)) throw invalid(`${label}: layer ${l.digest.slice(0, 19)}… is a foreign (non-distributable) layer (${l.mediaType}); nscope does not fetch layers from outside the registry`);
    if (!LAYERS.has(l.mediaType)) throw invalid(`${label}: layer ${l.digest.slice(0, 19)}… has unsupported media type "${l.mediaType.slice(0, 100)}"`);
  }
  return { kind: 'manifest', manifest: doc as OciManifest, mediaType: isManifestMedia(mediaType) ? mediaType : MEDIA.manifest };
}

/** "linux/arm64/v8" -> platform; undefined -> this host's. */
export function parsePlatform(s: string | undefined): Platform {
  if (s === undefined || s === '') return hostPlatform();
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]{1,32}$/.test(p))) throw invalid(`--platform "${s.slice(0, 60)}": expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  return { os: parts[0], architecture: parts[1], ...(parts[2] ? { variant: parts[2] } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

// the variant a platform has when none is written (as containerd's matcher normalizes them)
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

/** The manifest of an index for `want`: exact variant first, then one without a variant. */
export function choosePlatform(index: OciIndex, want: Platform, label: string): Descriptor {
  const variantOf = (p: Platform) => p.variant ?? DEFAULT_VARIANT[p.architecture];
  const candidates = index.manifests.filter((d) => isManifestMedia(d.mediaType) && d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture);
  const exact = candidates.find((d) => variantOf(d.platform!) === variantOf(want));
  const loose = want.variant === undefined ? candidates[0] : candidates.find((d) => !d.platform!.variant);
  const hit = exact ?? loose;
  if (!hit) {
    const have = index.manifests.filter((d) => d.platform).map((d) => formatPlatform(d.platform!)).join(', ') || 'none';
    throw notFound(`${label}: no manifest for ${formatPlatform(want)} in the index (it has: ${have.slice(0, 300)})`);
  }
  return hit;
}
