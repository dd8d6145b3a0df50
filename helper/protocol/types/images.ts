// Images: the data their methods (../methods/images.ts) take and return.
export interface ImageSummaryInfo {
  /** "name:tag", or "<none>:<none>" for an image without a name */
  name: string;
  /** the config digest ("sha256:…"): the image ID */
  id: string;
  /** the manifest digest */
  digest: string;
  created?: string;
  /** sum of the unpacked layer sizes */
  size: number;
  layers: number;
  /** the registry it was pulled from (absent for imported, host and committed images) */
  origin?: import('./registry').ImageOrigin;
}

export interface ImageLayerInfo {
  digest: string;
  diffId: string;
  mediaType?: string;
  size: number;
  unpackedSize?: number;
  createdBy?: string;
  /** the history entry's comment: `nscope build` writes the Containerfile and line that made the layer ("Containerfile:12") */
  comment?: string;
  /** the unpacked layer's directory on the helper's host: an overlay lowerdir of the image's containers */
  dir?: string;
}

export interface ImageDetailInfo extends Omit<ImageSummaryInfo, 'layers'> {
  config: unknown;
  manifest: unknown;
  layers: ImageLayerInfo[];
}

/** The last line of an `image-import` stream: the images it added, or why none. */
export type ImportDone = { ok: true; images: ImageSummaryInfo[] } | { error: string; kind?: string };
