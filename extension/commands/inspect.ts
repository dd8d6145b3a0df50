// nscope.inspect: a container, image, network or volume as the helper
// describes it (container.inspect, image.inspect, network.inspect,
// volume.inspect), as JSON in a read-only editor (a
// TextDocumentContentProvider for `nscope-inspect:`); nscope.copyId: the
// full ID of a container, image or network to the clipboard; nscope.logs: the
// container's log in an output channel, followed over a logs stream until
// the container exits.
import type * as net from 'node:net';
import * as vscode from 'vscode';
import type { LogEntry } from '../../helper/protocol/types';
import { openStream } from '../../helper/protocol/client';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { oneLine } from '../format';
import { ImageNode } from '../views/images';
import { NetworkNode } from '../views/networks';
import { VolumeNode } from '../views/volumes';
import { guarded } from './errors';
import { containerArg } from './pick';

const INSPECT_SCHEME = 'nscope-inspect';
const ANY = ['created', 'running', 'exited'] as const;

export function registerInspectCommands(hosts: HostConnections): vscode.Disposable[] {
  const inspect = new InspectDocuments(hosts);
  const logs = new LogChannels();
  return [
    inspect, logs,
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, inspect),
    vscode.commands.registerCommand('nscope.inspect', guarded('inspect', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Inspect');
      if (!conn) return;
      const t = await inspectTarget(conn, arg);
      if (!t) return;
      // the authority: the host (as file URIs have it, fs/file-uri.ts); the path: the kind, then the name the tab shows
      const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, authority: conn.hostName ?? '', path: `/${t.kind}/${t.name}.json`, query: t.ref });
      inspect.changed(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true }); // a .json path: JSON highlighting
    })),
    vscode.commands.registerCommand('nscope.copyId', guarded('copy ID', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Copy ID');
      if (!conn) return;
      const id = arg instanceof ImageNode ? arg.image.id : arg instanceof NetworkNode ? arg.net.id
        : (await containerArg(conn, arg, [...ANY], 'Container whose ID to copy'))?.id;
      if (!id) return;
      await vscode.env.clipboard.writeText(id);
      vscode.window.setStatusBarMessage(`nscope: copied ${id}`, 3000);
    })),
    vscode.commands.registerCommand('nscope.logs', guarded('logs', async (arg?: unknown) => {
      const conn = await hosts.forCommand(arg, 'Show Logs');
      if (!conn) return;
      const c = await containerArg(conn, arg, [...ANY], 'Container whose log to show');
      if (c) await logs.show(conn, c.id, c.name);
    })),
  ];
}

type InspectKind = 'container' | 'image' | 'network' | 'volume';

/** What the command was invoked on (an image, network or volume node), else a container, picked if need be. */
async function inspectTarget(conn: Connection, arg: unknown): Promise<{ kind: InspectKind; name: string; ref: string } | undefined> {
  if (arg instanceof ImageNode) return { kind: 'image', name: arg.image.name, ref: arg.ref };
  if (arg instanceof NetworkNode) return { kind: 'network', name: arg.net.name, ref: arg.net.name };
  if (arg instanceof VolumeNode) return { kind: 'volume', name: arg.volume.name, ref: arg.volume.name };
  const c = await containerArg(conn, arg, [...ANY], 'Container to inspect');
  return c && { kind: 'container', name: c.name, ref: c.id };
}

/** The helper's description of the thing `uri` names (its kind: the path's first segment). */
function describe(conn: Connection, uri: vscode.Uri): Promise<unknown> {
  const ref = uri.query;
  switch (uri.path.split('/')[1] as InspectKind) {
    case 'image': return conn.request('image.inspect', { ref });
    case 'network': return conn.request('network.inspect', { name: ref });
    case 'volume': return conn.request('volume.inspect', { name: ref });
    default: return conn.request('container.inspect', { id: ref });
  }
}

class InspectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  constructor(private readonly hosts: HostConnections) {}
  changed(uri: vscode.Uri): void { this.emitter.fire(uri); }
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    try {
      return JSON.stringify(await describe(this.hosts.forUri(uri), uri), null, 2) + '\n';
    } catch (e) {
      return JSON.stringify({ error: oneLine(e) }, null, 2) + '\n';
    }
  }
  dispose(): void { this.emitter.dispose(); }
}

/** One output channel per container (of a host); showing it again starts the log over. */
class LogChannels implements vscode.Disposable {
  private readonly open = new Map<string, { channel: vscode.OutputChannel; sock?: net.Socket }>();

  async show(conn: Connection, id: string, name: string): Promise<void> {
    const key = `${conn.hostName ?? ''}\0${id}`;
    let entry = this.open.get(key);
    if (!entry) {
      entry = { channel: vscode.window.createOutputChannel(`nscope: ${name}${conn.hostName ? ` on ${conn.hostName}` : ''}`) };
      this.open.set(key, entry);
    }
    entry.sock?.destroy();
    entry.sock = undefined;
    const { channel } = entry;
    channel.clear();
    channel.show(true);
    const sock = await openStream(conn.socketPath, { kind: 'logs', id, follow: true });
    entry.sock = sock;
    let rest = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        if (!l) continue;
        try { channel.append((JSON.parse(l) as LogEntry).log); } catch { channel.appendLine(l); }
      }
    });
    sock.on('close', () => { if (entry!.sock === sock) { entry!.sock = undefined; channel.appendLine('— end of log (the container is not running) —'); } });
    sock.on('error', () => undefined);
    sock.resume();
  }

  dispose(): void {
    for (const { channel, sock } of this.open.values()) { sock?.destroy(); channel.dispose(); }
    this.open.clear();
  }
}
