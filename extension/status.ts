// The status bar item: connected (with the helper's version) or not (and why).
import * as vscode from 'vscode';
import type { Connection } from './connection';
import { currentHostName } from './hosts';

export function createStatusItem(conn: Connection): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('nscope.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'nscope helper';
  const update = () => {
    switch (conn.state) {
      case 'connected':
        item.text = currentHostName(conn) === 'local' ? '$(vm-running) nscope' : `$(remote) nscope: ${currentHostName(conn)}`;
        item.tooltip = `nscope: connected to the helper ${conn.helperVersion} at ${conn.socketPath}\nClick to switch host`;
        item.backgroundColor = undefined;
        item.command = 'nscope.switchHost';
        break;
      case 'connecting':
        item.text = '$(sync~spin) nscope';
        item.tooltip = `nscope: connecting to ${conn.socketPath}`;
        item.backgroundColor = undefined;
        item.command = undefined;
        break;
      default:
        item.text = '$(debug-disconnect) nscope';
        item.tooltip = `nscope: disconnected — ${conn.reason}\nClick to reconnect now`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        item.command = 'nscope.reconnect';
    }
    item.accessibilityInformation = { label: `nscope ${conn.state}` };
  };
  update();
  item.show();
  const sub = conn.onDidChangeState(update);
  return vscode.Disposable.from(item, sub);
}
