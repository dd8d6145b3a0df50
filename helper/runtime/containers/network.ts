// The container side of networking (the work is in ../../network/): what a
// record is to the network code, and the verbs `network connect/disconnect`
// and `port` that name a container.
import * as fs from 'fs';
import { conflict, invalid, notFound } from '../../errors';
import { etcFiles, etcMounts } from '../../network/etc-files';
import type { NetContainer } from '../../network/networking';
import type { PortMapping } from '../../protocol/types';
import type { ContainerRecord } from '../record';
import type { Mount } from '../spec';
import { type ContainerContext, paths, save } from './context';
import { checkFixedIp } from '../../network/fixed-address';

export function netContainer(ctx: ContainerContext, r: ContainerRecord): NetContainer {
  return { id: r.id, name: r.name, hostname: r.hostname, dir: paths(ctx, r).dir, extraHosts: r.network?.extraHosts, domainname: r.network?.domainname };
}

/**
 * `--network container:NAME`, as Docker has it: the joiner sees the other
 * container's /etc/hosts, resolv.conf and hostname files (the same files, so
 * the names of its network peers resolve and follow them) and takes its host
 * and domain name. Undefined for another mode, or a container with no files
 * of its own (--network host: the joiner keeps its image's).
 */
export function joinedNetworkFiles(ctx: ContainerContext, net: string | undefined): { hostname: string; domainname?: string; mounts: Mount[] } | undefined {
  if (!net?.startsWith('container:')) return undefined;
  const r = ctx.find(net.slice('container:'.length));
  const dir = paths(ctx, r).dir;
  if (!fs.existsSync(etcFiles(dir).hosts)) return undefined;
  return { hostname: r.hostname, ...(r.network?.domainname ? { domainname: r.network.domainname } : {}), mounts: etcMounts(dir) };
}

/** A container with a netns of its own (its record keeps its networks), running or not. */
function ownNetwork(ctx: ContainerContext, ref: string): ContainerRecord & { network: NonNullable<ContainerRecord['network']> } {
  const r = ctx.find(ref);
  if (!r.network?.networks.length) throw conflict(`container ${r.name} has no network of its own (it runs with --network none, host or container:)`);
  return r as ContainerRecord & { network: NonNullable<ContainerRecord['network']> };
}

/**
 * Attached now if it runs and, as in Docker, again on every later start; a
 * container that does not run (created, exited) only has the network added
 * to its record, as Docker does (compose creates, connects, then starts).
 */
export async function connect(ctx: ContainerContext, network: string, ref: string, aliases: string[] = [], ipIn?: string): Promise<{ network: string; container: string }> {
  const m = ctx.net.store.get(network);
  const r = ownNetwork(ctx, ref);
  const ip = ipIn === undefined || ipIn === '' ? undefined : checkFixedIp(ipIn, m);
  if (r.status === 'running') await ctx.net.connect(netContainer(ctx, r), m, aliases, ip);
  else {
    // the checks the live connect makes, in its words; the address itself is taken at start
    if (r.network.networks.some((n) => n.name === m.name)) throw conflict(`endpoint with name ${r.name} already exists in network ${m.name}`);
    if (aliases.length && m.isDefault) throw invalid('--alias: network-scoped aliases are supported only for containers in user-defined networks');
  }
  r.network.networks.push({ name: m.name, aliases, ...(ip ? { ip } : {}) });
  save(ctx, r);
  return { network: m.name, container: r.id };
}

export async function disconnect(ctx: ContainerContext, network: string, ref: string): Promise<{ network: string; container: string }> {
  const m = ctx.net.store.get(network);
  const r = ownNetwork(ctx, ref);
  if (r.status === 'running') await ctx.net.disconnect(netContainer(ctx, r), m);
  else if (!r.network.networks.some((n) => n.name === m.name)) throw notFound(`container ${r.name} is not connected to network ${m.name}`);
  r.network.networks = r.network.networks.filter((n) => n.name !== m.name);
  save(ctx, r);
  return { network: m.name, container: r.id };
}

export function ports(ctx: ContainerContext, ref: string): PortMapping[] {
  return ctx.net.ports(ctx.find(ref).id);
}
