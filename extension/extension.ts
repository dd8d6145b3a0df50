// nscope for VS Code: the container explorer on top of the nscope helper.
import * as vscode from 'vscode';
import { registerChangeCommands } from './commands/changes';
import { registerHelperCommands } from './commands/helper';
import { registerImageViewCommands } from './commands/images';
import { registerInspectCommands } from './commands/inspect';
import { registerKernelCommand } from './commands/kernel';
import { registerImageActionCommands } from './commands/image-actions';
import { registerLifecycleCommands } from './commands/lifecycle';
import { registerContainerActionCommands } from './commands/container-actions';
import { registerRunCommands } from './commands/run';
import { registerLimitCommand } from './commands/limits';
import { registerNetworkCommands } from './commands/networks';
import { registerRegistryCommands } from './commands/registry';
import { registerShellCommand } from './commands/shell';
import { registerStatsCommand } from './commands/stats';
import { registerVolumeCommands } from './commands/volumes';
import { Connection } from './connection';
import { HostConnections } from './host-connections';
import { startLanguageClient } from './language/client';
import { registerHostCommands } from './hosts';
import { ChangeDecorations } from './decorations';
import { FileProvider } from './fs/file-provider';
import { WriteAs } from './fs/write-as';
import { FileDrop, registerFileCommands } from './commands/files';
import { registerFileEditCommands } from './commands/file-edits';
import { registerBuildCommand } from './commands/build';
import { registerTreeKeys } from './commands/tree-keys';
import { ContainerFileBadges } from './views/files';
import { KernelProvider } from './fs/kernel-provider';
import { StatsPanels } from './stats/panel';
import { createStatusItem } from './status';
import { ContainersProvider } from './views/containers';
import { ImagesProvider } from './views/images';
import { NamespacesProvider } from './views/namespaces';
import { NetworksProvider } from './views/networks';
import { VolumesProvider } from './views/volumes';

export interface NscopeApi {
  connection: Connection;
  hosts: HostConnections;
  containers: ContainersProvider;
  stats: StatsPanels;
}

export function activate(context: vscode.ExtensionContext): NscopeApi {
  // the extension's own helper (nscope.socketPath), and one connection per nscope.hosts entry
  const conn = new Connection();
  const hosts = new HostConnections(conn);
  // who each container's files are written as: chosen per container, kept with the workspace
  const writeAs = new WriteAs(context.workspaceState, hosts);
  const containers = new ContainersProvider(hosts, writeAs);
  const images = new ImagesProvider(hosts);
  const namespaces = new NamespacesProvider(hosts);
  const networks = new NetworksProvider(hosts);
  const volumes = new VolumesProvider(hosts);
  const stats = new StatsPanels(context.extensionUri);
  const files = new FileProvider(hosts, writeAs);
  const imagesView = vscode.window.createTreeView('nscope.images', { treeDataProvider: images, showCollapseAll: true });
  const views = [containers, images, namespaces, networks, volumes];
  const refreshAll = () => { for (const v of views) v.refresh(); };

  context.subscriptions.push(
    conn, hosts, writeAs, containers, images, namespaces, networks, volumes,
    vscode.window.createTreeView('nscope.containers', { treeDataProvider: containers, showCollapseAll: true, dragAndDropController: new FileDrop(files, (n) => containers.refresh(n)) }),
    imagesView,
    registerBuildCommand(hosts, images, imagesView),
    vscode.window.createTreeView('nscope.namespaces', { treeDataProvider: namespaces, showCollapseAll: true }),
    vscode.window.createTreeView('nscope.networks', { treeDataProvider: networks, showCollapseAll: true }),
    vscode.window.createTreeView('nscope.volumes', { treeDataProvider: volumes, showCollapseAll: true }),
    // F2 and Delete on a row (package.json's keybindings)
    registerTreeKeys(),
    createStatusItem(conn),
    registerHostCommands(conn),
    // a host added to or removed from nscope.hosts (a removed one's connection is closed)
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('nscope.hosts')) { hosts.sync(); refreshAll(); } }),
    hosts.onDidChangeHosts(refreshAll),
    // a host's state shows on its root (and decides its subtree); the only host's, on the whole view
    hosts.onDidChangeState((c) => { for (const v of views) v.refreshHost(c); }),
    // the views follow each helper's events, no polling; one host's events reload that host's subtree only
    hosts.onEvent(({ conn: c, event: e }) => {
      if (e.type.startsWith('image.')) { images.refreshHost(c); return; }
      if (e.type === 'container.changed') { containers.refreshFiles(c, e.id); return; }
      // a volume's size and users show in its view only
      if (e.type.startsWith('volume.')) { volumes.refreshHost(c); return; }
      // a network event changes its view and the Network nodes of the containers on it
      if (e.type.startsWith('network.')) { networks.refreshHost(c); containers.refreshHost(c); return; }
      containers.refreshHost(c);
      // a container that comes or goes changes who is attached to a network and who uses a volume
      if (e.type !== 'container.updated' && e.type !== 'container.health') { namespaces.refreshHost(c); networks.refreshHost(c); volumes.refreshHost(c); }
    }),
    vscode.commands.registerCommand('nscope.refresh', async () => {
      // every host the user has opened, at once rather than after its backoff
      await Promise.all(hosts.list().filter((h) => h.conn === conn || h.conn.isStarted).map((h) => h.conn.reconnect()));
      refreshAll();
    }),
    ...registerHelperCommands(conn, context.extensionPath),
    ...registerLifecycleCommands(hosts),
    ...registerContainerActionCommands(hosts),
    ...registerRunCommands(hosts),
    ...registerImageActionCommands(hosts),
    ...registerRegistryCommands(hosts, images),
    registerShellCommand(hosts, context.globalState),
    registerLimitCommand(hosts),
    stats, registerStatsCommand(hosts, stats),
    ...registerNetworkCommands(hosts),
    ...registerVolumeCommands(hosts),
    FileProvider.register(files),
    registerFileCommands(hosts, files, (n) => containers.refresh(n), writeAs),
    registerFileEditCommands(files, (n) => containers.refresh(n)),
    vscode.window.registerFileDecorationProvider(new ContainerFileBadges(hosts)),
    ChangeDecorations.register(),
    ...registerChangeCommands(hosts),
    ...registerInspectCommands(hosts),
    KernelProvider.register(hosts),
    registerKernelCommand(hosts),
    ...registerImageViewCommands(images, context.globalState),
    // the own helper moved (Switch Host…): a host entry at its new address is no longer shown twice
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('nscope.socketPath')) { void conn.restart(); hosts.sync(); } }),
  );
  conn.start();
  const language = startLanguageClient(context, hosts);
  context.subscriptions.push({ dispose: () => { void language.stop(); } });
  return { connection: conn, hosts, containers, stats };
}

export function deactivate(): void { /* everything is in context.subscriptions */ }
