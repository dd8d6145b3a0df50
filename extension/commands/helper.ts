// The welcome content's buttons: start the helper in a terminal with sudo,
// fix "permission denied" with the nscope group; and reconnect (a host's
// root node: Retry).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { DEFAULT_SOCKET } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { hostOf } from '../host-connections';

/** bin/nscope of the checkout the extension runs from, else `nscope` on the PATH. */
export function nscopeBin(extensionPath: string): string {
  const bin = path.join(extensionPath, 'bin', 'nscope');
  return fs.existsSync(bin) ? bin : 'nscope';
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const sudo = () => (process.getuid?.() === 0 ? '' : 'sudo ');

export function startHelperCommandLine(extensionPath: string, socket: string): string {
  const sock = socket === DEFAULT_SOCKET ? '' : ` --socket ${quote(socket)}`;
  return `${sudo()}${quote(nscopeBin(extensionPath))} daemon${sock}`;
}

export function registerHelperCommands(conn: Connection, extensionPath: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('nscope.startHelper', () => {
      const t = vscode.window.createTerminal({ name: 'nscope helper', iconPath: new vscode.ThemeIcon('server-process') });
      t.show();
      t.sendText(startHelperCommandLine(extensionPath, conn.socketPath));
      void conn.reconnect();
    }),
    vscode.commands.registerCommand('nscope.fixPermissions', () => {
      const t = vscode.window.createTerminal({ name: 'nscope permissions', iconPath: new vscode.ThemeIcon('shield') });
      t.show();
      // the group must exist when the helper starts: its socket is then 0660 root:nscope
      t.sendText(`${sudo()}groupadd -f nscope && ${sudo()}usermod -aG nscope "$USER" && echo "Added $USER to the nscope group: restart the helper, then log out and in again (or reload this window after 'newgrp nscope')."`);
    }),
    vscode.commands.registerCommand('nscope.reconnect', () => conn.restart()),
    // a host root's Retry: that host's connection at once, not after its backoff
    vscode.commands.registerCommand('nscope.retryHost', (arg?: unknown) => (hostOf(arg) ?? conn).restart()),
  ];
}
