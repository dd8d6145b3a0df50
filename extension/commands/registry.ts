// Images from and to registries: Pull Image… (the Images view's title, the
// palette) and Push… (an image's context menu). The credentials are the
// user's own, looked up here on the client (the helper runs as root and
// never reads a user's files) and sent with the stream.
import * as vscode from 'vscode';
import { credentialsFor } from '../../helper/registry/credentials';
import type { HostConnections } from '../host-connections';
import { shortDigest } from '../format';
import { referenceProblem, registryOf } from '../image-reference';
import { ImageNode, UNNAMED } from '../views/images';
import { guarded } from './errors';
import { runTransfer } from './transfer';

export function registerRegistryCommands(hosts: HostConnections, images: { refresh(): void }): vscode.Disposable[] {
  return [
    // a string argument is the reference (keybindings, links, tests): no input box then
    vscode.commands.registerCommand('nscope.pullImage', guarded('pull', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Pull Image');
      if (!conn) return;
      const typed = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
        title: 'Pull Image', prompt: 'Image reference: [registry/]repository[:tag|@digest]',
        placeHolder: 'alpine:3.19 or 127.0.0.1:5000/team/app:1.0', validateInput: (s) => referenceProblem(s), ignoreFocusOut: true,
      });
      const ref = typed?.trim();
      if (!ref) return;
      const registry = registryOf(ref);
      const auth = await credentialsFor(registry);
      const done = await runTransfer(conn, { title: `nscope: pulling ${ref}`, registry, params: { kind: 'pull', ref, ...(auth ? { auth } : {}) } });
      if (!done) return;
      images.refresh(); // the helper's image.added event does too; this covers a re-pull that changed nothing
      void vscode.window.showInformationMessage(`nscope: pulled ${done.ref} (${shortDigest(done.digest)})`);
    })),
    vscode.commands.registerCommand('nscope.pushImage', guarded('push', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Push Image');
      if (!conn) return;
      const image = arg instanceof ImageNode ? arg.image
        : (await vscode.window.showQuickPick((await conn.request('image.list', {})).map((i) => ({ label: i.name, image: i })), { placeHolder: 'Image to push' }))?.image;
      if (!image) return;
      const ref = image.name === UNNAMED ? image.id : image.name;
      const typed = await vscode.window.showInputBox({
        title: `Push ${image.name === UNNAMED ? image.id.slice(0, 19) : image.name}`, prompt: 'Push to: [registry/]repository[:tag]',
        value: image.name === UNNAMED ? '' : image.name, placeHolder: '127.0.0.1:5000/team/app:1.0',
        validateInput: (s) => referenceProblem(s, { digest: false }), ignoreFocusOut: true,
      });
      const dest = typed?.trim();
      if (!dest) return;
      const registry = registryOf(dest);
      const auth = await credentialsFor(registry);
      const done = await runTransfer(conn, {
        title: `nscope: pushing ${dest}`, registry,
        params: { kind: 'push', ref, ...(dest !== ref ? { dest } : {}), ...(auth ? { auth } : {}) },
      });
      if (!done) return;
      images.refresh();
      void vscode.window.showInformationMessage(`nscope: pushed ${done.ref} (${shortDigest(done.digest)})`);
    })),
  ];
}
