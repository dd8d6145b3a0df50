// "Open Shell in Container": a VS Code Pseudoterminal bridged to an exec
// stream with a TTY. Bytes go both ways raw; the window size follows the
// terminal (exec.resize); when the shell ends, its exit code closes the
// terminal; closing the terminal hangs the shell up.
import type { Socket } from 'net';
import { StringDecoder } from 'string_decoder';
import * as vscode from 'vscode';
import { openStreamWithResult } from '../../helper/protocol/client';
import type { Connection } from '../connection';
import { oneLine } from '../format';

export interface ShellTarget { id: string; name: string; shell: string; user?: string }

export class ShellPty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private sock?: Socket;
  private execId?: string;
  private dims = { rows: 24, cols: 80 };
  private closed = false;
  private ending = false;
  /** set once the exec stream is open; for timing and tests */
  opened?: Promise<void>;

  constructor(private readonly conn: Connection, private readonly target: ShellTarget) {}

  open(initial: vscode.TerminalDimensions | undefined): void {
    if (initial) this.dims = { rows: initial.rows, cols: initial.columns };
    this.opened = this.start().catch((e) => {
      // the terminal closes at once, so the reason goes to a notification
      void vscode.window.showErrorMessage(`nscope: open shell in ${this.target.name}: ${oneLine(e)}`);
      this.finish(1, false);
    });
  }

  private async start(): Promise<void> {
    const asked = { ...this.dims };
    const { sock, result } = await openStreamWithResult(this.conn.socketPath, {
      kind: 'exec', id: this.target.id, cmd: [this.target.shell], tty: true, interactive: true,
      user: this.target.user, rows: asked.rows, cols: asked.cols, env: ['TERM=xterm-256color'],
    });
    if (this.closed) { sock.destroy(); return; }
    this.sock = sock;
    this.execId = result.execId;
    // the terminal may have been resized while the exec was starting
    if (this.execId && (asked.rows !== this.dims.rows || asked.cols !== this.dims.cols)) {
      this.conn.request('exec.resize', { execId: this.execId, ...this.dims }).catch(() => undefined);
    }
    const dec = new StringDecoder('utf8');
    sock.on('data', (d: Buffer) => this.writeEmitter.fire(dec.write(d)));
    sock.on('error', () => undefined);
    // the helper ends the stream when the shell has exited (the socket is half-open: end our side too)
    const done = () => { sock.end(); const rest = dec.end(); if (rest) this.writeEmitter.fire(rest); void this.ended(); };
    sock.once('end', done);
    sock.once('close', done);
    sock.resume();
  }

  private async ended(): Promise<void> {
    if (this.closed || this.ending) return;
    this.ending = true;
    let code = 0;
    try {
      if (this.execId) code = (await this.conn.request('exec.wait', { execId: this.execId })).exitCode ?? 0;
    } catch { /* helper gone: the stream's end is all we know */ }
    this.finish(code, true);
  }

  private finish(code: number, announce: boolean): void {
    if (this.closed) return;
    this.closed = true;
    // VS Code would call an extension terminal's non-zero exit a failure to launch: say it ourselves
    if (announce && code !== 0) void vscode.window.showInformationMessage(`nscope: ${this.target.shell} in ${this.target.name} exited with code ${code}`);
    this.closeEmitter.fire();
  }

  handleInput(data: string): void {
    this.sock?.write(data);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    if (d.rows === this.dims.rows && d.columns === this.dims.cols) return;
    this.dims = { rows: d.rows, cols: d.columns };
    if (this.execId && !this.closed) {
      this.conn.request('exec.resize', { execId: this.execId, rows: d.rows, cols: d.columns }).catch(() => undefined);
    }
  }

  /** The user closed the terminal: hang the shell up (the helper sends SIGHUP on disconnect). */
  close(): void {
    this.closed = true;
    this.sock?.destroy();
    this.sock = undefined;
  }
}
