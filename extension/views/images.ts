// nscope.images: the image store, each image's layers (bottom first) with
// their sizes and the command that made them. A layer's children are either
// its own changes (A/C/D against the layers below it) or, with the view's
// toggle, the cumulative tree: the image as it is up to that layer. A pulled
// image's first child (and tooltip) says where it came from.
import { FilesNode } from './files';
import * as vscode from 'vscode';
import type { ImageOrigin, ImageSummaryInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { formatBytes, shortDigest, shortId } from '../format';
import { layerChanges } from './changes';
import { layerTree, type TreeCut } from './layer-tree';
import { LeafNode, Node, TreeProvider } from './tree';

/** The context key the view title's toggle reads (package.json `when`). */
export const CUMULATIVE_KEY = 'nscope.images.cumulative';
export const UNNAMED = '<none>:<none>';

/** How a picker shows an image and what it finds it by: its name, or for one without, its short ID and its ID. */
export function imagePick(i: ImageSummaryInfo): { label: string; ref: string } {
  return i.name === UNNAMED ? { label: `<none> ${shortId(i.id)}`, ref: i.id } : { label: i.name, ref: i.name };
}

export class ImagesProvider extends TreeProvider {
  /** a layer's children: the merged tree up to it (true) or its own changes (false) */
  private cumulative = false;

  get showsCumulative(): boolean { return this.cumulative; }

  setCumulative(on: boolean): void {
    this.cumulative = on;
    void vscode.commands.executeCommand('setContext', CUMULATIVE_KEY, on);
    this.refresh();
  }

  protected async roots(conn: Connection): Promise<Node[]> {
    const list = await conn.request('image.list', {});
    list.sort((a, b) => a.name.localeCompare(b.name));
    return list.map((i) => new ImageNode(conn, i, this.cumulative));
  }
}

export class ImageNode extends Node {
  constructor(override readonly conn: Connection, readonly image: ImageSummaryInfo, readonly cumulative: boolean) {
    super(image.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `image:${image.name}:${image.id}`;
    this.contextValue = 'image';
    this.iconPath = new vscode.ThemeIcon('package');
    this.description = `${shortId(image.id)} · ${formatBytes(image.size)} · ${image.layers} layer${image.layers === 1 ? '' : 's'}`;
    this.tooltip = `${image.name}\nid ${image.id}\nmanifest ${image.digest}${image.created ? `\ncreated ${image.created}` : ''}\n`
      + (image.origin ? `pulled from ${originRef(image.origin)}\n` : '')
      + 'its layers are unpacked directories; a container of it stacks them read-only as overlay lowerdirs';
  }

  /** what the helper finds the image by: its name, or its id when it has none */
  get ref(): string { return this.image.name === UNNAMED ? this.image.id : this.image.name; }

  override async children(): Promise<Node[]> {
    const d = await this.conn.request('image.inspect', { ref: this.ref });
    const dirs = d.layers.map((l) => l.dir);
    const origin = this.image.origin ? [originNode(this.image.origin, `${this.id}:origin`)] : [];
    return [...origin, ...d.layers.map((l, i) => {
      const n = new LayerNode(this.conn, { image: this.ref, layer: i, dirs }, this.cumulative, `${this.id}:${i}`);
      const sizes = `${formatBytes(l.size)} blob${l.unpackedSize !== undefined ? ` · ${formatBytes(l.unpackedSize)} unpacked` : ''}`;
      n.description = `${shortId(l.diffId)} · ${sizes}${l.createdBy ? ` · ${l.createdBy}` : ''}`;
      const shows = this.cumulative ? `shows the image as it is up to layer ${i} (cumulative tree)` : `shows the changes layer ${i} makes to the layers below it`;
      n.tooltip = `digest ${l.digest}\ndiff_id ${l.diffId}${l.mediaType ? `\n${l.mediaType}` : ''}${l.createdBy ? `\n${l.createdBy}` : ''}`
        + `${l.dir ? `\nlowerdir ${l.dir}` : ''}\n${shows}`;
      n.contextValue = 'layer';
      const made = /^(.+):(\d+)$/.exec(l.comment ?? '');
      if (made) {
        // `nscope build` wrote which line made it: Open Containerfile Line goes there
        n.tooltip += `\nmade by ${made[1]} line ${made[2]}`;
        n.contextValue = 'layer.built';
        n.builtBy = { file: made[1], line: Number(made[2]), createdBy: l.createdBy };
      }
      return n;
    }), new FilesNode(this.conn, { image: this.ref }, this.id!)];
  }
}

/** "127.0.0.1:5000/team/app@sha256:0123456789ab": where it came from, and which manifest exactly */
function originRef(o: ImageOrigin): string {
  return `${o.registry}/${o.repository}@${shortDigest(o.digest)}`;
}

/** The first child of a pulled image: the registry and repository, the tag asked for and the digest it resolved to. */
function originNode(o: ImageOrigin, id: string): Node {
  const n = new LeafNode(`Pulled from ${o.registry}/${o.repository}${o.tag ? `:${o.tag}` : ''}`, 'cloud', id);
  n.description = shortDigest(o.digest);
  n.tooltip = `registry ${o.registry}\nrepository ${o.repository}${o.tag ? `\ntag ${o.tag}` : ''}\ndigest ${o.digest}`;
  n.contextValue = 'origin';
  return n;
}

/** A layer; its children are its own changes, or the merged tree up to it. */
export class LayerNode extends Node {
  /** the Containerfile (relative to its build context) and line that made the layer, when `nscope build` did */
  builtBy?: { file: string; line: number; createdBy?: string };

  constructor(override readonly conn: Connection, readonly cut: TreeCut, readonly cumulative: boolean, id: string) {
    super(`layer ${cut.layer}`, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = id;
    this.iconPath = new vscode.ThemeIcon('layers');
  }

  override async children(): Promise<Node[]> {
    const files = this.cumulative ? layerTree(this.conn, this.cut, '/', this.id!) : layerChanges(this.conn, this.cut.image, this.cut.layer, this.id!, this.cut.dirs[this.cut.layer]);
    return [...(this.builtBy ? [this.historyNode(this.builtBy)] : []), ...await files];
  }

  /** The layer's history entry, first among its children: a click opens the Containerfile line that made it. */
  private historyNode(by: NonNullable<LayerNode['builtBy']>): Node {
    const n = new LeafNode(`made by ${by.file} line ${by.line}`, 'history', `${this.id}:history`);
    if (by.createdBy) n.description = by.createdBy;
    n.tooltip = `${by.createdBy ?? ''}\n${by.file}:${by.line} — click to open that line`.trim();
    n.command = { command: 'nscope.openBuildLine', title: 'Open Containerfile Line', arguments: [this] };
    n.conn = this.conn;
    return n;
  }
}
