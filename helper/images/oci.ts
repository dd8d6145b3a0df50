// The OCI image-spec shapes the store reads and writes (image layout,
// index, manifest, config), plus the Docker media types we accept on import.
// Only the fields nscope uses are typed; the rest is kept as-is in the blobs.

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';

export const isIndexMedia = (m: string | undefined) => m === MEDIA.index || m === MEDIA.dockerManifestList;
export const isManifestMedia = (m: string | undefined) => m === MEDIA.manifest || m === MEDIA.dockerManifest;
export const isLayerMedia = (m: string) =>
  m === MEDIA.layerTar || m === MEDIA.layerGzip || m === MEDIA.layerZstd || m === MEDIA.dockerLayerGzip || m === MEDIA.dockerLayerTar
  // "nondistributable" variants carry the same tar; their blobs must still be in the archive
  || m === 'application/vnd.oci.image.layer.nondistributable.v1.tar'
  || m === 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'
  || m === 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd'
  || m === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

export interface Platform { architecture: string; os: string; variant?: string }

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime part of an image config (the `config` member), Docker-compatible field names. */
export interface OciContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  // Docker writes null for "unset"; the store's resolve() drops nulls so readers only see absent fields
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  /** ONBUILD's triggers, as written: run by a build FROM this image (Docker's field) */
  OnBuild?: string[];
  [other: string]: unknown;
}

export interface OciHistory {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface OciImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: OciContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: OciHistory[];
  [other: string]: unknown;
}

/** Node's process.arch -> the GOARCH names images use. */
export function hostPlatform(): Platform {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips64el: 'mips64le', loong64: 'loong64' };
  return { architecture: map[process.arch] ?? process.arch, os: 'linux' };
}

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
