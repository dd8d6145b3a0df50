// The Containerfile language client: starts the language server
// (language/server.ts, bundled as dist/language-server.js) with the extension
// host's own Node over stdio, for VS Code's `dockerfile` language (its
// built-in grammar keeps colouring; Containerfile, Dockerfile, *.containerfile
// and *.dockerfile are that language). It answers the server's `nscope/images`
// request from the helper connections, so FROM completes and checks local
// images without the server knowing where the helpers are. With several hosts
// an image is local when any connected host has it: Build Image… asks which
// host builds, and the Containerfile is not tied to one.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { IMAGES_CHANGED, IMAGES_REQUEST } from '../../language/requests';
import { CONTAINERFILE_GLOB } from '../containerfile-names';
import type { HostConnections } from '../host-connections';
import { UNNAMED } from '../views/images';


export function startLanguageClient(context: vscode.ExtensionContext, hosts: HostConnections): LanguageClient {
  const module = path.join(context.extensionPath, 'dist', 'language-server.js');
  const run = { module, transport: TransportKind.stdio };
  const server: ServerOptions = { run, debug: run };
  const client: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }, { scheme: 'file', pattern: CONTAINERFILE_GLOB }],
  };
  const lc = new LanguageClient('nscope.containerfile', 'nscope Containerfile', server, client);
  lc.onRequest(IMAGES_REQUEST, async () => {
    // null: no helper answered, so nothing can be said about FROM (the server then reports nothing)
    const lists = await Promise.all(hosts.list().filter((h) => h.conn.connected).map(async (h) => {
      // an image without a name (<none>:<none>) is no FROM a Containerfile can write
      try { return (await h.conn.request('image.list', {})).map((i) => i.name).filter((n) => n !== UNNAMED); } catch { return null; }
    }));
    const answered = lists.filter((l): l is string[] => l !== null);
    return answered.length ? [...new Set(answered.flat())] : null;
  });
  // the server asks once and keeps the answer a while; it is told when the answer may differ
  const imagesChanged = () => { if (lc.isRunning()) void lc.sendNotification(IMAGES_CHANGED).catch(() => undefined); };
  context.subscriptions.push(
    hosts.onDidChangeHosts(imagesChanged),
    hosts.onDidChangeState(imagesChanged),
    hosts.onEvent(({ event }) => { if (event.type.startsWith('image.')) imagesChanged(); }),
  );
  void lc.start();
  return lc;
}
