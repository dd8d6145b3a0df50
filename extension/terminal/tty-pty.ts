// A VS Code Pseudoterminal bridged to a helper stream with a TTY: bytes go
// both ways raw, the window size follows the terminal, the far end's exit
// code closes the terminal, closing the terminal lets the far end go. What
// the far end is (a shell exec'd into a container, a new container's own
// console) is the subclass's: ./shell-pty.ts, ./run-pty.ts.
import type { Socket } from 'net';
import { StringDecoder } from 'string_decoder';
import * as vscode from 'vscode';
import { oneLine } from '../format';

/** The far end, once open: its bytes, how to resize it, how it ended. */
export interface TtySession {
  sock: Socket;
  resize(rows: number, cols: number): Promise<unknown>;
  /** its exit code, asked once the stream has ended */
  exitCode(): Promise<number>;
}

export abstract class TtyPty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private session?: TtySession;
  protected dims = { rows: 24, cols: 80 };
  private closed = false;
  private ending = false;
  /** set once the stream is open; for timing and tests */
  opened?: Promise<void>;

  /** "open shell in web", "run alpine": names the failure in its notification */
  protected abstract readonly what: string;
  /** Opens the far end at the terminal's size. */
  protected abstract connect(rows: number, cols: number): Promise<TtySession>;
  /** The user closed the terminal while the far end still ran. */
  protected abstract hangUp(session: TtySession): void;
  /** The notification for a non-zero exit. */
  protected abstract exitMessage(code: number): string;

  open(initial: vscode.TerminalDimensions | undefined): void {
    if (initial) this.dims = { rows: initial.rows, cols: initial.columns };
    this.opened = this.start().catch((e) => {
      // the terminal closes at once, so the reason goes to a notification
      void vscode.window.showErrorMessage(`nscope: ${this.what}: ${oneLine(e)}`);
      this.finish(1, false);
    });
  }

  private async start(): Promise<void> {
    const asked = { ...this.dims };
    const session = await this.connect(asked.rows, asked.cols);
    if (this.closed) { this.hangUp(session); return; }
    this.session = session;
    // the terminal may have been resized while the stream was opening
    if (asked.rows !== this.dims.rows || asked.cols !== this.dims.cols) session.resize(this.dims.rows, this.dims.cols).catch(() => undefined);
    const { sock } = session;
    const dec = new StringDecoder('utf8');
    sock.on('data', (d: Buffer) => this.writeEmitter.fire(dec.write(d)));
    sock.on('error', () => undefined);
    // the helper ends the stream when the far end has exited (the socket is half-open: end our side too)
    const done = () => { sock.end(); const rest = dec.end(); if (rest) this.writeEmitter.fire(rest); void this.ended(); };
    sock.once('end', done);
    sock.once('close', done);
    sock.resume();
  }

  private async ended(): Promise<void> {
    if (this.closed || this.ending) return;
    this.ending = true;
    let code = 0;
    try { code = await this.session!.exitCode(); } catch { /* helper gone: the stream's end is all we know */ }
    this.finish(code, true);
  }

  private finish(code: number, announce: boolean): void {
    if (this.closed) return;
    this.closed = true;
    // VS Code would call an extension terminal's non-zero exit a failure to launch: say it ourselves
    if (announce && code !== 0) void vscode.window.showInformationMessage(`nscope: ${this.exitMessage(code)}`);
    this.closeEmitter.fire();
  }

  handleInput(data: string): void {
    this.session?.sock.write(data);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    if (d.rows === this.dims.rows && d.columns === this.dims.cols) return;
    this.dims = { rows: d.rows, cols: d.columns };
    if (this.session && !this.closed) this.session.resize(d.rows, d.columns).catch(() => undefined);
  }

  /** The user closed the terminal (or VS Code disposes it after the far end ended: nothing to let go then). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // while the stream is still opening, start() hangs up once it has it
    if (this.session) this.hangUp(this.session);
    this.session = undefined;
  }
}
