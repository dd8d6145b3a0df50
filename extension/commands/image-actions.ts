// Images from the explorer: commit a container, import an archive, build
// the host image, save one to a tar, tag one, remove one, prune the unused
// ones (from the view's title). Long work shows a progress notification.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { ImageNode, imagePick, UNNAMED } from '../views/images';
import { formatBytes } from '../format';
import { pruneImages } from '../../helper/protocol/prune-images';
import { containerArg } from './pick';
import { guarded } from './errors';
import { removeImageAsking } from './image-remove';
import { sendImport } from '../../helper/images/send-import';
import { exportToPath } from '../../helper/images/receive-export';
import { isImageArchive } from '../../helper/images/archive-kind';
import * as os from 'os';
import * as path from 'path';

/** The image the command was invoked on, or one picked. */
async function imageArg(conn: Connection, arg: unknown, placeHolder: string): Promise<string | undefined> {
  if (arg instanceof ImageNode) return arg.ref;
  if (typeof arg === 'string') return arg;
  return (await vscode.window.showQuickPick((await conn.request('image.list', {})).map(imagePick), { placeHolder }))?.ref;
}

const REF = /^[a-z0-9][a-z0-9._\/-]{0,127}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
const validRef = (s: string) => (REF.test(s) ? undefined : 'an image name like web or web:v2 (lower case, digits, . _ - /)');
const notify = <T>(title: string, p: () => Promise<T>) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, p);

export function registerImageActionCommands(hosts: HostConnections): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('nscope.commit', guarded('commit', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Commit to Image');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['running', 'created', 'exited'], 'Container to commit');
      if (!c) return;
      const name = await vscode.window.showInputBox({ title: `Commit ${c.name}`, prompt: 'New image name[:tag]', value: `${c.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}:latest`, validateInput: validRef, ignoreFocusOut: true });
      if (!name) return;
      const message = await vscode.window.showInputBox({ title: `Commit ${c.name}`, prompt: 'Message (optional)', ignoreFocusOut: true });
      if (message === undefined) return;
      const r = await notify(`nscope: committing ${c.name} to ${name}`, () => conn.request('container.commit', { id: c.id, name, ...(message ? { message } : {}) }));
      void vscode.window.showInformationMessage(`nscope: ${c.name} committed as ${r.name}${r.warnings?.length ? ` (${r.warnings.join('; ')})` : ''}`);
    })),
    vscode.commands.registerCommand('nscope.importImage', guarded('import', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Import Image');
      if (!conn) return;
      let file = arg instanceof vscode.Uri ? arg : undefined;
      if (!file) {
        const picked = await vscode.window.showOpenDialog({ title: 'Import an image: an OCI layout tar, a docker save tar or a filesystem tarball', canSelectMany: false, filters: { 'Image archives': ['tar'], 'All files': ['*'] }, openLabel: 'Import' });
        file = picked?.[0];
      }
      if (!file) return;
      if (file.scheme !== 'file') throw new Error(`${file.toString()} is not a local file`);
      // the archive's bytes go over the connection: a helper on another host cannot open a path of this one
      const on = conn.hostName ? ` on ${conn.hostName}` : '';
      if (isImageArchive(file.fsPath) === false) {
        // a filesystem tarball (`nscope export`'s): an image of one layer, as `nscope import` makes it
        const name = await vscode.window.showInputBox({
          title: `Import ${path.basename(file.fsPath)}`, prompt: 'A filesystem tarball, not an image archive: the new image\'s name[:tag] (empty: unnamed)',
          validateInput: (s) => (s === '' ? undefined : validRef(s)), ignoreFocusOut: true,
        });
        if (name === undefined) return;
        const [img] = await notify(`nscope: importing ${file.fsPath}${on} as an image`, () => sendImport(conn.socketPath, file!.fsPath, name || undefined, {}));
        void vscode.window.showInformationMessage(`nscope: imported ${imagePick(img).ref}`);
        return;
      }
      const images = await notify(`nscope: importing ${file.fsPath}${on}`, () => sendImport(conn.socketPath, file!.fsPath));
      void vscode.window.showInformationMessage(`nscope: imported ${images.map((i) => i.name).join(', ')}`);
    })),
    vscode.commands.registerCommand('nscope.hostImage', guarded('host image', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Build Host Image');
      if (!conn) return;
      const name = await vscode.window.showInputBox({ title: 'Build Host Image', prompt: 'Image name', value: 'host', validateInput: validRef, ignoreFocusOut: true });
      if (!name) return;
      const programs = await vscode.window.showInputBox({ title: 'Build Host Image', prompt: 'Programs from this machine (empty: sh and the basic tools)', placeHolder: 'sh ls cat ps curl', ignoreFocusOut: true });
      if (programs === undefined) return;
      const list = programs.split(/\s+/).filter(Boolean);
      const img = await notify(`nscope: building ${name} from this machine's programs`, () => conn.request('image.host', { name, ...(list.length ? { programs: list } : {}) }));
      void vscode.window.showInformationMessage(`nscope: built ${img.name}`);
    })),
    vscode.commands.registerCommand('nscope.saveImage', guarded('save image', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Save Image');
      if (!conn) return;
      const ref = await imageArg(conn, arg, 'Image to save');
      if (!ref) return;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
      const file = await vscode.window.showSaveDialog({
        // an OCI image layout with Docker's manifest.json: nscope load, docker load and skopeo read it
        title: `Save ${ref} as an image archive (.tar)`,
        defaultUri: vscode.Uri.file(path.join(folder, `${ref.replace(/^sha256:/, '').replace(/[/:]/g, '_').slice(0, 80)}.tar`)),
        filters: { 'Image archives': ['tar'] }, saveLabel: 'Save',
      });
      if (!file) return;
      if (file.scheme !== 'file') throw new Error(`${file.toString()} is not a local file`);
      // the archive's bytes come over the connection (a helper on another host included); written here, as this user
      await notify(`nscope: saving ${ref} to ${file.fsPath}`, () => exportToPath(conn.socketPath, [ref], file.fsPath));
      void vscode.window.showInformationMessage(`nscope: ${ref} saved to ${file.fsPath}`);
    })),
    vscode.commands.registerCommand('nscope.tagImage', guarded('tag image', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Tag Image');
      if (!conn) return;
      const ref = await imageArg(conn, arg, 'Image to tag');
      if (!ref) return;
      const name = await vscode.window.showInputBox({ title: `Tag ${ref}`, prompt: 'Another name for it: name[:tag]', value: ref.startsWith('sha256:') ? '' : ref, validateInput: validRef, ignoreFocusOut: true });
      if (!name) return;
      const img = await conn.request('image.tag', { ref, name });
      void vscode.window.showInformationMessage(`nscope: ${ref} tagged ${img.name}`);
    })),
    vscode.commands.registerCommand('nscope.removeImage', guarded('remove image', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Remove Image');
      if (!conn) return;
      const ref = await imageArg(conn, arg, 'Image to remove');
      if (!ref) return;
      await removeImageAsking(conn, ref);
    })),
    vscode.commands.registerCommand('nscope.pruneImages', guarded('prune images', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Prune Unused Images');
      if (!conn) return;
      const used = new Set((await conn.request('container.list', { all: true })).map((c) => c.imageId));
      const unused = (await conn.request('image.list', {})).filter((i) => !used.has(i.id));
      // counted by image, not by name (an image with two names is listed twice)
      const dangling = new Set(unused.filter((i) => i.name === UNNAMED).map((i) => i.id)).size;
      const named = new Set(unused.filter((i) => i.name !== UNNAMED).map((i) => i.id)).size;
      if (!dangling && !named) { void vscode.window.showInformationMessage('nscope: no unused images'); return; }
      // as `image prune`: the dangling ones by default; named images someone may still want only when asked
      const choice = await vscode.window.showWarningMessage(
        `Remove unused images? ${dangling} dangling (no name), ${named} named that no container uses.`, { modal: true },
        ...(dangling ? ['Dangling Only'] : []), 'All Unused');
      if (!choice) return;
      const r = await notify('nscope: removing unused images', () => pruneImages(conn, { all: choice === 'All Unused' }));
      const n = r.deleted.length;
      void vscode.window.showInformationMessage(`nscope: removed ${n} image${n === 1 ? '' : 's'}, ${formatBytes(r.reclaimed)} reclaimed`);
      // one a container started to use meanwhile is refused by the helper: it stays, and is named
      if (r.failed.length) void vscode.window.showWarningMessage(`nscope: not removed: ${r.failed.join('; ')}`);
    })),
  ];
}
