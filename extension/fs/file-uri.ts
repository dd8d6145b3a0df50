// URIs of files inside a container or an image, as the helper's file.* methods
// read them: `nscope-file:/etc/passwd?container=ID&view=image` (the image's
// version, what the container started from), `?container=ID&view=container`
// (what the container sees now), `?image=REF&view=layer&layer=2` (one
// layer alone). `empty=1` is a file that does not exist on that side of a
// diff (an added file's left, a deleted file's right): it reads as nothing.
import * as vscode from 'vscode';
import type { FileSource } from '../../helper/protocol';

export const FILE_SCHEME = 'nscope-file';

export interface FileRef extends FileSource {
  path: string;
  /** the side of a diff where the file does not exist */
  empty?: boolean;
}

export function fileUri(ref: FileRef): vscode.Uri {
  const q = new URLSearchParams();
  if (ref.container) q.set('container', ref.container);
  if (ref.image) q.set('image', ref.image);
  if (ref.view) q.set('view', ref.view);
  if (ref.layer !== undefined) q.set('layer', String(ref.layer));
  if (ref.empty) q.set('empty', '1');
  return vscode.Uri.from({ scheme: FILE_SCHEME, path: ref.path, query: q.toString() });
}

export function parseFileUri(uri: vscode.Uri): FileRef {
  const q = new URLSearchParams(uri.query);
  const view = q.get('view');
  const layer = q.get('layer');
  const ref: FileRef = { path: uri.path || '/' };
  if (q.get('container')) ref.container = q.get('container')!;
  if (q.get('image')) ref.image = q.get('image')!;
  if (view === 'container' || view === 'image' || view === 'layer') ref.view = view;
  if (layer !== null) ref.layer = /^-?\d+$/.test(layer) ? Number(layer) : layer;
  if (q.get('empty') === '1') ref.empty = true;
  return ref;
}

/** One line naming where a file is read from, for titles and messages. */
export function describeSource(ref: FileRef, names: { container?: string } = {}): string {
  if (ref.container) return ref.view === 'image' ? `${names.container ?? ref.container.slice(0, 12)} (image)` : (names.container ?? ref.container.slice(0, 12));
  return ref.view === 'layer' ? `${ref.image} layer ${ref.layer}` : `${ref.image}`;
}
