// Who the editor's changes to a container's files are made as (issue 14):
// the container's root, its own user (-u / the image's USER), or another user
// of it, in Docker's -u forms. Chosen per container with "Write Files As…"
// (commands/files.ts) and remembered in the workspace, keyed by host and
// container id; a container without a choice follows `nscope.files.writeAs`.
// Every write of the provider (fs/file-provider.ts) passes the answer to the
// helper, whose files worker then acts as that user: the kernel checks it.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';

const KEY = 'nscope.filesWriteAs';

/** A container's choice: its root, its configured user (whatever that is), or a user named. */
export type WriteAsChoice = { as: 'root' } | { as: 'container' } | { as: 'user'; user: string };

/** A user that is the container's root by another name: writing as it is writing as root. */
export function isRoot(user: string): boolean {
  return /^(root|0)(:(root|0))?$/.test(user);
}

/** `nscope.files.writeAs`: what a container without a choice of its own writes as. */
export function defaultChoice(): WriteAsChoice {
  return vscode.workspace.getConfiguration('nscope').get<string>('files.writeAs') === 'containerUser' ? { as: 'container' } : { as: 'root' };
}

/** What a container's id and configured user are, as the URIs name it (an id or a name). */
interface Known { id: string; user?: string }

export class WriteAs implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** a choice or the default changed: the Files nodes' descriptions follow */
  readonly onDidChange = this.emitter.event;
  /** per host and container ref: its id and configured user (a container's USER never changes; a name may go to another) */
  private readonly known = new Map<string, Promise<Known>>();
  private readonly subs: vscode.Disposable[];

  constructor(private readonly memento: vscode.Memento, hosts: HostConnections) {
    this.subs = [
      hosts.onEvent(({ conn, event: e }) => {
        if (e.type !== 'container.created' && e.type !== 'container.removed') return;
        const host = `${conn.hostName ?? ''}\0`;
        for (const k of this.known.keys()) if (k.startsWith(host)) this.known.delete(k);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('nscope.files.writeAs')) this.emitter.fire(); }),
    ];
  }

  /** The choice made for a container with Write Files As…, if any. */
  chosen(host: string, id: string): WriteAsChoice | undefined {
    return this.memento.get<Record<string, WriteAsChoice>>(KEY, {})[`${host}\0${id}`];
  }

  async choose(host: string, id: string, choice: WriteAsChoice): Promise<void> {
    const all = { ...this.memento.get<Record<string, WriteAsChoice>>(KEY, {}), [`${host}\0${id}`]: choice };
    await this.memento.update(KEY, all);
    this.emitter.fire();
  }

  /** Who writes to the container `id` whose configured user is `configured`: undefined for its root. */
  effective(host: string, id: string, configured: string | undefined): string | undefined {
    const c = this.chosen(host, id) ?? defaultChoice();
    const user = c.as === 'user' ? c.user : c.as === 'container' ? configured : undefined;
    return user && !isRoot(user) ? user : undefined;
  }

  /** A container's id and configured user, asked of its helper once. */
  lookup(conn: Connection, host: string, ref: string): Promise<Known> {
    const key = `${host}\0${ref}`;
    let k = this.known.get(key);
    if (!k) {
      k = conn.request('container.inspect', { id: ref }).then((d) => ({ id: d.id, user: d.user }));
      // a failure is not kept: the next write asks again
      k.catch(() => this.known.delete(key));
      this.known.set(key, k);
    }
    return k;
  }

  /** Who a write to the container `ref` (as its URI names it) is made as: undefined for its root. */
  async userFor(conn: Connection, host: string, ref: string): Promise<string | undefined> {
    // a full id whose choice needs nothing of the container: no question to the helper
    const direct = /^[0-9a-f]{64}$/.test(ref) ? this.chosen(host, ref) : undefined;
    if (direct && direct.as !== 'container') return this.effective(host, ref, undefined);
    const k = await this.lookup(conn, host, ref);
    return this.effective(host, k.id, k.user);
  }

  dispose(): void { for (const s of this.subs) s.dispose(); this.emitter.dispose(); }
}
