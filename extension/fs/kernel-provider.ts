// `nscope-kernel:/proc/4242/status`, `nscope-kernel:/sys/fs/cgroup/…`: a
// kernel source read through the helper's kernel.read (the extension's user
// may not read it, and the helper only reads its allowlist), read-only. The
// URI's path is the kernel path, so the editor tab and breadcrumbs show the
// real file. Kernel files have no meaningful size or mtime (stat says 0 or
// 4096): stat reads the file, and readFile reuses that read for a moment, so
// opening one costs one round trip; every stat after that reads it afresh.
// The authority names the host whose kernel it is (fs/file-uri.ts says how).
import * as vscode from 'vscode';
import { HelperError } from '../../helper/protocol/client';
import type { HostConnections } from '../host-connections';
import { oneLine } from '../format';

export const KERNEL_SCHEME = 'nscope-kernel';
const FRESH_MS = 1000;

/** `host`: the `nscope.hosts` name whose helper reads it (the authority), none for the extension's own. */
export function kernelUri(path: string, host?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: KERNEL_SCHEME, authority: host ?? '', path });
}

function fsError(e: unknown, uri: vscode.Uri): Error {
  if (e instanceof HelperError && e.kind === 'not_found') return vscode.FileSystemError.FileNotFound(uri);
  if (e instanceof HelperError && e.kind === 'forbidden') return vscode.FileSystemError.NoPermissions(oneLine(e));
  return vscode.FileSystemError.Unavailable(oneLine(e));
}

export class KernelProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly recent = new Map<string, { at: number; data: Uint8Array }>();

  constructor(private readonly hosts: HostConnections) {}

  static register(hosts: HostConnections): vscode.Disposable {
    const p = new KernelProvider(hosts);
    return vscode.Disposable.from(p, vscode.workspace.registerFileSystemProvider(KERNEL_SCHEME, p, { isReadonly: true, isCaseSensitive: true }));
  }

  private async read(uri: vscode.Uri): Promise<Uint8Array> {
    try {
      const r = await this.hosts.forUri(uri).request('kernel.read', { path: uri.path });
      const data = new Uint8Array(Buffer.from(r.data, 'base64'));
      this.recent.set(uri.toString(), { at: Date.now(), data });
      return data;
    } catch (e) {
      throw fsError(e, uri);
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const data = await this.read(uri);
    const now = Date.now();
    return { type: vscode.FileType.File, ctime: now, mtime: now, size: data.length, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const hit = this.recent.get(uri.toString());
    this.recent.delete(uri.toString());
    if (hit && Date.now() - hit.at < FRESH_MS) return hit.data;
    return this.read(uri);
  }

  watch(): vscode.Disposable { return new vscode.Disposable(() => undefined); }
  readDirectory(uri: vscode.Uri): never { throw vscode.FileSystemError.FileNotADirectory(uri); }
  // read-only: VS Code does not offer to write (isReadonly), these only satisfy the interface
  createDirectory(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  writeFile(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  delete(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  rename(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }

  dispose(): void { this.emitter.dispose(); this.recent.clear(); }
}
