// The Files node under a container (its files as it sees them, writable:
// nscope-container: URIs, fs/file-provider.ts) and under an image (its layers
// merged, read-only: nscope-image: URIs). Each entry is listed lazily with
// file.list, named with the layer it comes from (an image layer's index, or
// the container's own rw/init layer), and badged A/M/D against the image by
// ContainerFileBadges (the container's diff, reloaded on container.changed).
// A container's expanded Files node is listed again on container.changed too
// (views/containers.ts), so a saved file shows its new size and layer.
// Files open in an editor; a folder of a container takes files dropped on it
// (views/file-drop.ts) and every entry can be downloaded (commands/files.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChangeKind, FileInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { formatBytes } from '../format';
import { CONTAINER_SCHEME, containerUri, imageUri, parseFileUri } from '../fs/file-uri';
import { fileIcon } from './changes';
import { LeafNode, Node } from './tree';

/** An entry list larger than this shows its first ones and says how many more. */
const MAX_ENTRIES = 1000;

/** `as`: the user a container's files are written as (fs/write-as.ts), absent for its root */
export type FilesOwner = { container: string; name: string; as?: string } | { image: string };

function uriOf(conn: Connection, owner: FilesOwner, p: string): vscode.Uri {
  const host = conn.hostName;
  return 'container' in owner ? containerUri({ container: owner.container, path: p, host }) : imageUri({ image: owner.image, path: p, host });
}

function layerWord(f: FileInfo['from']): string {
  return f.layer === 'rw' ? 'rw layer' : f.layer === 'init' ? 'init layer' : f.layer === 'mount' ? 'mount' : `layer ${f.layer}`;
}

async function entries(conn: Connection, owner: FilesOwner, dir: string, parentId: string): Promise<Node[]> {
  const src = 'container' in owner ? { container: owner.container, view: 'container' as const } : { image: owner.image, view: 'image' as const };
  const r = await conn.request('file.list', { ...src, path: dir });
  const list: Node[] = r.entries.slice(0, MAX_ENTRIES).map((e) => new FileEntryNode(conn, owner, path.posix.join(dir, e.name), e, parentId));
  if (r.entries.length > MAX_ENTRIES) list.push(new LeafNode(`… ${r.entries.length - MAX_ENTRIES} more`, 'ellipsis', `${parentId}:more`));
  return list;
}

export class FilesNode extends Node {
  /** `onExpanded`: told when its children load, i.e. it is expanded in the tree (a container's: refreshed when its files change) */
  constructor(override readonly conn: Connection, readonly owner: FilesOwner, parentId: string, private readonly onExpanded?: (n: FilesNode) => void) {
    super('Files', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `${parentId}:files`;
    this.iconPath = new vscode.ThemeIcon('files');
    const writable = 'container' in owner;
    this.contextValue = writable ? 'files.container' : 'files.image';
    this.resourceUri = uriOf(conn, owner, '/');
    const as = 'container' in owner ? owner.as : undefined;
    this.description = !writable ? 'read-only' : as ? `as ${as}` : 'as the container sees them';
    this.tooltip = writable
      ? `The container's files: open, edit and save, drop files from the Explorer or the desktop on a folder to copy them in, Download… to copy out (done by the helper inside the container's root, as ${as ? `its user ${as}: what that user may not change is refused` : 'its root'}; Write Files As… changes who)`
      : 'The image\'s layers merged, as a container of it starts: read-only';
  }

  override children(): Promise<Node[]> {
    this.onExpanded?.(this);
    return entries(this.conn, this.owner, '/', this.id!);
  }
}

export class FileEntryNode extends Node {
  constructor(override readonly conn: Connection, readonly owner: FilesOwner, readonly path: string, readonly info: FileInfo, parentId: string) {
    super(info.name, info.type === 'dir' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `${parentId}/${info.name}`;
    this.resourceUri = uriOf(conn, owner, this.path);
    this.iconPath = fileIcon(info.type === 'whiteout' ? undefined : info.type);
    const writable = 'container' in owner;
    this.contextValue = `file.${info.type === 'dir' ? 'dir' : 'file'}.${writable ? 'container' : 'image'}`;
    this.description = `${info.type === 'dir' ? '' : `${formatBytes(info.size)} · `}${layerWord(info.from)}`;
    this.tooltip = `${this.path}${info.target ? ` → ${info.target}` : ''}\n${info.type}, mode ${(info.mode & 0o7777).toString(8)}, ${info.uid}:${info.gid}, from the ${layerWord(info.from)}`;
    if (info.type === 'file' || info.type === 'symlink') this.command = { command: 'vscode.open', title: 'Open', arguments: [this.resourceUri] };
  }

  override children(): Promise<Node[]> { return entries(this.conn, this.owner, this.path, this.id!); }
}

const LOOK: Record<ChangeKind, { badge: string; color: string; tooltip: string }> = {
  A: { badge: 'A', color: 'gitDecoration.addedResourceForeground', tooltip: 'Added in the container' },
  C: { badge: 'M', color: 'gitDecoration.modifiedResourceForeground', tooltip: 'Modified in the container' },
  D: { badge: 'D', color: 'gitDecoration.deletedResourceForeground', tooltip: 'Deleted in the container' },
};

/**
 * A/M/D on a container's files (its diff against the image), for the Files
 * node and open editors. The diff is loaded once per container when one of
 * its files is first decorated, and again when the helper says the
 * container changed. Per host: the key is the URI's authority and the container.
 */
export class ContainerFileBadges implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly diffs = new Map<string, Promise<Map<string, ChangeKind>>>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly hosts: HostConnections) {
    this.sub = hosts.onEvent(({ conn, event: e }) => {
      if (e.type === 'container.changed' || e.type === 'container.removed') {
        // both the id and the name may be in URIs
        const host = conn.hostName ?? '';
        this.diffs.delete(`${host}\0${e.id}`);
        if (e.name) this.diffs.delete(`${host}\0${e.name}`);
        this.emitter.fire(undefined);
      }
    });
  }

  async provideFileDecoration(uri: vscode.Uri): Promise<vscode.FileDecoration | undefined> {
    if (uri.scheme !== CONTAINER_SCHEME || uri.query) return undefined;
    let ref;
    try { ref = parseFileUri(uri); } catch { return undefined; }
    const container = (ref.source as { container?: string }).container;
    if (!container) return undefined;
    const conn = this.hosts.byName(uri.authority);
    if (!conn) return undefined;
    const key = `${uri.authority}\0${container}`;
    let diff = this.diffs.get(key);
    if (!diff) {
      diff = conn.request('container.diff', { id: container }).then((r) => new Map(r.changes.map((c) => [c.path, c.kind])), () => new Map());
      this.diffs.set(key, diff);
    }
    const kind = (await diff).get(ref.path);
    if (!kind) return undefined;
    const look = LOOK[kind];
    return new vscode.FileDecoration(look.badge, look.tooltip, new vscode.ThemeColor(look.color));
  }

  dispose(): void { this.sub.dispose(); this.emitter.dispose(); }
}
