// nscope.volumes: the helper's named and anonymous volumes with their size
// and the containers that use them (the children). Anonymous ones (an
// image's VOLUME entries) are marked: they go with `rm -v` and with Prune.
// A helper without volumes answers `unsupported`: the view is empty and its
// welcome content says why (the `nscope.volumes.unsupported` context key).
import * as vscode from 'vscode';
import type { VolumeSummary } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { volumeDescription } from '../network-format';
import { AreaProbe, orUnsupported } from '../unsupported';
import { LeafNode, Node, TreeProvider } from './tree';

export const VOLUMES_UNSUPPORTED_KEY = 'nscope.volumes.unsupported';
const UNSUPPORTED_TEXT = 'this helper has no named volumes yet';

export class VolumesProvider extends TreeProvider {
  private readonly probe = new AreaProbe(VOLUMES_UNSUPPORTED_KEY, (k, on) => vscode.commands.executeCommand('setContext', k, on));

  protected async roots(conn: Connection): Promise<Node[]> {
    // the view's welcome content and title buttons follow the extension's own helper; another host says it in its subtree
    const list = conn === this.conn ? await this.probe.list(() => conn.request('volume.list', { size: true })) : await orUnsupported(() => conn.request('volume.list', { size: true }));
    if (!list) return this.hosts.several ? [new LeafNode(UNSUPPORTED_TEXT, 'info')] : [];
    // named ones first: anonymous names are 64 hex digits, of little use to sort by
    list.sort((a, b) => Number(a.anonymous) - Number(b.anonymous) || a.name.localeCompare(b.name));
    return list.map((v) => new VolumeNode(conn, v));
  }
}

export class VolumeNode extends Node {
  constructor(override readonly conn: Connection, readonly volume: VolumeSummary) {
    super(volume.name, volume.users.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `volume:${volume.name}`;
    this.contextValue = volume.anonymous ? 'volume.anonymous' : 'volume';
    // an anonymous volume is greyed, as a thing that comes and goes with its container
    this.iconPath = new vscode.ThemeIcon('database', volume.anonymous ? new vscode.ThemeColor('disabledForeground') : undefined);
    this.description = volumeDescription(volume);
    const labels = Object.entries(volume.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    this.tooltip = `${volume.anonymous ? 'anonymous volume (an image\'s VOLUME entry; removed with its container by rm -v)' : 'named volume'} ${volume.name}\n`
      + `directory ${volume.mountpoint} on the helper's host${volume.created ? `\ncreated ${volume.created}` : ''}${labels.length ? `\nlabels ${labels.join(', ')}` : ''}`
      + `\n${volume.users.length ? `used by ${volume.users.join(', ')}: cannot be removed while they exist` : 'used by no container'}`;
  }

  override async children(): Promise<Node[]> {
    return this.volume.users.map((u) => {
      const n = new LeafNode(u, 'vm', `${this.id}:${u}`);
      n.description = 'uses it';
      n.contextValue = 'volumeUser';
      return n;
    });
  }
}
