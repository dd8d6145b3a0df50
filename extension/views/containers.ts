// nscope.containers: every container with its state, and below it the
// kernel objects it is made of: processes, namespaces, cgroup limits and
// the overlay layers of its root.
import * as vscode from 'vscode';
import type { ContainerDetail, ContainerSummary, ImageLayerInfo } from '../../helper/protocol';
import type { Connection } from '../connection';
import { formatBytes, shortId, since } from '../format';
import { LIMIT_KINDS, limitCgroupFile, limitDescription, type LimitKind } from '../limits';
import { ChangesNode } from './changes';
import { LeafNode, Node, TreeProvider } from './tree';

const C = vscode.TreeItemCollapsibleState;

export class ContainersProvider extends TreeProvider {
  protected async roots(): Promise<Node[]> {
    const list = await this.conn.request('container.list', { all: true });
    const rank = (c: ContainerSummary) => (c.status === 'running' ? 0 : c.status === 'created' ? 1 : 2);
    list.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    return list.map((c) => new ContainerNode(this.conn, c));
  }
}

export class ContainerNode extends Node {
  constructor(readonly conn: Connection, readonly c: ContainerSummary) {
    super(c.name, C.Collapsed);
    this.id = `container:${c.id}`;
    this.contextValue = `container.${c.status}`;
    this.iconPath = stateIcon(c);
    this.description = describe(c);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${c.name}** \`${shortId(c.id)}\`\n\n`);
    md.appendMarkdown(`image \`${c.image}\` · ${this.description}\n\n`);
    md.appendMarkdown(`command \`${c.command.join(' ')}\`\n\n`);
    if (c.pid) md.appendMarkdown(`init process \`/proc/${c.pid}\` on the host\n\n`);
    this.tooltip = md;
  }

  get running(): boolean { return this.c.status === 'running'; }

  override async children(): Promise<Node[]> {
    const groups: Node[] = [];
    if (this.running) groups.push(new ProcessesNode(this), new NamespacesNode(this));
    groups.push(new LimitsNode(this), new LayersNode(this), new ChangesNode(this.conn, this.c.id, this.c.name, this.id!));
    return groups;
  }
}

function stateIcon(c: ContainerSummary): vscode.ThemeIcon {
  if (c.status === 'running') return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'));
  if (c.status === 'created') return new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground'));
  const bad = (c.exitCode ?? 0) !== 0 || c.oomKilled;
  return new vscode.ThemeIcon('vm', new vscode.ThemeColor(bad ? 'testing.iconFailed' : 'disabledForeground'));
}

function describe(c: ContainerSummary): string {
  if (c.status === 'running') {
    const up = since(c.startedAt);
    return `${c.image} · running${up ? ` · up ${up}` : ''}`;
  }
  if (c.status === 'exited') {
    const ago = since(c.finishedAt);
    const why = c.oomKilled ? 'OOM-killed' : `exited (${c.exitCode ?? '?'})`;
    return `${c.image} · ${why}${ago ? ` ${ago} ago` : ''}`;
  }
  return `${c.image} · created`;
}

abstract class GroupNode extends Node {
  constructor(readonly owner: ContainerNode, label: string, key: string, icon: string) {
    super(label, C.Collapsed);
    this.id = `${owner.id}:${key}`;
    this.iconPath = new vscode.ThemeIcon(icon);
    this.contextValue = `group.${key}`;
  }
  get request() { return this.owner.conn.request.bind(this.owner.conn); }
  get cid(): string { return this.owner.c.id; }
}

class ProcessesNode extends GroupNode {
  constructor(owner: ContainerNode) { super(owner, 'Processes', 'processes', 'server-process'); }
  override async children(): Promise<Node[]> {
    const procs = await this.request('container.top', { id: this.cid });
    if (!procs.length) return [new LeafNode('no processes')];
    return procs.map((p) => {
      const n = new LeafNode(p.command || '?', 'terminal', `${this.id}:${p.pid}`);
      n.contextValue = 'process';
      n.description = `pid ${p.nsPid ?? '?'} in container · ${p.pid} on host · uid ${p.uid}`;
      n.tooltip = `/proc/${p.pid} on the host (pid ${p.nsPid ?? '?'} in the container's pid namespace), state ${p.state}\n${p.command}`;
      return n;
    });
  }
}

class NamespacesNode extends GroupNode {
  constructor(owner: ContainerNode) { super(owner, 'Namespaces', 'namespaces', 'symbol-namespace'); }
  override async children(): Promise<Node[]> {
    const nss = await this.request('container.namespaces', { id: this.cid });
    return nss.map((ns) => {
      const n = new LeafNode(ns.type, ns.sharedWithHost ? 'link' : 'symbol-namespace', `${this.id}:${ns.type}`);
      n.contextValue = 'namespace';
      n.description = `${ns.type}:[${ns.inode}]${ns.sharedWithHost ? ' · shared with host' : ''}`;
      n.tooltip = `${ns.path} → ${ns.type}:[${ns.inode}]`;
      return n;
    });
  }
}

const LIMIT_ICONS: Record<LimitKind, string> = { memory: 'server', cpus: 'pulse', pids: 'list-ordered', cpuset: 'circuit-board' };

class LimitsNode extends GroupNode {
  constructor(owner: ContainerNode) { super(owner, 'Limits', 'limits', 'dashboard'); }
  override async children(): Promise<Node[]> {
    const [detail, stats] = await Promise.all([
      this.request('container.inspect', { id: this.cid }),
      this.owner.running ? this.request('container.stats', { id: this.cid }).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    return LIMIT_KINDS.map((k) => new LimitNode(this.owner, k, detail, limitDescription(k, detail.limits, stats), `${this.id}:${k}`));
  }
}

export class LimitNode extends Node {
  constructor(readonly owner: ContainerNode, readonly kind: LimitKind, readonly detail: ContainerDetail, description: string, id: string) {
    super(kind, C.None);
    this.id = id;
    this.description = description;
    this.iconPath = new vscode.ThemeIcon(LIMIT_ICONS[kind]);
    const file = limitCgroupFile(kind, detail);
    this.tooltip = owner.running ? `${file}\nClick to change the limit of the running container` : file;
    this.contextValue = owner.running ? 'limit.editable' : 'limit';
    if (owner.running) this.command = { command: 'nscope.editLimit', title: 'Edit Limit', arguments: [this] };
  }
}

class LayersNode extends GroupNode {
  constructor(owner: ContainerNode) { super(owner, 'Layers', 'layers', 'layers'); }
  override async children(): Promise<Node[]> {
    const d = await this.request('container.inspect', { id: this.cid });
    let layers: ImageLayerInfo[] = [];
    try { layers = (await this.request('image.inspect', { ref: d.imageId })).layers; } catch { /* image removed */ }
    const out: Node[] = [];
    const rw = new LeafNode('rw', 'edit', `${this.id}:rw`);
    rw.description = 'the container\'s writes (overlay upperdir)';
    rw.tooltip = `upperdir ${d.rootfs.upper}\nworkdir ${d.rootfs.work}\nmounted at ${d.rootfs.mountpoint}`;
    const init = new LeafNode('init', 'file-submodule', `${this.id}:init`);
    init.description = '/etc/hostname, /etc/hosts, /etc/resolv.conf';
    init.tooltip = `lowerdir (top) ${d.rootfs.init}`;
    out.push(rw, init);
    [...d.rootfs.lower].reverse().forEach((dir, i) => {
      const idx = d.rootfs.lower.length - 1 - i;
      const info = layers.find((l) => dir.includes(l.diffId.replace(/^sha256:/, ''))) ?? layers[idx];
      const n = new LeafNode(`layer ${idx}`, 'layers', `${this.id}:lower:${idx}`);
      n.description = info ? `${shortId(info.diffId)} · ${formatBytes(info.unpackedSize ?? info.size)}${info.createdBy ? ` · ${info.createdBy}` : ''}` : dir;
      n.tooltip = `lowerdir ${dir}${info?.createdBy ? `\n${info.createdBy}` : ''}`;
      out.push(n);
    });
    return out;
  }
}
