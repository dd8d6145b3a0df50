// Show Stats: a webview panel per container (shown again, not duplicated,
// when asked twice) fed by ONE `stats` stream from the helper: the charts
// are redrawn from the lines it sends, nothing polls. Closing the panel
// closes the stream; the container stopping ends it and the panel says so.
// The limits form posts its values here, and they go through
// `container.update` as the Edit Limit command's do.
import type * as net from 'node:net';
import * as vscode from 'vscode';
import { openStream } from '../../helper/protocol/client';
import type { StatsLine } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { limitArgs, limitInputValue, validateLimit } from '../limits';
import type { FromWebview, ToWebview } from './messages';
import { nonce, statsHtml } from './panel-html';

/** What is replayed to a webview that (re)loads: a little over the charts' 5 minutes at one line a second. */
const BACKLOG = 320;

class StatsPanel {
  private sock?: net.Socket;
  private backlog: StatsLine[] = [];
  private ready = false;
  private readonly subs: vscode.Disposable[] = [];

  constructor(readonly panel: vscode.WebviewPanel, private readonly conn: Connection, readonly id: string, name: string, script: vscode.Uri) {
    const n = nonce();
    panel.webview.html = statsHtml({ cspSource: panel.webview.cspSource, script: panel.webview.asWebviewUri(script).toString(), nonce: n, name });
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => { void this.received(m); }),
      conn.onEvent((e) => { if (e.type === 'container.updated' && e.id === id) void this.sendLimits(); }),
    );
    void this.open();
  }

  private post(m: ToWebview): void { void this.panel.webview.postMessage(m); }

  private async open(): Promise<void> {
    let sock: net.Socket;
    try {
      sock = await openStream(this.conn.socketPath, { kind: 'stats', id: this.id });
    } catch (e) {
      this.post({ type: 'ended', reason: `No stats: ${(e as Error).message}` });
      return;
    }
    if (this.disposed) { sock.destroy(); return; }
    this.sock = sock;
    let rest = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      const parts = (rest + d).split('\n');
      rest = parts.pop() ?? '';
      const lines: StatsLine[] = [];
      for (const p of parts) { if (p) try { lines.push(JSON.parse(p) as StatsLine); } catch { /* a torn line: skip */ } }
      this.backlog = this.backlog.concat(lines).slice(-BACKLOG);
      if (this.ready && lines.length) this.post({ type: 'lines', lines });
    });
    sock.on('error', () => undefined);
    sock.on('end', () => { if (!this.disposed) this.post({ type: 'ended', reason: 'The container is not running: the charts stopped.' }); });
    sock.resume();
  }

  private async received(m: FromWebview): Promise<void> {
    if (m.type === 'ready') {
      // a webview that was reloaded starts empty: it gets what was seen so far
      this.ready = true;
      if (this.backlog.length) this.post({ type: 'lines', lines: this.backlog });
      await this.sendLimits();
    } else if (m.type === 'update') {
      await this.update(m.memory, m.pids);
    }
  }

  private async sendLimits(): Promise<void> {
    try {
      const d = await this.conn.request('container.inspect', { id: this.id });
      this.post({ type: 'limits', memory: limitInputValue('memory', d.limits), pids: limitInputValue('pids', d.limits) });
    } catch { /* gone: the stream's end says so */ }
  }

  /** Both fields are sent; only what differs from the container's limits is changed. */
  private async update(memory: string, pids: string): Promise<void> {
    const problem = validateLimit('memory', memory) ?? validateLimit('pids', pids);
    if (problem) { this.post({ type: 'updated', error: problem }); return; }
    try {
      const d = await this.conn.request('container.inspect', { id: this.id });
      const args = {
        ...(memory.trim() !== limitInputValue('memory', d.limits) ? limitArgs('memory', memory) : {}),
        ...(pids.trim() !== limitInputValue('pids', d.limits) ? limitArgs('pids', pids) : {}),
      };
      if (Object.keys(args).length) await this.conn.request('container.update', { id: this.id, ...args });
      this.post({ type: 'updated' });
    } catch (e) {
      this.post({ type: 'updated', error: (e as Error).message });
    }
  }

  private disposed = false;
  dispose(): void {
    this.disposed = true;
    this.sock?.destroy();
    for (const s of this.subs) s.dispose();
  }
}

export class StatsPanels implements vscode.Disposable {
  /** by container id; by `HOST/ID` for the containers of an `nscope.hosts` entry */
  private readonly open = new Map<string, StatsPanel>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** A container's panel, its stream and limits over `conn`, its host's connection. */
  show(conn: Connection, id: string, name: string): void {
    const key = conn.hostName ? `${conn.hostName}/${id}` : id;
    const existing = this.open.get(key);
    if (existing) { existing.panel.reveal(); return; }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('nscope.stats', `Stats: ${name}${conn.hostName ? ` on ${conn.hostName}` : ''}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      // the charts keep their five minutes while the tab is in the background
      retainContextWhenHidden: true,
      localResourceRoots: [dist],
    });
    const p = new StatsPanel(panel, conn, id, name, vscode.Uri.joinPath(dist, 'stats-webview.js'));
    this.open.set(key, p);
    panel.onDidDispose(() => { p.dispose(); this.open.delete(key); });
  }

  /** For the tests: the containers whose panel is open. */
  openIds(): string[] { return [...this.open.keys()]; }

  dispose(): void {
    for (const p of this.open.values()) p.panel.dispose();
    this.open.clear();
  }
}
