// Networks from the explorer: Create Network… (a name, then an optional
// subnet), Remove on a network (the helper refuses while containers are
// attached, and says which), Prune Unused Networks… from the view's title,
// and on a published port Open in Browser and Copy Address.
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { checkNetworkName, checkSubnet, portAddress, portUrl } from '../network-format';
import { PortNode } from '../views/container-network';
import { NetworkNode } from '../views/networks';
import { guarded } from './errors';

export function registerNetworkCommands(hosts: HostConnections): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('nscope.createNetwork', guarded('create network', async (arg?: unknown) => {
      const title = 'Create Network';
      const conn = await hosts.forCommand(arg, title);
      if (!conn) return;
      const name = await vscode.window.showInputBox({ title, prompt: 'Network name', placeHolder: 'backend', validateInput: checkNetworkName, ignoreFocusOut: true });
      if (!name) return;
      const subnet = await vscode.window.showInputBox({ title, prompt: 'Subnet (optional: empty lets the helper pick one free on this host)', placeHolder: '10.89.0.0/24', validateInput: checkSubnet, ignoreFocusOut: true });
      if (subnet === undefined) return;
      const n = await conn.request('network.create', { name, ...(subnet ? { subnet } : {}) });
      void vscode.window.showInformationMessage(`nscope: created network ${n.name} (${n.subnet}, bridge ${n.bridge})`);
    })),
    vscode.commands.registerCommand('nscope.removeNetwork', guarded('remove network', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Remove Network');
      if (!conn) return;
      let name = arg instanceof NetworkNode ? arg.net.name : typeof arg === 'string' ? arg : undefined;
      if (!name) {
        const names = (await conn.request('network.list', {})).filter((n) => !n.isDefault).map((n) => n.name);
        name = await vscode.window.showQuickPick(names, { placeHolder: 'Network to remove' });
      }
      if (!name) return;
      const ok = await vscode.window.showWarningMessage(`Remove the network ${name}?`, { modal: true }, 'Remove');
      if (ok === 'Remove') await conn.request('network.remove', { name });
    })),
    vscode.commands.registerCommand('nscope.pruneNetworks', guarded('prune networks', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Prune Unused Networks');
      if (!conn) return;
      const unused = (await conn.request('network.list', {})).filter((n) => !n.isDefault && !n.containers.length);
      if (!unused.length) { void vscode.window.showInformationMessage('nscope: no unused networks'); return; }
      const names = unused.slice(0, 5).map((n) => n.name).join(', ') + (unused.length > 5 ? ', …' : '');
      const ok = await vscode.window.showWarningMessage(`Remove ${unused.length} network${unused.length === 1 ? '' : 's'} no container uses (${names})?`, { modal: true }, 'Remove');
      if (ok !== 'Remove') return;
      // the helper decides again (one a container joined meanwhile stays): `network prune`'s own method
      const r = await conn.request('network.prune', {});
      void vscode.window.showInformationMessage(`nscope: removed ${r.removed.length} network${r.removed.length === 1 ? '' : 's'}${r.removed.length ? `: ${r.removed.join(', ')}` : ''}`);
    })),
    vscode.commands.registerCommand('nscope.openPort', guarded('open in browser', async (arg?: unknown) => {
      if (!(arg instanceof PortNode)) return;
      // localhost rather than 0.0.0.0: under Remote-SSH VS Code forwards a localhost URL to the user's machine
      await vscode.env.openExternal(vscode.Uri.parse(portUrl(arg.port)));
    })),
    vscode.commands.registerCommand('nscope.copyPortAddress', guarded('copy address', async (arg?: unknown) => {
      if (!(arg instanceof PortNode)) return;
      await vscode.env.clipboard.writeText(portAddress(arg.port));
      vscode.window.setStatusBarMessage(`nscope: copied ${portAddress(arg.port)}`, 3000);
    })),
  ];
}
