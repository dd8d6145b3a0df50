// New File…, New Folder…, Rename… and Delete on a container's Files node and
// its entries: what VS Code's Explorer offers on a folder, done through the
// writable `nscope-container:` provider (fs/file-provider.ts), so each one is
// the helper's files worker inside the container, as the user chosen with
// Write Files As…. The folder shown is reloaded at once (container.changed
// would do it too, up to a second later).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileProvider } from '../fs/file-provider';
import { parseFileUri, shownPath } from '../fs/file-uri';
import { FileEntryNode, FilesNode } from '../views/files';
import type { Node } from '../views/tree';
import { guarded } from './errors';

/** A container's folder (its Files node or a directory entry) and the node to reload after a change in it. */
function folderOf(n: unknown): { uri: vscode.Uri; node: Node; container: string } | undefined {
  if (n instanceof FilesNode && 'container' in n.owner) return { uri: n.resourceUri!, node: n, container: n.owner.name };
  if (n instanceof FileEntryNode && 'container' in n.owner) {
    if (n.info.type === 'dir') return { uri: n.resourceUri!, node: n, container: n.owner.name };
    // on a file: beside it, as the Explorer does
    if (n.parent) return { uri: n.resourceUri!.with({ path: path.posix.dirname(n.resourceUri!.path) }), node: n.parent, container: n.owner.name };
  }
  return undefined;
}

/** A container's file or folder (not its root) and the folder node it is listed in. */
function entryOf(n: unknown): { uri: vscode.Uri; node: FileEntryNode; parent?: Node; container: string } | undefined {
  return n instanceof FileEntryNode && 'container' in n.owner ? { uri: n.resourceUri!, node: n, parent: n.parent, container: n.owner.name } : undefined;
}

/** Why `name` cannot be one entry's name, or undefined (a name, not a path: one level at a time, as the Explorer asks). */
export function entryNameProblem(name: string): string | undefined {
  if (!name.trim()) return 'A name is needed.';
  if (name.includes('/')) return 'A name, not a path: no "/".';
  if (name === '.' || name === '..') return `"${name}" is not a name a file can have.`;
  if (name.includes('\0')) return 'A name cannot hold a NUL character.';
  if (Buffer.byteLength(name) > 255) return 'At most 255 bytes (the file system\'s limit).';
  return undefined;
}

async function askName(title: string, value = '', selectTo?: number): Promise<string | undefined> {
  return vscode.window.showInputBox({ title, value, valueSelection: selectTo !== undefined ? [0, selectTo] : undefined, validateInput: entryNameProblem, ignoreFocusOut: true });
}

export function registerFileEditCommands(provider: FileProvider, refresh: (n: Node) => void): vscode.Disposable {
  const hint = () => void vscode.window.showInformationMessage('This works on a container\'s Files node and its entries (an image\'s files are read-only).');
  return vscode.Disposable.from(
    vscode.commands.registerCommand('nscope.newFile', guarded('make the file', async (n?: unknown) => {
      const at = folderOf(n);
      if (!at) { hint(); return; }
      const name = await askName(`New File in ${shownPath(at.uri, at.container)}`);
      if (!name) return;
      const uri = vscode.Uri.joinPath(at.uri, name);
      await provider.writeFile(uri, new Uint8Array(0), { create: true, overwrite: false });
      refresh(at.node);
      await vscode.window.showTextDocument(uri);
    })),
    vscode.commands.registerCommand('nscope.newFolder', guarded('make the folder', async (n?: unknown) => {
      const at = folderOf(n);
      if (!at) { hint(); return; }
      const name = await askName(`New Folder in ${shownPath(at.uri, at.container)}`);
      if (!name) return;
      await provider.createDirectory(vscode.Uri.joinPath(at.uri, name));
      refresh(at.node);
    })),
    vscode.commands.registerCommand('nscope.renameFile', guarded('rename', async (n?: unknown) => {
      const e = entryOf(n);
      if (!e) { hint(); return; }
      const old = path.posix.basename(e.uri.path);
      const dot = old.lastIndexOf('.');
      const name = await askName(`Rename ${shownPath(e.uri, e.container)}`, old, dot > 0 ? dot : old.length);
      if (!name || name === old) return;
      await provider.rename(e.uri, e.uri.with({ path: path.posix.join(path.posix.dirname(e.uri.path), name) }), { overwrite: false });
      if (e.parent) refresh(e.parent);
    })),
    vscode.commands.registerCommand('nscope.deleteFile', guarded('delete', async (n?: unknown) => {
      const e = entryOf(n);
      if (!e) { hint(); return; }
      const dir = e.node.info.type === 'dir';
      const sure = await vscode.window.showWarningMessage(
        `Delete ${parseFileUri(e.uri).path} in container ${e.container}?`,
        { modal: true, detail: `${dir ? 'The folder and everything in it are' : 'It is'} removed from the container's file system: there is no undo.` },
        'Delete',
      );
      if (sure !== 'Delete') return;
      await provider.delete(e.uri, { recursive: dir });
      if (e.parent) refresh(e.parent);
    })),
  );
}
