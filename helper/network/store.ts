// The networks nscope keeps: <root>/networks/NAME.json (what `network
// inspect` shows) and NAME.conflist (what the plugins are run with), and the
// default network "nscope" that `--network bridge` means.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { conflict, invalid, notFound, NscopeError } from '../errors';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import { type Cidr, contains, formatCidr, formatIp, nth, overlaps, parseCidr, parseIp, size } from './cidr';
import type { ConfList } from './cni';
import { conflistOf, ipamDir, type NetworkMeta } from './conflist';
import { checkAuxAddresses, checkIpRange, hostLocalRanges, usableAddresses } from './address-ranges';
import { checkBridgeName, OPT_BRIDGE_NAME, parseBridgeOptions } from './bridge-options';
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

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || !v || v.length > 64) throw invalid(`${what}: must be a non-empty string`);
  return v;
};

export function checkNetworkName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(name)) {
    throw invalid(`network name "${String(name).slice(0, 80)}" is invalid: use 1-64 of [a-zA-Z0-9_.-], starting with a letter or digit`);
  }
  return name;
}

/** What `network create` takes, as the helper's caller sends it (checked here: callers are not trusted). */
export interface CreateNetwork {
  name: string;
  subnet?: string;
  gateway?: string;
  labels?: Record<string, string>;
  /** only "bridge" */
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  ipRange?: string;
  auxAddresses?: Record<string, string>;
  /** Docker's bridge driver options (bridge-options.ts) */
  options?: Record<string, string>;
}

/** A map of string to string from a caller: labels, at most 256 of them. */
function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${what}: must be a map of KEY to string VALUE`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 256 || entries.some(([k, x]) => typeof x !== 'string' || k.length > 1024 || x.length > 4096)) throw invalid(`${what}: must be at most 256 string values (keys up to 1024 characters, values up to 4096)`);
  return Object.fromEntries(entries) as Record<string, string>;
}

function flag(v: unknown, what: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw invalid(`${what}: must be true or false`);
  return v;
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

  /** `anyAddress`: for an attachment with a --ip (conflist.ts) */
  conflist(m: NetworkMeta, anyAddress = false): ConfList { return conflistOf(this.root, m, anyAddress); }

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

  create(o: CreateNetwork): NetworkMeta {
    const name = checkNetworkName(o.name);
    if (RESERVED.has(name)) throw invalid(`network name "${name}" is reserved: --network ${name} means something else`);
    if (this.metas.has(name)) throw conflict(`network with name ${name} already exists`);
    const labels = stringMap(o.labels, 'network create: labels');
    if (o.driver !== undefined && o.driver !== 'bridge') {
      throw new NscopeError('not_found', `plugin "${String(o.driver).slice(0, 64)}" not found: nscope's networks have the bridge driver only (-d bridge)`);
    }
    // Docker's rule: the sub-blocks of a subnet the user names, not of one picked for them
    if (o.subnet === undefined && o.ipRange !== undefined) throw invalid('--ip-range: every ip-range must have a corresponding subnet (give --subnet)');
    if (o.subnet === undefined && o.gateway !== undefined) throw invalid('--gateway: every gateway must have a corresponding subnet (give --subnet)');
    if (o.subnet === undefined && o.auxAddresses !== undefined) throw invalid('--aux-address: every auxiliary address must have a corresponding subnet (give --subnet)');
    const { options, bridge: opts } = parseBridgeOptions(o.options);
    if (opts.bridge !== undefined) this.checkFreeBridge(opts.bridge);
    return this.make({
      name, subnet: o.subnet, gateway: o.gateway, labels, isDefault: false, what: '--subnet', bridge: opts.bridge,
      extra: {
        internal: flag(o.internal, '--internal'), attachable: flag(o.attachable, '--attachable'), options,
        ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}), ...(opts.masquerade === false ? { masquerade: false } : {}), ...(opts.icc === false ? { icc: false } : {}),
      },
      ipRange: o.ipRange === undefined ? undefined : str(o.ipRange, '--ip-range'), auxAddresses: o.auxAddresses,
    });
  }

  /**
   * A bridge name given with -o: one no network of nscope's and no interface
   * of the host's has (a network's bridge is made at its first container, so
   * an interface there now is someone else's: the plugin would take it over).
   */
  private checkFreeBridge(bridge: string): void {
    const other = [...this.metas.values()].find((m) => m.bridge === bridge);
    if (other) throw conflict(`-o ${OPT_BRIDGE_NAME}=${bridge}: that is network ${other.name}'s bridge`);
    if (bridge === (this.defaults.bridge ?? 'nscope0')) throw conflict(`-o ${OPT_BRIDGE_NAME}=${bridge}: that is the default network's bridge`);
    if (fs.existsSync(`/sys/class/net/${bridge}`)) throw conflict(`-o ${OPT_BRIDGE_NAME}=${bridge}: the host already has an interface named ${bridge}`);
  }

  private make(o: {
    name: string; subnet?: string; gateway?: string; bridge?: string; labels?: Record<string, string>; isDefault: boolean; what: string;
    ipRange?: string; auxAddresses?: unknown; extra?: Partial<NetworkMeta>;
  }): NetworkMeta {
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
    const ipRange = o.ipRange === undefined ? undefined : checkIpRange(o.ipRange, subnet);
    const auxAddresses = o.auxAddresses === undefined ? undefined : checkAuxAddresses(o.auxAddresses, subnet, gateway);
    if (ipRange !== undefined || auxAddresses !== undefined) {
      const ranges = hostLocalRanges({ subnet: formatCidr(subnet), gateway: formatIp(gateway), ipRange, auxAddresses });
      if (!usableAddresses(ranges)) throw invalid(`--ip-range ${ipRange ?? formatCidr(subnet)}: no address left for containers (the gateway and the aux addresses take them all)`);
    }
    const id = crypto.randomBytes(32).toString('hex');
    const bridge = o.bridge ?? `nscope-${id.slice(0, 8)}`;
    const other = ours.find((m) => m.bridge === bridge);
    if (other) throw conflict(`bridge ${bridge} is already network ${other.name}'s`);
    const meta: NetworkMeta = {
      name: o.name, id, subnet: formatCidr(subnet), gateway: formatIp(gateway), bridge, created: new Date().toISOString(),
      isDefault: o.isDefault, labels: o.labels ?? {},
      ...(ipRange !== undefined ? { ipRange } : {}), ...(auxAddresses && Object.keys(auxAddresses).length ? { auxAddresses } : {}),
      ...o.extra,
    };
    const files = [`${o.name}.conflist`, `${o.name}.json`].map((f) => path.join(this.dir, f));
    try {
      writeJsonAtomic(files[0], this.conflist(meta));
      writeJsonAtomic(files[1], meta);
    } catch (e) {
      // no network half made: a conflist without its record would never be listed, nor removed
      for (const f of files) fs.rmSync(f, { force: true });
      throw e;
    }
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
