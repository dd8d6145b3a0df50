// nscope.images: the image store, each image's layers (bottom first) with
// their sizes and the command that made them.
import * as vscode from 'vscode';
import type { ImageSummaryInfo } from '../../helper/protocol';
import type { Connection } from '../connection';
import { formatBytes, shortId } from '../format';
import { layerChanges } from './changes';
import { Node, TreeProvider } from './tree';

export class ImagesProvider extends TreeProvider {
  protected async roots(): Promise<Node[]> {
    const list = await this.conn.request('image.list', {});
    list.sort((a, b) => a.name.localeCompare(b.name));
    return list.map((i) => new ImageNode(this.conn, i));
  }
}

export class ImageNode extends Node {
  constructor(readonly conn: Connection, readonly image: ImageSummaryInfo) {
    super(image.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `image:${image.name}:${image.id}`;
    this.contextValue = 'image';
    this.iconPath = new vscode.ThemeIcon('package');
    this.description = `${shortId(image.id)} · ${formatBytes(image.size)} · ${image.layers} layer${image.layers === 1 ? '' : 's'}`;
    this.tooltip = `${image.name}\nid ${image.id}\nmanifest ${image.digest}${image.created ? `\ncreated ${image.created}` : ''}`;
  }

  override async children(): Promise<Node[]> {
    const d = await this.conn.request('image.inspect', { ref: this.image.name });
    return d.layers.map((l, i) => {
      const n = new LayerNode(this.conn, this.image.name, i, `${this.id}:${i}`);
      const sizes = `${formatBytes(l.size)} blob${l.unpackedSize !== undefined ? ` · ${formatBytes(l.unpackedSize)} unpacked` : ''}`;
      n.description = `${shortId(l.diffId)} · ${sizes}${l.createdBy ? ` · ${l.createdBy}` : ''}`;
      n.tooltip = `digest ${l.digest}\ndiff_id ${l.diffId}${l.mediaType ? `\n${l.mediaType}` : ''}${l.createdBy ? `\n${l.createdBy}` : ''}`;
      n.contextValue = 'layer';
      return n;
    });
  }
}

/** A layer; its children are its own changes against the layers below it. */
export class LayerNode extends Node {
  constructor(readonly conn: Connection, readonly image: string, readonly index: number, id: string) {
    super(`layer ${index}`, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = id;
    this.iconPath = new vscode.ThemeIcon('layers');
  }

  override children(): Promise<Node[]> {
    return layerChanges(this.conn, this.image, this.index, this.id!);
  }
}
