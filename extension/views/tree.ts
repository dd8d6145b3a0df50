// What the three views share: nodes are TreeItems that know how to load
// their children, and a provider that refreshes on demand (helper events,
// the refresh button, connection changes) and shows nothing while
// disconnected, so the view's welcome content explains why.
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import { oneLine } from '../format';

export abstract class Node extends vscode.TreeItem {
  parent?: Node;
  /** the kernel file behind the node, what "Reveal Kernel Source" opens (kernel-sources.ts) */
  kernelSource?: string;
  /** children, loaded when the node is expanded */
  children?(): Promise<Node[]>;
}

/** A leaf: a process, a namespace, a layer, or a message for a failed or empty load (one line, no stack). */
export class LeafNode extends Node {
  constructor(label: string, icon = 'info', id?: string) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon(icon);
    this.contextValue = 'leaf';
    if (id) this.id = id;
  }
}

export abstract class TreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private pending?: NodeJS.Timeout;
  /** resolves after the next root load; the e2e timing of event -> tree */
  lastRefresh = 0;

  constructor(protected readonly conn: Connection) {}

  protected abstract roots(): Promise<Node[]>;

  /** Refreshes everything (expanded nodes keep their state: ids are stable). Coalesces bursts. */
  refresh(node?: Node): void {
    if (node) { this.emitter.fire(node); return; }
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = undefined; this.emitter.fire(); }, 15);
  }

  getTreeItem(n: Node): vscode.TreeItem {
    // without this, a row's accessible name is its tooltip (a kernel path), not what it shows
    n.accessibilityInformation ??= { label: [n.label, n.description].filter((x) => typeof x === 'string' && x).join(' ') };
    return n;
  }

  getParent(n: Node): Node | undefined { return n.parent; }

  async getChildren(n?: Node): Promise<Node[]> {
    if (!this.conn.connected) return [];
    try {
      const kids = n ? (n.children ? await n.children() : []) : await this.roots();
      for (const k of kids) k.parent = n;
      if (!n) this.lastRefresh = Date.now();
      return kids;
    } catch (e) {
      // disconnected meanwhile: an empty root lets the welcome content speak; else say what failed
      if (!n && !this.conn.connected) return [];
      return [new LeafNode(oneLine(e), 'warning')];
    }
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.emitter.dispose();
  }
}
