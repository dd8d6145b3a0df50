// `nscope cp`: copies into and out of containers, as tar streams (stream
// kinds `cp-out` and `cp-in`, ./streams.ts).

/** What a copy's source is, as the container sees it (docker's X-Docker-Container-Path-Stat). */
export interface CopyStat {
  /** the base name of the path asked for */
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtime: string;
  linkTarget?: string;
}

/** The last line of a `cp-in` stream: the archive is in place, or why not. */
export type CopyInDone = { ok: true } | { error: string; kind?: string };
