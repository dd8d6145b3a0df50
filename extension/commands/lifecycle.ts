// start, stop, restart, kill, remove on a container node (or a picked
// container). An exited container starts again on its rw layer, as in Docker.
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { containerArg } from './pick';
import { guarded } from './errors';

export function registerLifecycleCommands(hosts: HostConnections): vscode.Disposable[] {
  const progress = <T>(title: string, p: Promise<T>) =>
    vscode.window.withProgress({ location: { viewId: 'nscope.containers' }, title }, () => p);
  return [
    vscode.commands.registerCommand('nscope.start', guarded('start', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Start');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['created', 'exited'], 'Container to start');
      if (c) await progress(`Starting ${c.name}`, conn.request('container.start', { id: c.id }));
    })),
    vscode.commands.registerCommand('nscope.stop', guarded('stop', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Stop');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['running'], 'Container to stop');
      if (c) await progress(`Stopping ${c.name}`, conn.request('container.stop', { id: c.id }));
    })),
    vscode.commands.registerCommand('nscope.restart', guarded('restart', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Restart');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['running', 'exited'], 'Container to restart');
      if (!c) return;
      await progress(`Restarting ${c.name}`, (async () => {
        if (c.status === 'running') await conn.request('container.stop', { id: c.id });
        await conn.request('container.start', { id: c.id });
      })());
    })),
    vscode.commands.registerCommand('nscope.kill', guarded('kill', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Kill');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['running'], 'Container to kill');
      if (c) await conn.request('container.kill', { id: c.id, signal: 'SIGKILL' });
    })),
    vscode.commands.registerCommand('nscope.remove', guarded('remove', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Remove');
      if (!conn) return;
      const c = await containerArg(conn, arg, ['created', 'running', 'exited'], 'Container to remove');
      if (!c) return;
      // asked every time, as Docker's VS Code extension asks: the rw layer (every file the container changed) goes with it
      const ok = c.status === 'running'
        ? await vscode.window.showWarningMessage(`${c.name} is running. Stop and remove it?`, { modal: true, detail: 'Its changes to the file system (its rw layer) are deleted with it.' }, 'Remove')
        : await vscode.window.showWarningMessage(`Remove container ${c.name}?`, { modal: true, detail: 'Its changes to the file system (its rw layer) and its logs are deleted with it.' }, 'Remove');
      if (ok !== 'Remove') return;
      await progress(`Removing ${c.name}`, conn.request('container.remove', { id: c.id, force: c.status === 'running' }));
    })),
  ];
}
