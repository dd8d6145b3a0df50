// Diffs and files: a container's changes against its image (`docker diff`),
// and reading files and directories as the image, the container or one layer
// has them (what the VS Code diff editor and file views show).

/** Docker's letters: A added, C changed, D deleted. */
export type ChangeKind = 'A' | 'C' | 'D';

export type FileKind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** A file's metadata on one side of a change. */
export interface FileMeta {
  type: FileKind;
  size: number;
  /** permission bits, setuid/setgid/sticky included (st_mode & 0o7777) */
  mode: number;
  uid: number;
  gid: number;
}

export interface DiffChange {
  /** absolute path in the container, e.g. "/etc/passwd" */
  path: string;
  kind: ChangeKind;
  /** the type of the file now (A, C) or in the image (D) */
  type: FileKind;
  /**
   * C only. 'content': the bytes, link target, device number or file type
   * differ (for a directory: entries below it were added, changed or deleted,
   * or it was replaced, i.e. made opaque); 'metadata': the content is the
   * image's, only mode, owner, times or xattrs changed.
   */
  change?: 'content' | 'metadata';
  /** with `details`: the container's version (A and C) */
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  /** with `details`: the image's version (C and D) */
  image?: FileMeta;
}

export interface DiffResult {
  id: string;
  /** sorted by path, component by component (a directory right before what is below it) */
  changes: DiffChange[];
}

/**
 * Where to read files from: a container or an image, and which view of it.
 * - view 'container' (the default for a container): what the container sees
 *   now, its rw layer over its init layer over its image's layers;
 * - view 'image' (the default for an image): the image's layers merged; with
 *   `layer`, merged up to and including that layer (dive's cumulative tree);
 * - view 'layer': the one layer `layer` alone, its whiteouts shown as such.
 * `layer`: an index (0 = the bottom layer), a layer digest or diff_id (or a
 * unique hex prefix of at least 12 digits), or for a container 'init' / 'rw'.
 */
export interface FileSource {
  container?: string;
  image?: string;
  view?: 'container' | 'image' | 'layer';
  layer?: number | string;
}

/** The layer an entry comes from (its topmost layer in a merged view). */
export interface FileLayer {
  /** an image layer's index (0 = bottom), a container's own 'init' / 'rw' layer, or 'mount': a volume, bind or tmpfs of a running container, read in its mount namespace */
  layer: number | 'init' | 'rw' | 'mount';
  diffId?: string;
  /** the layer's (compressed) blob digest, when the image is in the store */
  digest?: string;
}

export interface FileInfo extends Omit<FileMeta, 'type'> {
  name: string;
  /** absolute path in the view, symlinks on the way resolved */
  path: string;
  /** 'whiteout' only in a single layer's view: a deletion of what lower layers have */
  type: FileKind | 'whiteout';
  /** ISO 8601, nanoseconds dropped */
  mtime: string;
  /** a symlink's target */
  target?: string;
  /** char and block devices */
  rdev?: { major: number; minor: number };
  /** a directory marked opaque in a single layer's view (it hides lower layers' entries) */
  opaque?: boolean;
  from: FileLayer;
}

export interface FileReadResult {
  /** the file read, symlinks resolved */
  info: FileInfo;
  offset: number;
  /** base64 */
  data: string;
  /** the bytes in `data` */
  length: number;
  /** the file's total size */
  size: number;
  eof: boolean;
}

/** A read returns at most this many bytes; read on from offset + length for more. */
export const MAX_READ = 8 * 1024 * 1024;
