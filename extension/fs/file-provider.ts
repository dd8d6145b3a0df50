// A read-only FileSystemProvider over the helper's file.stat / file.read /
// file.list, for `nscope-image:` and `nscope-container:` URIs (file-uri.ts):
// the diff editor's two sides of a change and a layer's files. The container
// side is read-only too: writing into a running container's rw layer behind
// its processes' backs is not something an editor tab should do. Files are read in MAX_READ (8 MiB)
// chunks; a file larger than MAX_OPEN is refused with a readable message
// rather than held in memory. Binary content is left to VS Code, which shows
// its own "binary file" notice.
import * as vscode from 'vscode';
import { MAX_READ, type FileInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { HelperError } from '../../helper/protocol/client';
import { formatBytes, oneLine } from '../format';
import { CONTAINER_SCHEME, IMAGE_SCHEME, parseFileUri } from './file-uri';

/** The largest file opened in an editor. */
export const MAX_OPEN = 64 * 1024 * 1024;

function fileType(i: FileInfo): vscode.FileType {
  if (i.type === 'dir') return vscode.FileType.Directory;
  if (i.type === 'file') return vscode.FileType.File;
  if (i.type === 'symlink') return vscode.FileType.SymbolicLink;
  return vscode.FileType.Unknown;
}

function toStat(i: FileInfo): vscode.FileStat {
  const t = Date.parse(i.mtime) || 0;
  return { type: fileType(i), ctime: t, mtime: t, size: i.size, permissions: vscode.FilePermission.Readonly };
}

/** Helper errors as FileSystemErrors: "not found" ones as FileNotFound (an editor shows them as such). */
function fsError(e: unknown, uri: vscode.Uri): Error {
  const msg = oneLine(e);
  if ((e instanceof HelperError && e.kind === 'not_found') || /no such file|ENOENT/i.test(msg)) return vscode.FileSystemError.FileNotFound(uri);
  return vscode.FileSystemError.Unavailable(`${uri.path}: ${msg}`);
}

export class FileProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  private readonly subscription: vscode.Disposable;

  constructor(private readonly conn: Connection) {
    // an open container file follows the container's writes: the helper says which container changed
    this.subscription = conn.onEvent((e) => {
      if (e.type === 'container.changed') this.containerChanged(e.id, e.name ?? '');
    });
  }

  private containerChanged(id: string, name: string): void {
    const changed: vscode.FileChangeEvent[] = [];
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== CONTAINER_SCHEME) continue;
      let owner: string | undefined;
      try { owner = (parseFileUri(doc.uri).source as { container?: string }).container; } catch { continue; }
      if (owner && (owner === id || owner === name || (owner.length >= 12 && id.startsWith(owner)))) changed.push({ type: vscode.FileChangeType.Changed, uri: doc.uri });
    }
    if (changed.length) this.emitter.fire(changed);
  }

  static register(conn: Connection): vscode.Disposable {
    const p = new FileProvider(conn);
    const opts = { isReadonly: true, isCaseSensitive: true };
    return vscode.Disposable.from(p, vscode.workspace.registerFileSystemProvider(IMAGE_SCHEME, p, opts), vscode.workspace.registerFileSystemProvider(CONTAINER_SCHEME, p, opts));
  }

  watch(): vscode.Disposable { return new vscode.Disposable(() => undefined); }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const ref = parseFileUri(uri);
    if (ref.empty) return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    try {
      return toStat(await this.conn.request('file.stat', { ...ref.source, path: ref.path }));
    } catch (e) { throw fsError(e, uri); }
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const ref = parseFileUri(uri);
    if (ref.empty) return [];
    try {
      const r = await this.conn.request('file.list', { ...ref.source, path: ref.path });
      return r.entries.map((e) => [e.name, fileType(e)]);
    } catch (e) { throw fsError(e, uri); }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const ref = parseFileUri(uri);
    if (ref.empty) return new Uint8Array(0);
    const src = { ...ref.source, path: ref.path };
    let first;
    try { first = await this.conn.request('file.read', { ...src, offset: 0, length: MAX_READ }); } catch (e) { throw fsError(e, uri); }
    if (first.size > MAX_OPEN) {
      throw vscode.FileSystemError.Unavailable(`${ref.path} is ${formatBytes(first.size)}; nscope opens files up to ${formatBytes(MAX_OPEN)}`);
    }
    const chunks: Buffer[] = [Buffer.from(first.data, 'base64')];
    let offset = first.length;
    let eof = first.eof;
    while (!eof && offset < first.size) {
      let r;
      try { r = await this.conn.request('file.read', { ...src, offset, length: MAX_READ }); } catch (e) { throw fsError(e, uri); }
      if (!r.length) break;
      chunks.push(Buffer.from(r.data, 'base64'));
      offset += r.length;
      eof = r.eof;
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  // read-only: VS Code does not offer to write (isReadonly), these only satisfy the interface
  createDirectory(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  writeFile(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  delete(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  rename(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }

  dispose(): void { this.subscription.dispose(); this.emitter.dispose(); }
}
