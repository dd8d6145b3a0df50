// Layers of an image (sizes, each layer's own changes, the merged tree up to
// a layer: dive's two views), and commit. Export is a byte stream: see
// streams.ts, kind "export".

/** What an entry is; a whiteout shows as the deletion (`D`) of what it hides. */
export type LayerFileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';

/** One entry of the image config's history, in order; `layer` is the index of the layer it made, if any. */
export interface LayerHistoryInfo {
  created?: string;
  createdBy?: string;
  author?: string;
  comment?: string;
  emptyLayer: boolean;
  layer?: number;
}

export interface LayerSizeInfo {
  /** 0 = the bottom layer */
  index: number;
  /** the layer blob's digest (as in the manifest) */
  digest: string;
  /** sha256 of the uncompressed tar */
  diffId: string;
  mediaType: string;
  /** bytes of the blob (compressed or not) */
  blobSize: number;
  /** from the config history, empty_layer entries skipped */
  createdBy?: string;
  created?: string;
  comment?: string;
  /** bytes of file content in this layer (hardlinked files counted once) */
  size: number;
  /** bytes of file content an image cut at this layer shows (the layers below it and it, merged) */
  cumulativeSize: number;
  /** bytes of lower layers' files this layer replaces or deletes (no longer visible above it) */
  hiddenSize: number;
  /** this layer's own changes against the layers below it */
  added: number;
  changed: number;
  deleted: number;
  /** entries in the layer directory (whiteouts included) */
  entries: number;
}

export interface ImageLayersResult {
  name: string;
  id: string;
  digest: string;
  /** = cumulativeSize of the top layer */
  size: number;
  layers: LayerSizeInfo[];
  history: LayerHistoryInfo[];
}

export type LayerChangeKind = 'A' | 'C' | 'D';

export interface LayerChangeInfo {
  /** "/etc/passwd" */
  path: string;
  kind: LayerChangeKind;
  /** for A/C what the layer has; for D what was deleted (absent if the whiteout hid nothing) */
  type?: LayerFileType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
  /** a directory that hides all of its lower content (its deletions follow as D lines) */
  opaque?: boolean;
  /** bytes of lower files that this change makes invisible */
  hides: number;
}

/** `layer`: the index (0 = bottom; negative counts from the top, -1 = top) or the layer's digest / diff_id (or a unique hex prefix of one). */
export type LayerRef = number | string;

/** Pages: `limit` defaults to 1000 and is at most 10000; `next` is the offset of the next page, absent on the last. */
export interface Page { offset?: number; limit?: number }

export interface LayerChangesResult {
  layer: number;
  digest: string;
  total: number;
  offset: number;
  changes: LayerChangeInfo[];
  next?: number;
}

export interface LayerTreeEntry {
  name: string;
  /** "/usr/bin" */
  path: string;
  type: LayerFileType;
  /** a file's size; for a directory the bytes of every file below it (hardlinks counted per path) */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** seconds since the epoch */
  mtime: number;
  linkTarget?: string;
  /** index of the layer this entry comes from (its topmost version) */
  layer: number;
  /** set when the entry comes from the layer asked for: added or changed by it */
  change?: 'A' | 'C';
  /** directories: how many entries it holds */
  children?: number;
}

export interface LayerTreeResult {
  layer: number;
  /** the directory listed, "/" for the root */
  path: string;
  total: number;
  offset: number;
  entries: LayerTreeEntry[];
  next?: number;
}

export interface CommitParams {
  /** container id, prefix or name */
  id: string;
  /** the new image's name[:tag] */
  name: string;
  /** the history entry's comment (`-m`) */
  message?: string;
  author?: string;
  /** the history entry's created_by (default: the container's command); `nscope build` gives the instruction */
  createdBy?: string;
  /** Dockerfile instructions applied to the config: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, VOLUME, STOPSIGNAL */
  changes?: string[];
  /** freeze a running container's processes while its rw layer is read (default true, like docker commit) */
  pause?: boolean;
  /** container paths (absolute, at most 64) left out of the layer with what is below them: a build's RUN --mount points */
  exclude?: string[];
}

export interface CommitResult {
  /** the new image's ID (config digest) */
  id: string;
  name: string;
  /** the manifest digest */
  digest: string;
  layer: { digest: string; diffId: string; size: number; entries: number };
  /** whether the container's processes were frozen while its rw layer was read */
  paused: boolean;
  /** what was left out of the layer, and why */
  warnings: string[];
}
