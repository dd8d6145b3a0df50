// nscope.openShell: pick the shell among the container's and the user among
// those who can log in (both asked only when there is a choice, remembered
// per image), then open a terminal bridged to a TTY exec.
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { ShellPty } from '../terminal/shell-pty';
import { containerArg } from './pick';
import { guarded } from './errors';

const KEY = 'nscope.shellByImage';
const USER_KEY = 'nscope.shellUserByImage';

/** The user to run the shell as: root when it is the only one, else asked once per image. */
async function pickUser(name: string, image: string, users: string[], memento: vscode.Memento): Promise<string | undefined> {
  if (users.length <= 1) return users[0] ?? 'root';
  const remembered = memento.get<Record<string, string>>(USER_KEY, {});
  if (remembered[image] && users.includes(remembered[image])) return remembered[image];
  const pick = await vscode.window.showQuickPick(users.map((u) => ({ label: u, description: u === 'root' ? 'the container\'s root (its capabilities only)' : undefined })), { placeHolder: `User to open the shell in ${name} as` });
  if (!pick) return undefined;
  await memento.update(USER_KEY, { ...remembered, [image]: pick.label });
  return pick.label;
}

export function registerShellCommand(hosts: HostConnections, memento: vscode.Memento): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.openShell', guarded('open shell', async (arg?: unknown) => {
    const conn = await hosts.forCommand(arg, 'Open Shell in Container');
    if (!conn) return;
    const c = await containerArg(conn, arg, ['running'], 'Container to open a shell in');
    if (!c) return;
    if (c.status !== 'running') throw new Error(`${c.name} is not running`);
    const { shells, loginShell, users } = await conn.request('container.shells', { id: c.id });
    const remembered = memento.get<Record<string, string>>(KEY, {});
    let shell = remembered[c.image];
    if (!shell || !shells.includes(shell)) {
      const choices = [...new Set([...(loginShell ? [loginShell] : []), ...shells])];
      if (!choices.length) throw new Error(`${c.name} has no shell (no /etc/shells, /bin/bash or /bin/sh)`);
      if (choices.length === 1) shell = choices[0];
      else {
        const pick = await vscode.window.showQuickPick(choices.map((s) => ({ label: s, description: s === loginShell ? 'login shell' : undefined })), { placeHolder: `Shell to run in ${c.name}` });
        if (!pick) return;
        shell = pick.label;
        await memento.update(KEY, { ...remembered, [c.image]: shell });
      }
    }
    const user = await pickUser(c.name, c.image, users, memento);
    if (user === undefined) return;
    const pty = new ShellPty(conn, { id: c.id, name: c.name, shell, user: user === 'root' ? undefined : user });
    const who = user === 'root' ? '' : ` (${user})`;
    const on = conn.hostName ? ` on ${conn.hostName}` : '';
    const term = vscode.window.createTerminal({ name: `${c.name}${on}: ${shell.split('/').pop()}${who}`, pty, iconPath: new vscode.ThemeIcon('vm-running') });
    term.show();
  }));
}
