// Several hosts: the helpers the user names in `nscope.hosts` ({ name, host },
// host an ssh:// or unix:// URL, helper/protocol/host.ts) and the local one.
// The views show them all, one root each (host-connections.ts). Switch Host…
// makes one of them the extension's own helper (`nscope.socketPath` takes a
// host URL; the connection and every stream go over `ssh … nscope
// dial-stdio`): the status bar's, the language server's, and the one root
// when no other hosts are left. Add Host… and Remove Host edit the setting.
import * as vscode from 'vscode';
import { DEFAULT_SOCKET } from '../helper/protocol';
import { parseHost } from '../helper/protocol/host';
import type { Connection } from './connection';

export interface HostEntry { name: string; host: string }

export function configuredHosts(): HostEntry[] {
  const v = vscode.workspace.getConfiguration('nscope').get<unknown>('hosts');
  return Array.isArray(v) ? v.filter((h): h is HostEntry => !!h && typeof h.name === 'string' && typeof h.host === 'string') : [];
}

/** The name of the host the connection talks to: an entry of nscope.hosts, or "local". */
export function currentHostName(conn: Connection): string {
  return configuredHosts().find((h) => h.host === conn.socketPath)?.name ?? (conn.socketPath.startsWith('/') || conn.socketPath.startsWith('unix:') ? 'local' : conn.socketPath);
}

function hostProblem(s: string): string | undefined {
  try { parseHost(s.trim()); return undefined; } catch (e) { return (e as Error).message; }
}

async function addHost(): Promise<HostEntry | undefined> {
  const host = (await vscode.window.showInputBox({
    title: 'Add Host (1/2)', prompt: 'The helper\'s address: ssh://[user@]host[:port][/socket] (ssh must log in without a password) or unix:///path',
    placeHolder: 'ssh://root@build-box', validateInput: hostProblem, ignoreFocusOut: true,
  }))?.trim();
  if (!host) return undefined;
  const taken = new Set(configuredHosts().map((h) => h.name));
  const name = (await vscode.window.showInputBox({
    title: 'Add Host (2/2)', prompt: 'A name for it', value: (() => { try { const h = parseHost(host); return h.kind === 'ssh' ? h.host : 'socket'; } catch { return 'host'; } })(),
    validateInput: (s) => (!s.trim() ? 'a name is needed' : taken.has(s.trim()) || s.trim() === 'local' ? `"${s.trim()}" is taken` : undefined), ignoreFocusOut: true,
  }))?.trim();
  if (!name) return undefined;
  const entry = { name, host };
  await vscode.workspace.getConfiguration('nscope').update('hosts', [...configuredHosts(), entry], vscode.ConfigurationTarget.Global);
  return entry;
}

async function use(host: string): Promise<void> {
  await vscode.workspace.getConfiguration('nscope').update('socketPath', host === DEFAULT_SOCKET ? undefined : host, vscode.ConfigurationTarget.Global);
}

export function registerHostCommands(conn: Connection): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('nscope.switchHost', async () => {
      const current = conn.socketPath;
      const items: (vscode.QuickPickItem & { host?: string; add?: true })[] = [
        { label: 'local', description: DEFAULT_SOCKET, host: DEFAULT_SOCKET, picked: current === DEFAULT_SOCKET },
        ...configuredHosts().map((h) => ({ label: h.name, description: h.host, host: h.host, picked: current === h.host })),
        { label: '$(add) Add Host…', add: true as const },
      ];
      for (const i of items) if (i.host === current) i.detail = 'connected now';
      const pick = await vscode.window.showQuickPick(items, { title: 'nscope: Switch Host', placeHolder: 'The helper the views, shells and panels talk to' });
      if (!pick) return;
      const host = pick.add ? (await addHost())?.host : pick.host;
      if (host) await use(host);
    }),
    vscode.commands.registerCommand('nscope.addHost', async () => {
      const e = await addHost();
      if (!e) return;
      const go = await vscode.window.showInformationMessage(`nscope: host "${e.name}" added.`, 'Switch to It');
      if (go) await use(e.host);
    }),
    vscode.commands.registerCommand('nscope.removeHost', async () => {
      const hosts = configuredHosts();
      if (!hosts.length) { void vscode.window.showInformationMessage('nscope: no hosts to remove (nscope.hosts is empty).'); return; }
      const pick = await vscode.window.showQuickPick(hosts.map((h) => ({ label: h.name, description: h.host, h })), { title: 'nscope: Remove Host' });
      if (!pick) return;
      await vscode.workspace.getConfiguration('nscope').update('hosts', hosts.filter((h) => h !== pick.h), vscode.ConfigurationTarget.Global);
      if (conn.socketPath === pick.h.host) await use(DEFAULT_SOCKET);
    }),
  );
}
