// Byte streams (logs now; exec/attach later) travel on their own connection
// to the same socket, so large output is never JSON-encoded:
//   1. the client connects and sends ONE JSON-RPC request `stream.open`
//      (newline-terminated), with the usual peer-credential check;
//   2. the server answers with ONE JSON-RPC response line;
//   3. on success the connection carries raw bytes from then on, and the
//      server closes it when the stream ends.
// For `logs`, the bytes are the container's json-file log lines
// ({"log","stream","time"} per line), from the start (or the last `tail`
// lines), and with `follow` until the container has exited.
// For `exec`, the result carries the execId. With a tty the bytes are the
// terminal's, both ways. Without, the client sends stdin (half-close = EOF)
// and the server sends frames like Docker's attach: an 8-byte header
// [stream: 1 stdout | 2 stderr, 0, 0, 0, size: uint32 big-endian] + payload.
// The server closes the stream when the process has ended; `exec.wait` then
// gives its exit code; `exec.resize` changes the tty's window size.
import type { ExecOptions } from './exec';
import type { RegistryAuth } from './registry';

// For `attach` (a container created with tty or interactive), the bytes are
// as for exec: raw with a tty, framed without; input goes to its console or
// stdin; the stream ends when the container does.
export type StreamOpenParams =
  /** `live`: only the output from now on (an attached run; --log-driver none too); `details`: the result's `attrs` are the lines' --log-opt attributes */
  | { kind: 'logs'; id: string; follow?: boolean; tail?: number; live?: boolean; details?: boolean }
  | { kind: 'attach'; id: string }
  | ({ kind: 'exec' } & ExecOptions)
  // `export`: the image as an OCI image layout tar; the result's `size` is its length in bytes
  /** `refs`: several images in one archive (`nscope save A B`); `ref` alone: one */
  // `platform` (`save --platform`, os[/arch[/variant]]): every image must be of it (nscope's images have one platform each)
  | { kind: 'export'; ref: string; refs?: string[]; platform?: string }
  // `pull`/`push`: the bytes are TransferLine JSON lines (./registry.ts); closing the connection cancels.
  // `platform` is "os/arch[/variant]" (default: this host's); `dest` a reference to push to (default `ref`).
  // `allTags` (`pull -a`/`push -a`): `ref` (and `dest`) name a repository, no tag or digest; a pull gets
  // every tag the registry lists, a push sends every local tag of it, one after the other.
  // A push's `platform`: the image must be of it (its only variant; nscope pushes no index), else refused.
  | { kind: 'pull'; ref: string; platform?: string; auth?: RegistryAuth; allTags?: boolean }
  | { kind: 'push'; ref: string; dest?: string; auth?: RegistryAuth; allTags?: boolean; platform?: string }
  // `stats`: a StatsLine (./containers.ts) JSON line every `intervalMs` (default 1000) while the
  // container runs; the server ends the stream when it exits, the client by closing.
  | { kind: 'stats'; id: string; intervalMs?: number }
  // `cp-out`: the path as a tar (its top entry named as the path's base name); the result's `stat` says what it is.
  // `cp-in`: the client sends a tar and half-closes; the server answers one CopyInDone JSON line (./files.ts).
  // With `src` (the archive's top entry, a local file or directory), docker cp's rules place it at `path`;
  // without, the archive's entries go into the directory `path`. `archive`: keep the archive's owners.
  /** `rootfs` (export): a running container's root filesystem alone, not its mounts (/proc, volumes) */
  | { kind: 'cp-out'; id: string; path: string; follow?: boolean; rootfs?: boolean }
  // `parents` (without `src`): the directory `path` and its missing parents are made first, as a build's COPY does.
  | { kind: 'cp-in'; id: string; path: string; src?: { name: string; type: 'file' | 'dir' | 'other' }; archive?: boolean; parents?: boolean }
  // `file-write`: the client sends a file's new content and half-closes; it replaces the file at `path` atomically
  // (owner and mode kept; a new one the container root's, 0644), answered as cp-in. `create`/`overwrite` false refuse.
  // `mode`: a new file's permission bits (default 0644; an existing file keeps its own). `size`: the content's
  // length; when given, anything else leaves the file as it was (a client that dies mid-save ends the stream too).
  // `user`: written as that user of the container (./files.ts, writeAsProblem), its permissions checked by the
  // kernel: a new file is that user's; a file of another owner it may write keeps its owner and mode (copied in place).
  | { kind: 'file-write'; id: string; path: string; create?: boolean; overwrite?: boolean; mode?: number; size?: number; user?: string }
  // `image-import`: the client sends an image archive (OCI layout or docker save tar) and half-closes; the server
  // answers one ImportDone JSON line (./images.ts). The bytes travel, not a path: a remote helper cannot read the
  // client's files (`image.import` takes a path on the helper's host).
  // `size`: the archive's length; the helper imports nothing unless exactly that many bytes came.
  // `rootfs`: the bytes are a filesystem tarball made an image of one layer (`nscope import`, Docker's), not an image archive
  // `platform` (`load --platform`; not with `rootfs`, which has its own): as image.import's (../methods/images.ts)
  | { kind: 'image-import'; name?: string; size?: number; platform?: string; rootfs?: { changes?: string[]; message?: string; platform?: string } };

export const FRAME_HEADER = 8;
export const FRAME_STDOUT = 1;
export const FRAME_STDERR = 2;
