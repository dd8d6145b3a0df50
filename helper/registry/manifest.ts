// What a registry's manifest documents may be (Docker v2 schema 2, Docker
// manifest list, OCI manifest, OCI index), checked before anything is
// fetched for them, and the choice of one platform's manifest from an index.
import { invalid, notFound } from '../errors';
import { DIGEST_RE, MEDIA, hostPlatform, isIndexMedia, isManifestMedia, type Descriptor, type OciIndex, type OciManifest, type Platform } from '../images/oci';

export const ACCEPT = [MEDIA.manifest, MEDIA.index, MEDIA.dockerManifest, MEDIA.dockerManifestList];

// Foreign (non-distributable) layers carry the same tars. Docker fetches them from the
// registry when it has the blob (mirrors and `skopeo copy` put it there), and only
// otherwise from the descriptor's URLs; nscope takes them from the registry alone.
export const FOREIGN = new Set<string>([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);
const LAYERS = new Set<string>([MEDIA.layerTar, MEDIA.layerGzip, MEDIA.layerZstd, MEDIA.dockerLayerGzip, MEDIA.dockerLayerTar, ...FOREIGN]);
const CONFIGS = new Set<string>([MEDIA.config, MEDIA.dockerConfig]);
/** more layers than overlayfs can stack is not an image anyone can run (a pull's or an archive's: checkLayerCount) */
const MAX_LAYERS = 500;

/** An image of `n` layers refused past MAX_LAYERS, `label` naming where it came from (a pull's manifest, an archive's entry). */
export function checkLayerCount(n: number, label: string): void {
  if (n > MAX_LAYERS) throw invalid(`${label}: ${n} layers is more than the ${MAX_LAYERS} overlayfs can stack`);
}

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
  checkLayerCount(doc.layers.length, label);
  for (const l of doc.layers as Descriptor[]) {
    if (!LAYERS.has(l.mediaType)) throw invalid(`${label}: layer ${l.digest.slice(0, 19)}… has unsupported media type "${l.mediaType.slice(0, 100)}"`);
  }
  return { kind: 'manifest', manifest: doc as OciManifest, mediaType: isManifestMedia(mediaType) ? mediaType : MEDIA.manifest };
}

// what containerd's platforms.Parse takes as one word: an OS (the host's architecture) or an architecture (linux)
const KNOWN_OS = new Set(['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix', 'android', 'ios', 'js', 'wasip1', 'dragonfly', 'plan9']);
const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' }, 'x86-64': { architecture: 'amd64' }, i386: { architecture: '386' }, i686: { architecture: '386' },
  aarch64: { architecture: 'arm64' }, armhf: { architecture: 'arm', variant: 'v7' }, armel: { architecture: 'arm', variant: 'v6' },
};
const KNOWN_ARCH = new Set(['amd64', '386', 'arm', 'arm64', 'ppc64', 'ppc64le', 's390x', 'riscv64', 'mips', 'mipsle', 'mips64', 'mips64le', 'loong64', 'wasm', ...Object.keys(ARCH_ALIASES)]);

/**
 * "linux/arm64/v8" -> platform; undefined -> this host's. As Docker's
 * `os[/arch[/variant]]`: one word is an OS (on this host's architecture) or
 * an architecture (of linux); case and the usual aliases (x86_64, aarch64,
 * armhf) are normalized.
 */
export function parsePlatform(s: string | undefined): Platform {
  if (s === undefined || s === '') return hostPlatform();
  const bad = () => invalid(`--platform "${String(s).slice(0, 60)}": expected os[/arch[/variant]], e.g. linux/amd64 or linux/arm64/v8`);
  if (typeof s !== 'string' || s.length > 100) throw bad();
  const parts = s.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]{1,32}$/.test(p))) throw bad();
  let os: string, arch: string, variant: string | undefined;
  if (parts.length === 1) {
    if (KNOWN_OS.has(parts[0])) { os = parts[0]; arch = hostPlatform().architecture; }
    else if (KNOWN_ARCH.has(parts[0])) { os = 'linux'; arch = parts[0]; }
    else throw invalid(`--platform "${s.slice(0, 60)}": unknown operating system or architecture; expected os[/arch[/variant]], e.g. linux/amd64`);
  } else [os, arch, variant] = parts;
  const alias = ARCH_ALIASES[arch];
  if (alias) { arch = alias.architecture; variant ??= alias.variant; }
  // arm64's only variant is v8 ("8" spelled either way); arm's are v5..v8
  if (variant !== undefined && /^[5-8]$/.test(variant) && (arch === 'arm' || arch === 'arm64')) variant = `v${variant}`;
  return { os, architecture: arch, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

// the variant a platform has when none is written (as containerd's matcher normalizes them)
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

/**
 * Whether an image of platform `have` (its config's os, architecture,
 * variant) is what `want` asks for: same OS and architecture, and the same
 * variant when `want` names one (arm64 is arm64/v8, arm is arm/v7). An image
 * that does not say its architecture matches any.
 */
export function platformMatches(want: Platform, have: Partial<Platform>): boolean {
  const variantOf = (p: Partial<Platform>) => p.variant ?? (p.architecture ? DEFAULT_VARIANT[p.architecture] : undefined);
  if ((have.os || 'linux') !== want.os) return false;
  if (!have.architecture) return true;
  if (have.architecture !== want.architecture) return false;
  return want.variant === undefined || variantOf(have) === variantOf(want);
}

/** The platform an image config says it is for ("linux" when it says no OS). */
export function configPlatform(config: unknown): Partial<Platform> {
  const c = (config && typeof config === 'object' ? config : {}) as { os?: unknown; architecture?: unknown; variant?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 64) : undefined);
  const os = str(c.os), architecture = str(c.architecture), variant = str(c.variant);
  return { os: os ?? 'linux', ...(architecture ? { architecture } : {}), ...(variant ? { variant } : {}) };
}

/** "linux/amd64", or "linux" for a config without an architecture. */
export function formatPartialPlatform(p: Partial<Platform>): string {
  return p.architecture ? formatPlatform({ os: p.os ?? 'linux', architecture: p.architecture, variant: p.variant }) : (p.os ?? 'linux');
}

/**
 * Docker's refusal of an image whose platform is not the one asked for
 * (nscope's images are single-platform: the image's own platform is the only
 * variant it has). `wanted` are the `--platform` values, checked; none: no check.
 */
export function requirePlatform(ref: string, config: unknown, wanted: string | string[] | undefined): void {
  const list = (wanted === undefined ? [] : Array.isArray(wanted) ? wanted : [wanted]).filter((w) => w !== '');
  if (!list.length) return;
  const want = list.map((w) => parsePlatform(w));
  const have = configPlatform(config);
  if (want.some((w) => platformMatches(w, have))) return;
  throw notFound(`image with reference ${ref} was found but does not match the specified platform: wanted ${want.map(formatPlatform).join(', ')}, actual: ${formatPartialPlatform(have)}`);
}

/** Of an index's descriptors, the one for `want`: exact variant first, then one without a variant (or any, when `want` names none). */
export function pickPlatform(descs: Descriptor[], want: Platform): Descriptor | undefined {
  const variantOf = (p: Platform) => p.variant ?? DEFAULT_VARIANT[p.architecture];
  const candidates = descs.filter((d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture);
  const exact = candidates.find((d) => variantOf(d.platform!) === variantOf(want));
  const loose = want.variant === undefined ? candidates[0] : candidates.find((d) => !d.platform!.variant);
  return exact ?? loose;
}

/** The manifest of an index for `want`: exact variant first, then one without a variant. */
export function choosePlatform(index: OciIndex, want: Platform, label: string): Descriptor {
  const hit = pickPlatform(index.manifests.filter((d) => isManifestMedia(d.mediaType)), want);
  if (!hit) {
    const have = index.manifests.filter((d) => d.platform).map((d) => formatPlatform(d.platform!)).join(', ') || 'none';
    throw notFound(`${label}: no manifest for ${formatPlatform(want)} in the index (it has: ${have.slice(0, 300)})`);
  }
  return hit;
}

/** A caller's `platform` param: absent, or a string parsePlatform takes (checked at once: a bad one is refused before any work). */
export function platformParam(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`${what}: platform must be a string`);
  if (v !== '') parsePlatform(v);
  return v;
}

/** platforms one request may name (`rmi --platform A --platform B`) */
export const MAX_PLATFORMS = 16;

/** A caller's `platforms` param: absent, or a short list of platform strings. */
export function platformsParam(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > MAX_PLATFORMS) throw invalid(`${what}: platforms must be a list of at most ${MAX_PLATFORMS} strings`);
  return v.map((x) => {
    if (typeof x !== 'string') throw invalid(`${what}: platforms must be a list of strings`);
    return platformParam(x, what)!;
  });
}
