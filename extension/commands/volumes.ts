// Volumes from the explorer: Create Volume… (a name, or empty for one the
// helper makes up), Remove on a volume (refused while a container uses it:
// the helper names them), and Prune (every volume no container uses, after
// a confirmation that says how many).
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { formatBytes } from '../format';
import { checkVolumeName } from '../network-format';
import { VolumeNode } from '../views/volumes';
import { guarded } from './errors';

export function registerVolumeCommands(hosts: HostConnections): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('nscope.createVolume', guarded('create volume', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Create Volume');
      if (!conn) return;
      const name = await vscode.window.showInputBox({ title: 'Create Volume', prompt: 'Volume name (empty: a generated one)', placeHolder: 'data', validateInput: checkVolumeName, ignoreFocusOut: true });
      if (name === undefined) return;
      const v = await conn.request('volume.create', name ? { name } : {});
      void vscode.window.showInformationMessage(`nscope: created volume ${v.name}`);
    })),
    vscode.commands.registerCommand('nscope.removeVolume', guarded('remove volume', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Remove Volume');
      if (!conn) return;
      let name = arg instanceof VolumeNode ? arg.volume.name : typeof arg === 'string' ? arg : undefined;
      if (!name) name = await vscode.window.showQuickPick((await conn.request('volume.list', {})).map((v) => v.name), { placeHolder: 'Volume to remove' });
      if (!name) return;
      const ok = await vscode.window.showWarningMessage(`Remove the volume ${name}? Its data is deleted.`, { modal: true }, 'Remove');
      if (ok === 'Remove') await conn.request('volume.remove', { name });
    })),
    vscode.commands.registerCommand('nscope.pruneVolumes', guarded('prune volumes', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Prune Unused Volumes');
      if (!conn) return;
      const unused = (await conn.request('volume.list', {})).filter((v) => !v.users.length);
      if (!unused.length) { void vscode.window.showInformationMessage('nscope: no unused volumes'); return; }
      // named volumes hold data someone chose to keep: pruning them too is asked for explicitly
      const anon = unused.filter((v) => v.anonymous).length;
      const choice = await vscode.window.showWarningMessage(
        `Remove unused volumes? ${anon} anonymous, ${unused.length - anon} named. Their data is deleted.`, { modal: true },
        ...(anon ? ['Anonymous Only'] : []), 'All Unused');
      if (!choice) return;
      const r = await conn.request('volume.prune', { all: choice === 'All Unused' });
      void vscode.window.showInformationMessage(`nscope: removed ${r.removed.length} volume${r.removed.length === 1 ? '' : 's'}, ${formatBytes(r.reclaimed)} reclaimed`);
    })),
  ];
}
