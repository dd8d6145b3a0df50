// nscope for VS Code: the container explorer on top of the nscope helper.
import * as vscode from 'vscode';
import { registerChangeCommands } from './commands/changes';
import { registerHelperCommands } from './commands/helper';
import { registerImageViewCommands } from './commands/images';
import { registerInspectCommands } from './commands/inspect';
import { registerKernelCommand } from './commands/kernel';
import { registerImageActionCommands } from './commands/image-actions';
import { registerLifecycleCommands } from './commands/lifecycle';
import { registerRunCommand } from './commands/run';
import { registerLimitCommand } from './commands/limits';
import { registerNetworkCommands } from './commands/networks';
import { registerRegistryCommands } from './commands/registry';
import { registerShellCommand } from './commands/shell';
import { registerStatsCommand } from './commands/stats';
import { registerVolumeCommands } from './commands/volumes';
import { Connection } from './connection';
import { startLanguageClient } from './language/client';
import { registerHostCommands } from './hosts';
import { ChangeDecorations } from './decorations';
import { FileProvider } from './fs/file-provider';
import { FileDrop, registerFileCommands } from './commands/files';
import { registerBuildCommand } from './commands/build';
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
  containers: ContainersProvider;
  stats: StatsPanels;
}

export function activate(context: vscode.ExtensionContext): NscopeApi {
  const conn = new Connection();
  const containers = new ContainersProvider(conn);
  const images = new ImagesProvider(conn);
  const namespaces = new NamespacesProvider(conn);
  const networks = new NetworksProvider(conn);
  const volumes = new VolumesProvider(conn);
  const stats = new StatsPanels(conn, context.extensionUri);
  const files = new FileProvider(conn);
  const imagesView = vscode.window.createTreeView('nscope.images', { treeDataProvider: images, showCollapseAll: true });
  const refreshAll = () => { containers.refresh(); images.refresh(); namespaces.refresh(); networks.refresh(); volumes.refresh(); };

  context.subscriptions.push(
    conn, containers, images, namespaces, networks, volumes,
    vscode.window.createTreeView('nscope.containers', { treeDataProvider: containers, showCollapseAll: true, dragAndDropController: new FileDrop(files, (n) => containers.refresh(n)) }),
    imagesView,
    registerBuildCommand(conn, images, imagesView),
    vscode.window.createTreeView('nscope.namespaces', { treeDataProvider: namespaces, showCollapseAll: true }),
    vscode.window.createTreeView('nscope.networks', { treeDataProvider: networks, showCollapseAll: true }),
    vscode.window.createTreeView('nscope.volumes', { treeDataProvider: volumes, showCollapseAll: true }),
    createStatusItem(conn),
    registerHostCommands(conn),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('nscope.hosts')) refreshAll(); }),
    conn.onDidChangeState(refreshAll),
    // the views follow the helper's events, no polling
    conn.onEvent((e) => {
      if (e.type.startsWith('image.')) { images.refresh(); return; }
      if (e.type === 'container.changed') { containers.refreshChanges(e.id); return; }
      // a volume's size and users show in its view only
      if (e.type.startsWith('volume.')) { volumes.refresh(); return; }
      // a network event changes its view and the Network nodes of the containers on it
      if (e.type.startsWith('network.')) { networks.refresh(); containers.refresh(); return; }
      containers.refresh();
      // a container that comes or goes changes who is attached to a network and who uses a volume
      if (e.type !== 'container.updated') { namespaces.refresh(); networks.refresh(); volumes.refresh(); }
    }),
    vscode.commands.registerCommand('nscope.refresh', async () => { await conn.reconnect(); refreshAll(); }),
    ...registerHelperCommands(conn, context.extensionPath),
    ...registerLifecycleCommands(conn),
    registerRunCommand(conn),
    ...registerImageActionCommands(conn),
    ...registerRegistryCommands(conn, images),
    registerShellCommand(conn, context.globalState),
    registerLimitCommand(conn),
    stats, registerStatsCommand(conn, stats),
    ...registerNetworkCommands(conn),
    ...registerVolumeCommands(conn),
    FileProvider.register(conn, files),
    registerFileCommands(conn, files, (n) => containers.refresh(n)),
    vscode.window.registerFileDecorationProvider(new ContainerFileBadges(conn)),
    ChangeDecorations.register(),
    ...registerChangeCommands(conn),
    ...registerInspectCommands(conn),
    KernelProvider.register(conn),
    registerKernelCommand(conn),
    ...registerImageViewCommands(images, context.globalState),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('nscope.socketPath')) void conn.restart(); }),
  );
  conn.start();
  const language = startLanguageClient(context, conn);
  context.subscriptions.push({ dispose: () => { void language.stop(); } });
  return { connection: conn, containers, stats };
}

export function deactivate(): void { /* everything is in context.subscriptions */ }
