// A container's Volumes node: what is mounted into it besides its root
// (named and anonymous volumes, host directories, tmpfs), each as
// "source → destination" with a read-only marker. While it runs, each one is
// a line of its mount table (/proc/PID/mountinfo).
import * as vscode from 'vscode';
import type { ContainerDetail, MountInfo } from '../../helper/protocol/types';
import { mountLabel } from '../network-format';
import type { ContainerOwner } from './container-network';
import { procMountinfo, setKernelSource } from './kernel-sources';
import { LeafNode, Node } from './tree';

const ICONS: Record<MountInfo['type'], string> = { volume: 'database', bind: 'file-symlink-directory', tmpfs: 'zap' };

export class VolumesGroupNode extends Node {
  private readonly mountinfo?: string;
  constructor(owner: ContainerOwner, private readonly detail: ContainerDetail, running: boolean) {
    super('Volumes', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${owner.id}:volumes`;
    this.iconPath = new vscode.ThemeIcon('database');
    const n = detail.mounts?.length ?? 0;
    this.description = n ? `${n} mount${n === 1 ? '' : 's'}` : 'none';
    this.mountinfo = running && owner.pid ? procMountinfo(owner.pid) : undefined;
    this.tooltip = `volumes, host directories and tmpfs mounted into the container${this.mountinfo ? `\neach is a line of ${this.mountinfo}` : ''}`;
    setKernelSource(this, 'group.volumes', this.mountinfo);
  }

  override async children(): Promise<Node[]> {
    const mounts = this.detail.mounts ?? [];
    if (!mounts.length) return [new LeafNode('no volumes or bind mounts', 'info', `${this.id}:none`)];
    return mounts.map((m) => {
      const { label, description } = mountLabel(m);
      const n = new LeafNode(label, ICONS[m.type], `${this.id}:${m.destination}`);
      n.description = description;
      const from = m.type === 'volume' ? `volume ${m.name ?? '?'}${m.source ? ` (${m.source})` : ''}` : m.type === 'bind' ? `host directory ${m.source ?? '?'}` : 'a tmpfs (memory, gone when the container stops)';
      n.tooltip = `${from}\nmounted on ${m.destination} in the container, ${m.readOnly ? 'read-only' : 'read-write'}${this.mountinfo ? `\nsee its line in ${this.mountinfo}` : ''}`;
      setKernelSource(n, `mount.${m.type}`, this.mountinfo);
      return n;
    });
  }
}
