// Which registries may be reached without verified TLS: those the admin
// lists (as "host:port" or as a CIDR like "10.0.0.0/8"), and — as Docker
// has it — every loopback registry, whose traffic never leaves the machine.
import * as net from 'net';
import { checkHost, splitHost } from './names';

/**
 * Throws unless `entry` is "host[:port]" or an address block "IP/BITS";
 * `source` (a file, a flag) goes into the message.
 */
export function checkInsecureEntry(entry: string, source: string): void {
  if (entry.includes('://')) throw new Error(`${source}: insecure registry "${entry}": write host[:port], without a scheme`);
  if (entry.includes('/')) { cidr(entry, source); return; }
  try { checkHost(entry); } catch (e) { throw new Error(`${source}: insecure ${(e as Error).message}`); }
}

/** Whether `host` ("host[:port]", IPv6 in brackets) is insecure under `entries`. */
export function isInsecure(host: string, entries: string[]): boolean {
  const lower = host.toLowerCase();
  const { hostname } = splitHost(lower);
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const family = net.isIP(hostname);
  if (family === 4 && hostname.startsWith('127.')) return true;
  if (family === 6 && isLoopback6(hostname)) return true;
  for (const e of entries) {
    if (e.includes('/')) {
      // CIDRs match addresses written as such; a name is not looked up (Docker
      // resolves it; here that would make the answer depend on DNS at the time)
      if (family && cidr(e, 'insecure registries').check(hostname, family === 4 ? 'ipv4' : 'ipv6')) return true;
    } else if (e.toLowerCase() === lower) return true;
  }
  return false;
}

function isLoopback6(address: string): boolean {
  const b = new net.BlockList();
  b.addAddress('::1', 'ipv6');
  return b.check(address, 'ipv6');
}

function cidr(entry: string, source: string): net.BlockList {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  const family = m ? net.isIP(m[1]) : 0;
  if (!m || !family || Number(m[2]) > (family === 4 ? 32 : 128)) throw new Error(`${source}: insecure registry "${entry}": not host[:port] nor an address block like 10.0.0.0/8`);
  const b = new net.BlockList();
  b.addSubnet(m[1], Number(m[2]), family === 4 ? 'ipv4' : 'ipv6');
  return b;
}
