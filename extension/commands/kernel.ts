// nscope.revealKernelSource: the kernel file behind a tree node (its
// `kernelSource`: a /proc file, a namespace link, a cgroup control file),
// read-only in an editor through `nscope-kernel:`. From the palette: a
// container, then one of its kernel sources.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { kernelUri } from '../fs/kernel-provider';
import { LIMIT_KINDS, limitCgroupFile } from '../limits';
import { cgroupFile, nsDir, procCgroup, procMountinfo, procNetDev, procStatus, procUidMap } from '../views/kernel-sources';
import { Node } from '../views/tree';
import { guarded } from './errors';
import { containerArg } from './pick';

export function registerKernelCommand(hosts: HostConnections): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.revealKernelSource', guarded('reveal kernel source', async (arg?: unknown) => {
    // the kernel of the node's host
    const conn = await hosts.forCommand(arg, 'Reveal Kernel Source');
    if (!conn) return;
    let source: string | undefined;
    if (arg instanceof Node) {
      source = arg.kernelSource;
      if (!source) {
        void vscode.window.showInformationMessage(`nscope: ${typeof arg.label === 'string' ? arg.label : 'this item'} has no kernel source right now`);
        return;
      }
    } else {
      source = typeof arg === 'string' ? arg : await pickSource(conn, arg);
    }
    if (!source) return;
    const doc = await vscode.workspace.openTextDocument(kernelUri(source, conn.hostName));
    await vscode.window.showTextDocument(doc, { preview: true });
  }));
}

/** A container (created or running: one with a process and a cgroup), then one of its kernel sources. */
async function pickSource(conn: Connection, arg: unknown): Promise<string | undefined> {
  const c = await containerArg(conn, arg, ['running', 'created'], 'Container whose kernel sources to show');
  if (!c) return undefined;
  const d = await conn.request('container.inspect', { id: c.id });
  if (!d.pid || d.status === 'exited') {
    void vscode.window.showInformationMessage(`nscope: ${c.name} is not running: it has no process or cgroup in the kernel`);
    return undefined;
  }
  const items: vscode.QuickPickItem[] = [
    { label: procStatus(d.pid), description: 'the init process: state, ids, NSpid, capabilities, seccomp' },
    { label: nsDir(d.pid), description: 'its namespaces (readlink of each link)' },
    { label: procUidMap(d.pid), description: 'its user namespace\'s uid map (the identity map in the host\'s)' },
    { label: procMountinfo(d.pid), description: 'its mount table; the first line is the root overlay (lowerdir, upperdir, workdir)' },
    { label: procCgroup(d.pid), description: 'its cgroup in each hierarchy' },
    { label: procNetDev(d.pid), description: 'the interfaces of its network namespace, with their counters' },
    { label: cgroupFile(d, 'pids', 'cgroup.procs'), description: 'the processes in its cgroup' },
    ...LIMIT_KINDS.map((k) => ({ label: limitCgroupFile(k, d), description: `its ${k} limit` })),
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: `Kernel source of ${c.name} to open`, matchOnDescription: true });
  return pick?.label;
}
