// The merged view of an image's layers, built one layer at a time as
// overlayfs would show it, with the bookkeeping the layer explorer needs:
// which layer each entry comes from, each layer's own changes against the
// layers below it (A/C/D), and the bytes of file content visible and hidden.
//
// Bytes are counted per inode of a layer (hardlinks once), so that for every
// layer: cumulative = cumulative below + own size - hidden, exactly.
import type { LayerChangeInfo, LayerFileType } from '../protocol/types/layers';
import { byteOrder, type LayerEntry } from './layers-info-walk';

/** Component by component, so a directory comes right before what is below it ("/a", "/a/b", "/a-b"). */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = byteOrder(x[i], y[i]);
    if (c) return c;
  }
  return x.length - y.length;
}

export interface TreeNode {
  name: string;
  type: LayerFileType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkTarget?: string;
  /** index of the layer this version comes from */
  layer: number;
  /** how that layer brought it in */
  change: 'A' | 'C';
  /** regular files: "<layer>:<inode>" (hardlinks share it) */
  key?: string;
  children?: Map<string, TreeNode>;
  /** memo of the bytes below a directory (only once the tree is final) */
  total?: number;
}

export interface ApplyResult {
  /** bytes of file content in the layer (inodes counted once) */
  size: number;
  /** bytes of lower files no longer visible */
  hidden: number;
  added: number;
  changed: number;
  deleted: number;
  entries: number;
  /** sorted by path; only when asked for */
  changes?: LayerChangeInfo[];
}

export class MergedTree {
  readonly root: TreeNode = { name: '', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0, layer: -1, change: 'A', children: new Map() };
  private readonly refs = new Map<string, { count: number; size: number }>();
  /** bytes of file content visible in the merged tree */
  visible = 0;
  /** layers applied so far */
  top = -1;

  private ref(key: string, size: number): number {
    const r = this.refs.get(key);
    if (r) { r.count++; return 0; }
    this.refs.set(key, { count: 1, size });
    this.visible += size;
    return size;
  }

  /** Removes a node and everything below it; returns the bytes that became invisible. */
  private drop(n: TreeNode): number {
    let freed = 0;
    if (n.key) {
      const r = this.refs.get(n.key)!;
      if (--r.count === 0) { this.refs.delete(n.key); this.visible -= r.size; freed += r.size; }
    }
    if (n.children) for (const c of n.children.values()) freed += this.drop(c);
    return freed;
  }

  /**
   * Applies the next layer (its walk, parents first). With `record`, returns
   * the layer's changes as Docker's diff shows them: A added, C changed (a
   * directory the layer has that was there already is C, as are replaced
   * entries), D deleted (whiteouts, and for an opaque directory each lower
   * entry it hides that the layer does not put back).
   */
  apply(entries: LayerEntry[], record: boolean): ApplyResult {
    const index = ++this.top;
    const res: ApplyResult = { size: 0, hidden: 0, added: 0, changed: 0, deleted: 0, entries: entries.length, changes: record ? [] : undefined };
    const dirs = new Map<string, TreeNode>([['', this.root]]);
    // opaque directories of this layer: the lower entries they removed, by name, with the bytes each hid
    const opaque = new Map<TreeNode, { rel: string; removed: Map<string, { node: TreeNode; hides: number }> }>();
    const seenIno = new Set<number>();
    const push = (kind: 'A' | 'C' | 'D', rel: string, from: { type?: LayerFileType; size: number; mode: number; uid: number; gid: number; linkTarget?: string } | undefined, hides: number, isOpaque = false) => {
      if (kind === 'A') res.added++; else if (kind === 'C') res.changed++; else res.deleted++;
      if (!res.changes) return;
      const c: LayerChangeInfo = { path: `/${rel}`, kind, type: from?.type, size: from?.size ?? 0, mode: from?.mode ?? 0, uid: from?.uid ?? 0, gid: from?.gid ?? 0, hides };
      if (from?.linkTarget !== undefined) c.linkTarget = from.linkTarget;
      if (isOpaque) c.opaque = true;
      res.changes.push(c);
    };

    for (const e of entries) {
      if (e.type === 'file' && !seenIno.has(e.ino)) { seenIno.add(e.ino); res.size += e.size; }
      const slash = e.rel.lastIndexOf('/');
      const parent = dirs.get(slash < 0 ? '' : e.rel.slice(0, slash));
      if (!parent) continue; // below something this layer does not have as a directory: cannot happen in a walk
      const kids = parent.children!;
      const existing = kids.get(e.name);
      const pending = opaque.get(parent);
      const underOpaque = pending?.removed.get(e.name);
      if (underOpaque) pending!.removed.delete(e.name);
      const lower = existing ?? underOpaque?.node;
      let hides = underOpaque?.hides ?? 0;

      if (e.whiteout) {
        if (existing) { const h = this.drop(existing); kids.delete(e.name); hides += h; res.hidden += h; }
        push('D', e.rel, lower, hides);
        continue;
      }

      let node: TreeNode;
      if (e.type === 'dir' && existing?.type === 'dir') {
        node = existing;
        Object.assign(node, { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, layer: index, change: 'C' as const });
        if (e.opaque) {
          const removed = new Map<string, { node: TreeNode; hides: number }>();
          for (const [n, child] of node.children!) {
            const h = this.drop(child);
            res.hidden += h;
            removed.set(n, { node: child, hides: h });
          }
          node.children = new Map();
          opaque.set(node, { rel: e.rel, removed });
        }
      } else {
        if (existing) { const h = this.drop(existing); kids.delete(e.name); hides += h; res.hidden += h; }
        node = {
          name: e.name, type: e.type, size: e.size, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime,
          linkTarget: e.linkTarget, layer: index, change: lower ? 'C' : 'A',
        };
        if (e.type === 'dir') node.children = new Map();
        if (e.type === 'file') { node.key = `${index}:${e.ino}`; this.ref(node.key, e.size); }
        kids.set(e.name, node);
      }
      if (e.type === 'dir') dirs.set(e.rel, node);
      push(lower ? 'C' : 'A', e.rel, e, hides, e.opaque && e.type === 'dir');
    }
    // what opaque directories hid and the layer did not put back
    for (const { rel, removed } of opaque.values()) {
      for (const [name, { node, hides }] of removed) push('D', `${rel}/${name}`, node, hides);
    }
    if (res.changes) res.changes.sort((a, b) => comparePaths(a.path, b.path));
    return res;
  }

  /** The node at "/a/b" (no symlinks followed: the tree shows entries as they are). */
  lookup(p: string): TreeNode | undefined {
    let n: TreeNode | undefined = this.root;
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (!n?.children) return undefined;
      n = n.children.get(part);
    }
    return n;
  }

  /** Bytes below a directory (file sizes per path); memoized, so only on a final tree. */
  total(n: TreeNode): number {
    if (!n.children) return n.type === 'file' ? n.size : 0;
    if (n.total === undefined) {
      let t = 0;
      for (const c of n.children.values()) t += this.total(c);
      n.total = t;
    }
    return n.total;
  }
}
