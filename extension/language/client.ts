// The Containerfile language client: starts the language server
// (language/server.ts, bundled as dist/language-server.js) with the extension
// host's own Node over stdio, for VS Code's `dockerfile` language (its
// built-in grammar keeps colouring; Containerfile, Dockerfile, *.containerfile
// and *.dockerfile are that language). It answers the server's `nscope/images`
// request from the helper connection, so FROM completes and checks local
// images without the server knowing where the helper is.
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { Connection } from '../connection';

export const IMAGES_REQUEST = 'nscope/images';

export function startLanguageClient(context: vscode.ExtensionContext, conn: Connection): LanguageClient {
  const module = path.join(context.extensionPath, 'dist', 'language-server.js');
  const run = { module, transport: TransportKind.stdio };
  const server: ServerOptions = { run, debug: run };
  const client: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }, { scheme: 'file', pattern: '**/{Containerfile,Dockerfile,*.[Cc]ontainerfile,*.[Dd]ockerfile}' }],
  };
  const lc = new LanguageClient('nscope.containerfile', 'nscope Containerfile', server, client);
  lc.onRequest(IMAGES_REQUEST, async () => {
    if (!conn.connected) return null;
    try { return (await conn.request('image.list', {})).map((i) => i.name); } catch { return null; }
  });
  void lc.start();
  return lc;
}
