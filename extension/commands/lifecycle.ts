// start, stop, remove on a container node (or a picked container). No restart:
// the runtime cannot start an exited container again.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import { containerArg } from './pick';
import { guarded } from './errors';

export function registerLifecycleCommands(conn: Connection): vscode.Disposable[] {
  const progress = <T>(title: string, p: Promise<T>) =>
    vscode.window.withProgress({ location: { viewId: 'nscope.containers' }, title }, () => p);
  return [
    vscode.commands.registerCommand('nscope.start', guarded('start', async (arg?: unknown) => {
      const c = await containerArg(conn, arg, ['created'], 'Container to start');
      if (c) await progress(`Starting ${c.name}`, conn.request('container.start', { id: c.id }));
    })),
    vscode.commands.registerCommand('nscope.stop', guarded('stop', async (arg?: unknown) => {
      const c = await containerArg(conn, arg, ['running'], 'Container to stop');
      if (c) await progress(`Stopping ${c.name}`, conn.request('container.stop', { id: c.id }));
    })),
    vscode.commands.registerCommand('nscope.remove', guarded('remove', async (arg?: unknown) => {
      const c = await containerArg(conn, arg, ['created', 'running', 'exited'], 'Container to remove');
      if (!c) return;
      if (c.status === 'running') {
        const ok = await vscode.window.showWarningMessage(`${c.name} is running. Stop and remove it?`, { modal: true }, 'Remove');
        if (ok !== 'Remove') return;
      }
      await progress(`Removing ${c.name}`, conn.request('container.remove', { id: c.id, force: c.status === 'running' }));
    })),
  ];
}
