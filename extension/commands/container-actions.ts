// A container's other verbs, as Docker's VS Code tools and Podman Desktop
// offer them: Pause and Unpause (the cgroup freezer), Rename…, Export
// Container… (its filesystem as a tar, a running one's without its mounts),
// and Prune Stopped Containers… from the view's title.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { formatBytes } from '../format';
import { receiveContainerExport, receiveToPath } from '../../helper/images/receive-export';
import { removeContainers, stoppedContainers } from '../../helper/protocol/prune-containers';
import { containerArg } from './pick';
import { guarded } from './errors';

/** Docker's container name rule (the helper checks it again) */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function registerContainerActionCommands(hosts: HostConnections): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('nscope.pause', guarded('pause', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Pause');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['running'], 'Container to pause', { paused: false });
      if (c) await conn.request('container.pause', { id: c.id });
    })),
    vscode.commands.registerCommand('nscope.unpause', guarded('unpause', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Unpause');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['running'], 'Container to unpause', { paused: true });
      if (c) await conn.request('container.unpause', { id: c.id });
    })),
    vscode.commands.registerCommand('nscope.rename', guarded('rename', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Rename');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['created', 'running', 'exited'], 'Container to rename', { ownOnly: true });
      if (!c) return;
      const name = await vscode.window.showInputBox({
        title: `Rename ${c.name}`, prompt: 'Its new name', value: c.name, ignoreFocusOut: true,
        validateInput: (s) => (NAME.test(s) ? undefined : 'letters, digits, _ . - (starting with a letter or digit)'),
      });
      if (!name || name === c.name) return;
      await conn.request('container.rename', { id: c.id, name });
    })),
    vscode.commands.registerCommand('nscope.exportContainer', guarded('export container', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Export Container');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['created', 'running', 'exited'], 'Container to export', { ownOnly: true });
      if (!c) return;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
      const file = await vscode.window.showSaveDialog({
        // what `nscope import` (or docker import) makes a one-layer image of
        title: `Export ${c.name}'s filesystem as a tar`,
        defaultUri: vscode.Uri.file(path.join(folder, `${c.name}.tar`)),
        filters: { 'Tar archives': ['tar'] }, saveLabel: 'Export',
      });
      if (!file) return;
      if (file.scheme !== 'file') throw new Error(`${file.toString()} is not a local file`);
      // the bytes come over the connection (a helper on another host too); the file is written here, as this user
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `nscope: exporting ${c.name} to ${file.fsPath}` },
        () => receiveToPath(file.fsPath, (sink) => receiveContainerExport(conn.socketPath, c.id, sink)));
      void vscode.window.showInformationMessage(`nscope: ${c.name} exported to ${file.fsPath}`);
    })),
    vscode.commands.registerCommand('nscope.pruneContainers', guarded('prune containers', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Prune Stopped Containers');
      if (!conn) return;
      const stopped = stoppedContainers(await conn.request('container.list', { all: true, size: true }));
      if (!stopped.length) { void vscode.window.showInformationMessage('nscope: no stopped containers'); return; }
      const names = stopped.slice(0, 5).map((c) => c.name).join(', ') + (stopped.length > 5 ? ', …' : '');
      const ok = await vscode.window.showWarningMessage(`Remove ${stopped.length} stopped container${stopped.length === 1 ? '' : 's'} (${names})? Their rw layers are deleted.`, { modal: true }, 'Remove');
      if (ok !== 'Remove') return;
      // one started meanwhile is refused by the helper: it stays, and is named
      const r = await removeContainers(conn, stopped);
      const n = r.removed.length;
      void vscode.window.showInformationMessage(`nscope: removed ${n} container${n === 1 ? '' : 's'}, ${formatBytes(r.reclaimed)} reclaimed`);
      if (r.failed.length) void vscode.window.showWarningMessage(`nscope: not removed: ${r.failed.map((f) => `${f.name}: ${f.message}`).join('; ')}`);
    })),
  ];
}
