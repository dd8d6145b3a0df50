// Commands run from the palette have no tree node: ask with a quick pick.
import * as vscode from 'vscode';
import type { ContainerStatus, ContainerSummary } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { shortId } from '../format';
import { ContainerNode } from '../views/containers';

/** The container a command acts on: the tree node it was invoked on, or one the user picks. */
export async function containerArg(conn: Connection, arg: unknown, statuses: ContainerStatus[], placeHolder: string, opts: { ownOnly?: boolean; paused?: boolean } = {}): Promise<ContainerSummary | undefined> {
  if (arg instanceof ContainerNode) return arg.c;
  if (typeof arg === 'string') return (await conn.request('container.list', { all: true })).find((c) => c.id === arg || c.name === arg);
  // ownOnly: not the containers an engine runs with nscope-runtime (their files and lifecycle are the engine's)
  // paused: only the paused ones (Unpause), or only the others (Pause); a paused container's status is still running
  const list = (await conn.request('container.list', { all: true })).filter((c) => statuses.includes(c.status) && !(opts.ownOnly && c.engine) && (opts.paused === undefined || !!c.paused === opts.paused));
  if (!list.length) {
    void vscode.window.showInformationMessage(`nscope: no ${noneOf(statuses, opts.paused)}containers`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(list.map((c) => ({ label: c.name, description: `${c.image} · ${c.paused ? 'paused' : c.status}`, detail: shortId(c.id), c })), { placeHolder });
  return pick?.c;
}

/** What the containers a command wanted were: "" when any would do (not "created or running or exited"), "stopped " for created or exited. */
function noneOf(statuses: ContainerStatus[], paused?: boolean): string {
  if (paused) return 'paused ';
  const has = new Set(statuses);
  if (has.has('created') && has.has('exited')) return has.has('running') ? '' : 'stopped ';
  return `${statuses.join(' or ')} `;
}
