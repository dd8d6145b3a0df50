// A tree node of any view: a TreeItem that knows how to load its children
// and which host it belongs to (views/tree.ts hands them out).
import * as vscode from 'vscode';
import type { Connection } from '../connection';

export abstract class Node extends vscode.TreeItem {
  parent?: Node;
  /** the connection of the host the node belongs to; set by the provider on every node it hands out */
  conn?: Connection;
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
