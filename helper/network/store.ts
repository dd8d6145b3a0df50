// The networks nscope keeps: <root>/networks/NAME.json (what `network
// inspect` shows) and NAME.conflist (what the plugins are run with), and the
// default network "nscope" that `--network bridge` means.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { conflict, invalid, notFound } from '../errors';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import { type Cidr, contains, formatCidr, formatIp, nth, overlaps, parseCidr, parseIp, size } from './cidr';
import type { ConfList } from './cni';
import { conflistOf, ipamDir, type NetworkMeta } from './conflist';
import { freeSubnet, hostBlocks } from './host-routes';
import { deleteLink } from './links';

export const DEFAULT_NETWORK = 'nscope';
/** names `--network` gives another meaning to */
const RESERVED = new Set(['none', 'host', 'bridge', 'default', 'private']);

export interface DefaultNetworkOptions {
  /** the default network's bridge (default nscope0) */
  bridge?: string;
  /** its subnet (default: the first free /16 from 10.88.0.0 up) */
  subnet?: string;
}

export function checkNetworkName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(name)) {
    throw invalid(`network name "${String(name).slice(0, 80)}" is invalid: use 1-64 of [a-zA-Z0-9_.-], starting with a letter or digit`);
  }
  return name;
}

export function checkBridgeName(name: string, what: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(name)) throw invalid(`${what}: "${name.slice(0, 40)}" is not a valid interface name (1-15 of [a-zA-Z0-9_.-])`);
  return name;
}

/**
 * Blocks a bridge's subnet must never overlap (RFC 6890): a bridge given
 * 127.0.0.1 or an address of 0.0.0.0/8 would take part of the host's own
 * loopback or "this host" addresses; link-local, multicast and the reserved
 * 240/4 are not unicast networks a gateway can route.
 */
const SPECIAL_BLOCKS = [
  { cidr: '0.0.0.0/8', what: '"this network"' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved, and broadcast' },
];

export class NetworkStore {
  readonly dir: string;
  private readonly metas = new Map<string, NetworkMeta>();

  constructor(readonly root: string, private readonly defaults: DefaultNetworkOptions = {}) {
    this.dir = path.join(root, 'networks');
    fs.mkdirSync(ipamDir(root), { recursive: true, mode: 0o700 });
    for (const f of fs.readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const m = readJson<NetworkMeta>(path.join(this.dir, f));
      if (m?.name) this.metas.set(m.name, m);
    }
    if (defaults.bridge !== undefined) checkBridgeName(defaults.bridge, '--default-network-bridge');
    if (defaults.subnet !== undefined) parseCidr(defaults.subnet, '--default-subnet');
  }

  list(): NetworkMeta[] { return [...this.metas.values()].sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name)); }

  /** By name, `bridge` (the default), or a unique id prefix, as Docker finds networks. */
  get(ref: string): NetworkMeta {
    if (typeof ref !== 'string' || !ref) throw invalid('network: no name given');
    if (ref === 'bridge') return this.ensureDefault();
    const m = this.metas.get(ref) ?? (/^[0-9a-f]{3,64}$/.test(ref) ? this.uniqueById(ref) : undefined);
    if (!m) throw notFound(`network ${ref} not found`);
    return m;
  }

  private uniqueById(prefix: string): NetworkMeta | undefined {
    const hits = [...this.metas.values()].filter((m) => m.id.startsWith(prefix));
    if (hits.length > 1) throw invalid(`network id prefix "${prefix}" is ambiguous`);
    return hits[0];
  }

  conflist(m: NetworkMeta): ConfList { return conflistOf(this.root, m); }

  /**
   * The default network, made on first use. Flags that changed since it was
   * made apply when nothing is attached (`inUse` false); else it stays as it is.
   */
  ensureDefault(inUse = true): NetworkMeta {
    const have = this.metas.get(DEFAULT_NETWORK);
    const bridge = this.defaults.bridge ?? 'nscope0';
    if (have && (inUse || ((this.defaults.subnet === undefined || have.subnet === this.defaults.subnet) && have.bridge === bridge))) return have;
    if (have) this.drop(have);
    return this.make({ name: DEFAULT_NETWORK, subnet: this.defaults.subnet, bridge, isDefault: true, what: '--default-subnet' });
  }

  create(o: { name: string; subnet?: string; gateway?: string; labels?: Record<string, string> }): NetworkMeta {
    const name = checkNetworkName(o.name);
    if (RESERVED.has(name)) throw invalid(`network name "${name}" is reserved: --network ${name} means something else`);
    if (this.metas.has(name)) throw conflict(`network with name ${name} already exists`);
    if (o.labels !== undefined && (typeof o.labels !== 'object' || Object.values(o.labels).some((v) => typeof v !== 'string'))) throw invalid('network create: labels must be strings');
    return this.make({ name, subnet: o.subnet, gateway: o.gateway, labels: o.labels, isDefault: false, what: '--subnet' });
  }

  private make(o: { name: string; subnet?: string; gateway?: string; bridge?: string; labels?: Record<string, string>; isDefault: boolean; what: string }): NetworkMeta {
    const ours = [...this.metas.values()].filter((m) => m.name !== o.name);
    const host = hostBlocks(new Set([...this.metas.values()].map((m) => m.bridge)));
    let subnet: Cidr;
    if (o.subnet !== undefined) {
      subnet = parseCidr(o.subnet, o.what);
      const clash = ours.find((m) => overlaps(parseCidr(m.subnet, 'subnet'), subnet));
      if (clash) throw conflict(`${o.what} ${o.subnet}: Pool overlaps with other one on this address space (network ${clash.name}, ${clash.subnet})`);
      const special = SPECIAL_BLOCKS.find((b) => overlaps(parseCidr(b.cidr, 'block', 0, 32), subnet));
      if (special) throw invalid(`${o.what} ${o.subnet}: overlaps ${special.cidr} (${special.what}), which no bridge may take`);
      const route = host.find((h) => overlaps(h, subnet));
      if (route) throw conflict(`${o.what} ${o.subnet}: overlaps ${formatCidr(route)}, which the host already routes`);
    } else {
      const free = freeSubnet([...host, ...ours.map((m) => parseCidr(m.subnet, 'subnet'))]);
      if (!free) throw conflict('no free subnet left in 10.88.0.0-10.254.255.255; give one with --subnet');
      subnet = free;
    }
    let gateway = nth(subnet, 1);
    if (o.gateway !== undefined) {
      gateway = parseIp(o.gateway, '--gateway');
      if (!contains(subnet, gateway) || gateway === subnet.base || gateway === nth(subnet, size(subnet) - 1)) {
        throw invalid(`--gateway: ${o.gateway} is not a host address of ${formatCidr(subnet)}`);
      }
    }
    const id = crypto.randomBytes(32).toString('hex');
    const bridge = o.bridge ?? `nscope-${id.slice(0, 8)}`;
    const other = ours.find((m) => m.bridge === bridge);
    if (other) throw conflict(`bridge ${bridge} is already network ${other.name}'s`);
    const meta: NetworkMeta = {
      name: o.name, id, subnet: formatCidr(subnet), gateway: formatIp(gateway), bridge, created: new Date().toISOString(),
      isDefault: o.isDefault, labels: o.labels ?? {},
    };
    writeJsonAtomic(path.join(this.dir, `${o.name}.conflist`), this.conflist(meta));
    writeJsonAtomic(path.join(this.dir, `${o.name}.json`), meta);
    this.metas.set(o.name, meta);
    return meta;
  }

  /** Its files, its address store and its bridge (the caller checked nothing is attached). */
  async remove(m: NetworkMeta): Promise<void> {
    this.drop(m);
    await deleteLink(m.bridge);
  }

  private drop(m: NetworkMeta): void {
    this.metas.delete(m.name);
    for (const f of [`${m.name}.json`, `${m.name}.conflist`]) fs.rmSync(path.join(this.dir, f), { force: true });
    fs.rmSync(path.join(ipamDir(this.root), m.name), { recursive: true, force: true });
  }
}
