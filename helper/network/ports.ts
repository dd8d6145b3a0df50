// Published ports: Docker's `-p` syntax, `-P` from the image's EXPOSE list,
// and, at start, host ports checked free (or picked) before portmap's DNAT
// rules exist. DNAT does not bind a socket, so without this check a taken
// port would be silently shadowed for new connections instead of failing.
import * as dgram from 'dgram';
import * as net from 'net';
import { conflict, invalid } from '../errors';
import type { PortMapping } from '../protocol/types';
import { formatIp, parseIp } from './cidr';

function portNumber(s: string, what: string, spec: string): number {
  if (!/^\d{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw invalid(`-p ${spec}: invalid ${what} "${s}" (1-65535)`);
  return Number(s);
}

/** `[HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]`; no host port (0) is one picked at start. */
export function parsePublish(spec: unknown): PortMapping {
  if (typeof spec !== 'string' || !spec || spec.length > 64) throw invalid(`-p: "${String(spec).slice(0, 64)}" is not [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]`);
  const [addr, proto = 'tcp', ...extra] = spec.split('/');
  if (extra.length || (proto !== 'tcp' && proto !== 'udp')) throw invalid(`-p ${spec}: the protocol must be tcp or udp`);
  const parts = addr.split(':');
  if (parts.length > 3) throw invalid(`-p ${spec}: IPv6 host addresses are not supported; use [HOSTIP:][HOSTPORT:]CONTAINERPORT`);
  if (parts.some((p) => p.includes('-'))) throw invalid(`-p ${spec}: port ranges are not supported; give each port its own -p`);
  const containerPort = portNumber(parts[parts.length - 1], 'container port', spec);
  const hostPort = parts.length >= 2 && parts[parts.length - 2] !== '' ? portNumber(parts[parts.length - 2], 'host port', spec) : 0;
  const hostIp = parts.length === 3 && parts[0] !== '' ? formatIp(parseIp(parts[0], `-p ${spec}: host address`)) : undefined;
  return { ...(hostIp && hostIp !== '0.0.0.0' ? { hostIp } : {}), hostPort, containerPort, protocol: proto };
}

/** -P: every EXPOSE of the image ("80/tcp", "53/udp", "8080") to a host port picked at start. */
/** At most this many ports from one --expose range (Docker takes any; a range of all 65535 would bind them all with -P). */
const MAX_EXPOSE_RANGE = 1024;

/**
 * `--expose PORT[-PORT][/PROTO]` as Docker takes it, as image-config keys
 * ("80/tcp"): what -P publishes beside the image's EXPOSE. Bad input is
 * refused naming the value.
 */
export function exposedFrom(values: string[] | undefined): Record<string, object> {
  const out: Record<string, object> = {};
  for (const v of values ?? []) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/.exec(v.trim());
    const first = m ? Number(m[1]) : NaN;
    const last = m?.[2] !== undefined ? Number(m[2]) : first;
    if (!m || first < 1 || last > 65535 || last < first) throw invalid(`--expose: invalid range format for --expose: ${v.slice(0, 40)} (PORT, PORT-PORT or with /tcp, /udp or /sctp, ports 1-65535)`);
    if (last - first + 1 > MAX_EXPOSE_RANGE) throw invalid(`--expose: ${v}: more than ${MAX_EXPOSE_RANGE} ports in one range`);
    for (let port = first; port <= last; port++) out[`${port}/${m[3] ?? 'tcp'}`] = {};
  }
  return out;
}

export function exposedMappings(exposed: Record<string, unknown> | undefined): PortMapping[] {
  const out: PortMapping[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(key);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) continue; // sctp, ranges: not published
    out.push({ hostPort: 0, containerPort: Number(m[1]), protocol: (m[2] ?? 'tcp') as 'tcp' | 'udp' });
  }
  return out;
}

const same = (a: PortMapping, b: PortMapping) => a.protocol === b.protocol && a.hostPort === b.hostPort &&
  (!a.hostIp || !b.hostIp || a.hostIp === b.hostIp);

/** Binds the port on the host and lets it go: the port picked (for 0) or a Docker-worded refusal. */
function probe(m: PortMapping): Promise<number> {
  const host = m.hostIp ?? '0.0.0.0';
  const taken = () => conflict(`Bind for ${host}:${m.hostPort} failed: port is already allocated`);
  return new Promise((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? taken()
      : e.code === 'EADDRNOTAVAIL' ? invalid(`-p: ${host} is not an address of this host`) : e);
    if (m.protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', fail);
      s.bind({ address: host, port: m.hostPort, exclusive: true }, () => { const port = s.address().port; s.close(() => resolve(port)); });
    } else {
      const s = net.createServer();
      s.once('error', fail);
      s.listen({ host, port: m.hostPort, exclusive: true }, () => { const port = (s.address() as net.AddressInfo).port; s.close(() => resolve(port)); });
    }
  });
}

/**
 * The host ports of `wanted` made concrete: each checked against the other
 * containers' published ports (`inUse`) and bound once on the host.
 */
export async function allocatePorts(wanted: PortMapping[], inUse: PortMapping[]): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const w of wanted) {
    if (w.hostPort && [...inUse, ...out].some((u) => same(u, w))) {
      throw conflict(`Bind for ${w.hostIp ?? '0.0.0.0'}:${w.hostPort} failed: port is already allocated`);
    }
    let port = await probe(w);
    // a picked port that another container publishes (DNAT binds nothing): pick again
    for (let i = 0; !w.hostPort && [...inUse, ...out].some((u) => same(u, { ...w, hostPort: port })) && i < 20; i++) port = await probe(w);
    out.push({ ...w, hostPort: port });
  }
  return out;
}
