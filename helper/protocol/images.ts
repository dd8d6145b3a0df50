// Images: the methods' params and results.
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
}

export interface ImageLayerInfo {
  digest: string;
  diffId: string;
  mediaType?: string;
  size: number;
  unpackedSize?: number;
  createdBy?: string;
  /** the unpacked layer's directory on the helper's host: an overlay lowerdir of the image's containers */
  dir?: string;
}

export interface ImageDetailInfo extends Omit<ImageSummaryInfo, 'layers'> {
  config: unknown;
  manifest: unknown;
  layers: ImageLayerInfo[];
}

export interface ImageMethods {
  'image.list': { params: Record<string, never>; result: ImageSummaryInfo[] };
  'image.inspect': { params: { ref: string }; result: ImageDetailInfo };
  /** `file` is a path on the helper's host that the caller itself can read. */
  'image.import': { params: { file: string; name?: string }; result: ImageSummaryInfo[] };
  'image.host': { params: { name: string; programs?: string[] }; result: ImageSummaryInfo };
  'image.remove': { params: { ref: string; force?: boolean }; result: { ref: string } };
}
