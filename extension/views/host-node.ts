// A host's root node, when the views show several hosts: its name, and its
// connection's state as description and icon — idle until expanded,
// connecting, connected, or "unreachable: <why>" with a Retry action
// (contextValue `host.STATE`, `host.STATE.own` for the extension's own helper
// on this machine: package.json's menus).
import * as vscode from 'vscode';
import { isLocalSocket } from '../../helper/protocol/host';
import type { Host } from '../host-connections';
import { LeafNode, Node } from './node';

export class HostNode extends Node {
  /** `own`: the extension's own helper, open from the start as the single view was; the others load when expanded */
  constructor(readonly host: Host, private readonly own: boolean) {
    super(host.name, own ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    // no '/' in it: the ids below are `host:NAME/…` (tree.ts). The own helper's keeps its id (and so its
    // expansion) when Switch Host… moves it; '%' is never in an encoded name.
    this.id = own ? 'host:%own' : `host:${encodeURIComponent(host.name)}`;
    this.conn = host.conn;
    this.update();
  }

  /** Shows the connection's state as it is now. */
  update(): void {
    const c = this.host.conn;
    const where = this.host.address;
    let state: string;
    if (!c.isStarted) {
      state = 'idle';
      this.description = where;
      this.iconPath = new vscode.ThemeIcon('remote');
      this.tooltip = `${this.host.name}: ${where}\nconnects when expanded`;
    } else if (c.state === 'connected') {
      state = 'connected';
      this.description = `connected · ${where}`;
      this.iconPath = new vscode.ThemeIcon('vm-active', new vscode.ThemeColor('testing.iconPassed'));
      this.tooltip = `${this.host.name}: connected to the helper ${c.helperVersion} at ${where}`;
    } else if (c.state === 'connecting') {
      state = 'connecting';
      this.description = 'connecting…';
      this.iconPath = new vscode.ThemeIcon('sync~spin');
      this.tooltip = `${this.host.name}: connecting to ${where}`;
    } else {
      state = c.state;
      this.description = `unreachable: ${c.reason}`;
      this.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      this.tooltip = `${this.host.name}: ${where}\n${c.reason}\nretried by itself every few seconds; Retry tries now`;
    }
    // `.own`: the extension's own helper on this machine, whose root offers Start the Helper when it is not running
    this.contextValue = `host.${state}${this.own && isLocalSocket(where) ? '.own' : ''}`;
    // recomputed on every change: the tree's default accessible name is made once
    this.accessibilityInformation = { label: `${this.host.name} ${this.description}` };
  }

  /** The one child of a host that is not connected: why. */
  problem(): Node {
    const c = this.host.conn;
    const leaf = new LeafNode(c.reason ? `unreachable: ${c.reason}` : 'not connected', 'warning', `${this.id}/problem`);
    leaf.conn = c;
    return leaf;
  }
}
