// nscope.showStats: live charts of a running container (extension/stats/).
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import type { StatsPanels } from '../stats/panel';
import { guarded } from './errors';
import { containerArg } from './pick';

export function registerStatsCommand(hosts: HostConnections, panels: StatsPanels): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.showStats', guarded('show stats', async (arg?: unknown) => {
    const conn = await hosts.forCommand(arg, 'Show Stats');
    if (!conn) return;
    const c = await containerArg(conn, arg, ['running'], 'Container whose stats to show');
    if (c) panels.show(conn, c.id, c.name);
  }));
}
