// The A/M/D badges and git colours of change items (a container's diff, a
// layer's own changes), like the SCM view's. Tree items carry a resourceUri
// `nscope-change:/etc/passwd?kind=C&of=ID`; the decoration is read from the
// URI itself, so the provider keeps no state.
import * as vscode from 'vscode';
import type { ChangeKind } from '../helper/protocol/types';

export const CHANGE_SCHEME = 'nscope-change';

const LOOK: Record<ChangeKind, { badge: string; color: string; tooltip: string }> = {
  A: { badge: 'A', color: 'gitDecoration.addedResourceForeground', tooltip: 'Added' },
  C: { badge: 'M', color: 'gitDecoration.modifiedResourceForeground', tooltip: 'Modified' },
  D: { badge: 'D', color: 'gitDecoration.deletedResourceForeground', tooltip: 'Deleted' },
};

/** `of` keeps the URIs of the same path in different containers or layers apart. */
export function changeUri(path: string, kind: ChangeKind, of: string, metadataOnly = false): vscode.Uri {
  const q = new URLSearchParams({ kind, of });
  if (metadataOnly) q.set('meta', '1');
  return vscode.Uri.from({ scheme: CHANGE_SCHEME, path, query: q.toString() });
}

export class ChangeDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== CHANGE_SCHEME) return undefined;
    const q = new URLSearchParams(uri.query);
    const look = LOOK[q.get('kind') as ChangeKind];
    if (!look) return undefined;
    const meta = q.get('meta') === '1';
    return new vscode.FileDecoration(look.badge, meta ? `${look.tooltip} (metadata only)` : look.tooltip, new vscode.ThemeColor(look.color));
  }

  static register(): vscode.Disposable {
    return vscode.window.registerFileDecorationProvider(new ChangeDecorations());
  }
}
