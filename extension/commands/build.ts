// Build Image… on a Containerfile or Dockerfile (the Explorer's context menu,
// the editor's title; the palette and the Images view's title, which build the
// active editor's Containerfile or ask for one of the workspace's, as Docker's
// "Build Image..." does): the same build as `nscope build`
// (helper/build/build.ts) run from the extension over its helper connection,
// its progress in the "nscope build" output channel; the new image is then
// selected in the Images view. With several hosts, the one to build on is
// asked (the context is sent from this machine, as `nscope build` sends it).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildContainerfile } from '../../helper/build/build';
import { credentialsFor } from '../../helper/registry/credentials';
import type { HostConnections } from '../host-connections';
import { referenceProblem, registryOf } from '../image-reference';
import type { ImagesProvider } from '../views/images';
import { ImageNode, LayerNode } from '../views/images';
import type { Node } from '../views/tree';
import { guarded } from './errors';
import { runTransfer } from './transfer';
import { CONTAINERFILE, CONTAINERFILE_GLOB } from '../containerfile-names';

export function registerBuildCommand(hosts: HostConnections, images: ImagesProvider, view: vscode.TreeView<Node>): vscode.Disposable {
  let channel: vscode.OutputChannel | undefined;
  return vscode.Disposable.from(
    { dispose: () => channel?.dispose() },
    // a layer `nscope build` made: the Containerfile line, found in the workspace by its path in the build context
    vscode.commands.registerCommand('nscope.openBuildLine', guarded('open the Containerfile line', async (n?: unknown) => {
      const by = n instanceof LayerNode ? n.builtBy : undefined;
      if (!by) return;
      const found = await vscode.workspace.findFiles(`**/${by.file}`, '**/node_modules/**', 20);
      if (!found.length) { void vscode.window.showInformationMessage(`${by.file} (line ${by.line}) is not in this workspace`); return; }
      const doc = await vscode.workspace.openTextDocument(found[0]);
      const at = new vscode.Position(Math.max(0, by.line - 1), 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
    })),
    vscode.commands.registerCommand('nscope.buildImage', guarded('build', async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : await containerfileToBuild();
      if (!uri) return;
      if (uri.scheme !== 'file') { void vscode.window.showInformationMessage('Build Image… works on a Containerfile or Dockerfile on disk.'); return; }
      const conn = await hosts.pick(`Build Image from ${path.basename(uri.fsPath)}`);
      if (!conn) return;
      const context = path.dirname(uri.fsPath);
      const tag = (await vscode.window.showInputBox({
        title: `Build Image from ${path.basename(uri.fsPath)}`, prompt: 'The image\'s name[:tag]',
        value: `${path.basename(context).toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || 'image'}:latest`,
        validateInput: (s) => referenceProblem(s, { digest: false }), ignoreFocusOut: true,
      }))?.trim();
      if (!tag) return;
      channel ??= vscode.window.createOutputChannel('nscope build');
      const out = channel;
      out.show(true);
      out.appendLine(`$ nscope build -t ${tag} -f ${uri.fsPath} ${context}`);
      let id: string;
      try {
        id = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `nscope: building ${tag}` }, () => buildContainerfile(
          { context, file: uri.fsPath, tags: [tag], buildArgs: [] },
          {
            client: conn, socket: conn.socketPath, write: (t) => out.append(t),
            pull: async (ref) => {
              const auth = await credentialsFor(registryOf(ref));
              return !!(await runTransfer(conn, { title: `nscope: pulling ${ref}`, registry: registryOf(ref), params: { kind: 'pull', ref, ...(auth ? { auth } : {}) } }));
            },
          },
        ));
      } catch (e) {
        out.appendLine(`error: ${(e as Error).message}`);
        throw e;
      }
      const asked = Date.now();
      images.refreshHost(conn);
      // the new image, selected in its view once the view has it: a view in sight only after it has
      // reloaded its list (a cached rebuild is done within milliseconds, and a reveal of a row the
      // tree does not have yet is dropped, leaving the old selection); a hidden one loads afresh when
      // the reveal shows it
      // (up to 30 s: on a loaded machine the helper's listing can take seconds, and a row out of
      // the pane's sight is not there to see unless it is revealed)
      for (let i = 0; i < 300; i++) {
        if (!view.visible || images.lastRefresh > asked) {
          const node = (await images.rootsOf(conn)).find((n) => n instanceof ImageNode && n.image.id === id && n.image.name === tag);
          if (node) { await view.reveal(node, { select: true, focus: false }); break; }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      void vscode.window.showInformationMessage(`nscope: built ${tag}`);
    })),
  );
}

/**
 * What Build Image… from the palette or a view's title builds: the active
 * editor's Containerfile, else one of the workspace's (asked when there are
 * several). Undefined when there is none (said) or the pick is cancelled.
 */
async function containerfileToBuild(): Promise<vscode.Uri | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && (doc.languageId === 'dockerfile' || CONTAINERFILE.test(path.basename(doc.uri.path)))) return doc.uri;
  const found = (await vscode.workspace.findFiles(CONTAINERFILE_GLOB, '**/node_modules/**', 200))
    .filter((u) => u.scheme === 'file' && CONTAINERFILE.test(path.basename(u.path)))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  if (!found.length) {
    void vscode.window.showInformationMessage('nscope: no Containerfile or Dockerfile in this workspace. Open one (or right-click it in the Explorer) to build it.');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri })),
    { title: 'Build Image', placeHolder: 'The Containerfile or Dockerfile to build (its folder is the build context)', ignoreFocusOut: true },
  );
  return picked?.uri;
}
