// The address blocks the host already uses: its routes (/proc/net/route)
// and its interfaces' addresses. A network's subnet must not overlap any of
// them, or the container's traffic to that part of the world would go to
// the bridge (or the host's to the container).
import * as fs from 'fs';
import * as os from 'os';
import { type Cidr, overlaps } from './cidr';

/** /proc/net/route stores addresses little-endian in hex. */
function fromRouteHex(h: string): number { return Number.parseInt(h.match(/../g)!.reverse().join(''), 16) >>> 0; }

function prefixOf(maskNum: number): number { let p = 0; while (p < 32 && (maskNum & (0x80000000 >>> p))) p++; return p; }

/** `skip`: interfaces that are nscope's own bridges (their routes are its networks, checked apart). */
export function hostBlocks(skip: Set<string> = new Set()): Cidr[] {
  const out: Cidr[] = [];
  try {
    for (const line of fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8 || skip.has(f[0])) continue;
      const prefix = prefixOf(fromRouteHex(f[7]));
      if (prefix === 0) continue; // the default route covers everything: not a block in use
      out.push({ base: fromRouteHex(f[1]), prefix });
    }
  } catch { /* no /proc/net/route: the interfaces below still count */ }
  for (const [dev, addrs] of Object.entries(os.networkInterfaces())) {
    if (skip.has(dev)) continue;
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const [ip, p] = a.cidr!.split('/');
      const n = ip.split('.').reduce((x, y) => ((x << 8) >>> 0) + Number(y), 0);
      const prefix = Number(p);
      out.push({ base: (n & (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)) >>> 0, prefix });
    }
  }
  return out;
}

/** The first /16 from 10.88.0.0 upward (10.88, 10.89, … 10.254) that overlaps nothing in `taken`. */
export function freeSubnet(taken: Cidr[], from = 88): Cidr | undefined {
  for (let b = from; b <= 254; b++) {
    const c: Cidr = { base: ((10 << 24) >>> 0) + (b << 16), prefix: 16 };
    if (!taken.some((t) => overlaps(t, c))) return c;
  }
  return undefined;
}
