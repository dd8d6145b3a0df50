// nscope.editLimit: change a live container's memory, cpus, pids or cpuset
// limit from its Limits node; the tree follows from the helper's event.
import * as vscode from 'vscode';
import type { HostConnections } from '../host-connections';
import { LIMIT_KINDS, limitArgs, limitInputValue, validateLimit, type LimitKind } from '../limits';
import { ContainerNode, LimitNode } from '../views/containers';
import { containerArg } from './pick';
import { guarded } from './errors';

const EXAMPLES: Record<LimitKind, string> = {
  memory: 'bytes with a unit: 64m, 512k, 1g, or max',
  cpus: 'CPUs: 0.5, 2, or max',
  pids: 'processes: 100, or max',
  cpuset: 'CPUs it may run on: 0, 0-1, 0,2',
};

export function registerLimitCommand(hosts: HostConnections): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.editLimit', guarded('edit limit', async (arg?: unknown) => {
    const conn = await hosts.forCommand(arg, 'Edit Limit');
    if (!conn) return;
    let id: string;
    let name: string;
    let kind: LimitKind | undefined;
    if (arg instanceof LimitNode) {
      ({ id, name } = arg.owner.c);
      kind = arg.kind;
    } else {
      const c = await containerArg(conn, arg instanceof ContainerNode ? arg : undefined, ['running'], 'Container whose limit to change');
      if (!c) return;
      ({ id, name } = c);
      kind = (await vscode.window.showQuickPick(LIMIT_KINDS, { placeHolder: `Limit of ${name} to change` })) as LimitKind | undefined;
      if (!kind) return;
    }
    const detail = await conn.request('container.inspect', { id });
    if (detail.status !== 'running') throw new Error(`${name} is not running: limits apply to live containers`);
    const k = kind;
    const value = await vscode.window.showInputBox({
      title: `${name}: ${k} limit`,
      prompt: EXAMPLES[k],
      value: limitInputValue(k, detail.limits),
      validateInput: (s) => validateLimit(k, s),
      ignoreFocusOut: true,
    });
    if (value === undefined || value.trim() === limitInputValue(k, detail.limits)) return;
    await conn.request('container.update', { id, ...limitArgs(k, value) });
  }));
}
