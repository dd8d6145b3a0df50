// nscope.openChange: a container's change in VS Code's diff editor, the
// image's version on the left and the container's now on the right, both
// read through the read-only `nscope-image:` and `nscope-container:` providers. An added file diffs
// against an empty left side, a deleted one against an empty right side.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { ContainerChangeNode, hasContent } from '../views/changes';
import { guarded } from './errors';
import { containerArg } from './pick';

export function registerChangeCommands(hosts: HostConnections): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('nscope.openChange', guarded('open change', async (arg?: unknown) => {
      const node = arg instanceof ContainerChangeNode ? arg : await pickChange(hosts, arg);
      if (!node) return;
      if (!hasContent(node.change.type)) {
        void vscode.window.showInformationMessage(`nscope: ${node.change.path} is a ${node.change.type}; it has no content to compare`);
        return;
      }
      const { left, right, title } = node.sides();
      await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
    })),
  ];
}

/** From the palette: a container, then one of its changed files. */
async function pickChange(hosts: HostConnections, arg: unknown): Promise<ContainerChangeNode | undefined> {
  const conn: Connection | undefined = await hosts.forCommand(arg, 'Open Change');
  if (!conn) return undefined;
  const c = await containerArg(conn, arg, ['created', 'running', 'exited'], 'Container whose change to open');
  if (!c) return undefined;
  const d = await conn.request('container.diff', { id: c.id });
  const files = d.changes.filter((x) => hasContent(x.type));
  if (!files.length) {
    void vscode.window.showInformationMessage(`nscope: ${c.name} has no changed files`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(files.map((x) => ({ label: x.path, description: x.kind, x })), { placeHolder: `Change in ${c.name} to open`, matchOnDescription: true });
  return pick && new ContainerChangeNode({ ...c, host: conn.hostName }, pick.x);
}
