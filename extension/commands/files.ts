// Upload… and Download… on the Files nodes (views/files.ts), and files
// dropped on a container's folder in the Containers view: the transfers are
// fs/file-transfer.ts's.
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { download, upload } from '../fs/file-transfer';
import type { FileProvider } from '../fs/file-provider';
import { FileEntryNode, FilesNode } from '../views/files';
import type { Node } from '../views/tree';
import { oneLine } from '../format';

/** The container folder a node stands for, or undefined (a file, an image's files). */
function containerFolder(n: Node | undefined): vscode.Uri | undefined {
  if (n instanceof FilesNode && 'container' in n.owner) return n.resourceUri;
  if (n instanceof FileEntryNode && 'container' in n.owner && n.info.type === 'dir') return n.resourceUri;
  return undefined;
}

async function uploadAll(provider: FileProvider, locals: string[], dir: vscode.Uri): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Copying into ${dir.path}` }, async () => {
    let n = 0;
    for (const l of locals) n += await upload(provider, l, dir);
    vscode.window.setStatusBarMessage(`nscope: ${n} file${n === 1 ? '' : 's'} copied into ${dir.path}`, 5000);
  });
}

/** Drops on the Containers view: files from the Explorer or the desktop onto a container's folder. */
export class FileDrop implements vscode.TreeDragAndDropController<Node> {
  readonly dropMimeTypes = ['text/uri-list', 'files'];
  readonly dragMimeTypes: string[] = [];

  constructor(private readonly provider: FileProvider, private readonly refresh: (n: Node) => void) {}

  async handleDrop(target: Node | undefined, data: vscode.DataTransfer): Promise<void> {
    const dir = containerFolder(target);
    if (!dir) { void vscode.window.showWarningMessage('Drop files on a container\'s Files node or one of its folders.'); return; }
    try {
      const list = await data.get('text/uri-list')?.asString();
      const locals = (list ?? '').split(/\r?\n/).filter((l) => l && !l.startsWith('#')).map((l) => vscode.Uri.parse(l.trim())).filter((u) => u.scheme === 'file').map((u) => u.fsPath);
      if (locals.length) await uploadAll(this.provider, locals, dir);
      else {
        // from the desktop into a browser-hosted VS Code: the files' bytes, no host path
        const files: { name: string; data: () => Thenable<Uint8Array> }[] = [];
        data.forEach((item) => { const f = item.asFile(); if (f) files.push(f); });
        for (const f of files) await this.provider.writeFile(vscode.Uri.joinPath(dir, f.name), await f.data(), { create: true, overwrite: true });
      }
      if (target) this.refresh(target);
    } catch (e) {
      void vscode.window.showErrorMessage(`Copy into the container failed: ${oneLine(e)}`);
    }
  }
}

export function registerFileCommands(hosts: HostConnections, provider: FileProvider, refresh: (n: Node) => void): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('nscope.downloadFile', async (n?: Node) => {
      const uri = n instanceof FilesNode || n instanceof FileEntryNode ? n.resourceUri : undefined;
      if (!uri) { void vscode.window.showInformationMessage('Download… works on an entry of a Files node in the Containers or Images view.'); return; }
      const dest = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Download Here', title: `Download ${uri.path} to…` });
      if (!dest?.[0]) return;
      try {
        const where = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${uri.path}` }, () => download(hosts.forUri(uri), uri, dest[0].fsPath));
        void vscode.window.showInformationMessage(`Downloaded to ${where}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Download failed: ${oneLine(e)}`);
      }
    }),
    vscode.commands.registerCommand('nscope.uploadFiles', async (n?: Node) => {
      const dir = containerFolder(n);
      if (!dir) { void vscode.window.showInformationMessage('Upload… works on a container\'s Files node or one of its folders.'); return; }
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, canSelectMany: true, openLabel: 'Upload', title: `Copy into ${dir.path}` });
      if (!picked?.length) return;
      try {
        await uploadAll(provider, picked.map((u) => u.fsPath), dir);
        refresh(n!);
      } catch (e) {
        void vscode.window.showErrorMessage(`Upload failed: ${oneLine(e)}`);
      }
    }),
  );
}
