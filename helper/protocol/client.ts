// The typed client every nscope front end uses (CLI, VS Code extension):
// JSON-RPC 2.0 over newline-delimited JSON on the helper's Unix socket.
import * as net from 'net';
import { dialSsh, HostError, parseHost, type HostAddress } from './host';
import { JSONRPCClient, JSONRPCErrorException, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import { EVENT_METHOD, type NscopeEvent } from './types/events';
import type { MethodName, Params, Result } from './methods';
import type { StreamOpenParams } from './types/streams';

export class HelperError extends Error {
  constructor(message: string, public readonly code: number, public readonly kind: string) {
    super(message);
    this.name = 'HelperError';
  }
}

function toHelperError(e: unknown): Error {
  if (e instanceof JSONRPCErrorException) return new HelperError(e.message, e.code, (e.data as { kind?: string })?.kind ?? 'failed');
  return e instanceof Error ? e : new Error(String(e));
}

/** `socketPath`: a socket path, or a host URL (./host.ts): over ssh, a `dial-stdio` relay stands for the socket. */
function connect(socketPath: string): Promise<net.Socket> {
  if (/^[a-z]+:\/\//.test(socketPath)) {
    let h: HostAddress;
    try { h = parseHost(socketPath); } catch (e) { return Promise.reject(new HelperError((e as Error).message, -32004, 'invalid')); }
    if (h.kind === 'unix') socketPath = h.path;
    else {
      return Promise.resolve(dialSsh(h) as unknown as net.Socket);
    }
  }
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: socketPath, allowHalfOpen: true });
    sock.once('connect', () => { sock.removeListener('error', reject); resolve(sock); });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'is the helper running? (sudo nscope daemon)'
        : e.code === 'EACCES' ? 'permission denied: you must be root or in the nscope group' : e.message;
      reject(new HelperError(`cannot connect to the nscope helper at ${socketPath}: ${why}`, -32004, e.code === 'EACCES' ? 'forbidden' : 'unavailable'));
    });
  });
}

export class HelperClient {
  private readonly endpoint: JSONRPCServerAndClient<void, void>;
  private buf = '';
  private readonly listeners = new Set<(e: NscopeEvent) => void>();
  private closedError?: Error;

  private constructor(private readonly sock: net.Socket) {
    const server = new JSONRPCServer<void>();
    server.addMethod(EVENT_METHOD, (ev) => { for (const l of this.listeners) l(ev as unknown as NscopeEvent); return null; });
    this.endpoint = new JSONRPCServerAndClient(server, new JSONRPCClient<void>((req) => {
      if (this.closedError) throw this.closedError;
      sock.write(JSON.stringify(req) + '\n');
    }));
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (!line.trim()) continue;
        let msg: { id?: unknown; error?: { message: string; code: number; data?: { kind?: string } } };
        try { msg = JSON.parse(line); } catch { continue; }
        // The helper answers a refused connection with an error that has no id.
        if (msg && msg.id === null && msg.error) {
          this.closedError = new HelperError(msg.error.message, msg.error.code, msg.error.data?.kind ?? 'failed');
          this.endpoint.rejectAllPendingRequests(msg.error.message);
          continue;
        }
        void this.endpoint.receiveAndSend(msg, undefined, undefined);
      }
    });
    sock.on('close', () => {
      this.closedError ??= new HelperError('the connection to the nscope helper was closed', -32000, 'unavailable');
      this.endpoint.rejectAllPendingRequests(this.closedError.message);
      this.onClose?.();
    });
    // an ssh transport that fails says why (./host.ts): that is the error of every pending request
    sock.on('error', (e) => { if (e instanceof HostError) this.closedError ??= new HelperError(e.message, -32004, 'unavailable'); });
    sock.on('end', () => sock.end());
  }

  onClose?: () => void;

  static async connect(socketPath: string): Promise<HelperClient> {
    return new HelperClient(await connect(socketPath));
  }

  async request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    try {
      return await this.endpoint.request(method, params as never, undefined);
    } catch (e) {
      if (this.closedError && !(e instanceof JSONRPCErrorException)) throw this.closedError;
      throw toHelperError(e);
    }
  }

  /** Subscribes this connection to events (container created/started/exited/...). */
  async onEvent(listener: (e: NscopeEvent) => void): Promise<() => void> {
    this.listeners.add(listener);
    if (this.listeners.size === 1) await this.request('system.subscribe', {});
    return () => this.listeners.delete(listener);
  }

  close(): void { this.sock.end(); this.sock.destroy(); }
}

/** Opens a byte stream (helper/protocol/types/streams.ts); returns the socket after the handshake. */
export async function openStream(socketPath: string, params: StreamOpenParams): Promise<net.Socket> {
  return (await openStreamWithResult(socketPath, params)).sock;
}

export async function openStreamWithResult(socketPath: string, params: StreamOpenParams): Promise<{ sock: net.Socket; result: Result<'stream.open'> }> {
  const sock = await connect(socketPath);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf(0x0a);
      if (i < 0) return;
      sock.removeListener('data', onData);
      const rest = buf.subarray(i + 1);
      let msg: { result?: Result<'stream.open'>; error?: { message: string; code: number; data?: { kind?: string } } };
      try { msg = JSON.parse(buf.subarray(0, i).toString('utf8')); } catch { sock.destroy(); reject(new Error('bad stream handshake')); return; }
      if (msg.error) { sock.destroy(); reject(new HelperError(msg.error.message, msg.error.code, msg.error.data?.kind ?? 'failed')); return; }
      sock.pause();
      if (rest.length) sock.unshift(rest);
      resolve({ sock, result: msg.result! });
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'stream.open', params }) + '\n');
  });
}
