// What a container asks of the network at create time (RunOptions.net,
// publish, publishAll, networkAliases), checked and kept in its record so a
// restart attaches it the same way.
import { invalid } from '../errors';
import type { PortMapping, RunOptions } from '../protocol/types';
import { exposedMappings, parsePublish } from './ports';
import { checkNetworkName, type NetworkStore } from './store';
import { type DnsConfig, parseDns, parseExtraHost } from './dns-options';
import type { HostsEntry } from './etc-files';
import { checkFixedIp, checkMac } from './fixed-address';

export interface NetworkRequest {
  /** the networks in order: the first is eth0, then eth1, … */
  networks: { name: string; aliases: string[]; ip?: string; mac?: string }[];
  /** as asked: hostPort 0 is picked at each start */
  ports: PortMapping[];
  /** --add-host: lines of its /etc/hosts */
  extraHosts?: HostsEntry[];
  /** --dns, --dns-search, --dns-option: over the host's in its resolv.conf */
  dns?: DnsConfig;
  /** --domainname: the FQDN on its own line of /etc/hosts (etc-files.ts ownHostNames) */
  domainname?: string;
}

/**
 * `namespace`: the value options.ts's namespaceFor gets (none = a new,
 * private netns); `request`: what start does in it (absent: nothing, the
 * netns is the host's or another container's); `hostEtc`: with the host's,
 * --add-host's and --dns's lines for its own copies of the host's files.
 */
export function networkRequest(store: NetworkStore, opts: RunOptions, exposed: Record<string, unknown> | undefined): { namespace: string; request?: NetworkRequest; hostEtc?: { hosts?: HostsEntry[]; dns?: DnsConfig }; warnings?: string[] } {
  const v = opts.net === undefined || opts.net === '' ? 'bridge' : opts.net;
  if (typeof v !== 'string') throw invalid('--network: must be a string');
  for (const [k, a] of [['publish', opts.publish], ['networkAliases', opts.networkAliases], ['addHosts', opts.addHosts], ['dns', opts.dns], ['dnsSearch', opts.dnsSearch], ['dnsOptions', opts.dnsOptions]] as const) {
    if (a !== undefined && (!Array.isArray(a) || a.some((x) => typeof x !== 'string'))) throw invalid(`${k}: must be a list of strings`);
  }
  const aliases = (opts.networkAliases ?? []).map((a) => {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(a)) throw invalid(`--network-alias: "${a.slice(0, 64)}" is not a valid host name`);
    return a;
  });
  const publishing = !!(opts.publish?.length || opts.publishAll);
  const own = v === 'bridge' || (!['none', 'private', 'host'].includes(v) && !v.startsWith('container:') && !v.startsWith('/'));
  const extraHosts = (opts.addHosts ?? []).map((h) => parseExtraHost(h, () => store.get('bridge').gateway));
  const dns = parseDns(opts);
  const etc = { ...(extraHosts.length ? { extraHosts } : {}), ...(dns ? { dns } : {}), ...(opts.domainname ? { domainname: opts.domainname } : {}) };
  if (!own && !(v === 'none' || v === 'private' || v === 'host')) {
    // Docker's words for a joined namespace: its files are the other container's
    // (with the host's, the container's own files hold them: hostEtc below)
    if (extraHosts.length) throw invalid('conflicting options: custom host-to-IP mapping and the network mode');
    if (dns) throw invalid('conflicting options: dns and the network mode');
    // the joiner takes the other container's name with its /etc files (containers/network.ts joinedNetworkFiles)
    if (v.startsWith('container:') && opts.hostname) throw invalid('conflicting options: hostname and the network mode');
  }
  const fixedIp = opts.ip !== undefined && opts.ip !== '';
  const fixedMac = opts.macAddress !== undefined && opts.macAddress !== '';
  // Docker discards -p/-P with the host's network (warning, its daemon's words) and with none
  const warnings = publishing && v === 'host' ? ['Published ports are discarded when using host network mode'] : [];
  if (!own) {
    if (publishing && v.startsWith('container:')) throw invalid(`conflicting options: port publishing and the container type network mode (--network ${v})`);
    if (fixedIp) throw invalid(v === 'none' || v === 'private' ? '--ip: the container has no network (--network none)' : 'user specified IP address is supported on user defined networks only');
    if (fixedMac) throw invalid(v === 'none' || v === 'private' ? '--mac-address: the container has no network (--network none)' : 'conflicting options: mac-address and the network mode');
    if (aliases.length) throw invalid('--network-alias: network-scoped aliases are supported only for containers in user-defined networks');
    if (v === 'none' || v === 'private') return { namespace: 'none', request: { networks: [], ports: [], ...etc } };
    const hostEtc = v === 'host' ? { hostEtc: { ...(extraHosts.length ? { hosts: extraHosts } : {}), ...(dns ? { dns } : {}) } } : {};
    return { namespace: v, ...hostEtc, ...(warnings.length ? { warnings } : {}) };
  }
  const meta = store.get(v === 'bridge' ? v : checkNetworkName(v));
  if (aliases.length && meta.isDefault) throw invalid('--network-alias: network-scoped aliases are supported only for containers in user-defined networks');
  const ports: PortMapping[] = [];
  for (const m of [...(opts.publish ?? []).flatMap(parsePublish), ...(opts.publishAll ? exposedMappings(exposed) : [])]) {
    // -P and -p for the same port: the -p one (given first) wins, as in Docker
    if (!ports.some((p) => p.containerPort === m.containerPort && p.protocol === m.protocol && p.hostIp === m.hostIp && (!m.hostPort || p.hostPort === m.hostPort))) ports.push(m);
  }
  const first = { name: meta.name, aliases, ...(fixedIp ? { ip: checkFixedIp(opts.ip!, meta) } : {}), ...(fixedMac ? { mac: checkMac(opts.macAddress!) } : {}) };
  return { namespace: 'none', request: { networks: [first], ports, ...etc } };
}
