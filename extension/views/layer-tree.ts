// The cumulative tree of an image layer (dive's "aggregated" view): the
// image's files as they are with the layers up to and including that one
// merged, one directory at a time (image.layerTree). What the layer itself
// added or changed carries the A/M decoration; a file opens read-only as the
// image has it at that layer (`nscope-image:/REF/PATH?upto=N`).
import * as vscode from 'vscode';
import type { LayerTreeEntry } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { changeUri } from '../decorations';
import { formatBytes } from '../format';
import { imageUri } from '../fs/file-uri';
import { capped, fileIcon, MAX_ITEMS } from './changes';
import { Node } from './tree';

/** Where a tree is taken from: the image, the layer it is cut at, and every layer's directory (for tooltips). */
export interface TreeCut { image: string; layer: number; dirs: (string | undefined)[] }

class TreeEntryNode extends Node {
  constructor(override readonly conn: Connection, readonly cut: TreeCut, readonly entry: LayerTreeEntry, private readonly idPrefix: string) {
    super(entry.name, entry.type === 'dir' && entry.children ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `${idPrefix}:tree:${entry.path}`;
    this.contextValue = entry.change ? `layerEntry.${entry.change}` : 'layerEntry';
    this.iconPath = fileIcon(entry.type);
    if (entry.change) this.resourceUri = changeUri(entry.path, entry.change, `image:${cut.image}:${cut.layer}`);
    const from = entry.layer === cut.layer ? '' : ` · layer ${entry.layer}`;
    this.description = `${entry.type === 'symlink' ? `→ ${entry.linkTarget ?? '?'}` : formatBytes(entry.size)}${from}`;
    const by = entry.change === 'A' ? ', added by this layer' : entry.change === 'C' ? ', changed by this layer' : '';
    const lines = [`${entry.path} — ${entry.type} from layer ${entry.layer}${by}`];
    lines.push(`${formatBytes(entry.size)}${entry.type === 'dir' ? ` below it, ${entry.children ?? 0} entries` : ''}, mode ${entry.mode.toString(8)}, ${entry.uid}:${entry.gid}${entry.linkTarget !== undefined ? ` → ${entry.linkTarget}` : ''}`);
    const dir = cut.dirs[entry.layer];
    if (dir) lines.push(`${dir}${entry.path} (layer ${entry.layer}'s directory, an overlay lowerdir)`);
    this.tooltip = lines.join('\n');
    if (entry.type === 'file') {
      const uri = imageUri({ image: cut.image, upTo: cut.layer, path: entry.path, host: conn.hostName });
      this.command = { command: 'vscode.open', title: 'Open File', arguments: [uri, { preview: true }, `${entry.name} (${cut.image} up to layer ${cut.layer})`] };
    }
  }

  override children(): Promise<Node[]> {
    return layerTree(this.conn, this.cut, this.entry.path, this.idPrefix);
  }
}

/** One directory of the merged tree at `cut` (its first MAX_ITEMS entries). */
export async function layerTree(conn: Connection, cut: TreeCut, dir: string, idPrefix: string): Promise<Node[]> {
  const r = await conn.request('image.layerTree', { ref: cut.image, layer: cut.layer, path: dir, limit: MAX_ITEMS });
  const items = r.entries.map((e) => new TreeEntryNode(conn, cut, e, idPrefix));
  return capped(items, r.total, `${idPrefix}:tree:${r.path}`, 'entries');
}
