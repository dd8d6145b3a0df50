// URIs of files in images and containers, as the helper's file.* methods
// read them. The first path segment names the image or container, so an
// editor tab and its breadcrumbs show where a file comes from:
//  - `nscope-image:/host:latest/etc/passwd`: the image's layers merged;
//    `?layer=2`: layer 2 alone (its whiteouts shown as such); `?upto=2`: the
//    layers merged up to and with layer 2 (the cumulative tree);
//    `?container=ID`: the image exactly as that container was made from it
//    (its lower layers, even if the name has since moved to another image);
//  - `nscope-container:/ID/etc/passwd`: what the container sees now;
//    `?layer=rw` (or `init`, or an image layer's index): one of its layers alone.
// Both are read-only. `empty=1` is a file that does not exist on that side of
// a diff (an added file's left, a deleted file's right): it reads as nothing.
// An image name may hold '/' (registry/repo:tag): in its segment it is "%2F".
// The authority names the host (an `nscope.hosts` entry) whose helper has the
// image or container: `nscope-container://lab/ID/etc/passwd`; none is the
// extension's own helper, so its URIs are what they were before several hosts.
import * as vscode from 'vscode';
import type { FileSource } from '../../helper/protocol/types';

export const IMAGE_SCHEME = 'nscope-image';
export const CONTAINER_SCHEME = 'nscope-container';

export interface FileRef {
  /** what file.* reads */
  source: FileSource;
  /** the path inside the image or container */
  path: string;
  /** the side of a diff where the file does not exist */
  empty?: boolean;
  /** the host whose helper reads it: an `nscope.hosts` name, '' for the extension's own */
  host: string;
}

const encodeSegment = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2F');
const decodeSegment = (s: string) => s.replace(/%2F/gi, '/').replace(/%25/g, '%');

function uri(scheme: string, host: string | undefined, owner: string, p: string, query: Record<string, string | number | undefined | false>): vscode.Uri {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== false) q.set(k, String(v));
  const file = p.startsWith('/') ? p : `/${p}`;
  return vscode.Uri.from({ scheme, authority: host ?? '', path: `/${encodeSegment(owner)}${file === '/' ? '' : file}`, query: q.toString() });
}

export function imageUri(o: { image: string; path: string; layer?: number; upTo?: number; container?: string; empty?: boolean; host?: string }): vscode.Uri {
  return uri(IMAGE_SCHEME, o.host, o.image, o.path, { container: o.container, layer: o.layer, upto: o.upTo, empty: o.empty && '1' });
}

export function containerUri(o: { container: string; path: string; layer?: 'init' | 'rw' | number; empty?: boolean; host?: string }): vscode.Uri {
  return uri(CONTAINER_SCHEME, o.host, o.container, o.path, { layer: o.layer, empty: o.empty && '1' });
}

const layerOf = (s: string) => (/^\d+$/.test(s) ? Number(s) : s);

/** What an `nscope-image:` or `nscope-container:` URI reads; a malformed one is a FileNotFound. */
export function parseFileUri(u: vscode.Uri): FileRef {
  const m = /^\/([^/]+)(\/.*)?$/.exec(u.path);
  if (!m) throw vscode.FileSystemError.FileNotFound(u);
  const owner = decodeSegment(m[1]);
  const q = new URLSearchParams(u.query);
  const ref: FileRef = { source: {}, path: m[2] || '/', host: u.authority };
  if (q.get('empty') === '1') ref.empty = true;
  const layer = q.get('layer');
  const upTo = q.get('upto');
  if (u.scheme === IMAGE_SCHEME) {
    const container = q.get('container');
    if (container) ref.source = { container, view: 'image' };
    else if (layer !== null) ref.source = { image: owner, view: 'layer', layer: layerOf(layer) };
    else if (upTo !== null) ref.source = { image: owner, view: 'image', layer: layerOf(upTo) };
    else ref.source = { image: owner, view: 'image' };
  } else if (u.scheme === CONTAINER_SCHEME) {
    ref.source = layer !== null ? { container: owner, view: 'layer', layer: layerOf(layer) } : { container: owner, view: 'container' };
  } else {
    throw vscode.FileSystemError.FileNotFound(u);
  }
  return ref;
}

/**
 * A file as the user knows it, for a prompt or a progress title: `web:/etc/hosts`
 * (docker cp's CONTAINER:PATH; `container` is its name, else the short ID) or
 * `/etc/passwd in host:latest`. The URI's own path starts with the container's
 * 64-hex ID, which tells the user nothing.
 */
export function shownPath(uri: vscode.Uri, container?: string): string {
  const ref = parseFileUri(uri);
  const owner = decodeSegment(/^\/([^/]+)/.exec(uri.path)![1]);
  return uri.scheme === CONTAINER_SCHEME ? `${container ?? owner.slice(0, 12)}:${ref.path}` : `${ref.path} in ${owner}`;
}
