// `nscope network create`'s flags, Docker's set: what a bridge network of
// nscope's can be (subnet, gateway, ip-range, aux addresses, internal,
// labels, the bridge driver's -o options) goes to the helper, which checks
// every value; what needs a swarm, IPv6 or another driver is refused here,
// by name, rather than dropped.
import type { Params } from '../protocol';
import { bool, list, str, UsageError, type Parsed } from './args';
import type { Flag } from './command';

export const CREATE_FLAGS: Flag[] = [
  { name: 'attachable', help: 'Enable manual container attachment (every nscope network takes `network connect`: kept and shown)' },
  { name: 'aux-address', takesValue: true, repeat: true, value: 'map', help: 'An address containers never get, NAME=IP (inside --subnet)' },
  { name: 'config-from', takesValue: true, help: 'Refused: configuration-only networks are a swarm feature' },
  { name: 'config-only', help: 'Refused: configuration-only networks are a swarm feature' },
  { name: 'driver', short: 'd', takesValue: true, help: 'Driver to manage the Network (only "bridge")' },
  { name: 'gateway', takesValue: true, repeat: true, value: 'ip', help: "The bridge's address (default: the subnet's first)" },
  { name: 'ingress', help: 'Refused: the routing-mesh network is a swarm feature' },
  { name: 'internal', help: 'Restrict external access: no route out, no NAT, nothing crosses the bridge but to and from its subnet' },
  { name: 'ip-range', takesValue: true, repeat: true, value: 'cidr', help: 'Allocate container addresses from this sub-range of --subnet only' },
  { name: 'ipam-driver', takesValue: true, help: 'IP Address Management Driver (only "default": CNI host-local)' },
  { name: 'ipam-opt', takesValue: true, repeat: true, value: 'map', help: 'Refused unless empty: the default IPAM driver takes no options' },
  { name: 'ipv4', help: 'IPv4 address assignment (always on: --ipv4=false is refused)' },
  { name: 'ipv6', help: 'Refused: nscope networks are IPv4 only' },
  { name: 'label', takesValue: true, repeat: true, help: 'Set metadata on a network, KEY=VALUE' },
  { name: 'opt', short: 'o', takesValue: true, repeat: true, value: 'map', help: 'Bridge driver options: com.docker.network.bridge.name, com.docker.network.driver.mtu, com.docker.network.bridge.enable_ip_masquerade, com.docker.network.bridge.enable_icc' },
  { name: 'scope', takesValue: true, help: 'The network\'s scope (only "local")' },
  { name: 'subnet', takesValue: true, repeat: true, value: 'cidr', help: 'The subnet, e.g. 10.89.1.0/24 (default: a free /16 from 10.88.0.0 up)' },
];

/** Docker's map flags: KEY=VALUE (a bare KEY is an empty value, as its MapOpts reads it). */
function mapOf(values: string[] | undefined): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) { const i = v.indexOf('='); out[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1); }
  return out;
}

/** A repeatable flag of Docker's ("strings": one per subnet) where nscope's networks have one subnet. */
function one(p: Parsed, name: string): string | undefined {
  const l = list(p, name);
  if (l && l.length > 1) throw new UsageError(`--${name}: given ${l.length} times; an nscope network has one IPv4 subnet, so one --${name}`);
  return l?.[0];
}

export function createParams(p: Parsed, name: string): Params<'network.create'> {
  const swarm = (flag: string) => new UsageError(`${flag}: swarm networks are not supported: nscope has no swarm (its networks are local bridges)`);
  if (bool(p, 'ingress')) throw swarm('--ingress');
  if (bool(p, 'config-only')) throw swarm('--config-only');
  if (str(p, 'config-from') !== undefined) throw swarm('--config-from');
  const scope = str(p, 'scope');
  if (scope === 'swarm' || scope === 'global') throw swarm(`--scope ${scope}`);
  if (scope !== undefined && scope !== 'local') throw new UsageError(`--scope: "${scope}" is not local, swarm or global`);
  if (bool(p, 'ipv6')) throw new UsageError('--ipv6: nscope networks are IPv4 only');
  if (p.flags.ipv4 === false) throw new UsageError('--ipv4=false: an nscope network without IPv4 would have no addresses (IPv6 is not supported)');
  const ipam = str(p, 'ipam-driver');
  if (ipam !== undefined && ipam !== 'default') throw new UsageError(`--ipam-driver: "${ipam}" is not supported: only "default" (CNI host-local)`);
  const ipamOpt = (list(p, 'ipam-opt') ?? []).filter((o) => o !== '');
  if (ipamOpt.length) throw new UsageError(`--ipam-opt ${ipamOpt[0]}: the default IPAM driver takes no options`);
  const aux = mapOf(list(p, 'aux-address'));
  for (const [k, v] of Object.entries(aux ?? {})) if (!k || !v) throw new UsageError(`--aux-address: "${k}=${v}" is not NAME=IP`);
  const labels: Record<string, string> = mapOf(list(p, 'label')) ?? {};
  const options = mapOf(list(p, 'opt'));
  const internal = bool(p, 'internal');
  const attachable = bool(p, 'attachable');
  const driver = str(p, 'driver');
  const subnet = one(p, 'subnet');
  const gateway = one(p, 'gateway');
  const ipRange = one(p, 'ip-range');
  return {
    name, labels, ...(subnet !== undefined ? { subnet } : {}), ...(gateway !== undefined ? { gateway } : {}), ...(driver !== undefined ? { driver } : {}),
    ...(internal ? { internal } : {}), ...(attachable ? { attachable } : {}), ...(ipRange !== undefined ? { ipRange } : {}),
    ...(aux ? { auxAddresses: aux } : {}), ...(options ? { options } : {}),
  };
}
