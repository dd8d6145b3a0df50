// Upload… and Download… on the Files nodes (views/files.ts), and files
// dropped on a container's folder in the Containers view: the transfers are
// fs/file-transfer.ts's. Write Files As… on a container or its Files node:
// who the editor's changes to its files are made as (fs/write-as.ts).
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { download, upload } from '../fs/file-transfer';
import type { FileProvider } from '../fs/file-provider';
import { shownPath } from '../fs/file-uri';
import { FileEntryNode, FilesNode } from '../views/files';
import type { Node } from '../views/tree';
import { oneLine } from '../format';
import { writeAsProblem } from '../../helper/protocol/types';
import { defaultChoice, isRoot, type WriteAs, type WriteAsChoice } from '../fs/write-as';
import { containerArg } from './pick';
import { guarded } from './errors';

/** The container folder a node stands for, or undefined (a file, an image's files). */
function containerFolder(n: Node | undefined): vscode.Uri | undefined {
  if (n instanceof FilesNode && 'container' in n.owner) return n.resourceUri;
  if (n instanceof FileEntryNode && 'container' in n.owner && n.info.type === 'dir') return n.resourceUri;
  return undefined;
}

/** The container's name on a Files node or entry (for shownPath), if it is a container's. */
function containerName(n: unknown): string | undefined {
  return (n instanceof FilesNode || n instanceof FileEntryNode) && 'container' in n.owner ? n.owner.name : undefined;
}

async function uploadAll(provider: FileProvider, locals: string[], dir: vscode.Uri, name?: string): Promise<void> {
  const shown = shownPath(dir, name);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Copying into ${shown}` }, async () => {
    let n = 0;
    for (const l of locals) n += await upload(provider, l, dir);
    vscode.window.setStatusBarMessage(`nscope: ${n} file${n === 1 ? '' : 's'} copied into ${shown}`, 5000);
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
      if (locals.length) await uploadAll(this.provider, locals, dir, containerName(target));
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

/** Asks who `container`'s files are written as: its root, its configured user (when it has one), or another user typed in. */
async function pickWriter(name: string, configured: string | undefined, chosen: WriteAsChoice | undefined): Promise<WriteAsChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice?: WriteAsChoice };
  const current = chosen ?? defaultChoice();
  const now = (c: WriteAsChoice) => (current.as === c.as ? ' · now' : '');
  const items: Item[] = [{ label: 'root', description: `the container's root${now({ as: 'root' })}`, choice: { as: 'root' } }];
  if (configured && !isRoot(configured)) items.push({ label: configured, description: `the container's user (USER from its config)${now({ as: 'container' })}`, choice: { as: 'container' } });
  items.push({ label: 'Another user…', description: current.as === 'user' ? `now ${current.user}` : 'a name or uid of the container, optionally :group' });
  const pick = await vscode.window.showQuickPick(items, { placeHolder: `Write ${name}'s files as…` });
  if (!pick) return undefined;
  if (pick.choice) return pick.choice;
  const user = await vscode.window.showInputBox({
    title: `Write ${name}'s files as`, prompt: 'A user of the container as docker exec -u takes it: name, uid, name:group or uid:gid (looked up in its /etc/passwd and /etc/group)',
    value: current.as === 'user' ? current.user : '', placeHolder: 'www-data, 1000, app:staff, 1000:1000',
    validateInput: (v) => writeAsProblem(v.trim()),
  });
  return user === undefined ? undefined : { as: 'user', user: user.trim() };
}

export function registerFileCommands(hosts: HostConnections, provider: FileProvider, refresh: (n: Node) => void, writeAs: WriteAs): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('nscope.writeFilesAs', guarded('write files as', async (n?: unknown) => {
      const conn = await hosts.forCommand(n, 'Write Files As…');
      if (!conn) return;
      const c = n instanceof FilesNode && 'container' in n.owner
        ? { id: n.owner.container, name: n.owner.name }
        : await containerArg(conn, n, ['running', 'created', 'exited'], 'Container whose files to write as…', { ownOnly: true });
      if (!c) return;
      const host = conn.hostName ?? '';
      const { id, user } = await writeAs.lookup(conn, host, c.id);
      const choice = await pickWriter(c.name, user, writeAs.chosen(host, id));
      if (choice) await writeAs.choose(host, id, choice);
    })),
    vscode.commands.registerCommand('nscope.downloadFile', async (n?: Node) => {
      const uri = n instanceof FilesNode || n instanceof FileEntryNode ? n.resourceUri : undefined;
      if (!uri) { void vscode.window.showInformationMessage('Download… works on an entry of a Files node in the Containers or Images view.'); return; }
      const dest = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Download Here', title: `Download ${shownPath(uri, containerName(n))} to…` });
      if (!dest?.[0]) return;
      try {
        const where = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${shownPath(uri, containerName(n))}` }, () => download(hosts.forUri(uri), uri, dest[0].fsPath));
        void vscode.window.showInformationMessage(`Downloaded to ${where}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Download failed: ${oneLine(e)}`);
      }
    }),
    vscode.commands.registerCommand('nscope.uploadFiles', async (n?: Node) => {
      const dir = containerFolder(n);
      if (!dir) { void vscode.window.showInformationMessage('Upload… works on a container\'s Files node or one of its folders.'); return; }
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, canSelectMany: true, openLabel: 'Upload', title: `Copy into ${shownPath(dir, containerName(n))}` });
      if (!picked?.length) return;
      try {
        await uploadAll(provider, picked.map((u) => u.fsPath), dir, containerName(n));
        refresh(n!);
      } catch (e) {
        void vscode.window.showErrorMessage(`Upload failed: ${oneLine(e)}`);
      }
    }),
  );
}
