// What the views share: nodes are TreeItems that know how to load
// their children, and a provider that refreshes on demand (helper events,
// the refresh button, connection changes) and shows nothing while
// disconnected, so the view's welcome content explains why. With several
// hosts (host-connections.ts) the roots are one HostNode per host and each
// host's subtree is what the single view would be, loaded over that host's
// connection; every node below a host root carries it in `conn`, which is
// what the commands run on a node use.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { oneLine } from '../format';
import { HostNode } from './host-node';
import { LeafNode, Node } from './node';

export { LeafNode, Node } from './node';

const COALESCE_MS = 15;

export abstract class TreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private pending?: NodeJS.Timeout;
  /** host roots whose subtree is due to be reloaded (a burst of one host's events is one reload) */
  private readonly pendingHosts = new Set<HostNode>();
  private hostTimer?: NodeJS.Timeout;
  /** the root node of each host, kept: a refresh must name the very object the tree holds */
  private readonly hostNodes = new Map<Connection, HostNode>();
  /** resolves after the next root load; the e2e timing of event -> tree */
  lastRefresh = 0;

  constructor(protected readonly hosts: HostConnections) {}

  /** the extension's own helper: the only one when no hosts are configured */
  protected get conn(): Connection { return this.hosts.primary; }

  /** The top-level nodes of one host (the whole view when there is one host). */
  protected abstract roots(conn: Connection): Promise<Node[]>;

  /** Refreshes everything (expanded nodes keep their state: ids are stable). Coalesces bursts. */
  refresh(node?: Node): void {
    if (node) { this.emitter.fire(node); return; }
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = undefined; this.emitter.fire(); }, COALESCE_MS);
  }

  /** Refreshes one host's subtree (its events, its connection's state); everything when it is the only host. */
  refreshHost(conn: Connection): void {
    if (!this.hosts.several) { if (conn === this.hosts.primary) this.refresh(); return; }
    const node = this.hostNodes.get(conn);
    if (!node) { this.refresh(); return; }
    node.update();
    this.pendingHosts.add(node);
    this.hostTimer ??= setTimeout(() => {
      this.hostTimer = undefined;
      const nodes = [...this.pendingHosts];
      this.pendingHosts.clear();
      for (const n of nodes) this.emitter.fire(n);
    }, COALESCE_MS);
  }

  /** One host's top-level nodes as the tree holds them (below its root when there are several hosts). */
  async rootsOf(conn: Connection): Promise<Node[]> {
    if (!this.hosts.several) return this.getChildren();
    const root = this.hostRoots().find((h) => h.conn === conn);
    return root ? this.getChildren(root) : [];
  }

  getTreeItem(n: Node): vscode.TreeItem {
    // without this, a row's accessible name is its tooltip (a kernel path), not what it shows
    n.accessibilityInformation ??= { label: [n.label, n.description].filter((x) => typeof x === 'string' && x).join(' ') };
    return n;
  }

  getParent(n: Node): Node | undefined { return n.parent; }

  async getChildren(n?: Node): Promise<Node[]> {
    if (!n && this.hosts.several) return this.hostRoots();
    const conn = n?.conn ?? this.hosts.primary;
    const host = n instanceof HostNode ? n : undefined;
    if (host) {
      // a host's connection opens when its node is first expanded
      await conn.open();
      if (!conn.connected) { const why = host.problem(); why.parent = host; return [why]; }
    } else if (!conn.connected) return [];
    try {
      const kids = n && !host ? (n.children ? await n.children() : []) : await this.roots(conn);
      for (const k of kids) this.adopt(k, n, host);
      if (!n || host) this.lastRefresh = Date.now();
      return kids;
    } catch (e) {
      // disconnected meanwhile: an empty root lets the welcome content speak; else say what failed
      if (!n && !conn.connected) return [];
      const leaf = new LeafNode(oneLine(e), 'warning');
      this.adopt(leaf, n, host);
      return [leaf];
    }
  }

  /** A node handed to the tree: its parent, its host's connection and, with several hosts, an id of that host's. */
  private adopt(k: Node, parent: Node | undefined, host: HostNode | undefined): void {
    k.parent = parent;
    k.conn ??= parent?.conn ?? this.hosts.primary;
    // ids are made from the helper's names (image:host:sha256…): two hosts may well have the same ones.
    // Children's ids are made from their parent's, so they carry the prefix already.
    const prefix = host?.id ?? (parent ? /^host:[^/]*\//.exec(parent.id ?? '')?.[0]?.slice(0, -1) : undefined);
    if (k.id && prefix && !k.id.startsWith(`${prefix}/`)) k.id = `${prefix}/${k.id}`;
  }

  private hostRoots(): Node[] {
    const hosts = this.hosts.list();
    const live = new Set(hosts.map((h) => h.conn));
    for (const c of this.hostNodes.keys()) if (!live.has(c)) this.hostNodes.delete(c);
    this.lastRefresh = Date.now();
    return hosts.map((h) => {
      let node = this.hostNodes.get(h.conn);
      if (!node || node.host.name !== h.name) {
        node = new HostNode(h, h.conn === this.hosts.primary);
        this.hostNodes.set(h.conn, node);
      }
      node.update();
      return node;
    });
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    if (this.hostTimer) clearTimeout(this.hostTimer);
    this.emitter.dispose();
  }
}
