// A connection to one helper: one HelperClient subscribed to events,
// re-established with backoff whenever the helper goes away (restart,
// crash, not started yet). The extension's own (`nscope.socketPath`, the
// "local" host) publishes its state to the status bar and to the
// `nscope.state` context key that picks the views' welcome content; the
// other hosts' (host-connections.ts) show theirs on their root nodes only,
// and open only when that node is first expanded (open()).
import * as vscode from 'vscode';
import { DEFAULT_SOCKET, type NscopeEvent } from '../helper/protocol/types';
import type { MethodName, Params, Result } from '../helper/protocol/methods';
import { HelperClient, HelperError } from '../helper/protocol/client';
import { oneLine } from './format';

/** connecting: first attempt; unavailable: no helper at the socket; forbidden: the helper refuses us. */
export type ConnectionState = 'connecting' | 'connected' | 'unavailable' | 'forbidden';

const MIN_BACKOFF = 250;
const MAX_BACKOFF = 5000;

export class Connection implements vscode.Disposable {
  private client?: HelperClient;
  private timer?: NodeJS.Timeout;
  private backoff = MIN_BACKOFF;
  private disposed = false;
  private attempt?: Promise<void>;
  state: ConnectionState = 'connecting';
  /** why the last attempt failed, one line */
  reason = '';
  socketPath = '';
  helperVersion = '';
  private started = false;

  private readonly stateEmitter = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly eventEmitter = new vscode.EventEmitter<NscopeEvent>();
  /** helper events (container created/started/exited/updated/removed, image added/removed) */
  readonly onEvent = this.eventEmitter.event;

  /**
   * `address`: where the helper is, read again on every reconnect (the local
   * one follows `nscope.socketPath`); `hostName`: the `nscope.hosts` entry it
   * serves, undefined for the extension's own helper — it is the authority
   * of the file URIs of that host's containers and images (fs/file-uri.ts),
   * and only the own helper sets the `nscope.state` context key.
   */
  constructor(private readonly address: () => string = configuredSocket, readonly hostName?: string) {
    this.socketPath = address();
  }

  /** Whether start() was called: a host's connection stays idle until its node is expanded. */
  get isStarted(): boolean { return this.started; }

  start(): void {
    this.started = true;
    this.publish();
    void this.connectNow();
  }

  /** Starts the connection if it is idle; resolves when the attempt under way (if any) has ended. */
  open(): Promise<void> {
    if (!this.started) this.start();
    return this.attempt ?? Promise.resolve();
  }

  /** Reconnects at once (refresh button, settings change, status bar click). */
  reconnect(): Promise<void> {
    this.started = true;
    this.socketPath = this.address();
    if (this.state === 'connected' && this.client) return Promise.resolve();
    return this.connectNow();
  }

  /** Drops the current connection (e.g. the socket setting changed) and connects again. */
  restart(): Promise<void> {
    this.started = true;
    this.socketPath = this.address();
    const c = this.client;
    this.client = undefined;
    if (c) { c.onClose = undefined; c.close(); }
    this.backoff = MIN_BACKOFF;
    return this.connectNow();
  }

  get connected(): boolean { return this.state === 'connected' && !!this.client; }

  async request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (!this.client) throw new HelperError(this.reason || 'not connected to the nscope helper', -32000, 'unavailable');
    return this.client.request(method, params);
  }

  private connectNow(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.attempt ??= this.tryConnect().finally(() => { this.attempt = undefined; });
    return this.attempt;
  }

  private async tryConnect(): Promise<void> {
    if (this.disposed || this.client) return;
    const socket = this.socketPath;
    let client: HelperClient | undefined;
    try {
      client = await HelperClient.connect(socket);
      // The helper refuses a peer it does not serve after accept: the first request tells.
      const info = await client.request('system.info', {});
      client.onClose = () => this.lost(client!);
      await client.onEvent((e) => this.eventEmitter.fire(e));
      if (this.disposed) { client.close(); return; }
      this.client = client;
      this.helperVersion = info.version;
      this.backoff = MIN_BACKOFF;
      this.reason = '';
      this.setState('connected');
    } catch (e) {
      if (client) { client.onClose = undefined; client.close(); }
      const forbidden = e instanceof HelperError && e.kind === 'forbidden';
      this.reason = oneLine(e);
      this.setState(forbidden ? 'forbidden' : 'unavailable');
      this.schedule();
    }
  }

  private lost(c: HelperClient): void {
    if (this.client !== c) return;
    this.client = undefined;
    this.reason = `the nscope helper at ${this.socketPath} went away`;
    this.setState('unavailable');
    this.backoff = MIN_BACKOFF;
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed || this.timer) return;
    const wait = this.backoff;
    this.backoff = Math.min(MAX_BACKOFF, this.backoff * 2);
    this.timer = setTimeout(() => { this.timer = undefined; void this.connectNow(); }, wait);
  }

  private setState(s: ConnectionState): void {
    const changed = s !== this.state;
    this.state = s;
    this.publish();
    // a failed retry in the same state changes nothing the user sees
    if (changed || s === 'connected') this.stateEmitter.fire(s);
  }

  private publish(): void {
    if (this.hostName === undefined) void vscode.commands.executeCommand('setContext', 'nscope.state', this.state);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.client) { this.client.onClose = undefined; this.client.close(); }
    this.client = undefined;
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
  }
}

export function configuredSocket(): string {
  const s = vscode.workspace.getConfiguration('nscope').get<string>('socketPath');
  return s && s.trim() ? s.trim() : DEFAULT_SOCKET;
}
