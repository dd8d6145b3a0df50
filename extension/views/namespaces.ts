// nscope.namespaces: every namespace on the host (like lsns), grouped by
// type; those of nscope containers carry the container's name.
import * as vscode from 'vscode';
import type { NamespaceInfo, NsType } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { nsLink, setKernelSource } from './kernel-sources';
import { LeafNode, Node, TreeProvider } from './tree';
import { ranges } from './security';

const ORDER: NsType[] = ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup', 'user', 'time'];

export class NamespacesProvider extends TreeProvider {
  protected async roots(conn: Connection): Promise<Node[]> {
    const all = await conn.request('namespace.list', {});
    const byType = new Map<NsType, NamespaceInfo[]>();
    for (const ns of all) byType.set(ns.type, [...(byType.get(ns.type) ?? []), ns]);
    return ORDER.filter((t) => byType.has(t)).map((t) => new TypeNode(conn, t, byType.get(t)!));
  }
}

class TypeNode extends Node {
  constructor(override readonly conn: Connection, readonly type: NsType, readonly list: NamespaceInfo[]) {
    super(type, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `nstype:${type}`;
    this.contextValue = 'namespaceType';
    this.iconPath = new vscode.ThemeIcon('symbol-namespace');
    const owned = list.filter((n) => n.container).length;
    this.description = `${list.length} namespace${list.length === 1 ? '' : 's'}${owned ? ` · ${owned} in containers` : ''}`;
    this.tooltip = `/proc/PID/ns/${type} of every process, grouped by the inode the link names (what lsns -t ${type} lists)`;
  }

  override async children(): Promise<Node[]> {
    const rank = (n: NamespaceInfo) => (n.host ? 0 : n.container ? 1 : 2);
    return [...this.list].sort((a, b) => rank(a) - rank(b) || a.inode - b.inode).map((ns) => new NamespaceNode(ns));
  }
}

class NamespaceNode extends Node {
  constructor(readonly ns: NamespaceInfo) {
    const label = ns.container ? ns.container.name : ns.host ? 'host' : ns.processes[0]?.command ?? '?';
    super(label, ns.processes.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `ns:${ns.type}:${ns.inode}`;
    setKernelSource(this, ns.container ? 'namespace.container' : 'namespace', ns.processes[0] && nsLink(ns.processes[0].pid, ns.type));
    this.iconPath = new vscode.ThemeIcon(ns.container ? 'vm' : ns.host ? 'home' : 'symbol-namespace');
    const first = ns.processes[0];
    this.description = `${ns.type}:[${ns.inode}] · ${ns.processes.length} process${ns.processes.length === 1 ? '' : 'es'}${ns.maps ? ` · uid ${ranges(ns.maps.uidMap)}` : ''}`;
    this.tooltip = `${first ? `/proc/${first.pid}/ns/${ns.type} → ` : ''}${ns.type}:[${ns.inode}]${ns.owner ? `\nowned by user namespace ${ns.owner}` : ''}${ns.container ? `\ncontainer ${ns.container.name} (${ns.container.id.slice(0, 12)})` : ''}${ns.maps ? `\nuid_map ${ranges(ns.maps.uidMap)}\ngid_map ${ranges(ns.maps.gidMap)}` : ''}`;
  }

  override async children(): Promise<Node[]> {
    return this.ns.processes.map((p) => {
      const n = new LeafNode(p.command || '?', 'terminal', `${this.id}:${p.pid}`);
      n.description = `pid ${p.pid} · uid ${p.uid}`;
      n.tooltip = `/proc/${p.pid}/ns/${this.ns.type} → ${this.ns.type}:[${this.ns.inode}]`;
      setKernelSource(n, 'process', nsLink(p.pid, this.ns.type));
      return n;
    });
  }
}
