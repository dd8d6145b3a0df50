// IPv4 addresses and CIDR blocks as numbers: parsing (every value a client
// sends goes through here), overlap tests and host addresses in a subnet.
import { invalid } from '../errors';

export interface Cidr { base: number; prefix: number }

export function parseIp(s: string, what: string): number {
  const m = typeof s === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s) : null;
  if (!m) throw invalid(`${what}: "${String(s).slice(0, 64)}" is not an IPv4 address`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw invalid(`${what}: "${s}" is not an IPv4 address (a part is over 255)`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function mask(prefix: number): number { return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0; }

/** "10.1.0.0/16"; a host part that is not zero is refused (as Docker does), so the user sees which block is meant. */
export function parseCidr(s: string, what: string, minPrefix = 8, maxPrefix = 30): Cidr {
  const m = typeof s === 'string' ? /^([0-9.]+)\/(\d{1,2})$/.exec(s) : null;
  if (!m) throw invalid(`${what}: "${String(s).slice(0, 64)}" is not an IPv4 CIDR (e.g. 10.89.0.0/24)`);
  const prefix = Number(m[2]);
  if (prefix < minPrefix || prefix > maxPrefix) throw invalid(`${what}: the prefix length of ${s} must be between ${minPrefix} and ${maxPrefix}`);
  const ip = parseIp(m[1], what);
  const base = (ip & mask(prefix)) >>> 0;
  if (base !== ip) throw invalid(`${what}: ${s} has host bits set (the block is ${formatIp(base)}/${prefix})`);
  return { base, prefix };
}

export const formatCidr = (c: Cidr) => `${formatIp(c.base)}/${c.prefix}`;
export const size = (c: Cidr) => 2 ** (32 - c.prefix);
export const contains = (c: Cidr, ip: number) => ((ip & mask(c.prefix)) >>> 0) === c.base;
export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}
/** The n-th address of the block (1 = the first host, the usual gateway). */
export const nth = (c: Cidr, n: number) => (c.base + n) >>> 0;
