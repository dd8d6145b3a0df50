// /etc/resolv.conf, /etc/hosts and /etc/hostname of a container with a
// network, as Docker makes them: files in the container's directory,
// bind-mounted over the container's (spec.mounts), rewritten in place
// (open + truncate, never rename: a bind mount holds the inode it was
// made on, a renamed-over file would no longer be what the container sees).
import * as fs from 'fs';
import * as path from 'path';
import { type DnsConfig, resolvConfWith } from './dns-options';

export const etcFiles = (dir: string) => ({
  hosts: path.join(dir, 'hosts'),
  resolv: path.join(dir, 'resolv.conf'),
  hostname: path.join(dir, 'hostname'),
});

const LOOPBACK_NS = /^\s*nameserver\s+(127\.\S*|::1)\s*$/;

/**
 * The host's resolv.conf for a container. A loopback resolver (systemd-
 * resolved's 127.0.0.53, a local dnsmasq) is not reachable from another
 * network namespace: as Docker does, systemd-resolved's own upstream list
 * (/run/systemd/resolve/resolv.conf) is used when the stub is configured,
 * loopback nameservers are dropped, search and options kept; and when no
 * nameserver is left, Docker's fallback, Google's public resolvers
 * 8.8.8.8 and 8.8.4.4, is written, with a comment saying so.
 */
export function containerResolvConf(): string {
  const read = (f: string) => { try { return fs.readFileSync(f, 'utf8'); } catch { return undefined; } };
  let text = read('/etc/resolv.conf') ?? '';
  if (/^\s*nameserver\s+127\.0\.0\.53\s*$/m.test(text)) text = read('/run/systemd/resolve/resolv.conf') ?? text;
  const lines = text.split('\n').filter((l) => !LOOPBACK_NS.test(l));
  let out = lines.join('\n').replace(/\n*$/, '\n');
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) {
    out += '# the host has only loopback resolvers, unreachable from here: Docker\'s fallback\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n';
  }
  return out;
}

export interface HostsEntry { address: string; names: string[] }

/**
 * The names of a container's own line, as Docker's libnetwork writes it:
 * the FQDN (hostname.domainname, or a hostname with dots) then the short
 * name, so `hostname -f` and `dnsdomainname` find the domain; a name with no
 * dot alone.
 */
export function ownHostNames(hostname: string, domainname?: string): string[] {
  const fqdn = domainname ? `${hostname}.${domainname}` : hostname;
  return fqdn.includes('.') ? [fqdn, fqdn.split('.')[0]] : [hostname];
}

const LOCALHOST_LINES = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

const entryLine = (e: HostsEntry) => `${e.address}\t${[...new Set(e.names)].join(' ')}`;

/** localhost lines, --add-host's (as Docker puts them), the container's own address(es), then its peers on user-defined networks. */
export function hostsText(hostname: string, own: HostsEntry[], peers: HostsEntry[], extra: HostsEntry[] = []): string {
  const lines = [...LOCALHOST_LINES];
  if (!own.length) lines[0] += ` ${hostname}`;
  for (const e of [...extra, ...own, ...peers]) lines.push(entryLine(e));
  return lines.join('\n') + '\n';
}

/** Same inode, new content (see the top of this file). */
export function rewriteInPlace(file: string, text: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o644);
  try { fs.writeSync(fd, text); } finally { fs.closeSync(fd); }
}

/** The files at create time (hosts without an address yet) and their mounts for the spec. */
export function writeEtcFiles(dir: string, hostname: string, owner?: { uid?: number; gid?: number }, extra?: { hosts?: HostsEntry[]; dns?: DnsConfig }): void {
  const f = etcFiles(dir);
  rewriteInPlace(f.hosts, hostsText(hostname, [], [], extra?.hosts));
  rewriteInPlace(f.resolv, resolvConfWith(containerResolvConf(), extra?.dns));
  rewriteInPlace(f.hostname, `${hostname}\n`);
  // --userns=auto: its root owns them, as root owns them in any other container
  if (owner?.uid !== undefined && owner.gid !== undefined) for (const file of Object.values(f)) fs.chownSync(file, owner.uid, owner.gid);
}

/**
 * --network host: the files a container on the host's network sees, as
 * Docker's libnetwork makes them for the host's sandbox: the host's own
 * /etc/hosts and resolv.conf copied as they are (a loopback resolver is
 * reachable there, nothing is filtered); with --add-host, Docker's localhost
 * lines and those instead of the host's hosts (no line of the container's
 * own: it has no address of its own); with --dns & co., a resolv.conf built
 * from the host's with them.
 */
export function writeHostNetworkEtcFiles(dir: string, hostname: string, extra?: { hosts?: HostsEntry[]; dns?: DnsConfig }): void {
  const f = etcFiles(dir);
  const read = (file: string) => { try { return fs.readFileSync(file, 'utf8'); } catch { return ''; } };
  rewriteInPlace(f.hosts, extra?.hosts?.length ? [...LOCALHOST_LINES, ...extra.hosts.map(entryLine)].join('\n') + '\n' : read('/etc/hosts'));
  rewriteInPlace(f.resolv, resolvConfWith(read('/etc/resolv.conf'), extra?.dns));
  rewriteInPlace(f.hostname, `${hostname}\n`);
}

/** `readOnly`: --read-only, which makes these read-only as well, as Docker binds them (the helper still rewrites them from outside). */
export function etcMounts(dir: string, readOnly = false): { destination: string; type: string; source: string; options: string[] }[] {
  const f = etcFiles(dir);
  const options = ['rbind', 'rprivate', ...(readOnly ? ['ro'] : [])];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: f.resolv, options: [...options] },
    { destination: '/etc/hosts', type: 'bind', source: f.hosts, options: [...options] },
    { destination: '/etc/hostname', type: 'bind', source: f.hostname, options: [...options] },
  ];
}
