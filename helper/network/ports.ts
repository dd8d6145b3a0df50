// Published ports: Docker's `-p` syntax, `-P` from the image's EXPOSE list,
// and, at start, host ports checked free (or picked) before portmap's DNAT
// rules exist. DNAT does not bind a socket, so without this check a taken
// port would be silently shadowed for new connections instead of failing.
import * as dgram from 'dgram';
import * as net from 'net';
import { conflict, invalid, NscopeError } from '../errors';
import type { PortMapping } from '../protocol/types';
import { formatIp, parseIp } from './cidr';

function portNumber(s: string, what: string, spec: string): number {
  if (!/^\d{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw invalid(`-p ${spec}: invalid ${what} "${s}" (1-65535)`);
  return Number(s);
}

/** At most this many ports from one -p range (each is a DNAT rule and a probe at start). */
const MAX_PUBLISH_RANGE = 1024;

/** "8000" or "8000-8010" as [first, last]. */
function portRange(s: string, what: string, spec: string): [number, number] {
  const [a, b, ...more] = s.split('-');
  if (more.length) throw invalid(`-p ${spec}: invalid ${what} range "${s}"`);
  const first = portNumber(a, what, spec);
  const last = b === undefined ? first : portNumber(b, what, spec);
  if (last < first) throw invalid(`-p ${spec}: invalid ${what} range "${s}": its end is below its start`);
  if (last - first + 1 > MAX_PUBLISH_RANGE) throw invalid(`-p ${spec}: more than ${MAX_PUBLISH_RANGE} ports in one range`);
  return [first, last];
}

/**
 * `[HOSTIP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|udp]`, Docker's forms: no
 * host port (0) is one picked at start; a container range is published port by
 * port (to a host range of the same length, or to picked ports); one container
 * port over a host range gets the first free port of that range at start
 * (`hostPortEnd`).
 */
export function parsePublish(spec: unknown): PortMapping[] {
  if (typeof spec !== 'string' || !spec || spec.length > 64) throw invalid(`-p: "${String(spec).slice(0, 64)}" is not [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]`);
  const [addr, proto = 'tcp', ...extra] = spec.split('/');
  if (extra.length || (proto !== 'tcp' && proto !== 'udp')) throw invalid(`-p ${spec}: the protocol must be tcp or udp`);
  const parts = addr.split(':');
  if (parts.length > 3) throw invalid(`-p ${spec}: IPv6 host addresses are not supported; use [HOSTIP:][HOSTPORT:]CONTAINERPORT`);
  const [cFirst, cLast] = portRange(parts[parts.length - 1], 'container port', spec);
  const hostGiven = parts.length >= 2 && parts[parts.length - 2] !== '';
  const [hFirst, hLast] = hostGiven ? portRange(parts[parts.length - 2], 'host port', spec) : [0, 0];
  const hostIp = parts.length === 3 && parts[0] !== '' ? formatIp(parseIp(parts[0], `-p ${spec}: host address`)) : undefined;
  const base = { ...(hostIp && hostIp !== '0.0.0.0' ? { hostIp } : {}), protocol: proto as 'tcp' | 'udp' };
  const count = cLast - cFirst + 1;
  // one container port, a host range: the first free one of it, at start
  if (count === 1) return [{ ...base, hostPort: hFirst, ...(hLast > hFirst ? { hostPortEnd: hLast } : {}), containerPort: cFirst }];
  if (hostGiven && hLast - hFirst + 1 !== count) throw invalid(`-p ${spec}: invalid ranges specified for container and host ports (${count} container ports, ${hLast - hFirst + 1} host ports)`);
  return Array.from({ length: count }, (_, i) => ({ ...base, hostPort: hostGiven ? hFirst + i : 0, containerPort: cFirst + i }));
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
    // an image's EXPOSE may name a range ("8000-8010/tcp"): each port of it
    const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?$/.exec(key);
    const first = m ? Number(m[1]) : NaN;
    const last = m?.[2] !== undefined ? Number(m[2]) : first;
    if (!m || first < 1 || last > 65535 || last < first || last - first + 1 > MAX_EXPOSE_RANGE) continue; // sctp, bad keys: not published
    for (let port = first; port <= last; port++) out.push({ hostPort: 0, containerPort: port, protocol: (m[3] ?? 'tcp') as 'tcp' | 'udp' });
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

/** A host range's first port that no container publishes and the host lets bind (Docker's -p 8000-8010:80). */
async function firstFree(w: PortMapping, taken: PortMapping[]): Promise<PortMapping> {
  const { hostPortEnd: end, ...m } = w;
  for (let port = w.hostPort; port <= end!; port++) {
    const at = { ...m, hostPort: port };
    if (taken.some((u) => same(u, at))) continue;
    try { return { ...at, hostPort: await probe(at) }; } catch (e) {
      if (!(e instanceof NscopeError && e.code === 'conflict')) throw e;
    }
  }
  throw conflict(`Bind for ${w.hostIp ?? '0.0.0.0'}:${w.hostPort}-${end} failed: all ports are allocated`);
}

/**
 * The host ports of `wanted` made concrete: each checked against the other
 * containers' published ports (`inUse`) and bound once on the host.
 */
export async function allocatePorts(wanted: PortMapping[], inUse: PortMapping[]): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const want of wanted) {
    if (want.hostPortEnd) { out.push(await firstFree(want, [...inUse, ...out])); continue; }
    const w = want;
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
