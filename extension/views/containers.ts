// nscope.containers: every container with its state, and below it the
// kernel objects it is made of: processes, namespaces, its network
// (container-network.ts), cgroup limits, the overlay layers of its root, its
// volumes (container-volumes.ts) and its confinement (security.ts).
import * as vscode from 'vscode';
import type { ContainerDetail, ContainerEngine, ContainerSummary, ImageLayerInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { formatBytes, shortId, since } from '../format';
import { LIMIT_KINDS, limitCgroupFile, limitDescription, type LimitKind } from '../limits';
import { RecentStats, sparklineMarkdown } from '../stats/recent';
import { ChangesNode } from './changes';
import { FilesNode } from './files';
import type { WriteAs } from '../fs/write-as';
import { NetworkGroupNode } from './container-network';
import { VolumesGroupNode } from './container-volumes';
import { cgroupDirs, cgroupFile, nsDir, nsLink, procCgroup, procMountinfo, procStatus, setKernelSource } from './kernel-sources';
import { SecurityNode } from './security';
import { LeafNode, Node, TreeProvider } from './tree';
import { ranges } from './security';

const C = vscode.TreeItemCollapsibleState;

export class ContainersProvider extends TreeProvider {
  /**
   * The Changes and Files nodes last expanded, per host, container id and
   * node id: what container.changed refreshes (a save shows its size, layer
   * and change at once).
   */
  private readonly expandedFiles = new Map<Connection, Map<string, Map<string, Node>>>();
  /** what the sparklines of running containers' tooltips draw, per host (each host's stats streams are its own) */
  private readonly recent = new Map<Connection, RecentStats>();
  private readonly writeAsSub?: vscode.Disposable;
  /** the container rows each host's list last gave the tree: what the clock redraws */
  private readonly shown = new Map<Connection, ContainerNode[]>();
  private clock?: NodeJS.Timeout;
  private readonly configSub: vscode.Disposable;

  /** `writeAs`: who each container's files are written as, shown on its Files node (a change redraws them) */
  constructor(hosts: HostConnections, private readonly writeAs?: WriteAs) {
    super(hosts);
    this.writeAsSub = writeAs?.onDidChange(() => this.refresh());
    this.startClock();
    this.configSub = vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('nscope.timesRefreshSeconds')) this.startClock(); });
  }

  /**
   * The times rows show (`up 44s`) age with nothing happening to the
   * container: every nscope.timesRefreshSeconds, the rows whose text is no
   * longer true are redrawn, those alone (as Docker's view refreshes its list).
   */
  private startClock(): void {
    if (this.clock) clearInterval(this.clock);
    this.clock = undefined;
    const s = vscode.workspace.getConfiguration('nscope').get<number>('timesRefreshSeconds', 30);
    if (!(s > 0)) return;
    this.clock = setInterval(() => {
      for (const nodes of this.shown.values()) for (const n of nodes) if (n.retime()) this.refresh(n);
    }, Math.max(1, Math.min(3600, s)) * 1000);
  }

  private recentOf(conn: Connection): RecentStats {
    let r = this.recent.get(conn);
    if (!r) { r = new RecentStats(conn); this.recent.set(conn, r); }
    return r;
  }

  /** A running container's tooltip, on hover: its summary and the last minute of CPU and memory. */
  async resolveTreeItem(item: vscode.TreeItem, n: Node): Promise<vscode.TreeItem> {
    if (!(n instanceof ContainerNode) || item.tooltip) return item;
    const md = new vscode.MarkdownString(n.summary.value);
    try {
      const spark = sparklineMarkdown(await this.recentOf(n.conn).recent(n.c.id));
      if (spark) md.appendMarkdown(spark);
    } catch { /* no stats: the summary alone */ }
    item.tooltip = md;
    return item;
  }

  override dispose(): void {
    if (this.clock) clearInterval(this.clock);
    this.configSub.dispose();
    this.writeAsSub?.dispose();
    for (const r of this.recent.values()) r.dispose();
    super.dispose();
  }

  protected async roots(conn: Connection): Promise<Node[]> {
    const list = await conn.request('container.list', { all: true });
    const rank = (c: ContainerSummary) => (c.status === 'running' ? 0 : c.status === 'created' ? 1 : 2);
    list.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    const ids = new Set(list.map((c) => c.id));
    const expanded = this.expandedFiles.get(conn) ?? new Map<string, Map<string, Node>>();
    this.expandedFiles.set(conn, expanded);
    for (const id of expanded.keys()) if (!ids.has(id)) expanded.delete(id);
    // a host that left the setting takes its nodes and stats streams with it
    const live = new Set(this.hosts.list().map((h) => h.conn));
    for (const c of this.expandedFiles.keys()) if (!live.has(c)) this.expandedFiles.delete(c);
    for (const [c, r] of this.recent) if (!live.has(c)) { r.dispose(); this.recent.delete(c); }
    const expandedOf = (id: string) => { let m = expanded.get(id); if (!m) expanded.set(id, m = new Map()); return m; };
    const nodes = list.map((c) => new ContainerNode(conn, c, (n) => expandedOf(c.id).set(n.id!, n), this.writeAs));
    this.shown.set(conn, nodes);
    for (const c of this.shown.keys()) if (!live.has(c)) this.shown.delete(c);
    return nodes;
  }

  /**
   * A container's files changed: reloads its Changes and Files nodes alone,
   * and only those that were expanded (a collapsed one loads afresh when
   * opened). A node must be the very object the tree holds: a stale one is
   * ignored by VS Code.
   */
  refreshFiles(conn: Connection, id: string): void {
    for (const n of this.expandedFiles.get(conn)?.get(id)?.values() ?? []) this.refresh(n);
  }
}

export class ContainerNode extends Node {
  /** the tooltip without the stats, its state as the row shows it now (retime() redraws the row) */
  get summary(): vscode.MarkdownString {
    const c = this.c;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${c.name}** \`${shortId(c.id)}\`\n\n`);
    if (c.engine) {
      md.appendMarkdown(`run by **${ENGINE_LABEL[c.engine.name]}** with nscope-runtime (state in \`${c.engine.root}\`): nscope shows it and can change its limits; start, stop and remove it with \`${c.engine.command}\`\n\n`);
    }
    // the row's description starts with the image: named once here, then the state
    const d = typeof this.description === 'string' ? this.description : '';
    md.appendMarkdown(`image \`${c.image}\` · ${d.startsWith(`${c.image} · `) ? d.slice(c.image.length + 3) : d}\n\n`);
    md.appendMarkdown(`command \`${c.command.join(' ')}\`\n\n`);
    if (this.pid) md.appendMarkdown(`init process \`${procStatus(this.pid)}\` on the host\n\n`);
    else md.appendMarkdown('not running: no processes, namespaces or cgroup in the kernel; its layers stay on disk\n\n');
    return md;
  }

  private describeNow(): string {
    const c = this.c;
    return c.engine ? `${ENGINE_LABEL[c.engine.name]} · ${describe(c).replace(/^[^·]*· /, '')}` : describe(c);
  }

  /** Its times as of now (`up 5m`); true when the row's text changed and wants redrawing. */
  retime(): boolean {
    const d = this.describeNow();
    if (d === this.description) return false;
    this.description = d;
    this.accessibilityInformation = undefined;
    // a running one's is made again on the next hover (resolveTreeItem), a stopped one's now
    this.tooltip = this.running ? undefined : this.summary;
    return true;
  }

  /** `onFilesExpanded`: told when its Changes or Files node is expanded */
  constructor(override readonly conn: Connection, readonly c: ContainerSummary, private readonly onFilesExpanded?: (n: Node) => void, private readonly writeAs?: WriteAs) {
    super(c.name, C.Collapsed);
    this.id = `container:${c.id}`;
    // an engine's container: `engine.STATE`, so the lifecycle menus (matched on `container.`) are not offered;
    // a frozen one `container.paused` (Unpause offered, not Pause or a shell: an exec would hang)
    this.contextValue = `${c.engine ? 'engine' : 'container'}.${c.status === 'running' && c.paused && !c.engine ? 'paused' : c.status}`;
    this.iconPath = c.engine ? engineIcon(c) : stateIcon(c);
    this.description = this.describeNow();
    if (!this.running) this.tooltip = this.summary;
    // the contextValue stays `container.STATE` (menus match it with ==): running and created imply a kernel source
    this.kernelSource = this.pid ? procStatus(this.pid) : undefined;
  }

  get running(): boolean { return this.c.status === 'running'; }
  /** the init process while the container has one (created or running) */
  get pid(): number | undefined { return this.c.status !== 'exited' ? this.c.pid : undefined; }

  override async children(): Promise<Node[]> {
    const detail = await this.conn.request('container.inspect', { id: this.c.id });
    const groups: Node[] = [];
    if (this.running) groups.push(new ProcessesNode(this, detail), new NamespacesNode(this), new NetworkGroupNode(this, detail));
    groups.push(new SecurityNode(this.id!, detail), new LimitsNode(this, detail), new LayersNode(this, detail), new VolumesGroupNode(this, detail, this.running));
    groups.push(new ChangesNode(this.conn, this.c, this.id!, detail, this.onFilesExpanded));
    if (!this.c.engine) {
      const as = this.writeAs?.effective(this.conn.hostName ?? '', this.c.id, detail.user);
      groups.push(new FilesNode(this.conn, { container: this.c.id, name: this.c.name, as }, this.id!, this.onFilesExpanded));
    }
    return groups;
  }
}

const ENGINE_LABEL: Record<ContainerEngine['name'], string> = { docker: 'Docker', containerd: 'containerd', podman: 'Podman', 'nscope-runtime': 'nscope-runtime' };

/** A container an engine owns: another shape than nscope's own (vm-connect: driven from elsewhere), the same state colours. */
function engineIcon(c: ContainerSummary): vscode.ThemeIcon {
  const color = c.status === 'running' ? 'testing.iconPassed' : (c.exitCode ?? 0) !== 0 ? 'testing.iconFailed' : 'disabledForeground';
  return new vscode.ThemeIcon('vm-connect', new vscode.ThemeColor(color));
}

function stateIcon(c: ContainerSummary): vscode.ThemeIcon {
  if (c.status === 'running' && c.paused) return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('testing.iconQueued'));
  if (c.status === 'running') return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'));
  if (c.status === 'created') return new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground'));
  const bad = (c.exitCode ?? 0) !== 0 || c.oomKilled;
  return new vscode.ThemeIcon('vm', new vscode.ThemeColor(bad ? 'testing.iconFailed' : 'disabledForeground'));
}

function describe(c: ContainerSummary): string {
  if (c.status === 'running') {
    const up = since(c.startedAt);
    return `${c.image} · ${c.paused ? 'paused' : 'running'}${up ? ` · up ${up}` : ''}${c.paused || !c.health ? '' : c.health === 'starting' ? ' · health: starting' : ` · ${c.health}`}`;
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
  constructor(owner: ContainerNode, detail: ContainerDetail) {
    super(owner, 'Processes', 'processes', 'server-process');
    const procs = cgroupFile(detail, 'pids', 'cgroup.procs');
    this.tooltip = `${procs}\nthe processes in the container's cgroup (container.top reads it)`;
    setKernelSource(this, 'group.processes', procs);
  }
  override async children(): Promise<Node[]> {
    const procs = await this.request('container.top', { id: this.cid });
    if (!procs.length) return [new LeafNode('no processes')];
    return procs.map((p) => {
      const n = new LeafNode(p.command || '?', 'terminal', `${this.id}:${p.pid}`);
      setKernelSource(n, 'process', procStatus(p.pid));
      n.description = `pid ${p.nsPid ?? '?'} in container · ${p.pid} on host · uid ${p.uid}`;
      n.tooltip = `/proc/${p.pid} on the host (pid ${p.nsPid ?? '?'} in the container's pid namespace), state ${p.state}\n${p.command}`;
      return n;
    });
  }
}

class NamespacesNode extends GroupNode {
  constructor(owner: ContainerNode) {
    super(owner, 'Namespaces', 'namespaces', 'symbol-namespace');
    const pid = owner.pid!;
    this.tooltip = `${nsDir(pid)}\nthe init process's namespace links: one inode per namespace`;
    setKernelSource(this, 'group.namespaces', nsDir(pid));
  }
  override async children(): Promise<Node[]> {
    const nss = await this.request('container.namespaces', { id: this.cid });
    return nss.map((ns) => {
      const n = new LeafNode(ns.type, ns.sharedWithHost ? 'link' : 'symbol-namespace', `${this.id}:${ns.type}`);
      setKernelSource(n, 'namespace', ns.path || nsLink(this.owner.pid!, ns.type));
      n.description = `${ns.type}:[${ns.inode}]${ns.sharedWithHost ? ' · shared with host' : ''}${ns.maps ? ` · uid ${ranges(ns.maps.uidMap)}` : ''}`;
      n.tooltip = `${ns.path} → ${ns.type}:[${ns.inode}]${ns.maps ? `\nuid_map ${ranges(ns.maps.uidMap)}\ngid_map ${ranges(ns.maps.gidMap)}\n(container id → host id ×count)` : ''}`;
      return n;
    });
  }
}

const LIMIT_ICONS: Record<LimitKind, string> = { memory: 'server', cpus: 'pulse', pids: 'list-ordered', cpuset: 'circuit-board' };

class LimitsNode extends GroupNode {
  constructor(owner: ContainerNode, detail: ContainerDetail) {
    super(owner, 'Limits', 'limits', 'dashboard');
    const pid = owner.pid;
    this.tooltip = pid
      ? `cgroup ${detail.cgroup.path} (cgroup v${detail.cgroup.version})\n${cgroupDirs(detail, ['memory', 'cpu', 'pids', 'cpuset'])}\n${procCgroup(pid)} lists it per hierarchy`
      : `cgroup ${detail.cgroup.path}: made again when the container starts (the limits are kept)`;
    setKernelSource(this, 'group.limits', pid ? procCgroup(pid) : undefined);
  }
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
    this.tooltip = owner.running ? `${file}\nClick to change the limit of the running container` : owner.pid ? file : `${file} (made again when the container starts)`;
    // 'limit.editable' (matched with == by menus) implies a kernel source; the others say whether their cgroup exists
    if (owner.running) { this.contextValue = 'limit.editable'; this.kernelSource = file; } else setKernelSource(this, 'limit', owner.pid ? file : undefined);
    if (owner.running) this.command = { command: 'nscope.editLimit', title: 'Edit Limit', arguments: [this] };
  }
}

class LayersNode extends GroupNode {
  /** the overlay is mounted in the running container's mount namespace only */
  private readonly mountinfo?: string;
  constructor(owner: ContainerNode, private readonly d: ContainerDetail) {
    super(owner, 'Layers', 'layers', 'layers');
    this.mountinfo = owner.running ? procMountinfo(owner.pid!) : undefined;
    const r = d.rootfs;
    this.tooltip = `overlay on / of the container: lowerdir = init, then the image's layers (top first); upperdir = rw\n${this.mountinfo ? `its first line in ${this.mountinfo}` : `mounted at ${r.mountpoint} while it runs`}`;
    setKernelSource(this, 'group.layers', this.mountinfo);
  }
  override async children(): Promise<Node[]> {
    const d = this.d;
    let layers: ImageLayerInfo[] = [];
    // an engine's container has no image of nscope's: its layers are the overlay's directories
    if (d.imageId) try { layers = (await this.request('image.inspect', { ref: d.imageId })).layers; } catch { /* image removed */ }
    if (!d.rootfs.upper && !d.rootfs.lower.length) return [new LeafNode(`no overlay: the root is the directory ${d.rootfs.mountpoint || '?'}`)];
    const out: Node[] = [];
    const rw = new LeafNode('rw', 'edit', `${this.id}:rw`);
    rw.description = 'the container\'s writes (overlay upperdir)';
    rw.tooltip = `upperdir ${d.rootfs.upper}\nworkdir ${d.rootfs.work}\nmounted at ${d.rootfs.mountpoint}${this.inMountinfo()}`;
    setKernelSource(rw, 'layer.rw', this.mountinfo);
    const init = new LeafNode('init', 'file-submodule', `${this.id}:init`);
    init.description = '/etc/hostname, /etc/hosts, /etc/resolv.conf';
    init.tooltip = `lowerdir (top) ${d.rootfs.init}${this.inMountinfo()}`;
    setKernelSource(init, 'layer.init', this.mountinfo);
    out.push(rw);
    if (d.rootfs.init) out.push(init);
    [...d.rootfs.lower].reverse().forEach((dir, i) => {
      const idx = d.rootfs.lower.length - 1 - i;
      const info = layers.find((l) => dir.includes(l.diffId.replace(/^sha256:/, ''))) ?? layers[idx];
      const n = new LeafNode(`layer ${idx}`, 'layers', `${this.id}:lower:${idx}`);
      n.description = info ? `${shortId(info.diffId)} · ${formatBytes(info.unpackedSize ?? info.size)}${info.createdBy ? ` · ${info.createdBy}` : ''}` : dir;
      n.tooltip = `lowerdir ${dir}${info?.createdBy ? `\n${info.createdBy}` : ''}${this.inMountinfo()}`;
      setKernelSource(n, 'layer.image', this.mountinfo);
      out.push(n);
    });
    return out;
  }

  private inMountinfo(): string {
    return this.mountinfo ? `\n(the overlay's options in ${this.mountinfo})` : '';
  }
}
