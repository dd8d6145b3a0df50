// The helper's socket: peer-credential check on every connection, JSON-RPC
// 2.0 over newline-delimited JSON, events to subscribed connections, and
// stream connections (stream.open as the first request).
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient, isJSONRPCRequest, isJSONRPCResponse, type JSONRPCRequest } from 'json-rpc-2.0';
import { native, type PeerCred } from '../native';
import { ERROR_CODES, EVENT_METHOD, type NscopeEvent, type StreamOpenParams } from '../protocol';
import { lookupGroup, refusal } from './auth';
import type { ConnContext } from './context';
import { toRpcError } from './errors';
import { LineBudget, LineReader, sendLine } from './framing';
import { makeHandlers, type HelperServices } from './handlers';
import { obj } from './handlers/types';
import { openStream, type OpenedStream } from './streams';

export interface ServerOptions { socket: string; group: string }

/** A connection's requests being answered at once, and its answers not yet taken by the client: past either, it is not read from. */
const MAX_PENDING = 4096;
const MAX_UNSENT = 8 * 1024 * 1024;

export class HelperServer {
  private readonly rpc = new JSONRPCServer<ConnContext>({ errorListener: () => undefined });
  private readonly subscribers = new Set<JSONRPCServerAndClient<ConnContext, void>>();
  private readonly sockets = new Set<net.Socket>();
  /** every connection's unfinished request lines, bounded together (./framing.ts) */
  private readonly lineBudget = new LineBudget();
  private server?: net.Server;
  /** called when the number of connections subscribed to events changes */
  onSubscribers?: (count: number) => void;

  constructor(private readonly services: HelperServices, private readonly opts: ServerOptions) {
    const handlers = makeHandlers(services);
    for (const [name, fn] of Object.entries(handlers)) {
      this.rpc.addMethod(name, async (params, ctx) => {
        try {
          // every method takes an object: absent or null params become {}, an array or a
          // scalar is refused here, so no handler reads a field of null
          return await (fn as (p: unknown, c: ConnContext) => unknown)(obj(params), ctx);
        } catch (e) {
          throw toRpcError(e);
        }
      });
    }
  }

  broadcast(ev: NscopeEvent): void {
    for (const s of this.subscribers) s.notify(EVENT_METHOD, ev as unknown as Record<string, unknown>);
  }

  async listen(): Promise<void> {
    const sock = this.opts.socket;
    fs.mkdirSync(path.dirname(sock), { recursive: true, mode: 0o755 });
    await refuseIfLive(sock);
    try { fs.unlinkSync(sock); } catch { /* none */ }
    const group = lookupGroup(this.opts.group);
    // half-open: a stream client ends its stdin while it still reads the output
    const server = net.createServer({ allowHalfOpen: true }, (c) => this.onConnection(c, group));
    // The socket must never exist with looser permissions than intended.
    const old = process.umask(0o177);
    try {
      await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(sock, () => res()); });
    } finally {
      process.umask(old);
    }
    if (group) {
      fs.chownSync(sock, 0, group.gid);
      fs.chmodSync(sock, 0o660);
    } else {
      fs.chmodSync(sock, 0o600);
    }
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    try { fs.unlinkSync(this.opts.socket); } catch { /* gone */ }
  }

  private onConnection(conn: net.Socket, group: ReturnType<typeof lookupGroup>) {
    this.sockets.add(conn);
    conn.on('close', () => this.sockets.delete(conn));
    conn.on('error', () => conn.destroy());
    let peer: PeerCred;
    try {
      const fd = (conn as unknown as { _handle: { fd: number } })._handle.fd;
      peer = native().peerCred(fd);
    } catch (e) {
      sendLine(conn, { jsonrpc: '2.0', id: null, error: { code: ERROR_CODES.forbidden, message: `cannot identify peer: ${(e as Error).message}`, data: { kind: 'forbidden' } } });
      conn.end();
      return;
    }
    // Re-read the group each time so a group created after start-up works.
    const why = refusal(peer, group ?? lookupGroup(this.opts.group), this.opts.group);
    if (why) {
      sendLine(conn, { jsonrpc: '2.0', id: null, error: { code: ERROR_CODES.forbidden, message: why, data: { kind: 'forbidden' } } });
      conn.end();
      return;
    }

    const endpoint: JSONRPCServerAndClient<ConnContext, void> = new JSONRPCServerAndClient(
      this.rpc,
      new JSONRPCClient<void>((req) => { sendLine(conn, req); }),
      // the library's default prints the whole message to the helper's stderr: a client's bytes are not for the log
      { errorListener: () => undefined },
    );
    const ctx: ConnContext = { peer, subscribe: () => { this.subscribers.add(endpoint); this.onSubscribers?.(this.subscribers.size); } };
    conn.on('close', () => {
      if (this.subscribers.delete(endpoint)) this.onSubscribers?.(this.subscribers.size);
      endpoint.rejectAllPendingRequests('connection closed');
    });

    let first = true;
    let streaming = false;
    // Back-pressure: a client that sends requests and never reads the answers (or sends
    // thousands at once) is not read from until it catches up, as an HTTP server that writes
    // one answer at a time would do; else every answer waits in the helper's memory.
    let pending = 0;
    let held = false;
    const flow = () => {
      if (streaming || conn.destroyed) return;
      const hold = pending >= MAX_PENDING || conn.writableLength > MAX_UNSENT;
      if (hold !== held) { held = hold; if (hold) conn.pause(); else conn.resume(); }
    };
    conn.on('drain', flow);
    // the client has sent all it will (`… | socat - UNIX:sock`): our side ends once every request of it is answered
    let ended = false;
    const endIfDone = () => { if (ended && !streaming && pending === 0) conn.end(); };
    const reader = new LineReader((line) => {
      let msg: unknown;
      try { msg = JSON.parse(line); } catch {
        sendLine(conn, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: not JSON' } });
        return;
      }
      if (first && (msg as JSONRPCRequest)?.method === 'stream.open') {
        streaming = true;
        const rest = reader.stop();
        conn.removeAllListeners('data');
        conn.pause();
        if (rest.length) conn.unshift(rest);
        void this.onStream(conn, msg as JSONRPCRequest);
        return;
      }
      first = false;
      // JSON that is no request (nor a response to ours) would get no answer at all: the
      // client would wait forever; say what was wrong, as JSON-RPC 2.0 asks (-32600)
      if (!isMessage(msg)) {
        sendLine(conn, { jsonrpc: '2.0', id: requestId(msg), error: { code: -32600, message: 'Invalid request: expected a JSON-RPC 2.0 request ({"jsonrpc":"2.0","method":…,"params":{…},"id":…})' } });
        return;
      }
      pending++;
      void endpoint.receiveAndSend(msg, ctx, undefined).catch(() => undefined).finally(() => { pending--; flow(); endIfDone(); });
      flow();
    }, (why) => {
      const message = why === 'line' ? 'Invalid request: line too long' : 'the helper holds too much unfinished input from its clients: try again';
      sendLine(conn, { jsonrpc: '2.0', id: null, error: { code: -32600, message } });
      conn.destroy();
    }, this.lineBudget);
    conn.on('close', () => reader.dispose());
    conn.on('data', (d: Buffer) => reader.push(d));
    conn.on('end', () => { ended = true; endIfDone(); });
  }

  private async onStream(conn: net.Socket, req: JSONRPCRequest) {
    let opened: OpenedStream;
    try {
      opened = await openStream(req.params as unknown as StreamOpenParams, this.services);
    } catch (e) {
      const err = toRpcError(e);
      sendLine(conn, { jsonrpc: '2.0', id: req.id ?? null, error: { code: err.code, message: err.message, data: err.data } });
      conn.end();
      return;
    }
    sendLine(conn, { jsonrpc: '2.0', id: req.id ?? null, result: opened.result });
    try { await opened.pump(conn); } catch { conn.destroy(); }
  }
}

/**
 * A request or a response, or a non-empty batch of them. The library's own
 * checks read a field of the value, so null (or a batch holding null) would
 * throw in the socket's data handler and take the helper down.
 */
function isMessage(msg: unknown): boolean {
  const one = (m: unknown) => m !== null && typeof m === 'object' && !Array.isArray(m) && (isJSONRPCRequest(m) || isJSONRPCResponse(m));
  return Array.isArray(msg) ? msg.length > 0 && msg.every(one) : one(msg);
}

/** The id of an invalid request, when it has a usable one (a string or a number), else null. */
function requestId(msg: unknown): string | number | null {
  const id = msg && typeof msg === 'object' && !Array.isArray(msg) ? (msg as { id?: unknown }).id : undefined;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** Two helpers on one socket would steal each other's clients: refuse to start. */
async function refuseIfLive(sock: string): Promise<void> {
  if (!fs.existsSync(sock)) return;
  const live = await new Promise<boolean>((res) => {
    const c = net.connect(sock);
    c.once('connect', () => { c.destroy(); res(true); });
    c.once('error', () => res(false));
  });
  if (live) throw new Error(`another nscope helper is already listening on ${sock}`);
}
