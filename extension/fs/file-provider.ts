// The FileSystemProvider of `nscope-image:` and `nscope-container:` URIs
// (file-uri.ts): the diff editor's two sides of a change, a layer's files,
// and a container's own files, which are writable: a save, a new file or
// folder, a delete or a rename is done by the helper's files worker inside
// the container's root (helper/files/worker.ts: atomically, owner and mode
// kept, never through a symlink out of the container), running or stopped,
// as the container's root or the user chosen for it (fs/write-as.ts).
// Images and single layers stay read-only. Files are read in MAX_READ (8 MiB)
// chunks; a file larger than MAX_OPEN is refused with a readable message
// rather than held in memory. Binary content is left to VS Code, which shows
// its own "binary file" notice. The URI's authority names the host whose
// helper does it (file-uri.ts).
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { MAX_READ, type CopyInDone, type FileInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { HelperError, openStream } from '../../helper/protocol/client';
import { formatBytes, oneLine } from '../format';
import { CONTAINER_SCHEME, IMAGE_SCHEME, parseFileUri, shownPath } from './file-uri';
import type { WriteAs } from './write-as';

/** The largest file opened in an editor. */
export const MAX_OPEN = 64 * 1024 * 1024;

function fileType(i: FileInfo): vscode.FileType {
  if (i.type === 'dir') return vscode.FileType.Directory;
  if (i.type === 'file') return vscode.FileType.File;
  if (i.type === 'symlink') return vscode.FileType.SymbolicLink;
  return vscode.FileType.Unknown;
}

function toStat(i: FileInfo, writable: boolean): vscode.FileStat {
  const t = Date.parse(i.mtime) || 0;
  return { type: fileType(i), ctime: t, mtime: t, size: i.size, permissions: writable ? undefined : vscode.FilePermission.Readonly };
}

/**
 * Whether the container cannot write `info` as it runs: a file on one of its read-only mounts (the
 * deepest mount holding it decides), or, in a running `--read-only` container, one of its root.
 */
async function readOnlyInContainer(conn: Connection, container: string, info: FileInfo): Promise<boolean> {
  const d = await conn.request('container.inspect', { id: container });
  if (info.from.layer !== 'mount') return d.status === 'running' && (d.spec as { root?: { readonly?: boolean } } | undefined)?.root?.readonly === true;
  const holding = (d.mounts ?? []).filter((m) => info.path === m.destination || info.path.startsWith(m.destination.endsWith('/') ? m.destination : `${m.destination}/`));
  holding.sort((a, b) => b.destination.length - a.destination.length);
  return holding[0]?.readOnly ?? false;
}

/** The container a writable URI names (a container's own files, not one of its layers), or a NoPermissions error. */
function writableContainer(uri: vscode.Uri): { container: string; path: string } {
  const ref = parseFileUri(uri);
  const src = ref.source as { container?: string; view?: string };
  if (uri.scheme !== CONTAINER_SCHEME || !src.container || src.view !== 'container' || ref.empty) {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: images and single layers are read-only`);
  }
  return { container: src.container, path: ref.path };
}

/**
 * Helper errors as FileSystemErrors: "not found" ones as FileNotFound, "exists" as FileExists (an editor acts on those).
 * The file is named as a user knows it (`0123456789ab:/data/x`), not by the URI's path with its 64-digit container ID.
 */
function fsError(e: unknown, uri: vscode.Uri, kind?: string): Error {
  const msg = oneLine(e);
  let where = uri.path;
  try { where = shownPath(uri); } catch { /* not one of ours: its path */ }
  const k = kind ?? (e instanceof HelperError ? e.kind : undefined);
  if (k === 'not_found' || /no such file|ENOENT/i.test(msg)) return vscode.FileSystemError.FileNotFound(uri);
  if (k === 'conflict' && / exists$/.test(msg)) return vscode.FileSystemError.FileExists(uri);
  if (k === 'invalid' || k === 'forbidden' || /read-only|permission denied/i.test(msg)) return vscode.FileSystemError.NoPermissions(`${where}: ${msg}`);
  return vscode.FileSystemError.Unavailable(`${where}: ${msg}`);
}

export class FileProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  private readonly subscription: vscode.Disposable;

  constructor(private readonly hosts: HostConnections, private readonly writeAs?: WriteAs) {
    // an open container file follows the container's writes: the helper says which container changed
    this.subscription = hosts.onEvent(({ conn, event: e }) => {
      if (e.type === 'container.changed') this.containerChanged(conn, e.id, e.name ?? '');
    });
  }

  private containerChanged(conn: Connection, id: string, name: string): void {
    const changed: vscode.FileChangeEvent[] = [];
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== CONTAINER_SCHEME || this.hosts.byName(doc.uri.authority) !== conn) continue;
      let owner: string | undefined;
      try { owner = (parseFileUri(doc.uri).source as { container?: string }).container; } catch { continue; }
      if (owner && (owner === id || owner === name || (owner.length >= 12 && id.startsWith(owner)))) changed.push({ type: vscode.FileChangeType.Changed, uri: doc.uri });
    }
    if (changed.length) this.emitter.fire(changed);
  }

  static register(p: FileProvider): vscode.Disposable {
    return vscode.Disposable.from(p,
      vscode.workspace.registerFileSystemProvider(IMAGE_SCHEME, p, { isReadonly: true, isCaseSensitive: true }),
      vscode.workspace.registerFileSystemProvider(CONTAINER_SCHEME, p, { isCaseSensitive: true }));
  }

  watch(): vscode.Disposable { return new vscode.Disposable(() => undefined); }

  /** A change to `uri`'s container: the helper that makes it and who it is made as (undefined: the container's root). */
  private async writer(uri: vscode.Uri): Promise<{ conn: Connection; container: string; path: string; user?: string }> {
    const { container, path } = writableContainer(uri);
    try {
      const conn = this.hosts.forUri(uri);
      return { conn, container, path, user: await this.writeAs?.userFor(conn, uri.authority, container) };
    } catch (e) { throw fsError(e, uri); }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const ref = parseFileUri(uri);
    if (ref.empty) return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    const src = ref.source as { view?: string; container?: string };
    const writable = uri.scheme === CONTAINER_SCHEME && src.view === 'container';
    try {
      const conn = this.hosts.forUri(uri);
      const info = await conn.request('file.stat', { ...ref.source, path: ref.path });
      // a file the container cannot write (a read-only volume or bind, a --read-only root) opens read-only
      // (the editor's lock), as VS Code shows any file it cannot write, rather than failing at the save
      const ro = writable && !!src.container && await readOnlyInContainer(conn, src.container, info);
      return toStat(info, writable && !ro);
    } catch (e) { throw fsError(e, uri); }
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const ref = parseFileUri(uri);
    if (ref.empty) return [];
    try {
      const r = await this.hosts.forUri(uri).request('file.list', { ...ref.source, path: ref.path });
      return r.entries.map((e) => [e.name, fileType(e)]);
    } catch (e) { throw fsError(e, uri); }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const ref = parseFileUri(uri);
    if (ref.empty) return new Uint8Array(0);
    const src = { ...ref.source, path: ref.path };
    let conn: Connection;
    try { conn = this.hosts.forUri(uri); } catch (e) { throw fsError(e, uri); }
    let first;
    try { first = await conn.request('file.read', { ...src, offset: 0, length: MAX_READ }); } catch (e) { throw fsError(e, uri); }
    if (first.size > MAX_OPEN) {
      // bytes too: just over the limit rounds to the limit ("64 MiB")
      const msg = `${ref.path}: ${first.size} bytes (${formatBytes(first.size)}) is over the ${MAX_OPEN} bytes (${formatBytes(MAX_OPEN)}) nscope opens in an editor; Download… copies it to the host`;
      // VS Code's editor shows a provider's error as "could not be opened due to an unexpected error" only: say why
      void vscode.window.showErrorMessage(msg);
      throw vscode.FileSystemError.Unavailable(msg);
    }
    const chunks: Buffer[] = [Buffer.from(first.data, 'base64')];
    let offset = first.length;
    let eof = first.eof;
    while (!eof && offset < first.size) {
      let r;
      try { r = await conn.request('file.read', { ...src, offset, length: MAX_READ }); } catch (e) { throw fsError(e, uri); }
      if (!r.length) break;
      chunks.push(Buffer.from(r.data, 'base64'));
      offset += r.length;
      eof = r.eof;
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  /** `mode`: a new file's permission bits (an upload keeps the host file's); an existing file keeps its own. */
  async writeFile(uri: vscode.Uri, content: Uint8Array, opts: { create: boolean; overwrite: boolean }, mode?: number): Promise<void> {
    await this.writeFrom(uri, [Buffer.from(content.buffer, content.byteOffset, content.byteLength)], content.byteLength, opts, mode);
  }

  /**
   * An upload of a host file: its bytes streamed from disk with the socket's
   * backpressure, never held whole in memory (a multi-GiB file is as fine as
   * a small one; the helper writes it to a temp file and renames it in place).
   */
  async uploadFile(uri: vscode.Uri, local: string, mode?: number): Promise<void> {
    const fd = fs.openSync(local, 'r');
    const input = fs.createReadStream('', { fd, highWaterMark: 1 << 20 });
    try { await this.writeFrom(uri, input, fs.fstatSync(fd).size, { create: true, overwrite: true }, mode); } finally { input.destroy(); }
  }

  /** `size`: what `body` holds; the helper replaces the file only when exactly that much came. */
  private async writeFrom(uri: vscode.Uri, body: Iterable<Buffer> | AsyncIterable<Buffer>, size: number, opts: { create: boolean; overwrite: boolean }, mode?: number): Promise<void> {
    const { conn, container, path, user } = await this.writer(uri);
    let sock: net.Socket;
    try {
      sock = await openStream(conn.socketPath, { kind: 'file-write', id: container, path, create: opts.create, overwrite: opts.overwrite, mode, size, user });
    } catch (e) { throw fsError(e, uri); }
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => { text += d; });
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
      sock.resume();
      void (async () => {
        for await (const b of body) {
          if (sock.destroyed) return;
          if (!sock.write(b)) await new Promise<void>((r) => { sock.once('drain', r); sock.once('close', r); });
        }
        sock.end();
      })().catch((e: unknown) => { sock.destroy(); reject(e); });
    }).catch((e) => { throw fsError(e, uri); });
    let done: CopyInDone;
    try { done = JSON.parse(reply.trim().split('\n').pop() ?? '') as CopyInDone; } catch { throw vscode.FileSystemError.Unavailable(`${uri.path}: the helper closed the write without an answer`); }
    if ('error' in done) throw fsError(new Error(done.error), uri, done.kind);
    this.emitter.fire([{ type: opts.create ? vscode.FileChangeType.Created : vscode.FileChangeType.Changed, uri }]);
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    const { conn, container, path, user } = await this.writer(uri);
    try { await conn.request('file.mkdir', { container, path, user }); } catch (e) { throw fsError(e, uri); }
    this.emitter.fire([{ type: vscode.FileChangeType.Created, uri }]);
  }

  async delete(uri: vscode.Uri, opts: { recursive: boolean }): Promise<void> {
    const { conn, container, path, user } = await this.writer(uri);
    try { await conn.request('file.delete', { container, path, recursive: opts.recursive, user }); } catch (e) { throw fsError(e, uri); }
    this.emitter.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
  }

  async rename(from: vscode.Uri, to: vscode.Uri, opts: { overwrite: boolean }): Promise<void> {
    const b = writableContainer(to);
    if (writableContainer(from).container !== b.container || from.authority !== to.authority) throw vscode.FileSystemError.NoPermissions('a rename stays within one container');
    const a = await this.writer(from);
    try { await a.conn.request('file.rename', { container: a.container, path: a.path, to: b.path, overwrite: opts.overwrite, user: a.user }); } catch (e) { throw fsError(e, from); }
    this.emitter.fire([{ type: vscode.FileChangeType.Deleted, uri: from }, { type: vscode.FileChangeType.Created, uri: to }]);
  }

  dispose(): void { this.subscription.dispose(); this.emitter.dispose(); }
}
