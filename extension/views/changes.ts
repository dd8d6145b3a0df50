// Change items: a container's copy-on-write diff (container.diff) under its
// Changes node, and an image layer's own changes (image.layerChanges) under
// the layer. Their tooltips name where the change is on disk: the path in the
// container's rw layer (overlay upperdir) or in the layer's directory. Flat, sorted by path, the file name as label and its folder as
// description, decorated A/M/D in git's colours (decorations.ts). The first
// MAX_ITEMS are shown, then one "… N more" item.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContainerDetail, ContainerSummary, DiffChange, FileKind, LayerChangeInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { changeUri } from '../decorations';
import { formatBytes } from '../format';
import { containerUri, imageUri } from '../fs/file-uri';
import { procMountinfo, setKernelSource } from './kernel-sources';
import { LeafNode, Node } from './tree';

export const MAX_ITEMS = 500;

const KIND_WORD = { A: 'added', C: 'changed', D: 'deleted' } as const;

/** A file type's codicon. */
export function fileIcon(type: FileKind | undefined): vscode.ThemeIcon {
  switch (type) {
    case 'dir': return vscode.ThemeIcon.Folder;
    case 'file': case undefined: return vscode.ThemeIcon.File;
    case 'symlink': return new vscode.ThemeIcon('file-symlink-file');
    case 'char': case 'block': return new vscode.ThemeIcon('circuit-board');
    default: return new vscode.ThemeIcon('plug'); // fifo, socket
  }
}

/** Files whose content can be shown: regular files and symlinks (read through, inside the view's root). */
export function hasContent(type: FileKind | undefined): boolean {
  return type === 'file' || type === 'symlink';
}

abstract class ChangeItem extends Node {
  constructor(p: string, kind: DiffChange['kind'], type: FileKind | undefined, of: string, metadataOnly: boolean) {
    super(path.posix.basename(p) || '/', vscode.TreeItemCollapsibleState.None);
    this.resourceUri = changeUri(p, kind, of, metadataOnly);
    this.iconPath = fileIcon(type);
    const dir = path.posix.dirname(p);
    this.description = `${dir === '/' ? '/' : `${dir}/`}${metadataOnly ? ' · metadata' : ''}`;
    this.id = `${of}:change:${p}`;
  }
}

/** The container a change belongs to: its id, name and image, its rw layer's directory when known, its host (fs/file-uri.ts). */
export type ChangeOwner = Pick<ContainerSummary, 'id' | 'name' | 'image'> & { upper?: string; host?: string };

/** One change of a container's rw layer against its image. */
export class ContainerChangeNode extends ChangeItem {
  constructor(readonly owner: ChangeOwner, readonly change: DiffChange) {
    const meta = change.kind === 'C' && change.change === 'metadata';
    super(change.path, change.kind, change.type, `container:${owner.id}`, meta);
    this.contextValue = `change.${change.kind}`;
    const md = [`${change.path} — ${KIND_WORD[change.kind]}${meta ? ' (metadata only)' : ''}, ${change.type}`];
    if (change.image) md.push(`image: ${formatBytes(change.image.size)}, mode ${change.image.mode.toString(8)}, ${change.image.uid}:${change.image.gid}`);
    if (change.size !== undefined) md.push(`container: ${formatBytes(change.size)}, mode ${(change.mode ?? 0).toString(8)}, ${change.uid}:${change.gid}`);
    const onDisk = owner.upper ? `: ${owner.upper}${change.path}` : '';
    md.push(change.kind === 'A' ? `in the rw layer (overlay upperdir) only${onDisk}`
      : change.kind === 'D' ? `a whiteout (a 0/0 character device) in the rw layer hides the image's file${onDisk}`
        : `copied up into the rw layer (overlay upperdir)${onDisk}`);
    this.tooltip = md.join('\n');
    if (hasContent(change.type)) this.command = { command: 'nscope.openChange', title: 'Open Change', arguments: [this] };
  }

  /** The diff editor's two sides: the image's version and the container's now. */
  sides(): { left: vscode.Uri; right: vscode.Uri; title: string } {
    const p = this.change.path;
    const host = this.owner.host;
    const left = imageUri({ image: this.owner.image, container: this.owner.id, path: p, empty: this.change.kind === 'A', host });
    const right = containerUri({ container: this.owner.id, path: p, empty: this.change.kind === 'D', host });
    return { left, right, title: `${path.posix.basename(p)} (${this.owner.name}${host ? ` on ${host}` : ''}: image ↔ container)` };
  }
}

/** One change a layer makes to the layers below it. */
export class LayerChangeNode extends ChangeItem {
  constructor(readonly image: string, readonly layer: number, readonly change: LayerChangeInfo, layerDir?: string, host?: string) {
    super(change.path, change.kind, change.type, `image:${image}:${layer}`, false);
    this.contextValue = `layerChange.${change.kind}`;
    const lines = [`${change.path} — ${KIND_WORD[change.kind]} by layer ${layer}${change.type ? `, ${change.type}` : ''}`];
    if (change.kind !== 'D') lines.push(`${formatBytes(change.size)}, mode ${change.mode.toString(8)}, ${change.uid}:${change.gid}${change.linkTarget ? ` → ${change.linkTarget}` : ''}`);
    if (change.opaque) lines.push('opaque directory: hides everything below it in lower layers');
    if (change.hides) lines.push(`hides ${formatBytes(change.hides)} of lower layers`);
    if (layerDir) lines.push(`${change.kind === 'D' ? 'whiteout ' : ''}${layerDir}${change.path}${change.kind === 'D' ? '' : ' (in the layer\'s directory, an overlay lowerdir)'}`);
    this.tooltip = lines.join('\n');
    if (change.kind !== 'D' && change.type === 'file') {
      const uri = imageUri({ image, layer, path: change.path, host });
      this.command = { command: 'vscode.open', title: 'Open File', arguments: [uri, { preview: true }, `${path.posix.basename(change.path)} (${image} layer ${layer})`] };
    }
  }
}

/** `items` capped at MAX_ITEMS, with one item saying how many more there are. */
export function capped(items: Node[], total: number, idPrefix: string, what: string): Node[] {
  if (!items.length) return [new LeafNode(`no ${what}`, 'info', `${idPrefix}:none`)];
  const shown = items.slice(0, MAX_ITEMS);
  if (total > shown.length) {
    const more = new LeafNode(`… ${total - shown.length} more`, 'ellipsis', `${idPrefix}:more`);
    more.tooltip = `Only the first ${MAX_ITEMS} of ${total} ${what} are listed`;
    shown.push(more);
  }
  return shown;
}

/** A container's Changes node; `detail` names its rw layer and, while it runs, the overlay mount. */
export class ChangesNode extends Node {
  /** `onExpanded`: told when its children load, i.e. it is expanded in the tree */
  constructor(override readonly conn: Connection, readonly container: ContainerSummary, parentId: string, private readonly detail?: ContainerDetail, private readonly onExpanded?: (n: ChangesNode) => void) {
    super('Changes', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${parentId}:changes`;
    this.iconPath = new vscode.ThemeIcon('diff');
    const upper = detail ? `\nupperdir ${detail.rootfs.upper}` : '';
    const mountinfo = detail?.status === 'running' && detail.pid ? procMountinfo(detail.pid) : undefined;
    this.tooltip = `The container's copy-on-write changes: its rw layer (overlay upperdir) against its image${upper}${mountinfo ? `\n(the overlay's options in ${mountinfo})` : ''}`;
    setKernelSource(this, 'group.changes', mountinfo);
  }

  override async children(): Promise<Node[]> {
    this.onExpanded?.(this);
    const d = await this.conn.request('container.diff', { id: this.container.id, details: true });
    const owner: ChangeOwner = { id: this.container.id, name: this.container.name, image: this.container.image, upper: this.detail?.rootfs.upper, host: this.conn.hostName };
    const items = d.changes.slice(0, MAX_ITEMS).map((c) => new ContainerChangeNode(owner, c));
    return capped(items, d.changes.length, this.id!, 'changes');
  }
}

/** The changes of one image layer (the first page of image.layerChanges); `layerDir`: the layer's directory, for tooltips. */
export async function layerChanges(conn: Connection, image: string, layer: number, idPrefix: string, layerDir?: string): Promise<Node[]> {
  const r = await conn.request('image.layerChanges', { ref: image, layer, limit: MAX_ITEMS });
  return capped(r.changes.map((c) => new LayerChangeNode(image, r.layer, c, layerDir, conn.hostName)), r.total, idPrefix, 'changes');
}
