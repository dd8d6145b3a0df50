// What the network and volume nodes say, kept free of `vscode` so the unit
// tests can check it: a published port as a row, the URL "Open in Browser"
// opens, a mount as a row, /proc/PID/net/dev as counters, and the check of
// what "Create Network…" is typed.
import type { MountInfo, NetworkSummary, PortMapping, VolumeSummary } from '../helper/protocol/types';
import { formatBytes } from '../helper/protocol/format';

/** A host address that means "every address": the browser must be sent somewhere real. */
const ANY_ADDRESS = new Set(['', '0.0.0.0', '::', '[::]']);

/** The address a published port is reached at from this host: its own host IP, or localhost when it listens everywhere. */
export function portHost(p: Pick<PortMapping, 'hostIp'>): string {
  const ip = p.hostIp ?? '';
  if (ANY_ADDRESS.has(ip)) return 'localhost';
  // an IPv6 literal goes in brackets in a URL and in HOST:PORT
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
}

/** "127.0.0.1:18080": what "Copy Address" puts on the clipboard. */
export function portAddress(p: PortMapping): string {
  return `${portHost(p)}:${p.hostPort}`;
}

/** The URL "Open in Browser" opens. localhost (not 0.0.0.0) so that under Remote-SSH VS Code forwards it. */
export function portUrl(p: PortMapping): string {
  return `http://${portAddress(p)}/`;
}

/** "127.0.0.1:18080 → 80/tcp", the way `docker port` reads the other way round ("80/tcp -> 127.0.0.1:18080"). */
export function portLabel(p: PortMapping): string {
  const host = ANY_ADDRESS.has(p.hostIp ?? '') ? `*:${p.hostPort}` : `${portHost(p)}:${p.hostPort}`;
  return `${host} → ${p.containerPort}/${p.protocol}`;
}

/** A mount's row: what is mounted (the volume's name, the host path, "tmpfs"), and its description. */
export function mountLabel(m: MountInfo): { label: string; description: string } {
  const what = m.type === 'volume' ? m.name ?? m.source ?? '?' : m.type === 'bind' ? m.source ?? '?' : 'tmpfs';
  return { label: `${what} → ${m.destination}`, description: `${m.type}${m.readOnly ? ' · ro' : ''}` };
}

/** "10.88.0.0/16 · nscope0 · 2 containers · default" */
export function networkDescription(n: NetworkSummary): string {
  const users = n.containers.length;
  return [n.subnet, n.bridge, `${users} container${users === 1 ? '' : 's'}`, n.isDefault ? 'default' : ''].filter(Boolean).join(' · ');
}

/** "12.0 KiB · used by web, db · anonymous" (the size only when the helper measured it) */
export function volumeDescription(v: VolumeSummary): string {
  const users = v.users.length ? `used by ${v.users.join(', ')}` : 'unused';
  return [v.size !== undefined ? formatBytes(v.size) : '', users, v.anonymous ? 'anonymous' : ''].filter(Boolean).join(' · ');
}

export interface NetDevCounters { name: string; rxBytes: number; rxPackets: number; txBytes: number; txPackets: number }

/**
 * /proc/PID/net/dev: the interfaces of the process's network namespace with
 * their counters. Two header lines, then `NAME: rx(bytes packets errs drop
 * fifo frame compressed multicast) tx(bytes packets …)`; a long name may run
 * into its first number ("veth0123:1234"), so split on the colon.
 */
export function parseNetDev(text: string): NetDevCounters[] {
  const out: NetDevCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || f.length < 10 || f.some((x) => !Number.isFinite(x))) continue;
    out.push({ name, rxBytes: f[0], rxPackets: f[1], txBytes: f[8], txPackets: f[9] });
  }
  return out;
}

/** "rx 1.2 KiB · tx 640 B" */
export function trafficDescription(c: NetDevCounters): string {
  return `rx ${formatBytes(c.rxBytes)} · tx ${formatBytes(c.txBytes)}`;
}

/** Network names as the helper takes them (Docker's rule): a letter or digit, then letters, digits, _ . - */
export function checkNetworkName(s: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(s) ? undefined : 'a name like backend: letters, digits, _ . - (at most 63)';
}

/** Volume names: the same rule, plus empty for a generated name. */
export function checkVolumeName(s: string): string | undefined {
  return s === '' || /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(s) ? undefined : 'a name like data: letters, digits, _ . - (or empty for a generated one)';
}

/** An IPv4 CIDR ("10.89.0.0/24") or empty (the helper picks a free subnet). */
export function checkSubnet(s: string): string | undefined {
  if (s === '') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  const ok = m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) >= 8 && Number(m[5]) <= 30;
  return ok ? undefined : 'an IPv4 subnet like 10.89.0.0/24 (prefix 8 to 30), or empty to let the helper pick a free one';
}
