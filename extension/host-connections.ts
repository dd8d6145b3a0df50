// Several hosts at once: one Connection per helper the views show. The
// extension's own helper (`nscope.socketPath`, "local" unless Switch Host…
// moved it) is `primary`, started at activation as ever; each entry of
// `nscope.hosts` gets a Connection of its own, idle until its root node is
// first expanded, and closed when the entry leaves the setting. An entry
// whose address is the primary's is that same helper: it is not shown twice.
// With `nscope.hosts` empty there is only the primary and the views have no
// host level (`several` is false).
import * as vscode from 'vscode';
import type { NscopeEvent } from '../helper/protocol/types';
import { Connection } from './connection';
import { configuredHosts, currentHostName } from './hosts';

/** A host as the views show it: its name, its address and its connection. */
export interface Host { name: string; address: string; conn: Connection }

export class HostConnections implements vscode.Disposable {
  private readonly extra = new Map<string, Host>();
  private readonly subs = new Map<Connection, vscode.Disposable>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** the list of hosts changed (the setting, or the primary's address) */
  readonly onDidChangeHosts = this.changed.event;
  private readonly stateEmitter = new vscode.EventEmitter<Connection>();
  /** a host's connection changed state */
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly eventEmitter = new vscode.EventEmitter<{ conn: Connection; event: NscopeEvent }>();
  /** a helper event, with the connection it came over */
  readonly onEvent = this.eventEmitter.event;

  constructor(readonly primary: Connection) {
    this.follow(primary);
    this.sync();
    this.publish();
  }

  /** Whether any host is connected. */
  get anyConnected(): boolean { return this.list().some((h) => h.conn.connected); }

  /**
   * `nscope.connectedAny`: the view titles' and the palette's actions (Run,
   * Pull, Import, Build Image…, Show Stats) ask for a connected host, not for
   * the local one: a user whose only helpers are over ssh has them too (the
   * command then asks which host). `nscope.state` stays the own helper's, for
   * the welcome text of a view with no host level.
   */
  private publish(): void {
    const on = this.anyConnected;
    if (on === this.published) return;
    this.published = on;
    void vscode.commands.executeCommand('setContext', 'nscope.connectedAny', on);
  }
  private published?: boolean;

  /** True when the views show one root per host. */
  get several(): boolean { return this.extra.size > 0; }

  /** Every host, the primary first. */
  list(): Host[] {
    return [{ name: currentHostName(this.primary), address: this.primary.socketPath, conn: this.primary }, ...this.extra.values()];
  }

  /** The connection whose files a URI authority names ('' or unknown: see file-uri.ts). */
  byName(name: string): Connection | undefined {
    if (!name) return this.primary;
    return this.extra.get(name)?.conn;
  }

  /** The helper a file or kernel URI's authority names; a host no longer in the settings is a readable error. */
  forUri(uri: vscode.Uri): Connection {
    const conn = this.byName(uri.authority);
    if (!conn) throw vscode.FileSystemError.Unavailable(`${uri.authority} is not one of nscope.hosts any more`);
    return conn;
  }

  /** Re-reads `nscope.hosts`: new entries get an idle connection, removed ones are closed. */
  sync(): void {
    const wanted = new Map<string, string>();
    for (const h of configuredHosts()) {
      const name = h.name.trim();
      if (!name || name === 'local' || wanted.has(name) || h.host.trim() === this.primary.socketPath) continue;
      wanted.set(name, h.host.trim());
    }
    let changed = false;
    for (const [name, h] of this.extra) {
      if (wanted.get(name) === h.address) continue;
      this.extra.delete(name);
      this.drop(h.conn);
      changed = true;
    }
    for (const [name, address] of wanted) {
      if (this.extra.has(name)) continue;
      const conn = new Connection(() => address, name);
      this.follow(conn);
      this.extra.set(name, { name, address, conn });
      changed = true;
    }
    if (changed) { this.publish(); this.changed.fire(); }
  }

  /** A node-less command's host: the only one, or the one the user picks (connected ones first). */
  async pick(title: string): Promise<Connection | undefined> {
    if (!this.several) return this.primary;
    const hosts = this.list().sort((a, b) => Number(b.conn.connected) - Number(a.conn.connected));
    const pick = await vscode.window.showQuickPick(hosts.map((h) => ({
      label: h.name, description: h.address, detail: h.conn.connected ? 'connected' : h.conn.isStarted ? `not connected: ${h.conn.reason || h.conn.state}` : 'not connected yet', h,
    })), { title, placeHolder: 'The host to do it on' });
    if (!pick) return undefined;
    await pick.h.conn.open();
    return pick.h.conn;
  }

  /** The connection a command acts on: its tree node's host, else (palette, view title) the one picked. */
  async forCommand(arg: unknown, title: string): Promise<Connection | undefined> {
    return hostOf(arg) ?? this.pick(title);
  }

  private follow(conn: Connection): void {
    this.subs.set(conn, vscode.Disposable.from(
      conn.onDidChangeState(() => { this.publish(); this.stateEmitter.fire(conn); }),
      conn.onEvent((event) => this.eventEmitter.fire({ conn, event })),
    ));
  }

  private drop(conn: Connection): void {
    this.subs.get(conn)?.dispose();
    this.subs.delete(conn);
    conn.dispose();
  }

  dispose(): void {
    for (const h of this.extra.values()) this.drop(h.conn);
    this.extra.clear();
    this.subs.get(this.primary)?.dispose();
    this.changed.dispose();
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
  }
}

/** The host of a tree node (every node below a host root carries its connection, views/tree.ts). */
export function hostOf(arg: unknown): Connection | undefined {
  const c = (arg as { conn?: unknown } | undefined)?.conn;
  return c instanceof Connection ? c : undefined;
}
