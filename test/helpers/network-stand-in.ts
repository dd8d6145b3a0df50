// A stand-in for the helper's networks and volumes, for the extension's
// tests while the daemon side is not there: a Unix socket in front of a real
// helper that passes everything through (requests, answers, events, streams)
// except the network.*, volume.* and container.port methods, which it answers
// from the data the test gives, and container.inspect, whose answer it
// completes with that data's networks, ports and mounts. It speaks the
// protocol's framing (one JSON message a line); it is a test fixture, not a
// model of how the helper does any of it.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { ContainerNetwork, MountInfo, NetworkDetail, PortMapping, VolumeSummary } from '../../helper/protocol/types';

export interface StandInData {
  networks: NetworkDetail[];
  volumes: VolumeSummary[];
  /** per container id */
  containers: Record<string, { networks?: ContainerNetwork[]; ports?: PortMapping[]; mounts?: MountInfo[] }>;
}

interface Msg { jsonrpc?: string; id?: number | string | null; method?: string; params?: Record<string, unknown>; result?: unknown; error?: unknown }

export class NetworkStandIn {
  private server?: net.Server;
  private readonly subscribed = new Set<net.Socket>();
  private readonly socks = new Set<net.Socket>();

  constructor(readonly socket: string, private readonly upstream: string, readonly data: StandInData) {}

  async start(): Promise<void> {
    fs.rmSync(this.socket, { force: true });
    this.server = net.createServer((down) => this.serve(down));
    await new Promise<void>((r) => this.server!.listen(this.socket, r));
  }

  /** Sends a helper event to every connection that subscribed (as the helper would after a change). */
  emit(type: string, id: string, name?: string): void {
    const line = JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { type, id, name, time: new Date().toISOString() } }) + '\n';
    for (const s of this.subscribed) s.write(line);
  }

  close(): void {
    for (const s of this.socks) s.destroy();
    this.server?.close();
    fs.rmSync(this.socket, { force: true });
  }

  private serve(down: net.Socket): void {
    const up = net.connect(this.upstream);
    for (const s of [down, up]) {
      this.socks.add(s);
      s.on('error', () => undefined);
      s.on('close', () => { this.socks.delete(s); this.subscribed.delete(down); down.destroy(); up.destroy(); });
    }
    /** ids of container.inspect requests on this connection, to complete their answers */
    const inspects = new Map<Msg['id'], string>();
    // once a stream is open the connection carries bytes, not lines: pass them as they are
    let raw = false;
    lines(down, () => raw, (b) => up.write(b), (line) => {
      const msg = parse(line);
      if (msg?.method === 'stream.open') raw = true;
      if (msg?.method === 'system.subscribe') this.subscribed.add(down);
      const local = msg?.method && this.answer(msg.method, msg.params ?? {});
      if (local) {
        down.write(JSON.stringify({ jsonrpc: '2.0', id: msg!.id, ...local }) + '\n');
        return;
      }
      if (msg?.method === 'container.inspect') inspects.set(msg.id, String(msg.params?.id));
      up.write(line + '\n');
    });
    lines(up, () => raw, (b) => down.write(b), (line) => {
      const msg = parse(line);
      const cid = msg && inspects.get(msg.id);
      if (msg && cid !== undefined && msg.result && typeof msg.result === 'object') {
        inspects.delete(msg.id);
        const r = msg.result as { id: string };
        Object.assign(r, this.data.containers[r.id] ?? this.data.containers[cid] ?? {});
        down.write(JSON.stringify(msg) + '\n');
        return;
      }
      down.write(line + '\n');
    });
  }

  /** The stand-in's answer ({result} or {error}) for a method it owns, else undefined. */
  private answer(method: string, p: Record<string, unknown>): { result?: unknown; error?: unknown } | undefined {
    const d = this.data;
    const notFound = (what: string) => ({ error: { code: -32001, message: `${what}: not found`, data: { kind: 'not_found' } } });
    const summary = ({ conflist: _c, endpoints: _e, ...s }: NetworkDetail) => s;
    switch (method) {
      case 'network.list': return { result: d.networks.map(summary) };
      case 'network.inspect': { const n = d.networks.find((x) => x.name === p.name); return n ? { result: n } : notFound(`network ${String(p.name)}`); }
      case 'volume.list': return { result: d.volumes };
      case 'volume.inspect': { const v = d.volumes.find((x) => x.name === p.name); return v ? { result: v } : notFound(`volume ${String(p.name)}`); }
      case 'volume.create': {
        const v: VolumeSummary = { name: String(p.name ?? `v${d.volumes.length}`), driver: 'local', mountpoint: `/var/lib/nscope/volumes/${String(p.name)}/_data`, created: new Date().toISOString(), labels: {}, anonymous: false, users: [], size: 0 };
        d.volumes.push(v);
        setImmediate(() => this.emit('volume.created', v.name, v.name));
        return { result: v };
      }
      case 'container.port': return { result: d.containers[String(p.id)]?.ports ?? [] };
      default:
        return method.startsWith('network.') || method.startsWith('volume.')
          ? { error: { code: -32005, message: `${method}: not in the stand-in`, data: { kind: 'unsupported' } } } : undefined;
    }
  }
}

function parse(line: string): Msg | undefined {
  try { return JSON.parse(line) as Msg; } catch { return undefined; }
}

/** Calls `fn` per line of `s`; once `isRaw()` (a stream was opened) hands the bytes to `pass` as they come. */
function lines(s: net.Socket, isRaw: () => boolean, pass: (b: Buffer) => void, fn: (line: string) => void): void {
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    let i: number;
    while (!isRaw() && (i = buf.indexOf(0x0a)) >= 0) {
      const line = buf.subarray(0, i).toString('utf8');
      buf = buf.subarray(i + 1);
      fn(line);
    }
    if (isRaw() && buf.length) { pass(buf); buf = Buffer.alloc(0); }
  });
}
