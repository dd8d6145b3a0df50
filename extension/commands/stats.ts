// nscope.showStats: live charts of a running container (extension/stats/).
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import type { StatsPanels } from '../stats/panel';
import { guarded } from './errors';
import { containerArg } from './pick';

export function registerStatsCommand(conn: Connection, panels: StatsPanels): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.showStats', guarded('show stats', async (arg?: unknown) => {
    const c = await containerArg(conn, arg, ['running'], 'Container whose stats to show');
    if (c) panels.show(c.id, c.name);
  }));
}
