// `network create --ip-range` and `--aux-address`: which addresses of a
// subnet host-local may hand out. host-local has no exclude list, but a
// range set may hold several disjoint ranges of one subnet (it walks them in
// turn, skipping the gateway): the ip-range's hosts, or the subnet's, are
// split around each aux address into such ranges. Docker's rules: the
// ip-range and aux addresses lie inside the subnet; a container's --ip may
// be anywhere in the subnet (outside the ip-range too), but never an aux
// address.
import { invalid } from '../errors';
import { type Cidr, contains, formatCidr, formatIp, nth, parseCidr, parseIp, size } from './cidr';

/** One host-local range, as its config takes it. */
export interface HostLocalRange { subnet: string; gateway: string; rangeStart?: string; rangeEnd?: string }

/** What the ranges are made from (a NetworkMeta's fields). */
export interface AddressPlan { subnet: string; gateway: string; ipRange?: string; auxAddresses?: Record<string, string> }

/** A network's aux addresses: few enough that the ranges stay a short list. */
const MAX_AUX = 64;

const lastHost = (c: Cidr) => nth(c, size(c) - 2);

/** --ip-range: a CIDR inside the subnet (a /32 is one address), in canonical form. */
export function checkIpRange(v: string, subnet: Cidr): string {
  const r = parseCidr(v, '--ip-range', 0, 32);
  if (r.prefix < subnet.prefix || !contains(subnet, r.base)) throw invalid(`--ip-range: ${v} is not inside the subnet ${formatCidr(subnet)}`);
  return formatCidr(r);
}

/** --aux-address NAME=IP: each a host address of the subnet, not its gateway. */
export function checkAuxAddresses(v: unknown, subnet: Cidr, gateway: number): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid('--aux-address: must be a map of NAME to IPv4 address');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_AUX) throw invalid(`--aux-address: at most ${MAX_AUX} addresses (got ${entries.length})`);
  const out: Record<string, string> = {};
  for (const [name, ip] of entries) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(name)) throw invalid(`--aux-address: "${name.slice(0, 64)}" is not a valid name (1-64 of [a-zA-Z0-9_.-])`);
    const n = parseIp(ip as string, `--aux-address ${name}`);
    if (!contains(subnet, n) || n === subnet.base || n === nth(subnet, size(subnet) - 1)) throw invalid(`--aux-address ${name}=${ip}: not a host address of the subnet ${formatCidr(subnet)}`);
    if (n === gateway) throw invalid(`--aux-address ${name}=${ip}: that is the gateway's address`);
    out[name] = formatIp(n);
  }
  return out;
}

/**
 * The ranges host-local runs with. `whole`: the subnet's every host (for a
 * --ip, which Docker lets lie outside the ip-range). With neither ip-range
 * nor aux addresses this is the plain `{subnet, gateway}` networks had
 * before them, so their configuration lists stay as they were.
 */
export function hostLocalRanges(p: AddressPlan, whole = false): HostLocalRange[] {
  const aux = Object.values(p.auxAddresses ?? {});
  if ((whole || !p.ipRange) && !aux.length) return [{ subnet: p.subnet, gateway: p.gateway }];
  const subnet = parseCidr(p.subnet, 'subnet', 0, 32);
  let first = nth(subnet, 1);
  let last = lastHost(subnet);
  if (p.ipRange && !whole) {
    const r = parseCidr(p.ipRange, 'ip-range', 0, 32);
    first = Math.max(first, r.base);
    last = Math.min(last, nth(r, size(r) - 1));
  }
  const holes = [...new Set(aux.map((a) => parseIp(a, 'aux address')))].sort((a, b) => a - b);
  const out: HostLocalRange[] = [];
  let from = first;
  for (const h of [...holes.filter((x) => x >= first && x <= last), last + 1]) {
    if (h > from) out.push({ subnet: p.subnet, gateway: p.gateway, rangeStart: formatIp(from), rangeEnd: formatIp(h - 1) });
    from = h + 1;
  }
  return out;
}

/** How many addresses the ranges give containers (the gateway is never one). */
export function usableAddresses(ranges: HostLocalRange[]): number {
  return ranges.reduce((n, r) => {
    if (r.rangeStart === undefined || r.rangeEnd === undefined) return n + size(parseCidr(r.subnet, 'subnet', 0, 32)) - 3;
    const a = parseIp(r.rangeStart, 'range');
    const b = parseIp(r.rangeEnd, 'range');
    const gw = parseIp(r.gateway, 'gateway');
    return n + (b - a + 1) - (gw >= a && gw <= b ? 1 : 0);
  }, 0);
}
