// --add-host, --dns, --dns-search and --dns-option (Docker's syntax, checks
// and words): extra lines of the container's /etc/hosts and what replaces
// the host's nameservers, search domains and options in its resolv.conf.
// Every value goes into a file the container reads: no whitespace or line
// breaks get through.
import * as net from 'net';
import { invalid } from '../errors';
import type { HostsEntry } from './etc-files';

export interface DnsConfig { servers?: string[]; search?: string[]; options?: string[] }

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})$/;
// Docker's ValidateDNSSearch
const DOMAIN = /^((([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z]|[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]))$/;

/**
 * `--add-host name:ip` (or name=ip); an IPv6 address may be in brackets.
 * `host-gateway` is the host's address on the default network (its bridge's,
 * as Docker's is docker0's): `hostGateway` gives it.
 */
export function parseExtraHost(v: string, hostGateway?: () => string): HostsEntry {
  // the first '=' or ':' splits: an IPv6 address has ':' of its own, a name never does
  const m = /^([^:=]*)[:=](.*)$/.exec(v);
  if (!m || !m[1] || !m[2]) throw invalid(`bad format for add-host: "${v}"`);
  const name = m[1];
  const addr = m[2].replace(/^\[(.*)\]$/, '$1');
  if (addr === 'host-gateway') {
    if (!HOST_NAME.test(name)) throw invalid(`--add-host: "${name.slice(0, 64)}" is not a valid host name`);
    if (!hostGateway) throw invalid(`--add-host ${v}: host-gateway needs the default network`);
    return { address: hostGateway(), names: [name] };
  }
  if (!net.isIP(addr)) throw invalid(`invalid IP address in add-host: "${m[2]}"`);
  if (!HOST_NAME.test(name)) throw invalid(`--add-host: "${name.slice(0, 64)}" is not a valid host name`);
  return { address: addr, names: [name] };
}

export function parseDns(o: { dns?: string[]; dnsSearch?: string[]; dnsOptions?: string[] }): DnsConfig | undefined {
  const out: DnsConfig = {};
  if (o.dns?.length) {
    out.servers = o.dns.map((s) => {
      if (!net.isIP(s)) throw invalid(`--dns: IP address is not correctly formatted: ${s}`);
      return s;
    });
  }
  if (o.dnsSearch?.length) {
    out.search = o.dnsSearch.map((s) => {
      const d = s.replace(/\.$/, '');
      if (s !== '.' && (d.length > 255 || !DOMAIN.test(d))) throw invalid(`--dns-search: ${s} is not a valid domain`);
      return s === '.' ? '.' : d;
    });
  }
  if (o.dnsOptions?.length) {
    out.options = o.dnsOptions.map((s) => {
      if (!/^[A-Za-z0-9_.:+-]{1,255}$/.test(s)) throw invalid(`--dns-option: "${s.slice(0, 64)}" is not an option (e.g. ndots:2, edns0)`);
      return s;
    });
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The container's resolv.conf: the host's (as etc-files.ts filters it),
 * each part the user gave replacing the host's, written as Docker's
 * resolvconf.Build does (search, nameservers, options; search "." is none).
 */
export function resolvConfWith(hostText: string, dns: DnsConfig | undefined): string {
  if (!dns) return hostText;
  const lines = hostText.split('\n');
  const words = (key: string) => lines.filter((l) => new RegExp(`^\\s*${key}\\s`).test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  const servers = dns.servers ?? words('nameserver');
  const search = dns.search ?? words('(search|domain)');
  const options = dns.options ?? words('options');
  let out = '';
  if (search.length && !(search.length === 1 && search[0] === '.')) out += `search ${search.filter((s) => s !== '.').join(' ')}\n`;
  for (const s of servers) out += `nameserver ${s}\n`;
  if (options.length) out += `options ${options.join(' ')}\n`;
  return out;
}
